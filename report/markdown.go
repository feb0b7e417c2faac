package report

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// RenderMarkdown returns a GitHub-flavoured markdown summary of d, for
// terminals and pull requests: the headline numbers, the absent features,
// the choice of k, one table of clusters and one of segments, the
// life-cycle counts, the revenue concentration and the movement since the
// previous run. It has no HTML; user text is escaped so that it cannot
// break a table or become markup. Numbers that are not numbers print "–".
func RenderMarkdown(d *Data) []byte {
	var b bytes.Buffer
	title := d.Title
	if title == "" {
		title = "Customer segments"
	}
	fmt.Fprintf(&b, "# %s\n\n", mdText(title))
	var meta []string
	if d.Version != "" {
		meta = append(meta, "segmint "+mdText(d.Version))
	}
	if !d.Generated.IsZero() {
		meta = append(meta, "generated "+d.Generated.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if d.Input != "" {
		meta = append(meta, "input: "+mdCode(d.Input))
	}
	if len(meta) > 0 {
		fmt.Fprintf(&b, "%s\n\n", strings.Join(meta, " · "))
	}

	b.WriteString("## Summary\n\n")
	b.WriteString("| measure | value |\n|---|---:|\n")
	fmt.Fprintf(&b, "| events | %s |\n", commas(d.Events))
	fmt.Fprintf(&b, "| customers | %s |\n", commas(int64(d.Customers)))
	fmt.Fprintf(&b, "| products | %s |\n", commas(int64(d.Products)))
	fmt.Fprintf(&b, "| input files | %d |\n", d.Files)
	fmt.Fprintf(&b, "| clusters (k) | %d |\n", d.K)
	if !d.AsOf.IsZero() {
		fmt.Fprintf(&b, "| observation window | %s (%s) |\n", windowDates(d.WindowStart, d.AsOf), days(d.AsOf.Sub(d.WindowStart).Hours()/24))
	}
	if len(d.Pareto) > 0 {
		fmt.Fprintf(&b, "| revenue from the top 20%% of customers | %s |\n", pct(d.Top20Share))
	}
	if d.Boots > 0 {
		fmt.Fprintf(&b, "| stability (mean adjusted Rand index, %d refits) | %s |\n", d.Boots, mdNum(d.MeanARI))
	}
	b.WriteString("\n")
	for _, w := range d.Warnings {
		fmt.Fprintf(&b, "> **Warning:** %s\n\n", mdText(w))
	}
	for _, s := range d.Skipped {
		fmt.Fprintf(&b, "- Rows skipped, %s: %s\n", mdText(s.Label), commas(s.N))
	}
	if len(d.Skipped) > 0 {
		b.WriteString("\n")
	}

	writeSegmentTable(&b, d)

	b.WriteString("## Segments\n\n")
	if len(d.Segments) == 0 {
		b.WriteString("No segments.\n\n")
	} else {
		fmt.Fprintf(&b, "Primary segment: the only rule the customer meets, or of several the one whose members' profile the customer is nearest (%s customers differ from the first rule met in catalogue order); a customer who meets no rule takes the segment whose profile it is nearest (%s customers), unless its cluster is a behaviour the catalogue lacks. The `primary_basis` column says which applies.\n\n", commas(int64(d.Reconciled)), commas(int64(d.FromProfile)))
		withValue := predicted(d)
		if withValue {
			b.WriteString("| segment | docs | members | primary | revenue | predicted value | carried by clusters |\n|---|---|---:|---:|---:|---:|---|\n")
		} else {
			b.WriteString("| segment | docs | members | primary | revenue | carried by clusters |\n|---|---|---:|---:|---:|---|\n")
		}
		for _, s := range d.Segments {
			id := mdCode(s.ID)
			if s.Facet {
				id += " (facet)"
			}
			if s.Reading != "" && s.Evaluated {
				id += " (read from the inputs present)"
			}
			docs := mdText(strings.Join(s.Docs, ", "))
			value := ""
			if withValue {
				value = " – |"
			}
			if !s.Evaluated {
				fmt.Fprintf(&b, "| %s | %s | – | – | – |%s not evaluated: %s |\n", id, docs, value, mdText(s.Reason))
				continue
			}
			carried := "–"
			if len(s.Clusters) > 0 {
				carried = joinInts(s.Clusters)
			}
			if withValue {
				value = " " + mdNum(s.PredictedCLV) + " |"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |%s %s |\n", id, docs, commas(int64(s.Members)), commas(int64(s.Primary)), mdNum(s.Revenue), value, carried)
		}
		b.WriteString("\n")
		for _, s := range d.Segments {
			if s.Reading != "" && s.Evaluated {
				fmt.Fprintf(&b, "- %s, read from the inputs present: %s Rule evaluated: %s.\n", mdCode(s.ID), mdText(s.Reading), mdCode(s.Rule))
			}
		}
		for _, g := range d.Unnamed {
			fmt.Fprintf(&b, "- Not in the catalogue, %s customers of cluster %d (%s): they meet no segment's rule and their cluster maps to no segment. %s\n", commas(int64(g.Customers)), g.Cluster, mdText(g.Label), mdText(g.Description))
		}
		if len(d.Unnamed) > 0 || len(readSegments(d)) > 0 {
			b.WriteString("\n")
		}
	}
	if d.NewCustomers > 0 {
		fmt.Fprintf(&b, "%s customers are in clusters that no catalogue segment describes (marked new).\n\n", commas(int64(d.NewCustomers)))
	}
	if len(d.Uncarried) > 0 {
		fmt.Fprintf(&b, "Present in the rules but not a cluster of their own: %s.\n\n", mdList(d.Uncarried))
	}

	if len(d.Lifecycle) > 0 {
		b.WriteString("## Life-cycle stages\n\n| stage | customers |\n|---|---:|\n")
		for _, s := range stages(d.Lifecycle) {
			fmt.Fprintf(&b, "| %s | %s |\n", mdText(s.Label), commas(s.N))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Revenue concentration\n\n")
	if len(d.Pareto) > 0 && finite(d.Top20Share) {
		fmt.Fprintf(&b, "The top 20%% of customers by spend bring %s of revenue.\n\n", pct(d.Top20Share))
	} else {
		b.WriteString("The input has no spend.\n\n")
	}

	writePredictions(&b, d)

	b.WriteString("## Movement since the previous run\n\n")
	if m := d.Movement; m == nil {
		b.WriteString("No previous run (use --previous DIR).\n")
	} else {
		fmt.Fprintf(&b, "Compared with %s", mdCode(m.PreviousRun))
		if !m.PreviousAsOf.IsZero() {
			fmt.Fprintf(&b, " (as of %s)", m.PreviousAsOf.Format("2006-01-02"))
		}
		b.WriteString(":\n\n| stayed | moved | new | gone |\n|---:|---:|---:|---:|\n")
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", commas(m.Stayed), commas(m.Moved), commas(m.New), commas(m.Gone))
		if len(m.ClusterMatch) > 0 {
			b.WriteString("\nCluster matches (now ← previous): ")
			parts := make([]string, len(m.ClusterMatch))
			for i, prev := range m.ClusterMatch {
				if prev < 0 {
					parts[i] = fmt.Sprintf("%d ← none", i)
				} else {
					parts[i] = fmt.Sprintf("%d ← %d", i, prev)
				}
			}
			b.WriteString(strings.Join(parts, ", ") + ".\n")
		}
	}

	b.WriteString("\n## Features\n\n")
	fmt.Fprintf(&b, "Clustered on %d features: %s.\n\n", len(d.Clustered), mdList(d.Clustered))
	if len(d.Absent) > 0 {
		b.WriteString("Absent (the input lacks what they need; never zero-filled):\n\n")
		for _, a := range d.Absent {
			fmt.Fprintf(&b, "- %s: %s\n", mdCode(a.Name), mdText(a.Reason))
		}
		b.WriteString("\n")
	}

	b.WriteString("## Choice of k\n\n")
	fmt.Fprintf(&b, "k = %d, seed %d", d.K, d.Seed)
	if d.KRule != "" {
		fmt.Fprintf(&b, ": %s", mdText(d.KRule))
	}
	b.WriteString(".\n\n")

	b.WriteString("## Clusters\n\n")
	if len(d.Clusters) == 0 {
		b.WriteString("No clusters.\n\n")
	} else {
		b.WriteString("| cluster | size | share | segment or label | confidence | stability |\n|---:|---:|---:|---|---:|---|\n")
		for _, c := range d.Clusters {
			seg, conf := "new, not in the catalogue: _"+mdText(c.Label)+"_", "–"
			if c.Description != "" {
				seg += " (" + mdText(c.Description) + ")"
			}
			if c.Segment != "" {
				seg, conf = mdCode(c.Segment), pct(c.Confidence)
				if c.Named {
					seg += " " + mdText(c.Label)
					if c.LabelShare != c.Confidence {
						conf += " (label: " + pct(c.LabelShare) + ")"
					}
				}
			}
			stab := mdNum(c.Jaccard) + plusMinus(c.JaccardSE)
			if c.Unstable {
				stab += " **unstable**"
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", c.ID, commas(int64(c.Size)), pct(c.Share), seg, conf, stab)
		}
		b.WriteString("\n")
	}

	writeDocuments(&b, d)
	return b.Bytes()
}

// writeSegmentTable writes the opening table: each primary segment (and
// each group of customers no segment describes) with its customers, share,
// revenue share, average spend and first action.
func writeSegmentTable(b *bytes.Buffer, d *Data) {
	b.WriteString("## Segments at a glance\n\n")
	if len(d.SegmentTable) == 0 {
		b.WriteString("No customer has a primary segment.\n\n")
		return
	}
	withValue := predicted(d)
	if withValue {
		b.WriteString("| segment | customers | share | revenue share | average spend | predicted value per customer | first action |\n|---|---:|---:|---:|---:|---:|---|\n")
	} else {
		b.WriteString("| segment | customers | share | revenue share | average spend | first action |\n|---|---:|---:|---:|---:|---|\n")
	}
	for _, r := range d.SegmentTable {
		name := mdText(r.Name)
		if r.Unnamed {
			name = "not in the catalogue: _" + name + "_"
		} else if r.ID != "" {
			name += " " + mdCode(r.ID)
		}
		value := ""
		if withValue {
			value = " " + mdNum(r.AvgPredictedCLV) + " |"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |%s %s |\n", name, commas(int64(r.Customers)), pct(r.Share), pct(r.RevenueShare), mdNum(r.AvgSpend), value, mdText(r.Action))
	}
	b.WriteString("\n")
}

// writePredictions writes the predictions: the models, or why they do not
// speak; the churn-risk distribution; the predicted value by segment
// (primary) and by cluster.
func writePredictions(b *bytes.Buffer, d *Data) {
	p := d.Predictions
	if p == nil {
		return
	}
	b.WriteString("## Predictions\n\n")
	if p.Reason != "" {
		fmt.Fprintf(b, "> **No predictions:** %s. The prediction columns of `customers.parquet` are null, and rules that read them are not evaluated.\n\n", mdText(p.Reason))
		return
	}
	h := days(p.HorizonDays)
	fmt.Fprintf(b, "| measure | value |\n|---|---:|\n| predicted value, next %s | %s |\n| expected orders, next %s | %s |\n| mean probability still active | %s |\n| customers with a purchase, predicted | %s |\n\n",
		h, mdNum(p.PredictedCLV), h, mdNum(p.ExpectedOrders), pct(p.MeanPAlive), commas(int64(p.Customers)))
	fmt.Fprintf(b, "%s.", mdText(p.Fit))
	if p.SpendFit != "" {
		fmt.Fprintf(b, " %s.", mdText(p.SpendFit))
	}
	fmt.Fprintf(b, " Values are discounted at %s a year.\n\n", pct(p.DiscountRate))
	if p.SpendReason != "" {
		fmt.Fprintf(b, "> **No order values:** %s; expected\\_order\\_value and predicted\\_clv are null.\n\n", mdText(p.SpendReason))
	}
	if p.CorrelationWarning != "" {
		fmt.Fprintf(b, "> **Spend model check** %s.\n\n", mdText(p.CorrelationWarning))
	}
	fmt.Fprintf(b, "Churn risk, the probability of no order in the next %s:\n\n| probability | customers |\n|---|---:|\n", h)
	for _, c := range p.ChurnBands {
		fmt.Fprintf(b, "| %s | %s |\n", mdText(c.Label), commas(c.N))
	}
	b.WriteString("\n| primary segment | customers | predicted value | per customer |\n|---|---:|---:|---:|\n")
	for _, r := range d.SegmentTable {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(r.Name), commas(int64(r.Customers)), mdNum(r.PredictedCLV), mdNum(r.AvgPredictedCLV))
	}
	b.WriteString("\n| cluster | customers | predicted value | per customer |\n|---|---:|---:|---:|\n")
	for _, c := range d.Clusters {
		fmt.Fprintf(b, "| %d %s | %s | %s | %s |\n", c.ID, mdText(c.Label), commas(int64(c.Size)), mdNum(c.PredictedCLV), mdNum(c.AvgPredictedCLV))
	}
	b.WriteString("\n")
}

// writeDocuments lists the source documents the segments' docs name.
func writeDocuments(b *bytes.Buffer, d *Data) {
	if len(d.Documents) == 0 {
		return
	}
	b.WriteString("\n## Source documents\n\n")
	for _, doc := range d.Documents {
		fmt.Fprintf(b, "- **%s**: %s", mdText(doc.ID), mdText(doc.Title))
		if len(doc.Originals) > 0 {
			parts := make([]string, len(doc.Originals))
			for i, o := range doc.Originals {
				parts[i] = mdText(o)
			}
			fmt.Fprintf(b, " (%s)", strings.Join(parts, "; "))
		}
		b.WriteString("\n")
	}
}

// WriteMarkdown renders d as markdown into a new file at path.
func WriteMarkdown(path string, d *Data) error {
	return os.WriteFile(path, RenderMarkdown(d), 0o644)
}

// mdEscaper escapes what would make markdown markup, break a table cell or
// (through "<") start HTML.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "#", `\#`, "\n", " ", "\r", " ",
)

// mdText is user text for a markdown paragraph or table cell.
func mdText(s string) string { return mdEscaper.Replace(s) }

// mdCode is user text as inline code; backticks in s (rare in ids and
// paths) fall back to escaped text, and pipes are escaped, which GitHub
// honours inside table cells.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, "`\n\r") {
		return mdText(s)
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func mdList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = mdCode(n)
	}
	return strings.Join(parts, ", ")
}

// mdNum is the page's number format: "–" for NaN and infinities.
func mdNum(x float64) string { return formatNum(x) }

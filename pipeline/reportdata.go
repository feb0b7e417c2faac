package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/report"
	"github.com/segmint/segmint/segments"
)

// projectionSample is the most customers drawn in the 2-D projection.
const projectionSample = 2000

// buildReport gathers the report's data from the run's results.
func buildReport(m *output.Manifest, t *features.Table, cs *ClusterStage, mem *segments.Memberships, mp *segments.Mapping, cat *segments.Catalogue) *report.Data {
	d := &report.Data{
		Title: "Customer segments", Version: m.Version, Generated: time.Now().UTC(),
		Events: m.Input.Events, Customers: len(t.Customers), Products: m.Input.Products, Files: len(m.Input.Files),
		AsOf: m.AsOf, WindowStart: m.WindowStart, Clustered: cs.Features,
		K: cs.Result.K, Seed: m.Parameters.Seed, Inertia: cs.Result.Inertia, MeanARI: math.NaN(), Uncarried: mp.Uncarried,
		Reconciled: m.Reconciled, FromProfile: m.FromProfile,
	}
	d.Input = m.InputLabel
	if d.Input == "" {
		var names []string
		for _, f := range m.Input.Files {
			names = append(names, f.Path)
		}
		if len(names) > 3 {
			names = append(names[:3], "…")
		}
		d.Input = strings.Join(names, ", ")
	}
	d.Warnings = slices.Clone(m.Input.Warnings)
	// The window's warning, when the run has not already raised it.
	if w := cat.HistoryWarning(t.WindowDays()); w != "" && !slices.Contains(d.Warnings, w) {
		d.Warnings = append(d.Warnings, w)
	}
	for k, v := range m.Input.Skipped {
		d.Skipped = append(d.Skipped, report.Count{Label: k, N: v})
	}
	slices.SortFunc(d.Skipped, func(a, b report.Count) int { return cmp.Compare(a.Label, b.Label) })
	for _, f := range t.Features {
		d.Features = append(d.Features, report.Feature{Name: f.Name, Unit: f.Unit, Description: f.Description})
	}
	for _, a := range t.Absent {
		d.Absent = append(d.Absent, report.Reasoned{Name: a.Feature, Reason: a.Reason})
	}
	for _, a := range cs.Excluded {
		d.Excluded = append(d.Excluded, report.Reasoned{Name: a.Feature, Reason: a.Reason})
	}
	if s := cs.Selection; s != nil {
		d.KRule = cs.Strategy + ". Validity-index rule: " + s.IndexRule
		if s.Stability != nil {
			d.KRule += ". Stability rule: " + s.Rule
		}
		d.KSelection = &report.KSelection{Ks: s.Ks, Inertia: s.Inertia, Silhouette: s.Silhouette, CalinskiHarabasz: s.CalinskiHarabasz, DaviesBouldin: s.DaviesBouldin, Chosen: s.IndexChoice, Knee: s.Knee, Used: cs.Result.K, SilhouetteSample: s.SilhouetteSample}
		if s.Stability != nil {
			ks := d.KSelection
			ks.StableChoice, ks.StabilityBoots, ks.StabilitySample = s.Chosen, s.StabilityBoots, s.StabilitySample
			for _, st := range s.Stability {
				ks.Stability = append(ks.Stability, st.MeanJaccard)
			}
		}
	} else {
		d.KRule = cs.Strategy + "."
	}
	if s := cs.Stability; s != nil {
		d.MeanARI, d.Boots = s.MeanARI, s.Boots
	}
	for c, cm := range mp.Clusters {
		rc := report.Cluster{ID: c, Size: cm.Size, Share: cm.Share, Segment: cm.Segment, Label: cm.Label, Confidence: cm.Confidence, Why: cm.Why, Jaccard: math.NaN(), JaccardSE: math.NaN(), Z: cs.Result.Centroid(c), New: cm.New, Description: cm.Description, SubGroup: cm.SubGroup,
			Named: !cm.New && (cm.SubGroup > 0 || len(cm.Named) > 1 || cm.LabelShare < segments.MajorityLabel), LabelShare: cm.LabelShare}
		if cm.New {
			d.NewCustomers += cm.Size
		}
		for _, e := range cm.Evidence {
			rc.Evidence = append(rc.Evidence, report.Evidence{Feature: e.Feature, Z: e.Z, ClusterMean: e.ClusterMean, Population: e.PopulationMean})
		}
		for _, c := range cm.Candidates {
			rc.Candidates = append(rc.Candidates, report.Candidate{Segment: c.Segment, Precision: c.Precision, Recall: c.Recall, Lift: c.Lift, F1: c.F1})
		}
		if cs.Stability != nil {
			rc.Jaccard, rc.JaccardSE, rc.Unstable = cs.Stability.Jaccard[c], cs.Stability.JaccardSE[c], cs.Stability.Unstable[c]
		}
		d.Clusters = append(d.Clusters, rc)
	}
	fromProfile := make([]int, len(cat.Segments))
	for i, p := range mem.Primary {
		if p >= 0 && mem.Basis != nil && mem.Basis[i] == segments.BasisClosestProfile {
			fromProfile[p]++
		}
	}
	for s, seg := range cat.Segments {
		ss := m.Segments[s]
		rs := report.Segment{ID: seg.ID, Name: seg.Name, Description: seg.Description, Rule: mem.RuleOf(s), Docs: seg.Docs, Evaluated: ss.Evaluated, Reason: ss.Reason, Members: ss.Members, Primary: ss.Primary, Share: float64(ss.Members) / float64(len(t.Customers)), Revenue: ss.Revenue, Clusters: ss.Clusters, Actions: seg.Actions, Facet: seg.Facet,
			NeedsDays: seg.NeedsDays, FromProfile: fromProfile[s]}
		if f := mem.FallbackOf(s); f != nil {
			rs.Reading, rs.OwnRule = f.Reading, seg.Rule
		}
		d.Segments = append(d.Segments, rs)
	}
	for _, doc := range cat.Documents {
		d.Documents = append(d.Documents, report.Document{ID: doc.ID, Title: doc.Title, Originals: doc.Originals})
	}
	d.Unnamed = unnamedGroups(t, mem, mp, cs.Result.Assign)
	d.SegmentTable = segmentTable(t, mem, cat, d.Unnamed)
	stages := make([]int64, len(cat.Lifecycle))
	var unknown int64
	for i := range t.Customers {
		if k := mem.Stage[i]; k >= 0 {
			stages[k]++
		} else {
			unknown++
		}
	}
	for k, st := range cat.Lifecycle {
		d.Lifecycle = append(d.Lifecycle, report.Count{Label: st.Stage, N: stages[k]})
	}
	if unknown > 0 {
		d.Lifecycle = append(d.Lifecycle, report.Count{Label: "unknown", N: unknown})
	}
	if spend := t.Column("total_spend"); spend != nil {
		d.Top20Share, d.Pareto = report.Pareto(spend, 50)
	}
	if t.Country != nil {
		counts := make(map[string]int64)
		for _, c := range t.Country {
			if c == "" {
				c = "unknown"
			}
			counts[c]++
		}
		for c, n := range counts {
			d.Countries = append(d.Countries, report.Count{Label: c, N: n})
		}
		slices.SortFunc(d.Countries, func(a, b report.Count) int {
			if a.N != b.N {
				return cmp.Compare(b.N, a.N)
			}
			return cmp.Compare(a.Label, b.Label)
		})
	}
	if pts, ev, err := report.Projection(cs.Matrix, cs.Rows, len(cs.Features), cs.Result.Assign, projectionSample); err == nil {
		d.Projection, d.ExplainedVariance = pts, ev
	}
	d.OverlapIDs, d.Overlap, d.MembershipsPerCustomer = overlaps(mem)
	d.AbandonedCategories = abandonedCategories(t, mem, func(ids []int64) map[int64]string {
		return m.Input.CategoryNames(context.Background(), ids)
	}, 15)
	d.CountrySegments = countrySegments(t, mem, 8)
	return d
}

// unnamedGroups gathers the customers whose primary segment is none by
// their cluster: each group is described by its cluster, with the segment
// the cluster comes closest to.
func unnamedGroups(t *features.Table, mem *segments.Memberships, mp *segments.Mapping, assign []int) []report.UnnamedGroup {
	spend := t.Column("total_spend")
	byCluster := make(map[int]*report.UnnamedGroup)
	var order []int
	for i, p := range mem.Primary {
		if p >= 0 {
			continue
		}
		c := -1
		if i < len(assign) {
			c = assign[i]
		}
		g, ok := byCluster[c]
		if !ok {
			g = &report.UnnamedGroup{Cluster: c, Revenue: math.NaN()}
			if spend != nil {
				g.Revenue = 0
			}
			if c >= 0 && c < len(mp.Clusters) {
				cm := mp.Clusters[c]
				g.Label, g.Description, g.Why = cm.Label, cm.Description, cm.Why
				for _, cand := range cm.Candidates {
					g.Candidates = append(g.Candidates, report.Candidate{Segment: cand.Segment, Precision: cand.Precision, Recall: cand.Recall, Lift: cand.Lift, F1: cand.F1})
				}
				if len(cm.Candidates) > 0 {
					g.Closest = cm.Candidates[0].Segment
				}
			}
			byCluster[c] = g
			order = append(order, c)
		}
		g.Customers++
		if spend != nil && !math.IsNaN(spend[i]) {
			g.Revenue += spend[i]
		}
	}
	slices.Sort(order)
	out := make([]report.UnnamedGroup, 0, len(order))
	for _, c := range order {
		g := byCluster[c]
		g.Share = float64(g.Customers) / float64(max(len(t.Customers), 1))
		out = append(out, *g)
	}
	return out
}

// segmentTable is the report's opening table: the primary segments with
// customers in catalogue order, then the unnamed groups.
func segmentTable(t *features.Table, mem *segments.Memberships, cat *segments.Catalogue, unnamed []report.UnnamedGroup) []report.SegmentRow {
	spend := t.Column("total_spend")
	n := len(t.Customers)
	customers := make([]int, len(cat.Segments))
	revenue := make([]float64, len(cat.Segments))
	var total float64
	for i, p := range mem.Primary {
		v := 0.0
		if spend != nil && !math.IsNaN(spend[i]) {
			v = spend[i]
		}
		total += v
		if p >= 0 {
			customers[p]++
			revenue[p] += v
		}
	}
	row := func(r report.SegmentRow, rev float64) report.SegmentRow {
		r.Share = float64(r.Customers) / float64(max(n, 1))
		r.RevenueShare, r.AvgSpend = math.NaN(), math.NaN()
		if spend != nil {
			r.AvgSpend = rev / float64(max(r.Customers, 1))
			if total > 0 {
				r.RevenueShare = rev / total
			}
		}
		return r
	}
	var out []report.SegmentRow
	for s, seg := range cat.Segments {
		if seg.Facet || customers[s] == 0 {
			continue
		}
		r := report.SegmentRow{ID: seg.ID, Name: seg.Name, Anchor: "segment-" + seg.ID, Customers: customers[s]}
		if len(seg.Actions) > 0 {
			r.Action = seg.Actions[0]
		}
		out = append(out, row(r, revenue[s]))
	}
	for _, g := range unnamed {
		r := report.SegmentRow{Name: g.Label, Anchor: fmt.Sprintf("unnamed-%d", g.Cluster), Unnamed: true, Customers: g.Customers,
			Action: "No segment's rule describes them: see what sets the group apart in its card."}
		if g.Closest != "" {
			if s := cat.Index(g.Closest); s >= 0 {
				r.Action = "No segment's rule describes them; closest to " + cat.Segments[s].Name + ": see the group's card."
			}
		}
		rev := g.Revenue
		if math.IsNaN(rev) {
			rev = 0
		}
		out = append(out, row(r, rev))
	}
	return out
}

package report

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// fullData is a small report with every optional part present.
func fullData() *Data {
	asOf := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	return &Data{
		Title: "Customer segments", Version: "v0.1.0", Generated: time.Date(2024, 4, 1, 9, 30, 0, 0, time.UTC),
		Input: "events/2024-*.parquet", Files: 3, Events: 1234567, Customers: 4321, Products: 987,
		AsOf: asOf, WindowStart: asOf.AddDate(0, 0, -90),
		Skipped:   []Count{{Label: "bad time", N: 12}},
		Features:  []Feature{{Name: "total_spend", Unit: "currency", Description: "Sum of price × quantity."}, {Name: "orders", Unit: "count", Description: "Distinct orders."}},
		Absent:    []Reasoned{{Name: "sessions", Reason: "input has no user_session column"}},
		Excluded:  []Reasoned{{Name: "subscribed", Reason: "constant"}},
		Clustered: []string{"total_spend", "orders"},
		K:         3, KRule: "k chosen by silhouette", Seed: 42, Inertia: 123.4,
		KSelection: &KSelection{
			Ks: []int{2, 3, 4}, Inertia: []float64{30, 20, 15}, Silhouette: []float64{0.4, 0.5, math.NaN()},
			CalinskiHarabasz: []float64{100, 120, 110}, DaviesBouldin: []float64{0.9, 0.7, math.Inf(1)},
			Chosen: 3, Knee: 3, SilhouetteSample: 4000,
		},
		MeanARI: 0.87, Boots: 20,
		Clusters: []Cluster{
			{ID: 0, Size: 3000, Share: 0.694, Segment: "loyal", Label: "Loyal customers", Confidence: 0.8, Why: "80% meet the loyal rule",
				Evidence:   []Evidence{{Feature: "orders", Z: 1.5, ClusterMean: 6, Population: 2}},
				Candidates: []Candidate{{Segment: "loyal", Precision: 0.8, Recall: 0.6, Lift: 2.1, F1: 0.69}},
				Jaccard:    0.9, Z: []float64{0.5, 1.5}},
			{ID: 1, Size: 1000, Share: 0.231, Label: "high views, low orders", Why: "no segment",
				Jaccard: 0.4, Unstable: true, Z: []float64{-1, -0.3}},
			{ID: 2, Size: 321, Share: 0.074, Segment: "hero", Label: "Hero customers or Loyal customers", Confidence: 0.45, Named: true, LabelShare: 0.75, Jaccard: 0.7, Z: []float64{3, 2}},
		},
		Reconciled: 1234, FromProfile: 56,
		Segments: []Segment{
			{ID: "loyal", Name: "Loyal customers", Description: "Many orders.", Rule: "orders >= 4 && pct.orders >= 0.8", Docs: []string{"A", "B"},
				Evaluated: true, Members: 2500, Primary: 2000, Share: 0.58, Revenue: 123456.7, Clusters: []int{0}, Actions: []string{"Reward them."}},
			{ID: "hero", Name: "Hero customers", Rule: "pct.total_spend >= 0.9 && pct.order_frequency >= 0.9", Docs: []string{"D"}, Evaluated: true, Members: 300, Primary: 300, Share: 0.07, Revenue: 5000,
				NeedsDays: 30, Reading: "Without sessions, visits read as purchases.", OwnRule: "pct.total_spend >= 0.9 && pct.sessions >= 0.9", FromProfile: 20},
			{ID: "cart_abandoners", Name: "Cart abandoners", Rule: "cart_adds >= 3", Docs: []string{"A"}, Reason: "needs cart_adds (input has no cart events)"},
			{ID: "location", Name: "Location", Rule: `country != ""`, Docs: []string{"A"}, Evaluated: true, Facet: true, Members: 4000, Share: 0.93},
		},
		SegmentTable: []SegmentRow{
			{ID: "loyal", Name: "Loyal customers", Anchor: "segment-loyal", Customers: 2000, Share: 0.463, RevenueShare: 0.71, AvgSpend: 61.7, Action: "Reward them."},
			{ID: "hero", Name: "Hero customers", Anchor: "segment-hero", Customers: 300, Share: 0.069, RevenueShare: 0.2, AvgSpend: 16.7},
			{Name: "high views, low orders", Anchor: "unnamed-1", Unnamed: true, Customers: 21, Share: 0.005, RevenueShare: 0.01, AvgSpend: 3.2, Action: "No segment's rule describes them."},
		},
		Unnamed: []UnnamedGroup{{Cluster: 1, Label: "high views, low orders", Customers: 21, Share: 0.005, Revenue: 67, Description: "many views (all customers: 3)",
			Why: "no segment's rule is met by at least 30% of the cluster", Closest: "loyal", Candidates: []Candidate{{Segment: "loyal", Precision: 0.2, Recall: 0.01, Lift: 0.4, F1: 0.02}}}},
		Documents:  []Document{{ID: "A", Title: "Guide A", Originals: []string{"가이드 A (Korean)"}}, {ID: "B", Title: "Guide B"}, {ID: "D", Title: "Guide D"}},
		Uncarried:  []string{"thrifty"},
		Lifecycle:  []Count{{Label: "prospect", N: 100}, {Label: "active", N: 4221}},
		Top20Share: 0.62,
		Pareto:     [][2]float64{{0, 0}, {0.2, 0.62}, {1, 1}},
		Countries:  []Count{{Label: "RO", N: 2000}, {Label: "KR", N: 1500}},

		Projection: []Point{{X: -1, Y: 0.5, Cluster: 0}, {X: -0.8, Y: 0.2, Cluster: 0}, {X: 0.3, Y: -0.4, Cluster: 1},
			{X: 2.5, Y: 1.1, Cluster: 2}, {X: 2.1, Y: 0.9, Cluster: 2}, {X: 2.2, Y: 1.4, Cluster: 2}},
		ExplainedVariance:      [2]float64{0.412, 0.237},
		OverlapIDs:             []string{"loyal", "hero"},
		Overlap:                [][]int{{2500, 250}, {250, 300}},
		MembershipsPerCustomer: []int{21, 1800, 2000, 400, 100},
		AbandonedCategories:    []Count{{Label: "electronics.smartphone", N: 320}, {Label: "apparel.shoes", N: 110}},
		CountrySegments: []CountrySegment{{Country: "RO", Segment: "loyal", N: 1200}, {Country: "RO", Segment: "hero", N: 100},
			{Country: "KR", Segment: "loyal", N: 700}, {Country: "KR", Segment: "hero", N: 150}},
		Movement: &Movement{
			PreviousRun: "runs/2024-02", PreviousAsOf: asOf.AddDate(0, 0, -30),
			Segments: []string{"loyal", "hero", "(new)", "(gone)"},
			Counts:   [][]int64{{1800, 120, 0, 80}, {40, 230, 0, 10}, {160, 30, 0, 0}, {0, 0, 0, 0}},
			Stayed:   2030, Moved: 160, New: 190, Gone: 90,
			ClusterMatch: []int{0, -1, 1},
		},
	}
}

// minimalData has none of the optional parts.
func minimalData() *Data {
	return &Data{Title: "t", K: 1, MeanARI: math.NaN(),
		Clusters: []Cluster{{ID: 0, Size: 5, Share: 1, Label: "average on every feature", Jaccard: math.NaN()}}}
}

func render(t *testing.T, d *Data) string {
	t.Helper()
	page, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(page) {
		t.Error("page is not valid UTF-8")
	}
	return string(page)
}

var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// wellFormed checks that every element of page is closed in order, and
// returns the ids of the sections and every attribute seen.
func wellFormed(t *testing.T, page string) (sections []string, attrs []html.Attribute, tags map[string]int) {
	t.Helper()
	tags = make(map[string]int)
	z := html.NewTokenizer(strings.NewReader(page))
	var stack []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if !errors.Is(z.Err(), io.EOF) {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken:
			tags[tok.Data]++
			attrs = append(attrs, tok.Attr...)
			if tok.Data == "section" {
				for _, a := range tok.Attr {
					if a.Key == "id" {
						sections = append(sections, a.Val)
					}
				}
			}
			if !voidElements[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.SelfClosingTagToken:
			tags[tok.Data]++
			attrs = append(attrs, tok.Attr...)
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	if _, err := html.Parse(strings.NewReader(page)); err != nil {
		t.Fatalf("html.Parse: %v", err)
	}
	return sections, attrs, tags
}

// allSections are the section ids of every page, in order; a section
// without data shows a note instead of disappearing.
var allSections = []string{"summary", "segment-table", "segments", "overlaps", "lifecycle", "revenue", "predictions", "abandoned-categories",
	"location", "movement", "features", "k-selection", "clusters", "profiles", "projection", "mapping", "documents"}

// TestRenderNamedLabel: a mapped cluster whose label says more than its
// segment's name shows the label in the mapping table, with the share of
// members it is true of beside the segment's own.
func TestRenderNamedLabel(t *testing.T) {
	page := render(t, fullData())
	for _, want := range []string{
		"<b>hero</b><div>Hero customers or Loyal customers</div>",
		`45.0%<div class="muted">label: 75.0%</div>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>loyal</b><div>") {
		t.Error("a cluster labelled with its segment's name alone repeats the name under it")
	}
}

func TestRenderSections(t *testing.T) {
	cases := []struct {
		name string
		data *Data
		want []string
	}{
		{"full", fullData(), allSections},
		{"minimal", minimalData(), allSections},
		{"empty", &Data{}, allSections},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page := render(t, tc.data)
			if !strings.HasPrefix(page, "<!DOCTYPE html>") {
				t.Error("no doctype")
			}
			sections, _, _ := wellFormed(t, page)
			if !slices.Equal(sections, tc.want) {
				t.Errorf("sections %v, want %v", sections, tc.want)
			}
		})
	}
}

func TestRenderSelfContained(t *testing.T) {
	d := fullData()
	d.Input = "https://example.com/events.parquet" // text, not a resource
	page := render(t, d)
	_, attrs, tags := wellFormed(t, page)
	for _, a := range attrs {
		v := strings.ToLower(strings.TrimSpace(a.Val))
		if (a.Key == "src" || a.Key == "href" || a.Key == "xlink:href" || a.Key == "action") && v != "" && !strings.HasPrefix(v, "#") {
			t.Errorf("external reference %s=%q", a.Key, a.Val)
		}
		if strings.Contains(v, "http://") || strings.Contains(v, "https://") {
			if a.Key != "xmlns" {
				t.Errorf("attribute %s=%q refers to the network", a.Key, a.Val)
			}
		}
	}
	for _, tag := range []string{"script", "link", "iframe", "img", "object", "embed"} {
		if tags[tag] > 0 {
			t.Errorf("page has %d <%s> elements", tags[tag], tag)
		}
	}
	if strings.Contains(strings.ToLower(page), "url(") || strings.Contains(page, "@import") {
		t.Error("styles load something")
	}
	// The charts are inline SVG.
	if tags["svg"] < 1+4+1+1+1+1 {
		t.Errorf("%d inline charts, want the size bars, four k plots, the projection, the funnel, the Pareto curve and the movement map", tags["svg"])
	}
}

func TestRenderEscapes(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	d := fullData()
	d.Title = "Title " + evil
	d.Input = evil
	d.Clusters[0].Label = "L" + evil
	d.Clusters[1].Label = "U" + evil // unmatched: label shown in the mapping and bars
	d.Clusters[0].Why = evil
	d.Clusters[0].Evidence[0].Feature = evil
	d.Segments[0].Name = "Loyal " + evil
	d.Segments[0].Rule = `orders >= 4 && country != "<u>"`
	d.Segments[0].Actions = []string{evil}
	d.Lifecycle[0].Label = evil
	d.Countries[0].Label = evil
	d.Absent[0].Reason = evil
	page := render(t, d)
	_, _, tags := wellFormed(t, page)
	if tags["script"] > 0 || tags["u"] > 0 {
		t.Errorf("user text became markup: %d <script>, %d <u>", tags["script"], tags["u"])
	}
	if strings.Contains(page, "<script") {
		t.Error("raw <script in the page")
	}
	if n := strings.Count(page, "&lt;script&gt;"); n < 10 {
		t.Errorf("escaped <script> appears %d times, want every labelled place", n)
	}
}

func TestRenderNaN(t *testing.T) {
	d := fullData()
	d.MeanARI = math.NaN()
	d.Top20Share, d.Pareto = math.NaN(), nil // no spend: both empty
	d.Clusters[0].Jaccard = math.NaN()
	d.Clusters[0].Evidence[0].ClusterMean = math.NaN()
	d.Clusters[0].Evidence[0].Population = math.Inf(1)
	d.Clusters[0].Candidates[0].Lift = math.NaN()
	d.Clusters[0].Candidates[0].Precision = math.NaN()
	d.Segments[0].Revenue = math.NaN()
	d.Segments[0].Share = math.NaN()
	page := render(t, d)
	wellFormed(t, page)
	if strings.Contains(page, "NaN") || strings.Contains(page, "Inf") {
		i := max(strings.Index(page, "NaN"), strings.Index(page, "Inf"))
		t.Errorf("NaN or Inf printed: …%s…", page[max(0, i-80):min(len(page), i+20)])
	}
	for _, want := range []string{
		"mean adjusted Rand index –",
		"<div>orders: – vs – (&#43;1.50 sd)</div>",
		"P –, R 60.0%, lift –",
		"revenue –.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRenderNaNProfile(t *testing.T) {
	d := fullData()
	d.Clusters[1].Z[0] = math.NaN()
	page := render(t, d)
	if strings.Contains(page, "NaN") {
		t.Error("a NaN profile cell printed NaN, want –")
	}
}

func TestRenderNumbers(t *testing.T) {
	page := render(t, fullData())
	for _, want := range []string{
		"<b>1,234,567</b><span>events</span>",
		"<b>4,321</b><span>customers</span>",
		"2024-01-01 → 2024-03-31",
		"generated 2024-04-01 09:30 UTC",
		"<b>62.0%</b><span>revenue from the top 20% of customers</span>",
		"Rows skipped: bad time: 12;",
		"3,000 (69.4%)",
		"revenue 123,457.",
		"<span class=\"tag bad\">unstable</span> 0.40",
		"Not evaluated: needs cart_adds (input has no cart events).",
		"<td>prospect</td><td class=\"n\">100</td>",
		"Present in the rules but not a cluster of their own: thrifty.",
		"top 20%: 62% of revenue",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestSizeBarsLongLabel(t *testing.T) {
	d := minimalData()
	d.Clusters[0].Label = strings.Repeat("x", 100)
	out := string(sizeChart(d))
	cut := "0 · " + strings.Repeat("x", 39) + "…"
	if !strings.Contains(out, ">"+cut+"</text>") {
		t.Errorf("long label not shortened to %q: %s", cut, out)
	}
	if !strings.Contains(out, "<title>0 · "+strings.Repeat("x", 100)+"</title>"+cut+"</text>") {
		t.Errorf("the shortened label does not carry its full text: %s", out)
	}
}

func TestSizeBarsNonASCIILabel(t *testing.T) {
	d := minimalData()
	d.Clusters[0].Label = strings.Repeat("고객", 20)
	if out := sizeChart(d); !utf8.ValidString(string(out)) {
		t.Errorf("label cut inside a character: %q", out)
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 100000: "100,000"} {
		if got := commas(in); got != want {
			t.Errorf("commas(%d) = %q, want %q", in, got, want)
		}
	}
	num := funcs["num"].(func(float64) string)
	for in, want := range map[float64]string{0.123: "0.12", 12.34: "12.3", 1234.5: "1,235", -5000: "-5,000"} {
		if got := num(in); got != want {
			t.Errorf("num(%v) = %q, want %q", in, got, want)
		}
	}
	for _, z := range []float64{math.NaN(), -10, -1, 0, 1, 10} {
		css := string(heatColour(z))
		if !strings.HasPrefix(css, "background:") || strings.Contains(css, "NaN") || strings.Contains(css, "-") {
			t.Errorf("heatColour(%v) = %q", z, css)
		}
	}
	if heatColour(0) != "background:rgb(255,255,255)" || heatColour(2) != "background:rgb(255,75,75)" || heatColour(-2) != "background:rgb(75,135,255)" {
		t.Errorf("heat scale: %s %s %s", heatColour(0), heatColour(2), heatColour(-2))
	}
	if kCharts(nil) != "" || kCharts(&KSelection{}) != "" || paretoChart(&Data{Pareto: [][2]float64{{0, 0}}}) != "" ||
		projectionChart(&Data{}) != "" || funnelChart(nil) != "" || movementChart(nil) != "" {
		t.Error("empty charts should render nothing")
	}
}

func TestWriteHTML(t *testing.T) {
	d := fullData()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(d)
	if !bytes.Equal(got, want) {
		t.Error("file differs from Render")
	}
	if err := WriteHTML(filepath.Join(t.TempDir(), "missing", "report.html"), d); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

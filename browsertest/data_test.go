package browsertest

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/segmint/segmint/report"
)

// fullData is a realistic report with every section filled: twelve
// clusters, a projection of 1,500 customers, overlaps, abandoned
// categories, countries and the movement since a previous run.
func fullData() *report.Data {
	rng := rand.New(rand.NewPCG(1, 2))
	asOf := time.Date(2025, 6, 29, 0, 0, 0, 0, time.UTC)
	clustered := []string{"total_spend", "orders", "order_frequency", "recency_days", "avg_order_value", "coupon_ratio",
		"cart_adds", "cart_abandonment_rate", "sessions", "trend_adoption", "refund_rate", "subscribed"}
	type spec struct {
		segment, label string
		size           int
		unstable       bool
	}
	specs := []spec{
		{"one_time_buyers", "One-time buyers", 505, false},
		{"thrifty", "Thrifty customers", 443, true},
		{"cart_abandoners", "Cart abandoners", 430, false},
		{"curious_prospects", "Curious prospects", 229, false},
		{"coupon_customers", "Coupon customers", 209, false},
		{"dormant", "Dormant customers", 200, false},
		{"hero", "Hero customers", 189, true},
		{"", "regular orders: gaps vary by ±35% (all customers: ±67%), orders every 11 weeks, first seen 9 months ago", 181, false},
		{"trend_followers", "Trend followers", 168, false},
		{"leads", "Leads", 160, false},
		{"indecisive_prospects", "Indecisive prospects", 152, false},
		{"negative_experience", "Negative-experience customers", 134, false},
	}
	total := 0
	for _, s := range specs {
		total += s.size
	}
	d := &report.Data{
		Title: "Customer segments", Version: "v0.3.0", Generated: asOf.Add(36 * time.Hour),
		Input: "events/2025-*.parquet", Files: 6, Events: 157854, Customers: total, Products: 3838,
		AsOf: asOf, WindowStart: asOf.AddDate(0, 0, -179),
		Skipped:   []report.Count{{Label: "duplicate event", N: 112}, {Label: "no customer id", N: 7}},
		Clustered: clustered,
		Absent:    []report.Reasoned{{Name: "ratings", Reason: "the input has no rating column"}},
		Excluded:  []report.Reasoned{{Name: "tenure_days", Reason: "correlated 0.97 with recency_days"}},
		K:         len(specs), KRule: "lowest rank sum of silhouette, Calinski–Harabasz and Davies–Bouldin over k=2..16",
		Seed: 1, Inertia: 17890, MeanARI: 0.82, Boots: 10,
		Top20Share: 0.742, ExplainedVariance: [2]float64{0.385, 0.134},
	}
	for _, f := range clustered {
		d.Features = append(d.Features, report.Feature{Name: f, Unit: "", Description: "Definition of " + f + "."})
	}
	ks := &report.KSelection{Chosen: len(specs), Knee: 9, SilhouetteSample: 3000}
	for k := 2; k <= 16; k++ {
		x := float64(k)
		ks.Ks = append(ks.Ks, k)
		ks.Inertia = append(ks.Inertia, 60000/math.Sqrt(x)-2000)
		ks.Silhouette = append(ks.Silhouette, 0.36-0.002*(x-12)*(x-12))
		ks.CalinskiHarabasz = append(ks.CalinskiHarabasz, 1200/x+600)
		ks.DaviesBouldin = append(ks.DaviesBouldin, 1.1+0.01*(x-12)*(x-12))
	}
	d.KSelection = ks
	centres := make([][2]float64, len(specs))
	for i, s := range specs {
		a := 2 * math.Pi * float64(i) / float64(len(specs))
		centres[i] = [2]float64{4 * math.Cos(a), 2.5 * math.Sin(a)}
		c := report.Cluster{
			ID: i, Size: s.size, Share: float64(s.size) / float64(total), Segment: s.segment, Label: s.label,
			Confidence: 0.5 + 0.04*float64(i%10), Why: "most of the cluster meets the rule", Jaccard: 0.9, Unstable: s.unstable,
			Evidence:   []report.Evidence{{Feature: "orders", Z: 1.2, ClusterMean: 5.6, Population: 3.8}},
			Candidates: []report.Candidate{{Segment: s.segment, Precision: 0.7, Recall: 0.8, Lift: 5, F1: 0.75}},
		}
		if s.unstable {
			c.Jaccard = 0.52
		}
		for range clustered {
			c.Z = append(c.Z, math.Round(rng.NormFloat64()*100)/100)
		}
		d.Clusters = append(d.Clusters, c)
	}
	for n := 0; n < 1500; n++ {
		i := rng.IntN(len(specs))
		d.Projection = append(d.Projection, report.Point{
			X: centres[i][0] + 0.7*rng.NormFloat64(), Y: centres[i][1] + 0.5*rng.NormFloat64(), Cluster: i,
		})
	}
	segIDs := []string{"top_spenders", "hero", "loyal", "active", "new_customers", "one_time_buyers", "coupon_customers", "thrifty",
		"trend_followers", "cart_abandoners", "indecisive_prospects", "curious_prospects", "leads", "newsletter_subscribers",
		"at_risk", "dormant", "negative_experience"}
	for i, id := range segIDs {
		seg := report.Segment{ID: id, Name: id, Description: "What the documents say about " + id + ".",
			Rule: "orders >= 1", Docs: []string{"A"}, Evaluated: i != 14, Members: 100 + 37*i, Primary: 80 + 20*i,
			Share: float64(100+37*i) / float64(total), Revenue: float64(1000 * (17 - i)), Actions: []string{"Do something useful for them."}}
		if !seg.Evaluated {
			seg.Reason = "needs ratings (the input has no rating column)"
		} else if i < len(specs) {
			seg.Clusters = []int{i}
		}
		d.Segments = append(d.Segments, seg)
	}
	d.Segments[1].Reading = "Without sessions (a transaction log), a visit shows only when it ends in a purchase."
	d.Segments[1].OwnRule, d.Segments[1].NeedsDays, d.Segments[1].FromProfile = "pct.sessions >= 0.9", 30, 12
	d.Documents = []report.Document{
		{ID: "A", Title: "Customer segmentation in e-commerce: everything you need to know",
			Originals: []string{"전자 상거래의 고객 세분화: 알아야 할 모든 것 (Korean)", "Segmentarea clienților în comerțul electronic: tot ce trebuie să știți (Romanian)"}},
		{ID: "B", Title: "5 essential pre-built segments for hyper-personalised e-commerce email"},
		{ID: "C", Title: "Customer segmentation: a guide to smart Magento store management"},
		{ID: "D", Title: "Data, the king of e-commerce: from customer acquisition to customer loyalty"},
	}
	unnamed := specs[7]
	d.Unnamed = []report.UnnamedGroup{{Cluster: 7, Label: unnamed.label, Customers: 96, Share: 96 / float64(total), Revenue: 4120,
		Description: "orders every 11 weeks (all customers: 6 weeks)", Why: "no segment's rule is met by at least 30% of the cluster",
		Closest: "loyal", Candidates: []report.Candidate{{Segment: "loyal", Precision: 0.21, Recall: 0.1, Lift: 1.2, F1: 0.14}}}}
	for _, seg := range d.Segments {
		if seg.Evaluated && seg.Primary > 0 {
			d.SegmentTable = append(d.SegmentTable, report.SegmentRow{ID: seg.ID, Name: seg.Name, Anchor: "segment-" + seg.ID, Customers: seg.Primary,
				Share: float64(seg.Primary) / float64(total), RevenueShare: 0.04, AvgSpend: 51.3, Action: seg.Actions[0]})
		}
	}
	d.SegmentTable = append(d.SegmentTable, report.SegmentRow{Name: unnamed.label, Anchor: "unnamed-7", Unnamed: true, Customers: 96,
		Share: 96 / float64(total), RevenueShare: 0.01, AvgSpend: 42.9, Action: "No segment's rule describes them: see what sets the group apart in its card."})
	d.Uncarried = []string{"loyal", "top_spenders", "at_risk"}
	d.Lifecycle = []report.Count{{Label: "prospect", N: 722}, {Label: "new", N: 310}, {Label: "active", N: 1180},
		{Label: "loyal or hero", N: 240}, {Label: "at risk", N: 260}, {Label: "dormant", N: 288}}
	exp := math.Log(1-d.Top20Share) / math.Log(0.8) // the curve passes through (0.2, Top20Share)
	for i := 0; i <= 50; i++ {
		x := float64(i) / 50
		d.Pareto = append(d.Pareto, [2]float64{x, 1 - math.Pow(1-x, exp)})
	}
	d.OverlapIDs = segIDs[:8]
	for a := range d.OverlapIDs {
		row := make([]int, len(d.OverlapIDs))
		for b := range row {
			row[b] = 10 + (a*7+b*13)%90
		}
		row[a] = 400 + 10*a
		d.Overlap = append(d.Overlap, row)
	}
	for a := range d.Overlap { // symmetric
		for b := range a {
			d.Overlap[a][b] = d.Overlap[b][a]
		}
	}
	d.MembershipsPerCustomer = []int{320, 1320, 980, 290, 80, 10}
	d.AbandonedCategories = []report.Count{{Label: "electronics.smartphone", N: 142}, {Label: "apparel.shoes", N: 96},
		{Label: "appliances.kitchen", N: 61}, {Label: "computers.notebook", N: 44}, {Label: "furniture.living_room", N: 19}}
	countries := []string{"RO", "KR", "DE", "FR", "US", "GB", "IT", "ES", "NL", "PL", "SE", "AT", "BE", "PT"}
	for i, c := range countries {
		n := int64(900 / (i + 1))
		d.Countries = append(d.Countries, report.Count{Label: c, N: n})
		for j, s := range specs[:6] {
			d.CountrySegments = append(d.CountrySegments, report.CountrySegment{Country: c, Segment: s.segment, N: n / int64(j+2)})
		}
	}
	mv := &report.Movement{PreviousRun: "runs/2025-05", PreviousAsOf: asOf.AddDate(0, -1, 0),
		Segments: []string{"one_time_buyers", "thrifty", "cart_abandoners", "coupon_customers", "dormant", "hero", "leads", "(new)", "(gone)"}}
	n := len(mv.Segments)
	for from := 0; from < n; from++ {
		row := make([]int64, n)
		for to := 0; to < n; to++ {
			switch {
			case from == n-1 || to == n-2 || (from == n-2 && to == n-1): // "(gone)" is only a column, "(new)" only a row
			case from == to, from == n-2 && to == from%7:
				row[to] = 150 + int64(rng.IntN(100))
			case rng.IntN(3) == 0:
				row[to] = int64(rng.IntN(40))
			}
		}
		mv.Counts = append(mv.Counts, row)
	}
	for from, row := range mv.Counts {
		for to, c := range row {
			switch {
			case mv.Segments[from] == "(new)":
				mv.New += c
			case mv.Segments[to] == "(gone)":
				mv.Gone += c
			case from == to:
				mv.Stayed += c
			default:
				mv.Moved += c
			}
		}
	}
	mv.ClusterMatch = []int{0, 1, 2, -1, 3, 4, 5, -1, 6, 7, -1, 8}
	d.Movement = mv
	return d
}

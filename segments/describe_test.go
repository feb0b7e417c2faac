package segments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/segmint/segmint/features"
)

// subGroupCatalogue: two named segments; the tests say who meets them.
const subGroupCatalogue = `
segments:
  - id: loyal
    name: Loyal customers
    rule: orders >= 4
  - id: active
    name: Active customers
    rule: days_since_last_event <= 30
`

func mustParse(t *testing.T, yaml string) *Catalogue {
	t.Helper()
	cat, err := Parse([]byte(yaml), "test")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// checkUnique fails when two clusters of mp share a label, or when New and
// the sub-group numbers disagree with the segments.
func checkUnique(t *testing.T, mp *Mapping) {
	t.Helper()
	seen := make(map[string]int)
	count := make(map[string]int)
	for _, c := range mp.Clusters {
		if c.Segment != "" {
			count[c.Segment]++
		}
	}
	for _, c := range mp.Clusters {
		if o, ok := seen[c.Label]; ok {
			t.Errorf("clusters %d and %d share the label %q", o, c.Cluster, c.Label)
		}
		seen[c.Label] = c.Cluster
		if c.New != (c.Segment == "") {
			t.Errorf("cluster %d: New %v with segment %q", c.Cluster, c.New, c.Segment)
		}
		if c.Segment != "" {
			if n := count[c.Segment]; c.SubGroups != n || (n == 1) != (c.SubGroup == 0) || c.SubGroup > n {
				t.Errorf("cluster %d: sub-group %d of %d, segment %s has %d clusters", c.Cluster, c.SubGroup, c.SubGroups, c.Segment, n)
			}
		}
	}
}

func TestNewClusterLabel(t *testing.T) {
	cat := mustParse(t, subGroupCatalogue)
	// Cluster 0 is loyal; cluster 1 matches nothing.
	assign := []int{0, 0, 0, 0, 1, 1, 1, 1}
	mem := memberships(t, cat, len(assign), map[string][]int{"loyal": {0, 1, 2, 3}})
	prof := &Profile{
		Features: []string{"mean_gap_days", "distinct_categories", "avg_item_price", "views"},
		Z: [][]float64{
			{0.4, 0.3, 0.2, 0.1},
			{-1.2, -0.9, -0.8, 0.2}, // views below EvidenceZ: left out
		},
		ClusterMean:    [][]float64{{50, 3, 20, 10}, {26, 1.2, 4.1, 12}},
		PopulationMean: []float64{60, 3.4, 23.5, 11},
	}
	mp := MapClusters(assign, 2, mem, prof)
	c0, c1 := mp.Clusters[0], mp.Clusters[1]
	if c0.New || !c1.New || c0.Segment != "loyal" || c1.Segment != "" {
		t.Fatalf("new %v %v, segments %q %q; want cluster 1 alone new", c0.New, c1.New, c0.Segment, c1.Segment)
	}
	if c0.Label != "Loyal customers" || c0.SubGroup != 0 || c0.SubGroups != 1 || c0.Separation != "" {
		t.Errorf("cluster 0 alone in loyal: label %q, sub-group %d of %d, separation %q", c0.Label, c0.SubGroup, c0.SubGroups, c0.Separation)
	}
	// The label leaves the population's figures to the description.
	if want := "orders every 26 days, 1.2 categories, cheap items at 4.10"; c1.Label != want {
		t.Errorf("new cluster label %q, want %q", c1.Label, want)
	}
	if !strings.Contains(c1.Label, "every 26 days") {
		t.Errorf("new cluster label %q lacks its top feature in days", c1.Label)
	}
	wantDesc := "orders every 26 days (all customers: 9 weeks), 1.2 categories (all customers: 3.4), cheap items at 4.10 (all customers: 23.50)"
	if c1.Description != wantDesc {
		t.Errorf("new cluster description %q, want %q", c1.Description, wantDesc)
	}
	if !strings.HasPrefix(c1.Why, "no segment") || !strings.HasSuffix(c1.Why, ": "+wantDesc) {
		t.Errorf("new cluster why %q", c1.Why)
	}
	if c1.SubGroup != 0 || c1.SubGroups != 1 || c1.Separation != "" {
		t.Errorf("new cluster alone: sub-group %d of %d, separation %q", c1.SubGroup, c1.SubGroups, c1.Separation)
	}
	checkUnique(t, mp)
}

func TestSubGroups(t *testing.T) {
	cat := mustParse(t, subGroupCatalogue)
	// Clusters 0 and 2 are loyal, 1 is active.
	assign := []int{0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2}
	mem := memberships(t, cat, len(assign), map[string][]int{"loyal": {0, 1, 2, 9, 10, 11}, "active": {3, 4, 5, 6, 7, 8}})
	prof := &Profile{
		Features: []string{"orders", "total_spend", "recency_days"},
		Z: [][]float64{
			{1.8, 1.5, -0.3},
			{0.1, 0.0, -1.0},
			{0.3, 0.2, -0.2},
		},
		ClusterMean:    [][]float64{{9.1, 1240, 5}, {2, 100, 3}, {3.2, 310, 8}},
		PopulationMean: []float64{2.5, 200, 40},
	}
	mp := MapClusters(assign, 3, mem, prof)
	checkUnique(t, mp)
	c0, c1, c2 := mp.Clusters[0], mp.Clusters[1], mp.Clusters[2]
	if c0.Segment != "loyal" || c2.Segment != "loyal" || c1.Segment != "active" {
		t.Fatalf("segments %q %q %q, want loyal active loyal", c0.Segment, c1.Segment, c2.Segment)
	}
	if c0.SubGroup != 1 || c2.SubGroup != 2 || c0.SubGroups != 2 || c2.SubGroups != 2 {
		t.Errorf("loyal sub-groups %d/%d and %d/%d, want 1/2 and 2/2", c0.SubGroup, c0.SubGroups, c2.SubGroup, c2.SubGroups)
	}
	if c1.SubGroup != 0 || c1.SubGroups != 1 || c1.Label != "Active customers" || c1.Separation != "" {
		t.Errorf("active, alone: sub-group %d of %d, label %q, separation %q", c1.SubGroup, c1.SubGroups, c1.Label, c1.Separation)
	}
	// Orders differ by 1.5 sd, spend by 1.3, recency by 0.1 (left out).
	if want := "more orders (9.1 vs 3.2), higher spend (1,240.00 vs 310.00)"; c0.Separation != want {
		t.Errorf("cluster 0 separation %q, want %q", c0.Separation, want)
	}
	if want := "fewer orders (3.2 vs 9.1), lower spend (310.00 vs 1,240.00)"; c2.Separation != want {
		t.Errorf("cluster 2 separation %q, want %q", c2.Separation, want)
	}
	if want := "Loyal customers · 1 of 2: more orders, higher spend"; c0.Label != want {
		t.Errorf("cluster 0 label %q, want %q", c0.Label, want)
	}
	if want := "Loyal customers · 2 of 2: fewer orders, lower spend"; c2.Label != want {
		t.Errorf("cluster 2 label %q, want %q", c2.Label, want)
	}
	for _, c := range []ClusterMapping{c0, c2} {
		if !strings.HasPrefix(c.Label, "Loyal customers") || c.New {
			t.Errorf("cluster %d: label %q does not start with the segment's name (new %v)", c.Cluster, c.Label, c.New)
		}
		if !strings.HasPrefix(c.Why, "100% of the cluster meet the loyal rule") || !strings.Contains(c.Why, fmt.Sprintf(". Sub-group %d of 2 of loyal (cluster %d also maps to it); set apart from the other by %s", c.SubGroup, 2-c.Cluster, c.Separation)) {
			t.Errorf("cluster %d why %q", c.Cluster, c.Why)
		}
	}
}

// TestSubGroupsWeighted: the other clusters of a segment are compared by
// their size-weighted means.
func TestSubGroupsWeighted(t *testing.T) {
	cat := mustParse(t, "segments:\n  - id: s\n    name: Shoppers\n    rule: orders >= 1\n")
	// Cluster sizes 1, 1 and 3; all in s; cluster 3 (one customer) is not.
	assign := []int{0, 1, 2, 2, 2, 3, 3, 3, 3, 3}
	mem := memberships(t, cat, len(assign), map[string][]int{"s": {0, 1, 2, 3, 4}})
	prof := &Profile{
		Features:       []string{"coupon_ratio", "subscribed"},
		Z:              [][]float64{{2, 0}, {0, 0.1}, {1, 0}, {-1, 0}},
		ClusterMean:    [][]float64{{0.9, 0.5}, {0.1, 0.5}, {0.5, 0.5}, {0, 0.5}},
		PopulationMean: []float64{0.2, 0.5},
	}
	mp := MapClusters(assign, 4, mem, prof)
	checkUnique(t, mp)
	c0 := mp.Clusters[0]
	if c0.SubGroup != 1 || c0.SubGroups != 3 {
		t.Fatalf("cluster 0: sub-group %d of %d, want 1 of 3", c0.SubGroup, c0.SubGroups)
	}
	// The others: (1×0.1 + 3×0.5)/4 = 40%, Z (0 + 3)/4 = 0.75.
	if want := "more coupon use (90% vs 40%)"; c0.Separation != want {
		t.Errorf("cluster 0 separation %q, want %q", c0.Separation, want)
	}
	if !strings.Contains(c0.Why, "(clusters 1 and 2 also map to it); set apart from the others by") {
		t.Errorf("cluster 0 why %q", c0.Why)
	}
	if c := mp.Clusters[3]; !c.New || c.Label != "0% of purchases with a coupon" {
		t.Errorf("cluster 3: new %v, label %q", c.New, c.Label)
	}
}

// TestNewClustersSameLabel: unmatched clusters whose descriptions would
// coincide are told apart by the separating feature.
func TestNewClustersSameLabel(t *testing.T) {
	cat := mustParse(t, "segments:\n  - id: s\n    rule: orders >= 1\n")
	assign := []int{0, 0, 1, 1, 2, 2}
	mem := memberships(t, cat, len(assign), map[string][]int{"s": {4, 5}})
	// A user's own features, without templates: both read "high basket
	// score"; bounce rate (below EvidenceZ) separates them.
	prof := &Profile{
		Features:       []string{"basket_score", "bounce_rate"},
		Z:              [][]float64{{2, 0.3}, {2.1, -0.4}, {0, 0}},
		ClusterMean:    [][]float64{{8, 0.6}, {8.4, 0.2}, {1, 0.4}},
		PopulationMean: []float64{3, 0.4},
	}
	mp := MapClusters(assign, 3, mem, prof)
	checkUnique(t, mp)
	c0, c1 := mp.Clusters[0], mp.Clusters[1]
	if !c0.New || !c1.New || mp.Clusters[2].New {
		t.Fatalf("new %v %v %v, want clusters 0 and 1", c0.New, c1.New, mp.Clusters[2].New)
	}
	if c0.Label != "high basket score · higher bounce rate" || c1.Label != "high basket score · lower bounce rate" {
		t.Errorf("labels %q and %q", c0.Label, c1.Label)
	}
	if c0.Separation != "higher bounce rate (0.6 vs 0.2)" || c1.Separation != "lower bounce rate (0.2 vs 0.6)" {
		t.Errorf("separations %q and %q", c0.Separation, c1.Separation)
	}
	if c0.SubGroup != 1 || c1.SubGroup != 2 || c0.SubGroups != 2 {
		t.Errorf("sub-groups %d and %d of %d", c0.SubGroup, c1.SubGroup, c0.SubGroups)
	}
	if c0.Description != "high basket score: 8 (all customers: 3)" {
		t.Errorf("description %q", c0.Description)
	}
	if !strings.Contains(c0.Why, "Cluster 1 is described alike; set apart from the other by higher bounce rate") {
		t.Errorf("why %q", c0.Why)
	}
}

// TestLabelsUniqueWithoutProfile: without a profile nothing separates the
// clusters but their numbers.
func TestLabelsUniqueWithoutProfile(t *testing.T) {
	cat := mustParse(t, `
segments:
  - id: a
    name: Same
    rule: orders >= 1
  - id: b
    name: Same
    rule: orders >= 2
  - id: c
    rule: orders >= 3
`)
	assign := []int{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}
	mem := memberships(t, cat, len(assign), map[string][]int{"a": {0, 1}, "b": {2, 3}, "c": {4, 5, 6, 7}})
	mp := MapClusters(assign, 7, mem, nil)
	checkUnique(t, mp)
	want := []string{"Same (cluster 0)", "Same (cluster 1)", "c · 1 of 2", "c · 2 of 2",
		"average on every feature · 1 of 3", "average on every feature · 2 of 3", "average on every feature · 3 of 3"}
	for c, w := range want {
		if got := mp.Clusters[c].Label; got != w {
			t.Errorf("cluster %d label %q, want %q", c, got, w)
		}
	}
}

// TestLabelsUniqueRandom: labels are unique and the sub-groups consistent
// over random mappings, identical clusters included.
func TestLabelsUniqueRandom(t *testing.T) {
	cat := mustParse(t, subGroupCatalogue)
	names := []string{"orders", "total_spend", "views", "subscribed", "custom_score"}
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		k := 2 + r.IntN(6)
		n := 4 * k
		assign := make([]int, n)
		for i := range assign {
			assign[i] = i % k
		}
		members := map[string][]int{}
		for i := range assign {
			switch assign[i] % 3 {
			case 0:
				members["loyal"] = append(members["loyal"], i)
			case 1:
				members["active"] = append(members["active"], i)
			}
		}
		prof := &Profile{Features: names, PopulationMean: []float64{3, 300, 20, 0.4, 1}}
		for c := 0; c < k; c++ {
			z := make([]float64, len(names))
			m := make([]float64, len(names))
			for j := range names {
				z[j] = math.Round(r.NormFloat64()*2) / 2 // ties are likely
				m[j] = prof.PopulationMean[j] * (1 + z[j]/4)
			}
			if c > 0 && r.IntN(4) == 0 { // an identical twin
				copy(z, prof.Z[c-1])
				copy(m, prof.ClusterMean[c-1])
			}
			prof.Z = append(prof.Z, z)
			prof.ClusterMean = append(prof.ClusterMean, m)
		}
		mp := MapClusters(assign, k, memberships(t, cat, n, members), prof)
		checkUnique(t, mp)
		for _, c := range mp.Clusters {
			if c.Segment != "" && !strings.HasPrefix(c.Label, map[string]string{"loyal": "Loyal customers", "active": "Active customers"}[c.Segment]) {
				t.Errorf("trial %d cluster %d: label %q does not start with its segment's name", trial, c.Cluster, c.Label)
			}
		}
		again := MapClusters(assign, k, memberships(t, cat, n, members), prof)
		for c := range mp.Clusters {
			if mp.Clusters[c].Label != again.Clusters[c].Label || mp.Clusters[c].Why != again.Clusters[c].Why {
				t.Fatalf("trial %d: cluster %d labelled %q, then %q", trial, c, mp.Clusters[c].Label, again.Clusters[c].Label)
			}
		}
	}
}

// TestEveryFeatureHasATemplate: each clustered feature of
// features.Catalogue reads in its own words, in both directions (the
// purchase summaries are never clustered, so never describe a cluster).
func TestEveryFeatureHasATemplate(t *testing.T) {
	for _, f := range features.Catalogue() {
		if f.NotClustered {
			continue
		}
		ph, ok := phrasings[f.Name]
		if !ok {
			t.Errorf("feature %s (%s) has no phrasing", f.Name, f.Unit)
			continue
		}
		hi := phraseOf(Evidence{Feature: f.Name, Z: 1, ClusterMean: 2, PopulationMean: 1})
		lo := phraseOf(Evidence{Feature: f.Name, Z: -1, ClusterMean: 0.5, PopulationMean: 1})
		if hi == "" || lo == "" || hi == lo || strings.Contains(hi, "_") || ph.more == ph.less || ph.value(1) == "" {
			t.Errorf("feature %s: %q, %q, %q / %q", f.Name, hi, lo, ph.more, ph.less)
		}
	}
}

func TestPhrases(t *testing.T) {
	cases := []struct {
		feature      string
		mean, pop, z float64
		want         string
	}{
		{"total_spend", 1240, 310, 1.5, "high spend of 1,240.00 (all customers: 310.00)"},
		{"total_spend", 45, 310, -0.9, "low spend of 45.00 (all customers: 310.00)"},
		{"orders", 1, 2.5, -0.6, "1 order"},
		{"orders", 0, 2.5, -1, "no orders"},
		{"orders", 9.14, 2.5, 2, "9.1 orders"},
		{"order_frequency", 0.45, 1, -1, "0.45 orders a month"},
		{"recency_days", 5.2, 40, -1, "last order 5 days ago"},
		{"recency_days", 0.2, 40, -1, "last order 5 hours ago"},
		{"recency_days", 1, 40, -1, "last order 1 day ago"},
		{"days_since_last_event", 200, 40, 1, "last seen 7 months ago"},
		{"tenure_days", 1000, 300, 1, "first seen 2.7 years ago"},
		{"avg_order_value", 85, 42.1, 1, "big baskets of 85.00 (all customers: 42.10)"},
		{"items_per_order", 3.4, 1.5, 1, "3.4 items an order"},
		{"avg_item_price", 4.1, 23.5, -1, "cheap items at 4.10 (all customers: 23.50)"},
		{"avg_item_price", 60, 23.5, 1, "pricey items at 60.00 (all customers: 23.50)"},
		{"coupon_ratio", 0.654, 0.1, 2, "65% of purchases with a coupon"},
		{"discount_share", 0.045, 0.01, 1, "4.5% of spend discounted"},
		{"views", 1234, 30, 2, "1,234 views"},
		{"cart_adds", 14, 3, 1, "14 cart adds"},
		{"sessions", 12, 4, 1, "12 sessions"},
		{"browse_without_buy", 0.8, 0.3, 1, "80% of visits browse without buying"},
		{"cart_abandonment_rate", 0.7, 0.3, 1, "70% of carts abandoned"},
		{"abandoned_carts", 4.2, 1, 1, "4.2 abandoned carts"},
		{"trend_adoption", 0.35, 0.05, 1, "35% of purchases new launches"},
		{"mean_gap_days", 26, 60, -1.2, "orders every 26 days"},
		{"mean_gap_days", 60, 26, 1.2, "orders every 9 weeks"},
		{"gap_regularity", 0.25, 0.8, -1, "regular orders: gaps vary by ±25% (all customers: ±80%)"},
		{"gap_regularity", 0.9, 0.8, 0.6, "order gaps vary by ±90% (all customers: ±80%)"},
		{"overdue_ratio", 1.8, 0.9, 1, "overdue: last order 1.8× their usual gap ago"},
		{"overdue_ratio", 0.6, 0.9, -1, "not yet due: last order 0.6× their usual gap ago"},
		{"distinct_categories", 1.2, 3.4, -0.9, "1.2 categories"},
		{"distinct_categories", 1, 3.4, -0.9, "1 category"},
		{"refund_rate", 0.25, 0.02, 2, "25% of purchases refunded"},
		{"subscribed", 0.85, 0.2, 2, "85% newsletter subscribers"},
		// The direction follows the means shown, the sign of Z without them.
		{"avg_item_price", 30, 23.5, -0.6, "pricey items at 30.00 (all customers: 23.50)"},
		{"custom_metric", 5, 1, 0.7, "high custom metric"},
		// Within a quarter of the population: no direction word.
		{"avg_item_price", 181.13, 191.23, -0.6, "items at 181.13 (all customers: 191.23)"},
		{"total_spend", 1386.06, 1292.42, 0.7, "spend of 1,386.06 (all customers: 1,292.42)"},
		{"total_spend", 0, 1292.42, -1.2, "no spend (all customers: 1,292.42)"},
		// Defined for none of the cluster's members.
		{"avg_item_price", math.NaN(), 191.23, -1.5, "no orders"},
		{"mean_gap_days", math.NaN(), 24, 1.5, "no repeat orders"},
		{"gap_regularity", math.NaN(), 0.4, 1, "fewer than 3 orders"},
		{"cart_abandonment_rate", math.NaN(), 0.14, -1, "no cart adds"},
		{"views", math.NaN(), 1, -0.7, "low views"},
	}
	for _, tc := range cases {
		if got := phraseOf(Evidence{Feature: tc.feature, Z: tc.z, ClusterMean: tc.mean, PopulationMean: tc.pop}); got != tc.want {
			t.Errorf("%s %v (all %v, z %v) = %q, want %q", tc.feature, tc.mean, tc.pop, tc.z, got, tc.want)
		}
	}
}

// TestDescribeUnits: a label and a description take the three leading
// features, each phrase once.
func TestDescribeUnits(t *testing.T) {
	nan := math.NaN()
	ev := []Evidence{
		{Feature: "total_spend", Z: -2, ClusterMean: 0, PopulationMean: 1292.42},
		{Feature: "avg_item_price", Z: -1.9, ClusterMean: nan, PopulationMean: 191.23},
		{Feature: "avg_order_value", Z: -1.8, ClusterMean: nan, PopulationMean: 397.29},
		{Feature: "cart_adds", Z: -1.1, ClusterMean: 0.05, PopulationMean: 7.8},
		{Feature: "views", Z: -1, ClusterMean: 2, PopulationMean: 38},
	}
	if got, want := describe(ev), "no spend, no orders, 0.05 cart adds"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	// A label keeps to MaxLabel characters: its first feature always, the
	// next ones while they fit.
	long := []Evidence{
		{Feature: "total_spend", Z: -2, ClusterMean: 491.98, PopulationMean: 2002.45},
		{Feature: "days_since_first_order", Z: -1.9, ClusterMean: 120, PopulationMean: 400},
		{Feature: "orders", Z: -1.8, ClusterMean: 1.5, PopulationMean: 4.2},
		{Feature: "avg_item_price", Z: -1.7, ClusterMean: 3.1, PopulationMean: 4.4},
	}
	got := describe(long)
	if n := utf8.RuneCountInString(got); n > MaxLabel || !strings.HasPrefix(got, "low spend of 491.98, ") || strings.Contains(got, "all customers") {
		t.Errorf("describe = %q (%d characters), want the low spend first, no population figures, at most %d characters", got, n, MaxLabel)
	}
	if full := describeUnits(long); !strings.Contains(full, "(all customers: 2,002.45)") {
		t.Errorf("describeUnits = %q lacks the population's spend", full)
	}
	if got, want := describeUnits(ev), "no spend (all customers: 1,292.42), no orders, 0.05 cart adds (all customers: 7.8)"; got != want {
		t.Errorf("describeUnits = %q, want %q", got, want)
	}
	if got, want := describeUnits(ev[:0]), "close to the average customer on every feature"; got != want {
		t.Errorf("describeUnits(nothing) = %q, want %q", got, want)
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{number(0), "0"}, {number(0.456), "0.46"}, {number(0.5), "0.5"}, {number(0.004), "0.004"},
		{number(3), "3"}, {number(9.14), "9.1"}, {number(12.6), "13"}, {number(1234567), "1,234,567"},
		{number(-2500), "-2,500"}, {number(math.NaN()), "n/a"},
		{money(0), "0.00"}, {money(4.1), "4.10"}, {money(1240), "1,240.00"}, {money(-1234567.891), "-1,234,567.89"},
		{percent(0.35), "35%"}, {percent(0.045), "4.5%"}, {percent(0.003), "0.3%"}, {percent(1.2), "120%"}, {percent(0), "0%"},
		{duration(0.01), "14 minutes"}, {duration(0.0001), "under a minute"}, {duration(1.0 / 1440), "1 minute"}, {duration(0.5), "12 hours"}, {duration(1), "1 day"}, {duration(13.4), "13 days"},
		{duration(27.4), "27 days"}, {duration(27.6), "4 weeks"}, {duration(60), "9 weeks"}, {duration(95), "3 months"},
		{duration(365), "12 months"}, {duration(730), "2 years"}, {duration(900), "2.5 years"},
		{times(1.75), "1.8×"}, {times(0.456), "0.46×"}, {times(12), "12×"}, {spread(0.25), "±25%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

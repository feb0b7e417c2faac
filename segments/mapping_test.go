package segments

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// memberships builds Memberships by hand: members[id] lists the member
// customers of each segment of cat; segments in notEvaluated get a reason.
func memberships(t *testing.T, cat *Catalogue, n int, members map[string][]int, notEvaluated ...string) *Memberships {
	t.Helper()
	m := &Memberships{Catalogue: cat, Reason: make([]string, len(cat.Segments)), Member: make([][]bool, len(cat.Segments)), Sizes: make([]int, len(cat.Segments))}
	for s, seg := range cat.Segments {
		m.Member[s] = make([]bool, n)
		if slices.Contains(notEvaluated, seg.ID) {
			m.Reason[s] = "needs sessions (absent)"
			continue
		}
		for _, i := range members[seg.ID] {
			m.Member[s][i] = true
			m.Sizes[s]++
		}
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func checkMatch(t *testing.T, where string, got Match, want Match) {
	t.Helper()
	if got.Segment != want.Segment || got.Overlap != want.Overlap || !near(got.Precision, want.Precision) ||
		!near(got.Recall, want.Recall) || !near(got.Lift, want.Lift) || !near(got.F1, want.F1) {
		t.Errorf("%s: match %+v, want %+v", where, got, want)
	}
}

func TestMapClusters(t *testing.T) {
	cat, err := Parse([]byte(`
segments:
  - id: alpha
    name: Alpha customers
    rule: orders >= 1
  - id: beta
    name: Beta
    rule: orders >= 2
  - id: gamma
    rule: orders >= 3
  - id: delta
    rule: sessions >= 1
  - id: empty
    rule: orders >= 99
  - id: loc
    facet: true
    rule: country != ""
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	// Ten customers in three clusters.
	assign := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 2}
	mem := memberships(t, cat, len(assign), map[string][]int{
		"alpha": {0, 1, 2, 3},    // exactly cluster 0
		"beta":  {0, 4, 5},       // mostly cluster 1
		"gamma": {1, 6, 7},       // spread: carried by none
		"loc":   {0, 1, 2, 3, 4}, // a facet: never mapped
	}, "delta")
	prof := &Profile{
		Features: []string{"views", "orders", "cart_adds", "sessions"},
		Z: [][]float64{
			{0.1, 2, 0, 0},
			{0, 0.2, 0, 0},
			{1.2, -0.7, math.NaN(), 0.3},
		},
		ClusterMean:    [][]float64{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}},
		PopulationMean: []float64{0.5, 1.5, 2.5, 3.5},
	}
	mp := MapClusters(assign, 3, mem, prof)
	if len(mp.Clusters) != 3 {
		t.Fatalf("%d cluster mappings, want 3", len(mp.Clusters))
	}

	c0 := mp.Clusters[0]
	if c0.Cluster != 0 || c0.Size != 4 || !near(c0.Share, 0.4) {
		t.Errorf("cluster 0: %d, size %d, share %v", c0.Cluster, c0.Size, c0.Share)
	}
	if c0.Segment != "alpha" || c0.Label != "Alpha customers" || c0.Confidence != 1 || mp.ClusterOf(0) != "alpha" {
		t.Errorf("cluster 0 maps to %q (%q) with confidence %v; want alpha, Alpha customers, 1", c0.Segment, c0.Label, c0.Confidence)
	}
	// Precision = overlap/cluster size, recall = overlap/segment size,
	// lift = precision / (segment size / 10), F1 = 2PR/(P+R).
	wantC0 := []Match{
		{Segment: "alpha", Overlap: 4, Precision: 1, Recall: 1, Lift: 2.5, F1: 1},
		{Segment: "beta", Overlap: 1, Precision: 0.25, Recall: 1.0 / 3, Lift: 0.25 / 0.3, F1: 2.0 / 7},
		{Segment: "gamma", Overlap: 1, Precision: 0.25, Recall: 1.0 / 3, Lift: 0.25 / 0.3, F1: 2.0 / 7},
	}
	if len(c0.Candidates) != len(wantC0) {
		t.Fatalf("cluster 0 candidates %+v", c0.Candidates)
	}
	for i := range wantC0 {
		checkMatch(t, "cluster 0", c0.Candidates[i], wantC0[i])
	}
	checkMatch(t, "cluster 0 best", *c0.Best, wantC0[0])
	if !strings.Contains(c0.Why, "100%") || !strings.Contains(c0.Why, "alpha") {
		t.Errorf("cluster 0 why: %q", c0.Why)
	}

	c1 := mp.Clusters[1]
	if c1.Segment != "beta" || c1.Label != "Beta" || !near(c1.Confidence, 2.0/3) {
		t.Errorf("cluster 1 maps to %q with confidence %v; want beta, 2/3", c1.Segment, c1.Confidence)
	}
	checkMatch(t, "cluster 1 best", *c1.Best, Match{Segment: "beta", Overlap: 2, Precision: 2.0 / 3, Recall: 2.0 / 3, Lift: 20.0 / 9, F1: 2.0 / 3})
	if len(c1.Candidates) != 2 {
		t.Fatalf("cluster 1 candidates %+v", c1.Candidates)
	}
	checkMatch(t, "cluster 1", c1.Candidates[1], Match{Segment: "gamma", Overlap: 1, Precision: 1.0 / 3, Recall: 1.0 / 3, Lift: 10.0 / 9, F1: 1.0 / 3})

	c2 := mp.Clusters[2]
	if c2.Segment != "" || c2.Best != nil || c2.Confidence != 0 || mp.ClusterOf(2) != "" {
		t.Errorf("cluster 2 maps to %q (best %+v); want no segment", c2.Segment, c2.Best)
	}
	// Named by the templates of describe.go, in the features' units.
	if want := "9 views, 10 orders"; c2.Label != want {
		t.Errorf("cluster 2 label %q, want %q", c2.Label, want)
	}
	if !c2.New || c0.New || c1.New {
		t.Errorf("new: %v %v %v, want only cluster 2", c0.New, c1.New, c2.New)
	}
	if !strings.Contains(c2.Why, "no segment") {
		t.Errorf("cluster 2 why: %q", c2.Why)
	}
	// Evidence: NaN dropped, ordered by |z|, units passed through.
	wantEv := []Evidence{
		{Feature: "views", Z: 1.2, ClusterMean: 9, PopulationMean: 0.5},
		{Feature: "orders", Z: -0.7, ClusterMean: 10, PopulationMean: 1.5},
		{Feature: "sessions", Z: 0.3, ClusterMean: 12, PopulationMean: 3.5},
	}
	if !slices.Equal(c2.Evidence, wantEv) {
		t.Errorf("cluster 2 evidence %+v, want %+v", c2.Evidence, wantEv)
	}

	if !slices.Equal(mp.Uncarried, []string{"gamma"}) {
		t.Errorf("Uncarried = %v, want [gamma]", mp.Uncarried)
	}
	for _, c := range mp.Clusters {
		for _, m := range c.Candidates {
			if m.Segment == "loc" || m.Segment == "delta" || m.Segment == "empty" {
				t.Errorf("cluster %d has candidate %s (facet, unevaluated or empty)", c.Cluster, m.Segment)
			}
		}
	}
}

func TestMapClustersThresholds(t *testing.T) {
	cat, err := Parse([]byte("segments:\n  - id: big\n    rule: orders >= 0\n  - id: small\n    rule: orders >= 1\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	// Ten customers: big holds 7 (a rate of 0.7, so a lift of at most
	// 1/0.7 < MinLift, and halfway to a pure cluster is 0.85); cluster 0
	// is customers 0-3 and 7, of whom 4 meet big (0.8, under halfway) and
	// 2 meet small.
	assign := []int{0, 0, 0, 0, 1, 1, 1, 0, 1, 1}
	mem := memberships(t, cat, 10, map[string][]int{"big": {0, 1, 2, 3, 4, 5, 6}, "small": {0, 1}})
	mp := MapClusters(assign, 2, mem, nil)
	c0 := mp.Clusters[0]
	// big has the higher F1 (2/3) but a lift of only 8/7 and a precision
	// under halfway: small wins.
	checkMatch(t, "cluster 0", c0.Candidates[0], Match{Segment: "big", Overlap: 4, Precision: 0.8, Recall: 4.0 / 7, Lift: 8.0 / 7, F1: 2 * 0.8 * (4.0 / 7) / (0.8 + 4.0/7)})
	checkMatch(t, "cluster 0", c0.Candidates[1], Match{Segment: "small", Overlap: 2, Precision: 0.4, Recall: 1, Lift: 2, F1: 0.8 / 1.4})
	if c0.Segment != "small" || c0.Confidence != 0.4 {
		t.Errorf("cluster 0 maps to %q at %v; want small at 0.4", c0.Segment, c0.Confidence)
	}
	// Fewer than half of cluster 0 meet small's rule; big, which the
	// cluster meets more often than the population, covers the rest of
	// its members that meet anything (0.8 in all): the label names both.
	if want := "small or big"; c0.Label != want || !slices.Equal(c0.Named, []string{"small", "big"}) || !near(c0.LabelShare, 0.8) {
		t.Errorf("cluster 0's label %q naming %v for %v of the members, want %q naming [small big] for 0.8", c0.Label, c0.Named, c0.LabelShare, want)
	}
	if c1 := mp.Clusters[1]; c1.Segment != "" || c1.Label != "average on every feature" || c1.Evidence != nil {
		t.Errorf("cluster 1 without a profile: %+v", c1)
	}
	if !slices.Equal(mp.Uncarried, []string{"big"}) {
		t.Errorf("Uncarried = %v, want [big]", mp.Uncarried)
	}
	// With big met by only 2 of cluster 0 (a lift of 4/7, below 1) there is
	// no segment to name beside small: the label says how many it is true
	// of.
	mem = memberships(t, cat, 10, map[string][]int{"big": {2, 3, 4, 5, 6, 8, 9}, "small": {0, 1}})
	if c0 := MapClusters(assign, 2, mem, nil).Clusters[0]; c0.Segment != "small" || c0.Label != "small (40% of members)" || !slices.Equal(c0.Named, []string{"small"}) || !near(c0.LabelShare, 0.4) {
		t.Errorf("cluster 0 maps to %q labelled %q naming %v for %v, want small labelled \"small (40%% of members)\" naming [small] for 0.4", c0.Segment, c0.Label, c0.Named, c0.LabelShare)
	}
	// Customers 7-9 joining big makes it 100 % of cluster 0 at a rate of
	// 0.9: halfway (0.95) is passed, so big is mapped.
	mem = memberships(t, cat, 10, map[string][]int{"big": {0, 1, 2, 3, 4, 5, 6, 7, 8}, "small": {0, 1}})
	if mp := MapClusters(assign, 2, mem, nil); mp.Clusters[0].Segment != "big" || mp.Clusters[0].Label != cat.Segments[0].Name {
		t.Errorf("a pure cluster of a segment of 90 %% of the customers maps to %q labelled %q, want big labelled %q", mp.Clusters[0].Segment, mp.Clusters[0].Label, cat.Segments[0].Name)
	}
}

func TestMapClustersNamesCoSegments(t *testing.T) {
	cat, err := Parse([]byte(`
segments:
  - id: once
    name: One-timers
    rule: orders == 1
  - id: twin
    name: Twins
    rule: orders == 1
  - id: fresh
    name: New customers
    rule: orders == 2
  - id: rare
    name: Rare
    rule: orders == 3
  - id: common
    name: Common
    rule: orders >= 0
  - id: longname
    name: A segment with a very long name indeed
    rule: orders == 4
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	// Cluster 0 is customers 0-9, cluster 1 customers 10-19. In cluster 0,
	// once holds 0-3 (40 %, every once member: mapped), twin the same four
	// (no member added), fresh 4 and 5, rare 6, longname 7 and 8, common
	// 0-9 and 10-19 (lift 1).
	assign := make([]int, 20)
	for i := 10; i < 20; i++ {
		assign[i] = 1
	}
	base := map[string][]int{
		"once": {0, 1, 2, 3}, "twin": {0, 1, 2, 3}, "fresh": {4, 5, 10}, "rare": {6},
		"common":   {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19},
		"longname": {7, 8, 12},
	}
	mp := MapClusters(assign, 2, memberships(t, cat, 20, base), nil)
	c0 := mp.Clusters[0]
	if c0.Segment != "once" {
		t.Fatalf("cluster 0 maps to %q, want once", c0.Segment)
	}
	// twin adds nobody and common does not lift the cluster; longname adds
	// as many as fresh but its name does not fit; fresh reaches 60 %.
	if c0.Label != "One-timers or New customers" || !slices.Equal(c0.Named, []string{"once", "fresh"}) || !near(c0.LabelShare, 0.6) {
		t.Errorf("cluster 0 labelled %q naming %v for %v of the members, want \"One-timers or New customers\" naming [once fresh] for 0.6", c0.Label, c0.Named, c0.LabelShare)
	}
	if !strings.Contains(c0.Why, "60% meet the rule of once or fresh") {
		t.Errorf("cluster 0's why %q does not give the label's share", c0.Why)
	}

	// Without customer 5, once and fresh hold 5 of 10, exactly half: the
	// label stops there.
	less := maps.Clone(base)
	less["fresh"] = []int{4}
	if c0 := MapClusters(assign, 2, memberships(t, cat, 20, less), nil).Clusters[0]; !slices.Equal(c0.Named, []string{"once", "fresh"}) || !near(c0.LabelShare, 0.5) {
		t.Errorf("cluster 0 names %v for %v, want [once fresh] for 0.5", c0.Named, c0.LabelShare)
	}

	// With once down to 3 members and fresh to customer 4 alone, a third
	// segment is needed. longname would add the most (customers 7 and 8),
	// but its name does not fit; fresh and rare add one each, fresh first
	// (the earlier match on a tie): 3+1+1 of 10.
	third := maps.Clone(base)
	third["fresh"] = []int{4}
	third["once"] = []int{0, 1, 2}
	third["twin"] = []int{0, 1, 2}
	c0 = MapClusters(assign, 2, memberships(t, cat, 20, third), nil).Clusters[0]
	if c0.Label != "One-timers, New customers or Rare" || !slices.Equal(c0.Named, []string{"once", "fresh", "rare"}) || !near(c0.LabelShare, 0.5) {
		t.Errorf("cluster 0 labelled %q naming %v for %v, want \"One-timers, New customers or Rare\" naming [once fresh rare] for 0.5", c0.Label, c0.Named, c0.LabelShare)
	}

	// When MaxNamed segments do not reach half, the label is the mapped
	// segment's with its share.
	few := maps.Clone(third)
	few["rare"] = nil
	c0 = MapClusters(assign, 2, memberships(t, cat, 20, few), nil).Clusters[0]
	if c0.Label != "One-timers (30% of members)" || !slices.Equal(c0.Named, []string{"once"}) || !near(c0.LabelShare, 0.3) {
		t.Errorf("cluster 0 labelled %q naming %v for %v, want \"One-timers (30%% of members)\" naming [once] for 0.3", c0.Label, c0.Named, c0.LabelShare)
	}
}

func TestMapClustersEmptyCluster(t *testing.T) {
	cat, err := Parse([]byte("segments:\n  - id: a\n    rule: orders >= 1\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	mem := memberships(t, cat, 3, map[string][]int{"a": {0, 1, 2}})
	mp := MapClusters([]int{0, 0, 0}, 2, mem, nil)
	if c := mp.Clusters[1]; c.Size != 0 || c.Share != 0 || c.Segment != "" || len(c.Candidates) != 0 {
		t.Errorf("empty cluster: %+v", c)
	}
	// Segment a covers everyone: lift 1 everywhere, so no cluster carries it.
	if mp.Clusters[0].Segment != "" || !slices.Equal(mp.Uncarried, []string{"a"}) {
		t.Errorf("cluster 0 maps to %q, uncarried %v", mp.Clusters[0].Segment, mp.Uncarried)
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		ev   []Evidence
		want string
	}{
		{nil, "average on every feature"},
		{[]Evidence{{Feature: "views", Z: 0.49}}, "average on every feature"},
		{[]Evidence{{Feature: "cart_adds", Z: -0.5}}, "no cart adds"},
		{[]Evidence{{Feature: "cart_adds", Z: -0.5, ClusterMean: math.NaN(), PopulationMean: 3}}, "low cart adds"},
		{[]Evidence{{Feature: "a", Z: 3}, {Feature: "b", Z: -2}, {Feature: "c", Z: 1}, {Feature: "d", Z: 0.9}}, "high a, low b, high c"},
	}
	for _, tc := range cases {
		if got := describe(tc.ev); got != tc.want {
			t.Errorf("describe(%v) = %q, want %q", tc.ev, got, tc.want)
		}
	}
	p := &Profile{Features: []string{"a", "b", "c", "d", "e", "f"}, Z: [][]float64{{1, -6, 3, -4, 5, 2}},
		ClusterMean: [][]float64{make([]float64, 6)}, PopulationMean: make([]float64, 6)}
	var got []string
	for _, e := range evidence(p, 0) {
		got = append(got, e.Feature)
	}
	if !slices.Equal(got, []string{"b", "e", "d", "c", "f"}) {
		t.Errorf("evidence order %v, want the five largest |z|", got)
	}
}

func TestSettle(t *testing.T) {
	cat, err := Parse([]byte(`
segments:
  - id: first
    rule: orders >= 1
  - id: second
    rule: sessions >= 1
  - id: third
    rule: sessions >= 5
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	// Customers 0-3 meet first and second, 4 meets second only, 5 and 6
	// meet nothing. Cluster 0 maps to first, cluster 1 to nothing.
	mem := memberships(t, cat, 7, map[string][]int{"first": {0, 1, 2, 3}, "second": {0, 1, 2, 3, 4}})
	mem.Primary = []int{0, 0, 0, 0, 1, -1, -1}
	before := slices.Clone(mem.Primary)
	// One column: first's members alone do not exist (all four also meet
	// second), so first's profile is its members' mean (1.5), second's is
	// too few alone (customer 4) and is its five members' mean (2.2).
	x := []float64{0, 1, 2, 3, 5, 9, 9}
	assign := []int{0, 0, 1, 1, 1, 0, 1}
	mp := &Mapping{Clusters: []ClusterMapping{{Cluster: 0, Segment: "first"}, {Cluster: 1}}}
	r := mem.Settle(x, 1, assign, mp)
	// 0 and 1: nearer first's profile; 2 and 3: nearer second's
	// (|2-2.2| < |2-1.5|); 4: second, its only rule; 5: no rule, in a
	// cluster mapped to first, nearer second's profile (9 against 2.2 and
	// 1.5): second; 6: no rule, an unmapped (new) cluster: none.
	if want := []int{0, 0, 1, 1, 1, 1, -1}; !slices.Equal(mem.Primary, want) {
		t.Errorf("settled primary = %v, want %v", mem.Primary, want)
	}
	if !slices.Equal(before, []int{0, 0, 0, 0, 1, -1, -1}) {
		t.Error("Settle wrote into the precedence's slice")
	}
	wantBasis := []Basis{BasisClosestRule, BasisClosestRule, BasisClosestRule, BasisClosestRule, BasisRule, BasisClosestProfile, BasisNone}
	if !slices.Equal(mem.Basis, wantBasis) {
		t.Errorf("basis = %v, want %v", mem.Basis, wantBasis)
	}
	if r.Moved != 2 || r.FromProfile != 1 {
		t.Errorf("reconciliation = %+v, want 2 moved and 1 from the profiles", r)
	}
	// Nor for a customer who meets none, as long as its cluster maps to a
	// segment: customer 5 in a cluster mapped to second, or to third.
	for _, seg := range []string{"second", "third"} {
		other := memberships(t, cat, 7, map[string][]int{"first": {0, 1, 2, 3}, "second": {0, 1, 2, 3, 4}})
		other.Primary = slices.Clone(before)
		other.Settle(x, 1, assign, &Mapping{Clusters: []ClusterMapping{{Cluster: 0, Segment: seg}, {Cluster: 1}}})
		if other.Primary[5] != 1 {
			t.Errorf("customer 5 in a cluster mapped to %s: primary %d, want 1 (second)", seg, other.Primary[5])
		}
	}
	// The choice does not depend on the clusters for a customer who meets
	// a rule: every customer in one cluster gives the same for 0-4.
	again := memberships(t, cat, 7, map[string][]int{"first": {0, 1, 2, 3}, "second": {0, 1, 2, 3, 4}})
	again.Primary = slices.Clone(before)
	again.Settle(x, 1, make([]int, 7), &Mapping{Clusters: []ClusterMapping{{Cluster: 0}}})
	if !slices.Equal(again.Primary[:5], mem.Primary[:5]) {
		t.Errorf("with one cluster: %v, want %v for the customers meeting rules", again.Primary[:5], mem.Primary[:5])
	}
	if mem.BasisName(6) != "none" || mem.BasisName(3) != "closest_rule" {
		t.Errorf("basis names %q, %q", mem.BasisName(6), mem.BasisName(3))
	}
	// Customer 4 meets second only and its cluster maps to third: the
	// basis names the precedence.
	if got := mem.BasisName(4); got != "rule" {
		t.Errorf("BasisName(4) = %q, want rule", got)
	}
	if got := cat.Index("third"); got != 2 {
		t.Errorf("Index(third) = %d", got)
	}
	if got := cat.Index(""); got != -1 {
		t.Errorf("Index(\"\") = %d, want -1", got)
	}
}

// TestSubGroupsAndNewClusters: two clusters mapped to one segment are its
// sub-groups, told apart by the feature that separates them; a cluster that
// matches no segment is new and described in the features' units; labels
// are unique.
func TestSubGroupsAndNewClusters(t *testing.T) {
	cat, err := Parse([]byte(`
segments:
  - id: alpha
    name: Alpha customers
    rule: orders >= 1
  - id: beta
    rule: orders >= 5
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	// Clusters 0 and 1 are both alpha; 2 and 3 match nothing.
	assign := []int{0, 0, 0, 1, 1, 1, 2, 2, 3, 3}
	mem := memberships(t, cat, len(assign), map[string][]int{"alpha": {0, 1, 2, 3, 4, 5}, "beta": {0}})
	prof := &Profile{
		Features: []string{"orders", "mean_gap_days", "views"},
		Z: [][]float64{
			{0.3, -0.2, 0.1},
			{0.4, 1.5, 0.0},
			{-1.0, 0.1, 2.0},
			{-1.0, 0.1, 2.6},
		},
		ClusterMean:    [][]float64{{3, 20, 5}, {3.2, 61, 4}, {0, 30, 40}, {0, 30, 55}},
		PopulationMean: []float64{2, 33, 12},
	}
	mp := MapClusters(assign, 4, mem, prof)
	c0, c1, c2, c3 := mp.Clusters[0], mp.Clusters[1], mp.Clusters[2], mp.Clusters[3]
	if c0.Segment != "alpha" || c1.Segment != "alpha" || c0.New || c1.New {
		t.Fatalf("clusters 0 and 1 map to %q and %q, want alpha", c0.Segment, c1.Segment)
	}
	if c0.SubGroup != 1 || c1.SubGroup != 2 || c0.SubGroups != 2 || c1.SubGroups != 2 {
		t.Errorf("sub-groups %d/%d and %d/%d, want 1/2 and 2/2", c0.SubGroup, c0.SubGroups, c1.SubGroup, c1.SubGroups)
	}
	if c1.Separation != "longer gaps between orders (9 weeks vs 20 days)" || c0.Separation != "shorter gaps between orders (20 days vs 9 weeks)" {
		t.Errorf("separations %q and %q: want mean gap days, with both means", c0.Separation, c1.Separation)
	}
	for _, c := range []ClusterMapping{c0, c1} {
		if !strings.HasPrefix(c.Label, "Alpha customers · ") || !strings.Contains(c.Why, "set apart") {
			t.Errorf("cluster %d: label %q, why %q", c.Cluster, c.Label, c.Why)
		}
	}
	if !c2.New || !c3.New || c2.Segment != "" {
		t.Errorf("clusters 2 and 3: new %v %v, segment %q; want new, unmapped", c2.New, c3.New, c2.Segment)
	}
	if c2.Description != "40 views (all customers: 12), no orders (all customers: 2)" {
		t.Errorf("cluster 2 description %q", c2.Description)
	}
	// The new clusters' descriptions differ by their views: no numbering.
	if c2.Label != "40 views, no orders" || c3.Label != "55 views, no orders" || c2.SubGroup != 0 || c3.SubGroup != 0 {
		t.Errorf("new clusters' labels %q and %q, sub-groups %d and %d", c2.Label, c3.Label, c2.SubGroup, c3.SubGroup)
	}
	seen := map[string]bool{}
	for _, c := range mp.Clusters {
		if seen[c.Label] {
			t.Errorf("label %q repeated", c.Label)
		}
		seen[c.Label] = true
		if c.SubGroups == 0 {
			t.Errorf("cluster %d: SubGroups 0", c.Cluster)
		}
	}
}

// TestBriefWithin: a sub-group's label keeps the first separating phrase
// and as many others as fit in MaxLabel characters.
func TestBriefWithin(t *testing.T) {
	name := "Negative-experience customers"
	brief := []string{"fewer refunds", "higher spend", "more orders"}
	got := briefWithin(name, brief)
	if got != "fewer refunds" {
		t.Errorf("briefWithin = %q, want the first phrase alone", got)
	}
	if label := name + " · 1 of 2: " + got; utf8.RuneCountInString(label) > MaxLabel {
		t.Errorf("label %q is %d characters", label, utf8.RuneCountInString(label))
	}
	if got := briefWithin("Leads", brief); got != "fewer refunds, higher spend, more orders" {
		t.Errorf("a short name keeps every phrase that fits: %q", got)
	}
	if got := briefWithin("A segment name so long that nothing else fits in the label", brief); got != "fewer refunds" {
		t.Errorf("the first phrase is always kept: %q", got)
	}
	if got := briefWithin(name, nil); got != "" {
		t.Errorf("no phrases: %q", got)
	}
}

// TestMappedByLargeSegment: a segment that holds 90 % of the customers can
// never reach a lift of 1.5; a cluster of which 98 % meet it is mapped, one
// at the population's rate is not.
func TestMappedByLargeSegment(t *testing.T) {
	for _, tc := range []struct {
		prec, rate float64
		want       bool
	}{
		{0.98, 0.9, true},  // (1+0.9)/2 = 0.95
		{0.93, 0.9, false}, // below halfway
		{0.9, 0.9, false},  // the population's rate
		{0.45, 0.3, true},  // lift 1.5
		{0.4, 0.3, false},  // lift 1.33, rate small
		{0.25, 0.1, false}, // below MinPrecision
	} {
		m := Match{Precision: tc.prec, Lift: tc.prec / tc.rate}
		if got := mappedBy(m); got != tc.want {
			t.Errorf("precision %.2f at a rate of %.2f: mapped %v, want %v", tc.prec, tc.rate, got, tc.want)
		}
	}
}

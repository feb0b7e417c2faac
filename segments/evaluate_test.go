package segments

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/segmint/segmint/features"
)

func TestPercentileRanks(t *testing.T) {
	cases := []struct {
		name string
		in   []float64
		want []float64
	}{
		{"empty", []float64{}, []float64{}},
		{"one", []float64{7}, []float64{0.5}},
		{"distinct", []float64{40, 10, 30, 20}, []float64{0.875, 0.125, 0.625, 0.375}},
		{"ties get the mid-rank", []float64{3, 1, 3, 2}, []float64{0.75, 0.125, 0.75, 0.375}},
		{"NaN stays NaN and is not counted", []float64{3, 1, nan, 3, 2}, []float64{0.75, 0.125, nan, 0.75, 0.375}},
		{"all equal", []float64{5, 5, 5}, []float64{0.5, 0.5, 0.5}},
		{"all NaN", []float64{nan, nan}, []float64{nan, nan}},
		{"infinities rank at the ends", []float64{math.Inf(1), 0, math.Inf(-1)}, []float64{5.0 / 6, 0.5, 1.0 / 6}},
		{"negative zero ties with zero", []float64{math.Copysign(0, -1), 0, 1}, []float64{1.0 / 3, 1.0 / 3, 5.0 / 6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			got := PercentileRanks(in)
			if len(got) != len(tc.want) {
				t.Fatalf("len %d, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !(got[i] == tc.want[i] || math.Abs(got[i]-tc.want[i]) < 1e-15 || math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
					t.Errorf("rank[%d] = %v, want %v", i, got[i], tc.want[i])
				}
			}
			for i := range in {
				if math.Float64bits(in[i]) != math.Float64bits(tc.in[i]) {
					t.Fatal("PercentileRanks modified its input")
				}
			}
		})
	}
}

func TestPercentileRanksProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		x := make([]float64, rng.IntN(60))
		for i := range x {
			switch rng.IntN(5) {
			case 0:
				x[i] = nan
			default:
				x[i] = float64(rng.IntN(8)) // many ties
			}
		}
		r := PercentileRanks(x)
		sum, n := 0.0, 0
		for i := range x {
			if math.IsNaN(x[i]) != math.IsNaN(r[i]) {
				t.Fatalf("trial %d: x[%d] = %v, rank %v", trial, i, x[i], r[i])
			}
			if math.IsNaN(x[i]) {
				continue
			}
			if r[i] <= 0 || r[i] >= 1 {
				t.Fatalf("trial %d: rank %v outside (0, 1)", trial, r[i])
			}
			sum += r[i]
			n++
			for j := range x {
				if math.IsNaN(x[j]) {
					continue
				}
				if (x[i] < x[j]) != (r[i] < r[j]) || (x[i] == x[j]) != (r[i] == r[j]) {
					t.Fatalf("trial %d: ranks do not follow values: x %v %v, r %v %v", trial, x[i], x[j], r[i], r[j])
				}
			}
		}
		// Mid-ranks average to one half.
		if n > 0 && math.Abs(sum/float64(n)-0.5) > 1e-12 {
			t.Fatalf("trial %d: mean rank %v, want 0.5", trial, sum/float64(n))
		}
	}
}

// table builds a feature table from named columns.
func table(customers []int64, country []string, cols map[string][]float64, absent ...features.Absence) *features.Table {
	t := &features.Table{Customers: customers, Country: country, Absent: absent}
	t.AsOf = 30 * features.MicrosPerDay
	for _, f := range features.Catalogue() { // catalogue order, as Finalise
		if col, ok := cols[f.Name]; ok {
			t.Features = append(t.Features, f)
			t.Columns = append(t.Columns, col)
		}
	}
	return t
}

const handCatalogue = `
segments:
  - id: loc
    facet: true
    rule: country == "RO"
  - id: big_spender
    rule: total_spend >= 100
  - id: frequent
    rule: orders >= 3
  - id: browser
    rule: orders == 0 && views >= 1
  - id: needs_sessions
    rule: sessions >= 1 || orders >= 0
  - id: top_half
    rule: pct.total_spend >= 0.5
  - id: long_window
    rule: window_days >= 30 && orders == 4
lifecycle:
  - stage: prospect
    rule: orders == 0
  - stage: engaged
    rule: sessions >= 2
  - stage: big
    rule: total_spend >= 100
  - stage: other
    rule: "true"
`

func TestEvaluateHandBuilt(t *testing.T) {
	cat, err := Parse([]byte(handCatalogue), "hand")
	if err != nil {
		t.Fatal(err)
	}
	tab := table(
		[]int64{1, 2, 3, 4, 5},
		[]string{"RO", "", "RO", "DE", "RO"},
		map[string][]float64{
			"total_spend": {150, 0, 50, nan, 20},
			"orders":      {4, 0, 3, 0, 1},
			"views":       {2, 5, 0, 0, 1},
		},
		features.Absence{Feature: "sessions", Reason: "input has no user_session column"},
	)
	// pct.total_spend: 0 -> 1/8, 20 -> 3/8, 50 -> 5/8, 150 -> 7/8.
	wantMember := map[string][]bool{
		"loc":            {true, false, true, false, true},
		"big_spender":    {true, false, false, false, false},
		"frequent":       {true, false, true, false, false},
		"browser":        {false, true, false, false, false},
		"needs_sessions": {false, false, false, false, false},
		"top_half":       {true, false, true, false, false},
		"long_window":    {true, false, false, false, false},
	}
	wantPrimary := []string{"big_spender", "browser", "frequent", "none", "none"}
	wantStage := []string{"big", "prospect", "other", "prospect", "other"}

	m, err := Evaluate(cat, tab, 1)
	if err != nil {
		t.Fatal(err)
	}
	for s, seg := range cat.Segments {
		if !slices.Equal(m.Member[s], wantMember[seg.ID]) {
			t.Errorf("%s members = %v, want %v", seg.ID, m.Member[s], wantMember[seg.ID])
		}
		size := 0
		for _, in := range wantMember[seg.ID] {
			if in {
				size++
			}
		}
		if m.Sizes[s] != size {
			t.Errorf("%s size = %d, want %d", seg.ID, m.Sizes[s], size)
		}
		if evaluated := seg.ID != "needs_sessions"; m.Evaluated(s) != evaluated {
			t.Errorf("%s evaluated = %v, want %v", seg.ID, m.Evaluated(s), evaluated)
		}
	}
	ns := slices.IndexFunc(cat.Segments, func(s Segment) bool { return s.ID == "needs_sessions" })
	if r := m.Reason[ns]; !strings.Contains(r, "sessions") || !strings.Contains(r, "user_session") {
		t.Errorf("needs_sessions reason %q should name the feature and why it is absent", r)
	}
	for i := range tab.Customers {
		if got := m.PrimaryID(i); got != wantPrimary[i] {
			t.Errorf("customer %d: primary %s, want %s", tab.Customers[i], got, wantPrimary[i])
		}
		if p := m.Primary[i]; p >= 0 && cat.Segments[p].Facet {
			t.Errorf("customer %d: a facet is primary", tab.Customers[i])
		}
		if got := m.StageName(i); got != wantStage[i] {
			t.Errorf("customer %d: stage %s, want %s", tab.Customers[i], got, wantStage[i])
		}
	}
	// The stage reading an absent feature is skipped with its reason.
	if m.StageReason[1] == "" || m.StageReason[0] != "" || m.StageReason[2] != "" {
		t.Errorf("stage reasons = %q", m.StageReason)
	}
}

func TestEvaluateNoCountryColumn(t *testing.T) {
	cat, err := Parse([]byte(handCatalogue), "hand")
	if err != nil {
		t.Fatal(err)
	}
	tab := table([]int64{1, 2}, nil, map[string][]float64{"total_spend": {1, 2}, "orders": {1, 1}, "views": {0, 0}})
	m, err := Evaluate(cat, tab, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Evaluated(0) || m.Sizes[0] != 0 {
		t.Errorf("location facet without countries: evaluated %v, size %d; want evaluated and empty", m.Evaluated(0), m.Sizes[0])
	}
}

func TestEvaluateEmptyTable(t *testing.T) {
	m, err := Evaluate(Default(), table(nil, nil, map[string][]float64{"orders": {}}), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Primary) != 0 || len(m.Stage) != 0 || len(m.Sizes) != len(Default().Segments) {
		t.Errorf("empty table: %+v", m)
	}
}

// randomTable returns n customers with every feature of the catalogue, NaN
// where a real table would be null.
func randomTable(seed uint64, n int) *features.Table {
	rng := rand.New(rand.NewPCG(seed, 1))
	cols := make(map[string][]float64)
	orders := make([]float64, n)
	for i := range orders {
		orders[i] = float64(max(0, rng.IntN(9)-3))
	}
	countries := []string{"", "RO", "KR"}
	country := make([]string, n)
	for i := range country {
		country[i] = countries[rng.IntN(3)]
	}
	for _, f := range features.Catalogue() {
		col := make([]float64, n)
		for i := range col {
			switch f.Name {
			case "orders":
				col[i] = orders[i]
			case "subscribed":
				col[i] = float64(rng.IntN(2))
			default:
				col[i] = float64(rng.IntN(200)) * rng.Float64()
				if f.Unit == "share" {
					col[i] = rng.Float64()
				}
				if orders[i] < 2 && rng.IntN(2) == 0 && f.Fill != nil {
					col[i] = nan
				}
			}
		}
		cols[f.Name] = col
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i * 3)
	}
	tab := table(ids, country, cols)
	tab.AsOf = 365 * features.MicrosPerDay // a year: every segment's history
	return tab
}

func TestEvaluateSameForAnyThreads(t *testing.T) {
	cat := Default()
	for _, n := range []int{1, 6, 13, 1000} {
		tab := randomTable(uint64(n), n)
		ref, err := Evaluate(cat, tab, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1000 {
			nonEmpty := 0
			for s := range cat.Segments {
				if !ref.Evaluated(s) {
					t.Errorf("segment %s not evaluated on a full table: %s", cat.Segments[s].ID, ref.Reason[s])
				}
				if ref.Sizes[s] > 0 {
					nonEmpty++
				}
			}
			if nonEmpty < len(cat.Segments)/2 {
				t.Errorf("only %d segments have members; the test table is too tame", nonEmpty)
			}
		}
		for _, threads := range []int{2, 7, 0} {
			got, err := Evaluate(cat, tab, threads)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ref) {
				t.Errorf("n=%d: threads=%d differs from threads=1", n, threads)
			}
		}
	}
}

func TestEvaluateDefaultOnRealFeatures(t *testing.T) {
	// A feature table from the features package itself: a one-order
	// customer seen 2 days before the as-of time is a new customer.
	day := int64(features.MicrosPerDay)
	b := &features.Batch{Len: 3, Present: features.ColTime | features.ColType | features.ColCustomer | features.ColPrice | features.ColQuantity,
		Customer: []int64{1, 1, 2}, Time: []int64{0, 28 * day, 1 * day},
		Type:  []features.EventType{features.EventView, features.EventPurchase, features.EventView},
		Price: []int64{0, features.ToMoney(20), 0}, Quantity: []int64{1, 1, 1}}
	g := features.NewAggregator(nil)
	g.Add(b)
	tab := g.Finalise(features.Context{AsOf: 30 * day, WindowStart: 0, Stats: g.Stats})
	m, err := Evaluate(Default(), tab, 2)
	if err != nil {
		t.Fatal(err)
	}
	if m.PrimaryID(0) != "new_customers" || m.StageName(0) != "new" {
		t.Errorf("customer 1: primary %s, stage %s; want new_customers, new", m.PrimaryID(0), m.StageName(0))
	}
	if m.StageName(1) != "prospect" {
		t.Errorf("customer 2: stage %s, want prospect", m.StageName(1))
	}
	for s, seg := range m.Catalogue.Segments {
		uses := seg.Uses()
		if f := m.FallbackOf(s); f != nil {
			uses = f.Uses()
		}
		for _, u := range uses {
			if tab.Column(u) == nil && m.Evaluated(s) {
				t.Errorf("segment %s uses absent %s but was evaluated", seg.ID, u)
			}
		}
		if !m.Evaluated(s) && m.Sizes[s] != 0 {
			t.Errorf("segment %s not evaluated but has %d members", seg.ID, m.Sizes[s])
		}
	}
}

// percentileRanksBySort is PercentileRanks by a comparison sort of the
// indices: the reference for the radix sort, and its peer in the benchmark.
func percentileRanksBySort(x []float64) []float64 {
	var idx []int
	for i, v := range x {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	out := make([]float64, len(x))
	for i := range out {
		out[i] = math.NaN()
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	for lo := 0; lo < len(idx); {
		hi := lo
		for hi+1 < len(idx) && x[idx[hi+1]] == x[idx[lo]] {
			hi++
		}
		for k := lo; k <= hi; k++ {
			out[idx[k]] = midRank(lo, hi-lo+1, len(idx))
		}
		lo = hi + 1
	}
	return out
}

// wideValues draws n values over many magnitudes and both signs, with
// ties, zeros of both signs, infinities, subnormals and NaN.
func wideValues(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch rng.IntN(10) {
		case 0:
			x[i] = nan
		case 1:
			x[i] = float64(rng.IntN(5)) - 2
		case 2:
			x[i] = []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 5e-324, -5e-324}[rng.IntN(6)]
		default:
			x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
	}
	return x
}

func TestPercentileRanksAgreesWithAComparisonSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 50 {
		x := wideValues(rng, 1+rng.IntN(5000))
		got, want := PercentileRanks(x), percentileRanksBySort(x)
		for i := range x {
			if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Fatalf("trial %d: rank of x[%d] = %v is %v, want %v", trial, i, x[i], got[i], want[i])
			}
		}
	}
}

// BenchmarkPercentileRanks: the radix sort against a comparison sort of
// the indices, on a million values shaped like a feature column.
func BenchmarkPercentileRanks(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 1_000_000)
	for i := range x {
		x[i] = math.Exp(rng.NormFloat64() * 2) // a skewed, positive column
		if i%5 == 0 {
			x[i] = nan
		}
	}
	b.Run("radix", func(b *testing.B) {
		for range b.N {
			PercentileRanks(x)
		}
	})
	b.Run("comparison-sort", func(b *testing.B) {
		for range b.N {
			percentileRanksBySort(x)
		}
	})
}

// TestEvaluatorSetsWhatRulesRead: an evaluator sets, per customer, only the
// features its rules read; every rule's outcome and every stage are those
// of an evaluator that sets every feature.
func TestEvaluatorSetsWhatRulesRead(t *testing.T) {
	cat := Default()
	tab := randomTable(11, 1000)
	pop := NewPopulation(tab)
	some, all := NewEvaluator(cat, pop), NewEvaluator(cat, pop)
	if len(some.read) == 0 || len(some.read) >= len(pop.Features) {
		t.Fatalf("the rules read %d of %d features; the test needs some unread", len(some.read), len(pop.Features))
	}
	all.read = all.read[:0]
	for j := range pop.Features {
		all.read = append(all.read, j)
	}
	values := make([]float64, len(pop.Features))
	a, b := make([]bool, len(cat.Segments)), make([]bool, len(cat.Segments))
	for i := range tab.Customers {
		for j := range values {
			values[j] = tab.Columns[j][i]
		}
		p1, s1, err1 := some.Evaluate(values, nil, "", a)
		p2, s2, err2 := all.Evaluate(values, nil, "", b)
		if err1 != nil || err2 != nil || p1 != p2 || s1 != s2 || !slices.Equal(a, b) {
			t.Fatalf("customer %d: (%d, %d, %v, %v) setting what the rules read, (%d, %d, %v, %v) setting every feature", i, p1, s1, a, err1, p2, s2, b, err2)
		}
	}
}

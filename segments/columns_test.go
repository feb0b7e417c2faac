package segments

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/segmint/segmint/features"
)

// evaluateByCustomer is Evaluate as it was before rules were evaluated
// column-wise: the whole population (NewPopulation), the percentile ranks
// of every feature, and an Evaluator for each customer. It is the
// reference Evaluate must agree with, bit for bit, and its peer in
// BenchmarkEvaluate.
func evaluateByCustomer(c *Catalogue, t *features.Table, threads int) (*Memberships, error) {
	n := len(t.Customers)
	pop := NewPopulation(t)
	probe := NewEvaluator(c, pop)
	m := &Memberships{Catalogue: c, Reason: probe.Reason, Fallback: probe.Fallback, Member: make([][]bool, len(c.Segments)), Sizes: make([]int, len(c.Segments)), Primary: make([]int, n), Stage: make([]int, n), StageReason: probe.StageReason}
	for s := range c.Segments {
		m.Member[s] = make([]bool, n)
	}
	pct := make([][]float64, len(t.Features))
	for j := range t.Features {
		pct[j] = PercentileRanks(t.Columns[j])
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	chunk := (n + threads - 1) / max(threads, 1)
	errs := make([]error, threads)
	var wg sync.WaitGroup
	for w := 0; w < threads; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			ev := NewEvaluator(c, pop)
			values := make([]float64, len(t.Features))
			ranks := make([]float64, len(t.Features))
			member := make([]bool, len(c.Segments))
			for i := lo; i < hi; i++ {
				for j := range t.Features {
					values[j], ranks[j] = t.Columns[j][i], pct[j][i]
				}
				country := ""
				if t.Country != nil {
					country = t.Country[i]
				}
				p, st, err := ev.Evaluate(values, ranks, country, member)
				if err != nil {
					errs[w] = fmt.Errorf("customer %s: %w", t.ID(i), err)
					return
				}
				m.Primary[i], m.Stage[i] = p, st
				for s, in := range member {
					m.Member[s][i] = in
				}
			}
		}(w, lo, hi)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for s := range c.Segments {
		for _, in := range m.Member[s] {
			if in {
				m.Sizes[s]++
			}
		}
	}
	return m, nil
}

// membershipDiffs lists how got differs from want, field by field (at most
// a few customers per field), and, last, any difference reflect.DeepEqual
// sees that the fields' comparison does not name (a nil slice for an
// empty one).
func membershipDiffs(got, want *Memberships) []string {
	var d []string
	if got.Catalogue != want.Catalogue {
		d = append(d, "Catalogue differs")
	}
	if !slices.Equal(got.Reason, want.Reason) {
		d = append(d, fmt.Sprintf("Reason %q, want %q", got.Reason, want.Reason))
	}
	if !slices.Equal(got.Fallback, want.Fallback) {
		d = append(d, fmt.Sprintf("Fallback %v, want %v", got.Fallback, want.Fallback))
	}
	if !slices.Equal(got.Sizes, want.Sizes) {
		d = append(d, fmt.Sprintf("Sizes %v, want %v", got.Sizes, want.Sizes))
	}
	if !slices.Equal(got.StageReason, want.StageReason) {
		d = append(d, fmt.Sprintf("StageReason %q, want %q", got.StageReason, want.StageReason))
	}
	if !slices.Equal(got.Basis, want.Basis) {
		d = append(d, fmt.Sprintf("Basis %v, want %v", got.Basis, want.Basis))
	}
	if len(got.Member) != len(want.Member) {
		d = append(d, fmt.Sprintf("%d Member columns, want %d", len(got.Member), len(want.Member)))
	} else {
		for s := range want.Member {
			d = append(d, firstDiffs(fmt.Sprintf("Member[%d]", s), got.Member[s], want.Member[s])...)
		}
	}
	d = append(d, firstDiffs("Primary", got.Primary, want.Primary)...)
	d = append(d, firstDiffs("Stage", got.Stage, want.Stage)...)
	if len(d) == 0 && !reflect.DeepEqual(got, want) {
		d = append(d, "reflect.DeepEqual differs")
	}
	return d
}

func firstDiffs[T comparable](name string, got, want []T) []string {
	if len(got) != len(want) {
		return []string{fmt.Sprintf("%s: %d customers, want %d", name, len(got), len(want))}
	}
	var d []string
	for i := range want {
		if got[i] != want[i] {
			d = append(d, fmt.Sprintf("%s[%d] = %v, want %v", name, i, got[i], want[i]))
			if len(d) == 3 {
				break
			}
		}
	}
	return d
}

// checkAgainstByCustomer evaluates c on tab with Evaluate and the
// reference, for 1, 2 and 3 threads, and fails on any difference.
func checkAgainstByCustomer(t *testing.T, name string, c *Catalogue, tab *features.Table) {
	t.Helper()
	want, wantErr := evaluateByCustomer(c, tab, 1)
	for _, threads := range []int{1, 2, 3} {
		got, err := Evaluate(c, tab, threads)
		if wantErr != nil || err != nil {
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("%s, threads %d: error %v, want %v", name, threads, err, wantErr)
			}
			continue
		}
		if d := membershipDiffs(got, want); len(d) > 0 {
			t.Errorf("%s, threads %d: differs from the evaluation customer by customer:\n%s", name, threads, strings.Join(d, "\n"))
		}
	}
}

// withoutSessions is tab as a transaction log gives it: no sessions, so
// that the default catalogue's fallbacks are evaluated.
func withoutSessions(tab *features.Table) *features.Table {
	out := *tab
	out.Features, out.Columns = nil, nil
	for j, f := range tab.Features {
		if f.Name == "sessions" || f.Name == "cart_abandonment_rate" {
			continue
		}
		out.Features = append(out.Features, f)
		out.Columns = append(out.Columns, tab.Columns[j])
	}
	out.Absent = append(slices.Clip(tab.Absent), features.Absence{Feature: "sessions", Reason: "input has no user_session column"})
	return &out
}

func TestEvaluateMatchesByCustomerOnTheDefaultCatalogue(t *testing.T) {
	cat := Default()
	for _, n := range []int{0, 1, 7, 1000, 3*blockSize + 17} {
		tab := randomTable(uint64(100+n), n)
		checkAgainstByCustomer(t, fmt.Sprintf("n=%d", n), cat, tab)
		checkAgainstByCustomer(t, fmt.Sprintf("n=%d without sessions", n), cat, withoutSessions(tab))
		short := *tab
		short.AsOf = 20 * features.MicrosPerDay // segments and stages not evaluated
		checkAgainstByCustomer(t, fmt.Sprintf("n=%d on 20 days", n), cat, &short)
		noCountry := *tab
		noCountry.Country = nil
		checkAgainstByCustomer(t, fmt.Sprintf("n=%d without countries", n), cat, &noCountry)
	}
}

// TestDefaultCatalogueIsColumnWise: every rule of the default catalogue is
// evaluated column-wise, never by the virtual machine, and only the
// features read as pct. or head. are ranked or broken.
func TestDefaultCatalogueIsColumnWise(t *testing.T) {
	cat := Default()
	for _, tab := range []*features.Table{randomTable(1, 10), withoutSessions(randomTable(1, 10))} {
		pop := NewPopulation(tab)
		probe := NewEvaluator(cat, pop)
		plan := newColumnPlan(cat, probe, tab)
		if plan.vm || len(plan.vmSegments) > 0 {
			t.Errorf("segments %v run by the virtual machine", plan.vmSegments)
		}
		for s := range cat.Segments {
			if probe.Reason[s] == "" && !plan.columns[s] {
				t.Errorf("segment %s not evaluated column-wise", cat.Segments[s].ID)
			}
		}
		var pct, head []string
		for j, f := range pop.Features {
			if plan.pct[j] {
				pct = append(pct, f)
			}
			if plan.head[j] {
				head = append(head, f)
			}
		}
		if !slices.Contains(pct, "total_spend") || slices.Contains(pct, "refund_rate") || len(pct) > 8 {
			t.Errorf("percentile ranks of %v", pct)
		}
		if !slices.Equal(head, []string{"total_spend", "avg_order_value"}) && !slices.Equal(head, []string{"avg_order_value", "total_spend"}) {
			t.Errorf("head/tail breaks of %v", head)
		}
	}
}

// exprCatalogue exercises what column-wise evaluation implements (int and
// float constants, arithmetic, folded constants, not, or, comparisons of
// two features, mean., head., window_days, country, NaN features) and what
// it leaves to the virtual machine (function calls, membership, the
// conditional operator, matches), side by side, in segments and stages.
const exprCatalogue = `
segments:
  - id: arith
    rule: total_spend / orders > 2 * mean.avg_order_value - 1.5
  - id: folded
    rule: orders >= 2 * 3 - 4 && orders + 1 != 3 && 7 / 2 < orders
  - id: negation
    rule: not (orders == 0) && !(refund_rate > 0.1) || -orders < -6
  - id: features_compared
    rule: recency_days < tenure_days / 2 && pct.recency_days <= pct.tenure_days
  - id: head_levels
    rule: head.total_spend + head.orders >= 2 || head.views == 1
  - id: power
    rule: avg_order_value ** 2 >= 400 && 2 ^ orders > 8
  - id: windows
    rule: window_days >= 30 && days_since_last_event <= window_days / 12 && true
  - id: unary_plus
    rule: +orders >= 3 && orders - -1 < 5
  - id: constants
    rule: 3 > 2 && "a" != "b" && 1.5 == 3 / 2
  - id: never
    rule: false || 1 > 2
  - id: nan_compared
    rule: mean_gap_days != mean_gap_days || overdue_ratio == overdue_ratio && pct.overdue_ratio != 0.5
  - id: nan_unequal
    rule: mean_gap_days != 2 && 1 != gap_regularity
  - id: by_function
    rule: abs(total_spend - mean.total_spend) < 20 || max(orders, 4) == orders
  - id: by_membership
    rule: country in ["RO", "KR"] && orders in 1..3
  - id: by_conditional
    rule: "(orders > 2 ? pct.total_spend : pct.views) >= 0.5"
  - id: by_matches
    facet: true
    rule: country matches "^R"
  - id: located
    facet: true
    rule: country == "KR" || "RO" == country
  - id: unlocated
    facet: true
    rule: country != ""
lifecycle:
  - stage: by_function
    rule: floor(total_spend) == 17
  - stage: head
    rule: head.total_spend >= 1 && orders >= 3
  - stage: by_conditional
    rule: "(orders > 1 ? recency_days : tenure_days) > 150"
  - stage: rest
    rule: "true"
`

func TestEvaluateMatchesByCustomerOnExpressions(t *testing.T) {
	cat, err := Parse([]byte(exprCatalogue), "expressions")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 50, 2*blockSize + 3} {
		tab := randomTable(uint64(200+n), n)
		checkAgainstByCustomer(t, fmt.Sprintf("n=%d", n), cat, tab)
		noCountry := *tab
		noCountry.Country = nil
		checkAgainstByCustomer(t, fmt.Sprintf("n=%d without countries", n), cat, &noCountry)
	}
	// Which rules are column-wise: a change to the planner that sends them
	// all to the virtual machine would pass the comparison above.
	tab := randomTable(1, 10)
	plan := newColumnPlan(cat, NewEvaluator(cat, NewPopulation(tab)), tab)
	for s, seg := range cat.Segments {
		if want := !strings.HasPrefix(seg.ID, "by_"); plan.columns[s] != want {
			t.Errorf("segment %s: column-wise %v, want %v", seg.ID, plan.columns[s], want)
		}
	}
	for k, st := range cat.Lifecycle {
		if want := !strings.HasPrefix(st.Stage, "by_"); plan.stageColumns[k] != want {
			t.Errorf("stage %s: column-wise %v, want %v", st.Stage, plan.stageColumns[k], want)
		}
	}
}

// TestEvaluateMatchesByCustomerOnHandBuiltValues: ties, infinities, signed
// zeros, NaN and tiny values in every feature, where a comparison with an
// integer constant or between features is most likely to go wrong.
func TestEvaluateMatchesByCustomerOnHandBuiltValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := blockSize + 100
	tab := randomTable(9, n)
	for j := range tab.Columns {
		if tab.Features[j].Name == "subscribed" {
			continue
		}
		col := tab.Columns[j]
		for i := range col {
			switch rng.IntN(8) {
			case 0:
				col[i] = math.NaN()
			case 1:
				col[i] = []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 5e-324, 1, 2, 3, 30, 90}[rng.IntN(10)]
			}
		}
	}
	cat, err := Parse([]byte(exprCatalogue), "expressions")
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstByCustomer(t, "expressions", cat, tab)
	checkAgainstByCustomer(t, "default", Default(), tab)
}

// TestEvaluateErrorsAsByCustomer: a rule the virtual machine fails on for
// some customers (an integer division by zero) fails Evaluate with the
// error of the first such customer in table order, for any threads.
func TestEvaluateErrorsAsByCustomer(t *testing.T) {
	n := 3*blockSize + 5
	for _, tc := range []struct {
		name, catalogue string
		bad             []int
	}{
		{"segment", `
segments:
  - id: fine
    rule: orders >= 1
  - id: modulo
    rule: orders >= 1 && int(orders) % int(views) == 0
lifecycle:
  - stage: any
    rule: "true"
`, []int{2*blockSize + 9, blockSize + 40, 3 * blockSize}},
		{"stage", `
segments:
  - id: fine
    rule: orders >= 1
lifecycle:
  - stage: first
    rule: orders >= 100
  - stage: modulo
    rule: int(orders) % int(views) == 1
  - stage: any
    rule: "true"
`, []int{3*blockSize + 1, 2*blockSize + 2}},
	} {
		cat, err := Parse([]byte(tc.catalogue), tc.name)
		if err != nil {
			t.Fatal(err)
		}
		tab := randomTable(3, n)
		views := tab.Column("views")
		for i := range views {
			views[i] = 1
		}
		checkAgainstByCustomer(t, tc.name+" without errors", cat, tab)
		for _, i := range tc.bad {
			views[i] = 0
			tab.Column("orders")[i] = 2 // the modulo is not short-circuited
		}
		checkAgainstByCustomer(t, tc.name, cat, tab)
		if _, err := Evaluate(cat, tab, 2); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("customer %s:", tab.ID(slices.Min(tc.bad)))) {
			t.Errorf("%s: error %v, want one for customer %s", tc.name, err, tab.ID(slices.Min(tc.bad)))
		}
	}
}

// TestMembershipDiffs: the comparison the tests above rest on sees a
// difference in any field.
func TestMembershipDiffs(t *testing.T) {
	cat := Default()
	tab := randomTable(5, 300)
	want, err := evaluateByCustomer(cat, tab, 1)
	if err != nil {
		t.Fatal(err)
	}
	clone := func() *Memberships {
		m := *want
		m.Member = make([][]bool, len(want.Member))
		for s := range want.Member {
			m.Member[s] = slices.Clone(want.Member[s])
		}
		m.Primary, m.Stage, m.Sizes = slices.Clone(want.Primary), slices.Clone(want.Stage), slices.Clone(want.Sizes)
		m.Reason, m.Fallback, m.StageReason = slices.Clone(want.Reason), slices.Clone(want.Fallback), slices.Clone(want.StageReason)
		return &m
	}
	if d := membershipDiffs(clone(), want); len(d) > 0 {
		t.Fatalf("a copy differs: %v", d)
	}
	for name, change := range map[string]func(m *Memberships){
		"member":       func(m *Memberships) { m.Member[3][17] = !m.Member[3][17] },
		"primary":      func(m *Memberships) { m.Primary[5]++ },
		"stage":        func(m *Memberships) { m.Stage[299]++ },
		"sizes":        func(m *Memberships) { m.Sizes[0]++ },
		"reason":       func(m *Memberships) { m.Reason[2] = "x" },
		"fallback":     func(m *Memberships) { m.Fallback[1] = 0 },
		"stage reason": func(m *Memberships) { m.StageReason[0] = "x" },
		"basis":        func(m *Memberships) { m.Basis = []Basis{} },
		"nil primary":  func(m *Memberships) { m.Primary = nil },
	} {
		m := clone()
		change(m)
		if d := membershipDiffs(m, want); len(d) == 0 {
			t.Errorf("%s changed: no difference seen", name)
		}
	}
}

// BenchmarkEvaluate: Evaluate against the evaluation customer by customer
// it replaces, on the default catalogue and 200,000 customers.
func BenchmarkEvaluate(b *testing.B) {
	cat := Default()
	tab := randomTable(42, 200_000)
	for _, bc := range []struct {
		name string
		eval func(*Catalogue, *features.Table, int) (*Memberships, error)
	}{{"new", Evaluate}, {"reference", evaluateByCustomer}} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				if _, err := bc.eval(cat, tab, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// randomRule writes a random boolean rule of the kinds catalogue rules
// are made of (features, pct., head. and mean. of a feature, window_days,
// int and float constants, arithmetic, comparisons, and, or, not), with
// the occasional function call the column-wise evaluation leaves to the
// virtual machine, depth levels deep.
func randomRule(rng *rand.Rand, names []string, depth int) string {
	num := func() string { return randomNumber(rng, names, 2) }
	if depth <= 0 || rng.IntN(3) == 0 {
		ops := []string{"<", "<=", ">", ">=", "==", "!="}
		return fmt.Sprintf("%s %s %s", num(), ops[rng.IntN(len(ops))], num())
	}
	switch rng.IntN(5) {
	case 0:
		return fmt.Sprintf("not (%s)", randomRule(rng, names, depth-1))
	case 1:
		return fmt.Sprintf("!(%s)", randomRule(rng, names, depth-1))
	case 2:
		return fmt.Sprintf("(%s) || (%s)", randomRule(rng, names, depth-1), randomRule(rng, names, depth-1))
	default:
		return fmt.Sprintf("(%s) && (%s)", randomRule(rng, names, depth-1), randomRule(rng, names, depth-1))
	}
}

func randomNumber(rng *rand.Rand, names []string, depth int) string {
	if depth <= 0 || rng.IntN(2) == 0 {
		name := names[rng.IntN(len(names))]
		switch rng.IntN(9) {
		case 0:
			return "pct." + name
		case 1:
			return "head." + name
		case 2:
			return "mean." + name
		case 3:
			return "window_days"
		case 4:
			return fmt.Sprint(rng.IntN(7) - 1)
		case 5:
			return fmt.Sprintf("%.3g", 100*rng.Float64())
		case 6:
			if rng.IntN(4) == 0 {
				return fmt.Sprintf("abs(%s)", name) // by the virtual machine
			}
		}
		return name
	}
	ops := []string{"+", "-", "*", "/", "**"}
	return fmt.Sprintf("(%s %s %s)", randomNumber(rng, names, depth-1), ops[rng.IntN(len(ops))], randomNumber(rng, names, depth-1))
}

// TestEvaluateMatchesByCustomerOnRandomRules: catalogues of random rules,
// on a table with NaN, ties, zeros and infinities, give the memberships
// the virtual machine gives customer by customer.
func TestEvaluateMatchesByCustomerOnRandomRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	tab := randomTable(5, 2*blockSize+31)
	for j := range tab.Columns {
		col := tab.Columns[j]
		for i := range col {
			if rng.IntN(10) == 0 {
				col[i] = []float64{math.Inf(1), 0, math.Copysign(0, -1), 1, 2}[rng.IntN(5)]
			}
		}
	}
	names := []string{"orders", "total_spend", "recency_days", "tenure_days", "refund_rate", "mean_gap_days", "views", "subscribed"}
	columnWise := 0
	for c := range 12 {
		var b strings.Builder
		b.WriteString("segments:\n")
		for s := range 8 {
			fmt.Fprintf(&b, "  - id: r%d\n    rule: %q\n", s, randomRule(rng, names, 3))
		}
		b.WriteString("lifecycle:\n")
		for k := range 3 {
			fmt.Fprintf(&b, "  - stage: s%d\n    rule: %q\n", k, randomRule(rng, names, 2))
		}
		cat, err := Parse([]byte(b.String()), "random")
		if err != nil {
			t.Fatalf("catalogue %d: %v\n%s", c, err, b.String())
		}
		plan := newColumnPlan(cat, NewEvaluator(cat, NewPopulation(tab)), tab)
		for _, in := range plan.columns {
			if in {
				columnWise++
			}
		}
		checkAgainstByCustomer(t, fmt.Sprintf("catalogue %d", c), cat, tab)
		if t.Failed() {
			t.Logf("catalogue %d:\n%s", c, b.String())
			return
		}
	}
	if columnWise < 40 {
		t.Errorf("only %d of 96 random rules evaluated column-wise: the test exercises little", columnWise)
	}
}

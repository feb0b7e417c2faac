package segments

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/segmint/segmint/features"
)

// TestHeadTailBreaks: the breaks are the means of the successive heads,
// each head a minority of what it was split from.
func TestHeadTailBreaks(t *testing.T) {
	// 1..10: mean 5.5, head 6..10 is half (> 40 %): no break.
	var even []float64
	for i := 1; i <= 10; i++ {
		even = append(even, float64(i))
	}
	if b := HeadTailBreaks(even); len(b) != 0 {
		t.Errorf("evenly spread values: breaks %v, want none", b)
	}
	// 90 customers spending 10, 9 spending 100, 1 spending 1000: mean 28,
	// head 10 % (100s and 1000) with mean 190, head 1 (the 1000).
	var heavy []float64
	for range 90 {
		heavy = append(heavy, 10)
	}
	for range 9 {
		heavy = append(heavy, 100)
	}
	heavy = append(heavy, 1000)
	b := HeadTailBreaks(heavy)
	want := []float64{28, 190}
	if len(b) != len(want) {
		t.Fatalf("breaks %v, want %v", b, want)
	}
	for i := range want {
		if math.Abs(b[i]-want[i]) > 1e-9 {
			t.Fatalf("breaks %v, want %v", b, want)
		}
	}
	for _, c := range []struct{ v, level float64 }{{10, 0}, {28, 0}, {100, 1}, {190, 1}, {1000, 2}} {
		if got := HeadLevel(b, c.v); got != c.level {
			t.Errorf("HeadLevel(%v) = %v, want %v", c.v, got, c.level)
		}
	}
	if !math.IsNaN(HeadLevel(b, math.NaN())) {
		t.Error("HeadLevel(NaN) is not NaN")
	}
	// The level-2 head follows the concentration: the heavier the tail,
	// the smaller its share of customers; log-normal spend with a larger
	// sigma puts fewer customers in it.
	share := func(sigma float64) float64 {
		rng := rand.New(rand.NewPCG(1, 2))
		x := make([]float64, 20000)
		for i := range x {
			x[i] = math.Exp(sigma * rng.NormFloat64())
		}
		slices.Sort(x)
		br := HeadTailBreaks(x)
		n := 0
		for _, v := range x {
			if HeadLevel(br, v) >= 2 {
				n++
			}
		}
		return float64(n) / float64(len(x))
	}
	if lo, hi := share(0.8), share(2); !(hi < lo) || lo <= 0 {
		t.Errorf("level-2 head share: %.3f at sigma 0.8, %.3f at sigma 2: want a smaller head for the heavier tail", lo, hi)
	}
}

// TestHeadNamespace: head.<feature> in a rule reads the customer's level
// against the population's breaks, and a rule naming an unknown feature
// in it is refused.
func TestHeadNamespace(t *testing.T) {
	// The heavy-tailed spend of TestHeadTailBreaks: 90 × 10, 9 × 100, 1000.
	col := make([]float64, 100)
	for i := range col {
		col[i] = 10
		if i >= 90 {
			col[i] = 100
		}
	}
	col[99] = 1000
	tbl := &features.Table{Customers: make([]int64, len(col)), Features: []*features.Feature{features.Lookup("total_spend")}, Columns: [][]float64{col}}
	cat, err := Parse([]byte("version: 1\nsegments:\n  - id: big\n    rule: head.total_spend >= 2\n  - id: above\n    rule: head.total_spend == 1\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	if u := cat.Segments[0].Uses(); len(u) != 1 || u[0] != "total_spend" {
		t.Errorf("uses %v, want [total_spend]", u)
	}
	m, err := Evaluate(cat, tbl, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Sizes[0] != 1 || !m.Member[0][99] || m.Sizes[1] != 9 || !m.Member[1][90] {
		t.Errorf("sizes %v: want the 1000 at level 2 and the nine 100s at level 1", m.Sizes)
	}
	if _, err := Parse([]byte("version: 1\nsegments:\n  - id: x\n    rule: head.no_such >= 1\n"), "test"); err == nil {
		t.Error("head.no_such accepted")
	}
}

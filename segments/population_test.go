package segments

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/segmint/segmint/features"
)

// TestPopulationPercentileMatchesRanks: a distributed runner computes
// pct.<feature> by binary search in the population's sorted values; it must
// equal the single-node ranks exactly, ties and NaN included.
func TestPopulationPercentileMatchesRanks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 500
	col := make([]float64, n)
	for i := range col {
		switch {
		case i%17 == 0:
			col[i] = math.NaN()
		case i%3 == 0:
			col[i] = float64(rng.IntN(5)) // many ties
		default:
			col[i] = rng.NormFloat64()
		}
	}
	tbl := &features.Table{Customers: make([]int64, n), Features: []*features.Feature{features.Lookup("orders")}, Columns: [][]float64{col}}
	pop := NewPopulation(tbl)
	ranks := PercentileRanks(col)
	for i, v := range col {
		got := pop.Percentile(0, v)
		if got != ranks[i] && !(math.IsNaN(got) && math.IsNaN(ranks[i])) {
			t.Fatalf("value %v: population percentile %v, ranks %v", v, got, ranks[i])
		}
	}
	// And whole evaluations agree, with pct computed either way.
	cat := Default()
	ev := NewEvaluator(cat, pop)
	a := make([]bool, len(cat.Segments))
	b := make([]bool, len(cat.Segments))
	for i, v := range col {
		p1, s1, err1 := ev.Evaluate([]float64{v}, []float64{ranks[i]}, "", a)
		p2, s2, err2 := ev.Evaluate([]float64{v}, nil, "", b)
		if err1 != nil || err2 != nil || p1 != p2 || s1 != s2 {
			t.Fatalf("customer %d: (%d,%d,%v) vs (%d,%d,%v)", i, p1, s1, err1, p2, s2, err2)
		}
		for s := range a {
			if a[s] != b[s] {
				t.Fatalf("customer %d segment %s differs", i, cat.Segments[s].ID)
			}
		}
	}
}

package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDist2RowsMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for cols := 1; cols <= 41; cols++ {
		for _, n := range []int{1, 2, 5, 16} {
			x := make([]float64, cols)
			rows := make([]float64, n*cols+3) // longer than needed
			for i := range x {
				x[i] = rng.NormFloat64() * 10
			}
			for i := range rows {
				rows[i] = rng.NormFloat64() * 10
			}
			dst := make([]float64, n)
			dist2Rows(dst, x, rows)
			for r := range n {
				var want float64
				for j := range cols {
					d := x[j] - rows[r*cols+j]
					want += d * d
				}
				if math.Abs(dst[r]-want) > 1e-12*want {
					t.Fatalf("cols=%d n=%d row %d: %v, want %v", cols, n, r, dst[r], want)
				}
			}
		}
	}
}

func BenchmarkDist2Rows(b *testing.B) {
	x := make([]float64, 16)
	rows := make([]float64, 10*16)
	dst := make([]float64, 10)
	for i := range rows {
		rows[i] = float64(i)
	}
	b.Run("kernel", func(b *testing.B) {
		for b.Loop() {
			dist2Rows(dst, x, rows)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			for r := range dst {
				dst[r] = dist2(x, rows[r*16:])
			}
		}
	})
}

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

// TestDist2RowsSameBitsAnyGroup checks that a row's distance has the same
// bits whether the kernel measures it alone or in a group of rows.
func TestDist2RowsSameBitsAnyGroup(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for cols := 1; cols <= 23; cols++ {
		for n := 1; n <= 11; n++ {
			x := make([]float64, cols)
			rows := make([]float64, n*cols)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			for i := range rows {
				rows[i] = rng.NormFloat64() * 3
			}
			dst := make([]float64, n)
			dist2Rows(dst, x, rows)
			one := make([]float64, 1)
			for r := range n {
				dist2Rows(one, x, rows[r*cols:(r+1)*cols])
				if math.Float64bits(one[0]) != math.Float64bits(dst[r]) {
					t.Fatalf("cols=%d n=%d row %d: %v in a group, %v alone", cols, n, r, dst[r], one[0])
				}
			}
		}
	}
}

func TestNearest2(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name     string
		d        []float64
		b        int
		bsq, ssq float64
	}{
		{"one", []float64{3}, 0, 3, inf},
		{"second-smaller", []float64{3, 1}, 1, 1, 3},
		{"first-smaller", []float64{1, 3}, 0, 1, 3},
		{"tie-first-wins", []float64{2, 2}, 0, 2, 2},
		{"tie-later", []float64{5, 1, 1, 4}, 1, 1, 1},
		{"descending", []float64{4, 3, 2, 1, 0}, 4, 0, 1},
		{"zeros", []float64{0, 0, 0}, 0, 0, 0},
		{"mixed", []float64{7, 8, 6, 6, 9, 1, 2}, 5, 1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, bsq, ssq := nearest2(tc.d)
			if b != tc.b || bsq != tc.bsq || ssq != tc.ssq {
				t.Errorf("nearest2(%v) = %d, %v, %v; want %d, %v, %v", tc.d, b, bsq, ssq, tc.b, tc.bsq, tc.ssq)
			}
		})
	}
}

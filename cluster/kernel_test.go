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

// pointAndRows draws a point and n rows of cols columns, the rows three
// times as spread.
func pointAndRows(rng *rand.Rand, cols, n int) (x, rows []float64) {
	x = make([]float64, cols)
	rows = make([]float64, n*cols)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range rows {
		rows[i] = rng.NormFloat64() * 3
	}
	return x, rows
}

// TestDist2RowsSameBitsAnyGroup checks that a row's distance has the same
// bits whether the kernel measures it alone or in a group of rows.
func TestDist2RowsSameBitsAnyGroup(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for cols := 1; cols <= 23; cols++ {
		for n := 1; n <= 11; n++ {
			x, rows := pointAndRows(rng, cols, n)
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

// TestDist2GroupsSameBits checks that the centre-minor kernel gives every
// distance the bits dist2Rows gives it, for any number of columns and
// centres.
func TestDist2GroupsSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for cols := 1; cols <= 23; cols++ {
		for n := 1; n <= 14; n++ {
			x, rows := pointAndRows(rng, cols, n)
			g := (n + groupOf - 1) / groupOf
			ct := make([]float64, g*groupOf*cols)
			transposeGroups(ct, rows, n, cols)
			want := make([]float64, n)
			dist2Rows(want, x, rows)
			got := make([]float64, g*groupOf)
			dist2Groups(got, x, rows, ct, n)
			for j := range n {
				if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
					t.Fatalf("cols=%d n=%d centre %d: %v by groups, %v by rows", cols, n, j, got[j], want[j])
				}
			}
		}
	}
}

// TestDist2GatherSameBits checks the gathering kernel against dist2Rows.
func TestDist2GatherSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for cols := 1; cols <= 19; cols++ {
		rows, k := 40, 7
		data := make([]float64, rows*cols)
		cent := make([]float64, k*cols)
		for i := range data {
			data[i] = rng.NormFloat64()
		}
		for i := range cent {
			cent[i] = rng.NormFloat64() * 2
		}
		n := rng.IntN(rows) + 1
		idx := make([]int32, n+4)
		labs := make([]int32, n+4)
		for j := range n {
			idx[j] = int32(rng.IntN(rows))
			labs[j] = int32(rng.IntN(k))
		}
		got := make([]float64, n)
		dist2Gather(got, data, cent, idx[:n], labs[:n], cols)
		one := make([]float64, 1)
		for j := range n {
			i, a := int(idx[j]), int(labs[j])
			dist2Rows(one, data[i*cols:(i+1)*cols], cent[a*cols:(a+1)*cols])
			if math.Float64bits(one[0]) != math.Float64bits(got[j]) {
				t.Fatalf("cols=%d entry %d: %v gathered, %v by rows", cols, j, got[j], one[0])
			}
		}
	}
}

// TestNearest12 checks the fused nearest kernel against dist2Rows and
// nearest2, ties included (reported as -1).
func TestNearest12(t *testing.T) {
	if !useVector || !useNear12 {
		t.Skip("no vector kernel")
	}
	rng := rand.New(rand.NewPCG(6, 6))
	for cols := 1; cols <= 19; cols++ {
		for k := 1; k <= 12; k++ {
			rows := 30
			data := make([]float64, rows*cols)
			cent := make([]float64, k*cols)
			for i := range data {
				data[i] = float64(rng.IntN(5)) // small integers: ties happen
			}
			for i := range cent {
				cent[i] = float64(rng.IntN(5))
			}
			ct := make([]float64, 12*cols)
			transposeGroups(ct, cent, k, cols)
			pad := make([]float64, 12)
			for j := k; j < 12; j++ {
				pad[j] = math.Inf(1)
			}
			idx := make([]int32, rows+4)
			for j := range rows {
				idx[j] = int32(rows - 1 - j)
			}
			out := make([]nearOut, rows)
			nearest12Vector(&out[0], &data[0], &idx[0], rows, &ct[0], cols, &pad[0])
			dk := make([]float64, k)
			for j := range rows {
				i := int(idx[j])
				dist2Rows(dk, data[i*cols:(i+1)*cols], cent)
				b, bsq, ssq := nearest2(dk)
				ties := 0
				for _, v := range dk {
					if v == bsq {
						ties++
					}
				}
				o := out[j]
				if math.Float64bits(o.bsq) != math.Float64bits(bsq) {
					t.Fatalf("cols=%d k=%d row %d: smallest %v, want %v", cols, k, i, o.bsq, bsq)
				}
				if ties > 1 {
					if o.b != -1 {
						t.Fatalf("cols=%d k=%d row %d: tie reported as %d", cols, k, i, o.b)
					}
					continue
				}
				if int(o.b) != b || math.Float64bits(o.ssq) != math.Float64bits(ssq) {
					t.Fatalf("cols=%d k=%d row %d: (%d, %v), want (%d, %v)", cols, k, i, o.b, o.ssq, b, ssq)
				}
			}
		}
	}
}

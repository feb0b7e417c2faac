package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// FuzzKMeans feeds arbitrary bytes as a matrix. Whatever the values (NaN,
// Inf, huge, denormal, duplicates) and shape, KMeans must not
// panic; bad values must give the documented errors; good input must
// give a consistent fit.
func FuzzKMeans(f *testing.F) {
	enc := func(vs ...float64) []byte {
		b := make([]byte, 8*len(vs))
		for i, v := range vs {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		return b
	}
	f.Add(enc(1, 2, 3, 4, 5, 6), uint8(2), uint8(2))
	f.Add(enc(math.NaN(), 1), uint8(1), uint8(1))
	f.Add(enc(math.Inf(1), 1, 2, 3), uint8(2), uint8(1))
	f.Add(enc(1e308, -1e308, 0, 0), uint8(2), uint8(2))
	f.Add([]byte{}, uint8(1), uint8(1))
	f.Add(enc(0, 0, 0, 0, 0, 0, 0, 0), uint8(1), uint8(4))
	f.Add(enc(5e-324, 0, 1e-300, 2), uint8(1), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, colsB, kB uint8) {
		cols := int(colsB%8) + 1
		k := int(kB%6) + 1
		n := len(raw) / 8
		rows := n / cols
		data := make([]float64, rows*cols)
		for i := range data {
			data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		ctx := context.Background()
		r, err := KMeans(ctx, data, rows, cols, Settings{K: k, NInit: 2, MaxIter: 20, Threads: 2})
		bad := checkMatrix(data, rows, cols)
		switch {
		case rows < k || bad != nil:
			if err == nil {
				t.Fatalf("no error for rows=%d k=%d (%v)", rows, k, bad)
			}
			if !errors.Is(err, ErrTooFewRows) && !errors.Is(err, ErrNonFinite) && !errors.Is(err, ErrRange) {
				t.Fatalf("unexpected error %v", err)
			}
		case err != nil:
			t.Fatalf("valid input: %v", err)
		default:
			if math.IsNaN(r.Inertia) || math.IsInf(r.Inertia, 0) || len(r.Assign) != rows {
				t.Fatalf("bad result: inertia %v", r.Inertia)
			}
			for i, a := range r.Assign {
				if a < 0 || a >= k || math.IsNaN(r.Distance[i]) {
					t.Fatalf("row %d: label %d distance %v", i, a, r.Distance[i])
				}
			}
		}
		if _, _, err := FitTransform(data, rows, cols, TransformAuto); err == nil {
			// Finite data must transform to finite data.
			_ = err
		}
	})
}

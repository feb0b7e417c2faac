package kmeansbench

import (
	"math"
	"math/rand/v2"
)

// Blobs returns a rows×cols row-major matrix drawn from a mixture of
// blobs Gaussian components, standardised per column to mean 0 and
// standard deviation 1 (population definition). Component centres are
// uniform in [-spread, spread] on every axis; component weights vary
// from 1 to 3 and standard deviations from 0.6 to 1.6, so that the
// components differ in size and overlap. The same arguments give the same
// matrix.
func Blobs(seed uint64, rows, cols, blobs int, spread float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x6b6d65616e73))
	centres := make([]float64, blobs*cols)
	for i := range centres {
		centres[i] = (2*rng.Float64() - 1) * spread
	}
	sd := make([]float64, blobs)
	cum := make([]float64, blobs)
	var total float64
	for j := range blobs {
		sd[j] = 0.6 + rng.Float64()
		total += 1 + 2*rng.Float64()
		cum[j] = total
	}
	data := make([]float64, rows*cols)
	for i := range rows {
		u := rng.Float64() * total
		c := 0
		for c < blobs-1 && cum[c] <= u {
			c++
		}
		x := data[i*cols : (i+1)*cols]
		for d := range x {
			x[d] = centres[c*cols+d] + sd[c]*rng.NormFloat64()
		}
	}
	Standardise(data, rows, cols)
	return data
}

// Standardise rescales each column of the row-major matrix data in place
// to mean 0 and population standard deviation 1; constant columns are
// only centred.
func Standardise(data []float64, rows, cols int) {
	for d := range cols {
		var mean float64
		for i := range rows {
			mean += data[i*cols+d]
		}
		mean /= float64(rows)
		var ss float64
		for i := range rows {
			v := data[i*cols+d] - mean
			ss += v * v
		}
		scale := math.Sqrt(ss / float64(rows))
		if scale == 0 {
			scale = 1
		}
		for i := range rows {
			data[i*cols+d] = (data[i*cols+d] - mean) / scale
		}
	}
}

// Inertia returns the sum over rows of the squared distance to the nearest
// of the k centres (k rows of cols values).
func Inertia(data []float64, rows, cols int, centres []float64) float64 {
	k := len(centres) / cols
	var s float64
	for i := range rows {
		x := data[i*cols : (i+1)*cols]
		best := math.Inf(1)
		for j := range k {
			c := centres[j*cols : (j+1)*cols]
			var d2 float64
			for d, v := range x {
				t := v - c[d]
				d2 += t * t
			}
			best = min(best, d2)
		}
		s += best
	}
	return s
}

package cluster

import (
	"context"
	"math"
	"math/rand/v2"
)

// blobs returns rows×cols points drawn from k isotropic Gaussian blobs with
// standard deviation sd around centres drawn uniformly in [-spread, spread],
// with the planted label of each row. Blob sizes are as equal as possible.
func blobs(seed uint64, rows, cols, k int, spread, sd float64) (data []float64, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([]float64, k*cols)
	for i := range centres {
		centres[i] = (2*rng.Float64() - 1) * spread
	}
	data = make([]float64, rows*cols)
	labels = make([]int, rows)
	for i := range rows {
		c := i % k
		labels[i] = c
		for j := range cols {
			data[i*cols+j] = centres[c*cols+j] + sd*rng.NormFloat64()
		}
	}
	return data, labels
}

// separatedBlobs places k blobs on well separated centres: centre c has
// coordinate 10*sep on axis c%cols, shifted along the next axis for
// c >= cols.
func separatedBlobs(seed uint64, rows, cols, k int, sep, sd float64) (data []float64, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 11))
	data = make([]float64, rows*cols)
	labels = make([]int, rows)
	for i := range rows {
		c := i % k
		labels[i] = c
		for j := range cols {
			v := sd * rng.NormFloat64()
			if j == c%cols {
				v += sep * float64(1+c/cols)
			}
			data[i*cols+j] = v
		}
	}
	return data, labels
}

// bruteInertia returns the weighted squared distance of rows to the
// centroids they are assigned to.
func bruteInertia(data []float64, cols int, cent []float64, assign []int32, weights []float64) float64 {
	var s float64
	for i, a := range assign {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		s += w * dist2(data[i*cols:(i+1)*cols], cent[int(a)*cols:])
	}
	return s
}

func nearlyEqual(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// KMeansForTest fits with fixed test settings.
func KMeansForTest(data []float64, rows, cols, k int) (*Result, error) {
	return KMeans(context.Background(), data, rows, cols, Settings{K: k, Seed: 1, NInit: 2})
}

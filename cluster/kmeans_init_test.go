package cluster

import (
	"context"
	"math"
	"slices"
	"testing"
)

func TestKMeansFromInitialCentroids(t *testing.T) {
	data, labels := separatedBlobs(3, 900, 4, 3, 10, 1)
	// Initial centroids: the means of the planted groups, perturbed.
	init := make([]float64, 3*4)
	counts := make([]float64, 3)
	for i, l := range labels {
		for j := 0; j < 4; j++ {
			init[l*4+j] += data[i*4+j]
		}
		counts[l]++
	}
	for c := 0; c < 3; c++ {
		for j := 0; j < 4; j++ {
			init[c*4+j] = init[c*4+j]/counts[c] + 0.5
		}
	}
	keep := slices.Clone(init)
	res, err := KMeans(context.Background(), data, 900, 4, Settings{K: 3, Init: init, NInit: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(init, keep) {
		t.Error("Init was modified")
	}
	if res.Restart != 0 {
		t.Errorf("restart %d: a fit from Init runs once", res.Restart)
	}
	if ari := AdjustedRand(labels, res.Assign); ari < 0.99 {
		t.Errorf("ARI %v from planted centroids", ari)
	}
	bad := slices.Clone(init)
	bad[5] = math.NaN()
	if _, err := KMeans(context.Background(), data, 900, 4, Settings{K: 3, Init: bad}); err == nil {
		t.Error("NaN in Init: want an error")
	}
}

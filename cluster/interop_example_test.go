package cluster_test

import (
	"context"
	"fmt"

	"github.com/muesli/clusters"

	"github.com/segmint/segmint/cluster"
)

// Observations of the muesli/clusters ecosystem in, its Clusters out: the
// adapter copies both ways, so neither side shares memory with the other.
func ExampleResult_ToClusters() {
	obs := clusters.Observations{
		clusters.Coordinates{1, 1}, clusters.Coordinates{1.2, 0.8}, clusters.Coordinates{0.9, 1.1},
		clusters.Coordinates{8, 8}, clusters.Coordinates{8.1, 7.9},
	}
	data, rows, cols, err := cluster.FromObservations(obs)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := cluster.KMeans(context.Background(), data, rows, cols, cluster.Settings{K: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, c := range res.ToClusters(data) {
		fmt.Printf("cluster %d: centre (%.2f, %.2f), %d observations\n", j, c.Center[0], c.Center[1], len(c.Observations))
	}
	// Output:
	// cluster 0: centre (1.03, 0.97), 3 observations
	// cluster 1: centre (8.05, 7.95), 2 observations
}

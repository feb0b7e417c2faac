package cluster_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/segmint/segmint/cluster"
)

// threeBlobs returns 300 points around (0, 0), (10, 0) and (0, 10).
func threeBlobs() []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	centres := [][2]float64{{0, 0}, {10, 0}, {0, 10}}
	data := make([]float64, 0, 600)
	for i := range 300 {
		c := centres[i%3]
		data = append(data, c[0]+rng.NormFloat64(), c[1]+rng.NormFloat64())
	}
	return data
}

func ExampleKMeans() {
	data := threeBlobs()
	res, err := cluster.KMeans(context.Background(), data, 300, 2, cluster.Settings{K: 3, Seed: 42})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sizes:", res.Sizes, "converged:", res.Converged)
	for j := range res.K {
		c := res.Centroid(j)
		fmt.Printf("cluster %d: (%.1f, %.1f)\n", j, c[0], c[1])
	}
	// Output:
	// sizes: [100 100 100] converged: true
	// cluster 0: (-0.1, 9.9)
	// cluster 1: (0.1, 0.1)
	// cluster 2: (10.1, -0.1)
}

func ExampleKMeans_nan() {
	data := []float64{1, 2, 3, math.NaN(), 5, 6}
	_, err := cluster.KMeans(context.Background(), data, 3, 2, cluster.Settings{K: 2})
	fmt.Println(err)
	// Output:
	// cluster: value is NaN or infinite: row 1, column 1 is NaN
}

func ExampleAdjustedRand() {
	planted := []int{0, 0, 0, 1, 1, 1}
	found := []int{2, 2, 2, 0, 0, 1}
	fmt.Printf("%.3f\n", cluster.AdjustedRand(planted, planted))
	fmt.Printf("%.3f\n", cluster.AdjustedRand(planted, found))
	// Output:
	// 1.000
	// 0.706
}

func ExampleSelectK() {
	data := threeBlobs()
	sel, err := cluster.SelectK(context.Background(), data, 300, 2, cluster.SelectSettings{
		KMin: 2, KMax: 6, Base: cluster.Settings{Seed: 7},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("chosen:", sel.Chosen, "knee:", sel.Knee)
	// Output:
	// chosen: 3 knee: 3
}

func ExampleStability() {
	data := threeBlobs()
	s := cluster.Settings{K: 3, Seed: 1}
	ref, _ := cluster.KMeans(context.Background(), data, 300, 2, s)
	st, err := cluster.Stability(context.Background(), data, 300, 2, ref, s, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, jac := range st.Jaccard {
		fmt.Printf("cluster %d: Jaccard %.2f unstable %v\n", j, jac, st.Unstable[j])
	}
	// Output:
	// cluster 0: Jaccard 1.00 unstable false
	// cluster 1: Jaccard 1.00 unstable false
	// cluster 2: Jaccard 1.00 unstable false
}

func ExampleFitTransform() {
	// Column 0 is heavy-tailed and non-negative (spend), column 1 is not.
	data := []float64{
		1, 5,
		2, 6,
		1, 5,
		3, 4,
		2, 5,
		1, 6,
		1, 4,
		2, 5,
		1, 5,
		900, 6,
	}
	t, out, err := cluster.FitTransform(data, 10, 2, cluster.TransformAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("log1p:", t.Log)
	fmt.Printf("row 9 standardised: %.2f %.2f\n", out[18], out[19])
	back := make([]float64, 2)
	t.Inverse(back, out[18:20])
	fmt.Printf("row 9 restored: %.0f %.0f\n", back[0], back[1])
	// Output:
	// log1p: [true false]
	// row 9 standardised: 2.97 1.29
	// row 9 restored: 900 6
}

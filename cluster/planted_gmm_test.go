//go:build planted

package cluster_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/pipeline"
)

// TestPlantedGMM measures, on the planted data set of the end-to-end
// tests, the diagonal Gaussian mixture (GMMDiag) fitted from the refined
// k-means fit against that fit: ARI against the planted archetypes at
// k = 15..20 over five seeds, then the BIC of the mixture over
// k = 10..24 (the lowest of the five seeds' fits at each k) and, with
// SEGMINT_PLANTED_SCAN=1, SelectK's stability scan over the same range
// and the k of lowest BIC among the ks it finds stable. It is a
// measurement, built only with the planted tag:
//
//	SEGMINT_PLANTED=1 SEGMINT_PLANTED_SCAN=1 go test -tags planted ./cluster -run PlantedGMM -v
//
// SEGMINT_PLANTED_FLOOR sets the variance floors tried (comma-separated
// fractions, default 1e-3); SEGMINT_PLANTED_CUSTOMERS and
// SEGMINT_PLANTED_SEED choose another set.
func TestPlantedGMM(t *testing.T) {
	customers, seed := plantedSet(t)
	floors := []float64{cluster.DefaultGMMVarFloor}
	if v := os.Getenv("SEGMINT_PLANTED_FLOOR"); v != "" {
		floors = floors[:0]
		for _, f := range strings.Split(v, ",") {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatal(err)
			}
			floors = append(floors, x)
		}
	}
	data, rows, cols, labels := plantedMatrix(t, customers, seed)
	planted := 0
	for _, l := range labels {
		planted = max(planted, l+1)
	}
	t.Logf("%d rows, %d columns, %d planted archetypes", rows, cols, planted)
	ctx := context.Background()
	const fits = 5
	const kLo, kHi = 10, 24
	// The refined k-means fit of every k and seed.
	km := map[[2]int]*cluster.Result{}
	var kmSecs float64
	for k := kLo; k <= kHi; k++ {
		for fs := 1; fs <= fits; fs++ {
			t0 := time.Now()
			res, err := cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: k, Seed: uint64(fs), Refine: true})
			if err != nil {
				t.Fatal(err)
			}
			kmSecs += time.Since(t0).Seconds()
			km[[2]int{k, fs}] = res
		}
	}
	t.Logf("refined k-means: %.3f s per fit", kmSecs/float64(fits*(kHi-kLo+1)))
	// The planted labels themselves as a mixture's starting point: the
	// likelihood and BIC of the planted partition's model.
	{
		means := make([]float64, planted*cols)
		cnt := make([]float64, planted)
		for i, l := range labels {
			cnt[l]++
			for d := range cols {
				means[l*cols+d] += data[i*cols+d]
			}
		}
		for i := range means {
			means[i] /= cnt[i/cols]
		}
		init := &cluster.Result{K: planted, Cols: cols, Centroids: means, Assign: labels}
		for _, fl := range floors {
			g, err := cluster.GMMDiag(ctx, data, rows, cols, init, cluster.GMMSettings{VarFloor: fl})
			if err != nil {
				t.Fatal(err)
			}
			one, err := cluster.GMMDiag(ctx, data, rows, cols, init, cluster.GMMSettings{VarFloor: fl, MaxIter: 1, Tol: -1})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("floor %g: GMM from the planted labels (k=%d): ARI %.3f, BIC %.0f (after 1 M-step: ARI %.3f, BIC %.0f), %d iterations",
				fl, planted, cluster.AdjustedRand(labels, g.Assign), g.BIC, cluster.AdjustedRand(labels, one.Assign), one.BIC, g.Iterations)
		}
	}
	for _, fl := range floors {
		bic := map[int]float64{}
		bicARI := map[int]float64{}
		var gmmSecs float64
		var nGMM int
		var table strings.Builder
		fmt.Fprintf(&table, "floor %g: k | k-means ARI mean [min, max] | GMM ARI mean [min, max] | GMM ARI of min-BIC seed | min BIC | mean iterations\n", fl)
		for k := kLo; k <= kHi; k++ {
			var kmA, gA, it []float64
			bic[k] = math.Inf(1)
			for fs := 1; fs <= fits; fs++ {
				res := km[[2]int{k, fs}]
				t0 := time.Now()
				g, err := cluster.GMMDiag(ctx, data, rows, cols, res, cluster.GMMSettings{VarFloor: fl})
				if err != nil {
					t.Fatal(err)
				}
				gmmSecs += time.Since(t0).Seconds()
				nGMM++
				kmA = append(kmA, cluster.AdjustedRand(labels, res.Assign))
				gA = append(gA, cluster.AdjustedRand(labels, g.Assign))
				it = append(it, float64(g.Iterations))
				if g.BIC < bic[k] {
					bic[k], bicARI[k] = g.BIC, gA[len(gA)-1]
				}
			}
			fmt.Fprintf(&table, "  %2d | %.3f [%.3f, %.3f] | %.3f [%.3f, %.3f] | %.3f | %.0f | %.0f\n", k,
				mean(kmA), minOf(kmA), maxOf(kmA), mean(gA), minOf(gA), maxOf(gA), bicARI[k], bic[k], mean(it))
		}
		t.Logf("%s", table.String())
		bestK := kLo
		for k := kLo; k <= kHi; k++ {
			if bic[k] < bic[bestK] {
				bestK = k
			}
		}
		t.Logf("floor %g: BIC chooses k=%d (GMM ARI %.3f); GMM %.3f s per fit", fl, bestK, bicARI[bestK], gmmSecs/float64(nGMM))
		if os.Getenv("SEGMINT_PLANTED_SCAN") == "" {
			continue
		}
		sel, err := cluster.SelectK(ctx, data, rows, cols, cluster.SelectSettings{KMin: kLo, KMax: kHi, StabilityBoots: pipeline.DefaultSelectionBoots,
			Base: cluster.Settings{Seed: 1}})
		if err != nil {
			t.Fatal(err)
		}
		stableK := 0
		for i, st := range sel.Stability {
			g, err := cluster.GMMDiag(ctx, data, rows, cols, sel.Results[i], cluster.GMMSettings{VarFloor: fl})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("floor %g scan k=%d: mean Jaccard %.3f dissolved %.3f stable %v; k-means ARI %.3f, GMM ARI %.3f BIC %.0f", fl, st.K, st.MeanJaccard, st.DissolvedShare, st.Stable,
				cluster.AdjustedRand(labels, sel.Results[i].Assign), cluster.AdjustedRand(labels, g.Assign), g.BIC)
			if st.Stable && (stableK == 0 || bic[st.K] < bic[stableK]) {
				stableK = st.K
			}
		}
		t.Logf("floor %g: stability scan chooses k=%d (k-means ARI %.3f); lowest BIC among stable ks: k=%d (GMM ARI %.3f)", fl, sel.Chosen,
			cluster.AdjustedRand(labels, sel.Results[sel.Chosen-kLo].Assign), stableK, bicARI[stableK])
	}
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

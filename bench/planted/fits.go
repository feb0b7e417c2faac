package planted

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/segmint/segmint/bench/mixture"
	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/pipeline"
)

// Refinement compares k-means with and without the split–remove
// refinement (cluster.Settings.Refine) at k = 18 over five seeds, with 3
// and 10 restarts: ARI against the planted labels, inertia, and the best
// of five times per fit. With scan, it also runs SelectK's stability scan
// over k = 2..20 with and without it (cluster.SelectSettings.NoRefine).
func Refinement(ctx context.Context, w io.Writer, data []float64, rows, cols int, labels []int, scan bool) error {
	for _, ninit := range []int{3, 10} {
		for _, noRefine := range []bool{true, false} {
			var ari, in, secs float64
			const fits = 5
			for fs := range uint64(fits) {
				var res *cluster.Result
				best := math.Inf(1)
				for range 5 {
					t0 := time.Now()
					var err error
					res, err = cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: 18, NInit: ninit, Seed: 1 + fs, Refine: !noRefine})
					if err != nil {
						return err
					}
					best = min(best, time.Since(t0).Seconds())
				}
				secs += best
				a := cluster.AdjustedRand(labels, res.Assign)
				ari += a
				in += res.Inertia
				fmt.Fprintf(w, "k=18 nInit=%d noRefine=%v seed=%d: ARI %.3f inertia %.1f\n", ninit, noRefine, 1+fs, a, res.Inertia)
			}
			fmt.Fprintf(w, "k=18 nInit=%d noRefine=%v: mean ARI %.3f, mean inertia %.1f, %.3f s per fit\n", ninit, noRefine, ari/fits, in/fits, secs/fits)
		}
	}
	if !scan {
		return nil
	}
	for _, noRefine := range []bool{true, false} {
		var sel *cluster.Selection
		best := math.Inf(1)
		for range 3 {
			t0 := time.Now()
			var err error
			sel, err = cluster.SelectK(ctx, data, rows, cols, cluster.SelectSettings{KMin: 2, KMax: 20, StabilityBoots: pipeline.DefaultSelectionBoots,
				Base: cluster.Settings{Seed: 1}, NoRefine: noRefine})
			if err != nil {
				return err
			}
			best = min(best, time.Since(t0).Seconds())
		}
		for i, st := range sel.Stability {
			fmt.Fprintf(w, "noRefine=%v k=%d: inertia %.1f ARI %.3f mean Jaccard %.3f min %.3f dissolved %.3f stable %v\n", noRefine, st.K, sel.Inertia[i],
				cluster.AdjustedRand(labels, sel.Results[i].Assign), st.MeanJaccard, st.MinJaccard, st.DissolvedShare, st.Stable)
		}
		fmt.Fprintf(w, "noRefine=%v: scan chose k=%d (ARI %.3f) in %.2f s (best of 3)\n", noRefine, sel.Chosen,
			cluster.AdjustedRand(labels, sel.Results[sel.Chosen-2].Assign), best)
	}
	return nil
}

// Mixture compares the diagonal Gaussian mixture (mixture.FitDiag), started
// from each refined k-means fit, with that fit, for k = 10..24 over five
// seeds, for each variance floor: ARI against the planted labels (mean,
// min and max), the ARI of the seed of lowest BIC, the lowest BIC, and the
// k that BIC chooses. It first fits the mixture from the planted labels
// themselves. With scan, it also runs SelectK's stability scan over the
// same ks and reports the k of lowest BIC among the stable ones.
func Mixture(ctx context.Context, w io.Writer, data []float64, rows, cols int, labels []int, floors []float64, scan bool) error {
	planted := 0
	for _, l := range labels {
		planted = max(planted, l+1)
	}
	fmt.Fprintf(w, "%d rows, %d columns, %d planted archetypes\n", rows, cols, planted)
	const fits = 5
	const kLo, kHi = 10, 24
	km := map[[2]int]*cluster.Result{}
	var kmSecs float64
	for k := kLo; k <= kHi; k++ {
		for fs := 1; fs <= fits; fs++ {
			t0 := time.Now()
			res, err := cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: k, Seed: uint64(fs), Refine: true})
			if err != nil {
				return err
			}
			kmSecs += time.Since(t0).Seconds()
			km[[2]int{k, fs}] = res
		}
	}
	fmt.Fprintf(w, "refined k-means: %.3f s per fit\n", kmSecs/float64(fits*(kHi-kLo+1)))
	if err := fromLabels(ctx, w, data, rows, cols, labels, planted, floors); err != nil {
		return err
	}
	for _, fl := range floors {
		bic, bicARI := map[int]float64{}, map[int]float64{}
		var secs float64
		var n int
		fmt.Fprintf(w, "\nfloor %g:\n\n| k | refined k-means ARI | mixture ARI | mixture ARI of the lowest-BIC seed | lowest BIC | mean iterations |\n|---|---|---|---|---|---|\n", fl)
		for k := kLo; k <= kHi; k++ {
			var kmA, gA, it []float64
			bic[k] = math.Inf(1)
			for fs := 1; fs <= fits; fs++ {
				res := km[[2]int{k, fs}]
				t0 := time.Now()
				g, err := mixture.FitDiag(ctx, data, rows, cols, res, mixture.Settings{VarFloor: fl})
				if err != nil {
					return err
				}
				secs += time.Since(t0).Seconds()
				n++
				kmA = append(kmA, cluster.AdjustedRand(labels, res.Assign))
				gA = append(gA, cluster.AdjustedRand(labels, g.Assign))
				it = append(it, float64(g.Iterations))
				if g.BIC < bic[k] {
					bic[k], bicARI[k] = g.BIC, gA[len(gA)-1]
				}
			}
			fmt.Fprintf(w, "| %d | %s | %s | %.3f | %.0f | %.0f |\n", k, spread(kmA), spread(gA), bicARI[k], bic[k], mean(it))
		}
		bestK := kLo
		for k := kLo; k <= kHi; k++ {
			if bic[k] < bic[bestK] {
				bestK = k
			}
		}
		fmt.Fprintf(w, "\nfloor %g: BIC chooses k=%d (mixture ARI %.3f); %.3f s per mixture fit\n", fl, bestK, bicARI[bestK], secs/float64(n))
		if scan {
			if err := scanBIC(ctx, w, data, rows, cols, labels, fl, kLo, kHi, bic, bicARI); err != nil {
				return err
			}
		}
	}
	return nil
}

// fromLabels fits the mixture from the planted partition: its ARI and BIC
// after one M-step and at convergence.
func fromLabels(ctx context.Context, w io.Writer, data []float64, rows, cols int, labels []int, planted int, floors []float64) error {
	means, _ := labelMeans(data, cols, labels, planted)
	init := &cluster.Result{K: planted, Cols: cols, Centroids: means, Assign: labels}
	for _, fl := range floors {
		g, err := mixture.FitDiag(ctx, data, rows, cols, init, mixture.Settings{VarFloor: fl})
		if err != nil {
			return err
		}
		one, err := mixture.FitDiag(ctx, data, rows, cols, init, mixture.Settings{VarFloor: fl, MaxIter: 1, Tol: -1})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "floor %g: mixture from the planted labels (k=%d): ARI %.3f, BIC %.0f (after 1 M-step: ARI %.3f, BIC %.0f), %d iterations\n",
			fl, planted, cluster.AdjustedRand(labels, g.Assign), g.BIC, cluster.AdjustedRand(labels, one.Assign), one.BIC, g.Iterations)
	}
	return nil
}

// scanBIC runs the stability scan over [kLo, kHi] and reports, among the
// ks it finds stable, the one of lowest BIC.
func scanBIC(ctx context.Context, w io.Writer, data []float64, rows, cols int, labels []int, fl float64, kLo, kHi int, bic, bicARI map[int]float64) error {
	sel, err := cluster.SelectK(ctx, data, rows, cols, cluster.SelectSettings{KMin: kLo, KMax: kHi, StabilityBoots: pipeline.DefaultSelectionBoots,
		Base: cluster.Settings{Seed: 1}})
	if err != nil {
		return err
	}
	stableK := 0
	for i, st := range sel.Stability {
		g, err := mixture.FitDiag(ctx, data, rows, cols, sel.Results[i], mixture.Settings{VarFloor: fl})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "floor %g scan k=%d: mean Jaccard %.3f dissolved %.3f stable %v; k-means ARI %.3f, mixture ARI %.3f BIC %.0f\n", fl, st.K, st.MeanJaccard, st.DissolvedShare, st.Stable,
			cluster.AdjustedRand(labels, sel.Results[i].Assign), cluster.AdjustedRand(labels, g.Assign), g.BIC)
		if st.Stable && (stableK == 0 || bic[st.K] < bic[stableK]) {
			stableK = st.K
		}
	}
	fmt.Fprintf(w, "floor %g: the stability scan chooses k=%d (k-means ARI %.3f); lowest BIC among the stable ks: k=%d (mixture ARI %.3f)\n", fl, sel.Chosen,
		cluster.AdjustedRand(labels, sel.Results[sel.Chosen-kLo].Assign), stableK, bicARI[stableK])
	return nil
}

// spread formats the mean, minimum and maximum of v as "mean [min, max]".
func spread(v []float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f]", mean(v), lo, hi)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

//go:build planted

package cluster_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// plantedSet skips a measurement unless SEGMINT_PLANTED is set, and returns
// the planted set's size and seed: 3,000 customers and seed 7 unless
// SEGMINT_PLANTED_CUSTOMERS or SEGMINT_PLANTED_SEED say otherwise.
func plantedSet(t *testing.T) (customers int, seed uint64) {
	t.Helper()
	if os.Getenv("SEGMINT_PLANTED") == "" {
		t.Skip("a measurement: set SEGMINT_PLANTED=1")
	}
	customers, seed = 3000, 7
	if v, err := strconv.Atoi(os.Getenv("SEGMINT_PLANTED_CUSTOMERS")); err == nil {
		customers = v
	}
	if v, err := strconv.ParseUint(os.Getenv("SEGMINT_PLANTED_SEED"), 10, 64); err == nil {
		seed = v
	}
	return customers, seed
}

// plantedMatrix generates the planted data set of the end-to-end tests
// and returns its clustering matrix (as the pipeline builds it) and each
// row's planted archetype, as a dense label.
func plantedMatrix(t *testing.T, customers int, seed uint64) (data []float64, rows, cols int, labels []int) {
	t.Helper()
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: customers, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	tab, _, err := source.ComputeFeatures(context.Background(), sum.Files, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, names, _ := pipeline.FeatureMatrix(tab)
	rows, cols = len(tab.Customers), len(names)
	_, data, err = cluster.FitTransform(raw, rows, cols, cluster.TransformAuto)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(sum.Labels)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := parquet.NewGenericReader[synth.LabelRow](f)
	defer r.Close()
	arch := map[int64]string{}
	buf := make([]synth.LabelRow, 1024)
	for {
		n, err := r.Read(buf)
		for _, l := range buf[:n] {
			arch[l.CustomerID] = l.Archetype
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]int{}
	labels = make([]int, rows)
	for i, c := range tab.Customers {
		a, ok := arch[c]
		if !ok {
			t.Fatalf("customer %d has no planted label", c)
		}
		if _, ok := ids[a]; !ok {
			ids[a] = len(ids)
		}
		labels[i] = ids[a]
	}
	return data, rows, cols, labels
}

// TestPlantedRefinement measures, on the planted data set of the
// end-to-end tests, k-means with and without the split–remove refinement
// (Settings.Refine): ARI against the planted archetypes, inertia and time
// at k = 18 over five seeds, and, with SEGMINT_PLANTED_SCAN=1, SelectK's
// stability scan with and without it (SelectSettings.NoRefine). It is a
// measurement, built only with the planted tag:
//
//	SEGMINT_PLANTED=1 SEGMINT_PLANTED_SCAN=1 go test -tags planted ./cluster -run Planted -v
//
// SEGMINT_PLANTED_CUSTOMERS and SEGMINT_PLANTED_SEED choose another set.
func TestPlantedRefinement(t *testing.T) {
	customers, seed := plantedSet(t)
	data, rows, cols, labels := plantedMatrix(t, customers, seed)
	t.Logf("%d rows, %d columns", rows, cols)
	ctx := context.Background()
	for _, ninit := range []int{3, 10} {
		for _, noRefine := range []bool{true, false} {
			var ari, in, secs float64
			const fits = 5
			for fs := range uint64(fits) {
				var res *cluster.Result
				best := 1e9
				for range 5 {
					t0 := time.Now()
					var err error
					res, err = cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: 18, NInit: ninit, Seed: 1 + fs, Refine: !noRefine})
					if err != nil {
						t.Fatal(err)
					}
					best = min(best, time.Since(t0).Seconds())
				}
				secs += best
				a := cluster.AdjustedRand(labels, res.Assign)
				ari += a
				in += res.Inertia
				t.Logf("k=18 nInit=%d noRefine=%v seed=%d: ARI %.3f inertia %.1f", ninit, noRefine, 1+fs, a, res.Inertia)
			}
			t.Logf("k=18 nInit=%d noRefine=%v: mean ARI %.3f, mean inertia %.1f, %.3f s per fit", ninit, noRefine, ari/fits, in/fits, secs/fits)
		}
	}
	if os.Getenv("SEGMINT_PLANTED_SCAN") == "" {
		return
	}
	for _, noRefine := range []bool{true, false} {
		var sel *cluster.Selection
		best := 1e9
		for range 3 {
			t0 := time.Now()
			var err error
			sel, err = cluster.SelectK(ctx, data, rows, cols, cluster.SelectSettings{KMin: 2, KMax: 20, StabilityBoots: pipeline.DefaultSelectionBoots,
				Base: cluster.Settings{Seed: 1}, NoRefine: noRefine})
			if err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(t0).Seconds())
		}
		for i, st := range sel.Stability {
			t.Logf("noRefine=%v k=%d: inertia %.1f ARI %.3f mean Jaccard %.3f min %.3f dissolved %.3f stable %v", noRefine, st.K, sel.Inertia[i],
				cluster.AdjustedRand(labels, sel.Results[i].Assign), st.MeanJaccard, st.MinJaccard, st.DissolvedShare, st.Stable)
		}
		t.Logf("noRefine=%v: scan chose k=%d (ARI %.3f) in %.2f s (best of 3)", noRefine, sel.Chosen, cluster.AdjustedRand(labels, sel.Results[sel.Chosen-2].Assign), best)
	}
}

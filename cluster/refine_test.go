package cluster

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
)

// scatteredBlobs plants groups spherical unit-variance blobs of per rows
// each, their centres uniform in a cube of side spread, so that some
// blobs lie close together: with as many clusters as blobs, Lloyd's
// iterations from a k-means++ seeding often end with two centroids in
// one blob and one centroid across two neighbouring blobs.
func scatteredBlobs(seed uint64, groups, per, cols int, spread float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([]float64, groups*cols)
	for i := range centres {
		centres[i] = spread * rng.Float64()
	}
	data := make([]float64, groups*per*cols)
	for i := range groups * per {
		g := i % groups
		for d := range cols {
			data[i*cols+d] = centres[g*cols+d] + rng.NormFloat64()
		}
	}
	return data
}

func TestRefineLowersInertia(t *testing.T) {
	const groups, per, cols = 20, 100, 5
	rows := groups * per
	data := scatteredBlobs(1, groups, per, cols, 8)
	ctx := context.Background()
	many, err := KMeans(ctx, data, rows, cols, Settings{K: groups, NInit: 100, Seed: 99})
	if err != nil {
		t.Fatal(err)
	}
	lower := 0
	var plainSum, refinedSum float64
	const seeds = 10
	for seed := uint64(1); seed <= seeds; seed++ {
		s := Settings{K: groups, NInit: 1, Seed: seed}
		plain, err := KMeans(ctx, data, rows, cols, s)
		if err != nil {
			t.Fatal(err)
		}
		s.Refine = true
		refined, err := KMeans(ctx, data, rows, cols, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: inertia %.2f plain, %.2f refined", seed, plain.Inertia, refined.Inertia)
		// The refinement starts from the restart plain returns and keeps
		// only moves that lower the inertia.
		if refined.Inertia > plain.Inertia {
			t.Errorf("seed %d: refined inertia %.4f above the plain fit's %.4f", seed, refined.Inertia, plain.Inertia)
		}
		// One refined restart does as well as the best of 100 plain
		// ones, to 0.1 %.
		if refined.Inertia > many.Inertia*(1+1e-3) {
			t.Errorf("seed %d: refined inertia %.2f, the best of 100 plain restarts %.2f", seed, refined.Inertia, many.Inertia)
		}
		if refined.Inertia < plain.Inertia*(1-1e-6) {
			lower++
		}
		plainSum += plain.Inertia
		refinedSum += refined.Inertia
		checkResult(t, refined, data, rows, cols, nil)
	}
	// Lloyd's local optima: most single restarts stop in one that a
	// split–remove move leaves.
	if lower < seeds/2 {
		t.Errorf("the refinement lowered the inertia of %d of %d fits, want at least half", lower, seeds)
	}
	t.Logf("mean inertia %.2f plain, %.2f refined; best of 100 plain restarts %.2f", plainSum/seeds, refinedSum/seeds, many.Inertia)
}

func TestRefineSameOnAnyThreads(t *testing.T) {
	const groups, per, cols = 20, 100, 5
	rows := groups * per
	data := scatteredBlobs(2, groups, per, cols, 8)
	w := make([]float64, rows)
	for i := range w {
		w[i] = float64(1 + i%3)
	}
	for _, weights := range [][]float64{nil, w} {
		var first *Result
		for _, threads := range []int{1, 2, 16} {
			r, err := KMeans(context.Background(), data, rows, cols, Settings{K: groups, NInit: 2, Seed: 5, Threads: threads, Weights: weights, Refine: true})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = r
				continue
			}
			if !reflect.DeepEqual(r, first) { // bit for bit: no float is NaN
				t.Errorf("weights %v: %d threads give inertia %v, 1 thread %v", weights != nil, threads, r.Inertia, first.Inertia)
			}
		}
	}
}

func TestSelectKRefinesItsFits(t *testing.T) {
	const groups, per, cols = 20, 100, 5
	rows := groups * per
	data := scatteredBlobs(1, groups, per, cols, 8)
	s := SelectSettings{KMin: groups - 1, KMax: groups, Base: Settings{Seed: 3, NInit: 1}}
	refined, err := SelectK(context.Background(), data, rows, cols, s)
	if err != nil {
		t.Fatal(err)
	}
	s.NoRefine = true
	plain, err := SelectK(context.Background(), data, rows, cols, s)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range refined.Ks {
		want, err := KMeans(context.Background(), data, rows, cols, Settings{K: k, Seed: 3, NInit: 1, Refine: true})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(refined.Results[i], want) {
			t.Errorf("k = %d: SelectK's fit has inertia %v, KMeans with Refine %v", k, refined.Results[i].Inertia, want.Inertia)
		}
		t.Logf("k = %d: inertia %.2f refined, %.2f with NoRefine", k, refined.Inertia[i], plain.Inertia[i])
	}
	if refined.Inertia[1] >= plain.Inertia[1] {
		t.Errorf("k = %d: inertia %v refined, %v plain: want lower", groups, refined.Inertia[1], plain.Inertia[1])
	}
}

// More rows than refineSample: the moves are tried on a sample, and the
// refined centroids fitted to every row.
func TestRefineSampled(t *testing.T) {
	if testing.Short() {
		t.Skip("fits k = 20 six times on 21,000 rows")
	}
	const groups, per, cols = 20, 1050, 5
	rows := groups * per
	if rows <= refineSample {
		t.Fatalf("%d rows, want more than %d", rows, refineSample)
	}
	data := scatteredBlobs(1, groups, per, cols, 8)
	w := make([]float64, rows)
	for i := range w {
		w[i] = float64(1 + i%3)
	}
	ctx := context.Background()
	lower := 0
	for seed := uint64(1); seed <= 3; seed++ {
		s := Settings{K: groups, NInit: 1, Seed: seed}
		plain, err := KMeans(ctx, data, rows, cols, s)
		if err != nil {
			t.Fatal(err)
		}
		s.Refine = true
		refined, err := KMeans(ctx, data, rows, cols, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: inertia %.1f plain, %.1f refined", seed, plain.Inertia, refined.Inertia)
		if refined.Inertia > plain.Inertia {
			t.Errorf("seed %d: refined inertia %.4f above the plain fit's %.4f", seed, refined.Inertia, plain.Inertia)
		}
		if refined.Inertia < plain.Inertia*(1-1e-6) {
			lower++
		}
		checkResult(t, refined, data, rows, cols, nil)
	}
	if lower < 2 {
		t.Errorf("the refinement lowered the inertia of %d of 3 fits, want at least 2", lower)
	}
	for _, weights := range [][]float64{nil, w} {
		var first *Result
		for _, threads := range []int{1, 16} {
			r, err := KMeans(ctx, data, rows, cols, Settings{K: groups, NInit: 1, Seed: 2, Threads: threads, Weights: weights, Refine: true})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = r
				continue
			}
			if !reflect.DeepEqual(r, first) {
				t.Errorf("weights %v: %d threads give inertia %v, 1 thread %v", weights != nil, threads, r.Inertia, first.Inertia)
			}
		}
	}
}

package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// newTestEngine seeds an engine on data and prepares it for Lloyd steps.
func newTestEngine(data []float64, rows, cols, k int, weights []float64, threads int) *engine {
	e := newEngine(data, rows, cols, k, weights, threads, 2+int(math.Log(float64(k))))
	e.seed(newRand(3))
	e.reset()
	return e
}

func TestStepDoesNotAllocate(t *testing.T) {
	for _, threads := range []int{1, 2} {
		data, _ := blobs(1, 5000, 8, 6, 3, 1)
		e := newTestEngine(data, 5000, 8, 6, nil, threads)
		e.step() // first, full pass
		allocs := testing.AllocsPerRun(20, func() { e.step() })
		e.close()
		if allocs != 0 {
			t.Errorf("threads=%d: %v allocations per Lloyd iteration, want 0", threads, allocs)
		}
	}
}

func TestSeedDoesNotAllocate(t *testing.T) {
	data, _ := blobs(1, 3000, 4, 5, 3, 1)
	e := newEngine(data, 3000, 4, 5, nil, 2, 3)
	defer e.close()
	rng := newRand(1)
	if allocs := testing.AllocsPerRun(5, func() { e.seed(rng) }); allocs != 0 {
		t.Errorf("%v allocations per seeding, want 0", allocs)
	}
}

// TestInertiaNeverRises checks the Lloyd invariant: the inertia of the
// labels of each iteration against the centroids they produce does not
// increase from one iteration to the next.
func TestInertiaNeverRises(t *testing.T) {
	cases := []struct {
		name             string
		rows, cols, k    int
		weighted         bool
		spread, sd       float64
		threads, seedRng uint64
	}{
		{name: "overlapping", rows: 4000, cols: 3, k: 12, spread: 1, sd: 1, threads: 2},
		{name: "weighted", rows: 3000, cols: 5, k: 8, weighted: true, spread: 2, sd: 1, threads: 1},
		{name: "uniform-cube", rows: 2000, cols: 2, k: 20, spread: 0, sd: 1, threads: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := blobs(tc.seedRng+5, tc.rows, tc.cols, tc.k, tc.spread, tc.sd)
			var w []float64
			if tc.weighted {
				rng := rand.New(rand.NewPCG(9, 9))
				w = make([]float64, tc.rows)
				for i := range w {
					w[i] = rng.Float64() * 3
				}
			}
			e := newTestEngine(data, tc.rows, tc.cols, tc.k, w, int(tc.threads))
			defer e.close()
			prev := math.Inf(1)
			iters := 0
			for it := range 200 {
				changed, relocated, _ := e.step()
				in := bruteInertia(data, tc.cols, e.cent, e.assign, w)
				if in > prev*(1+1e-12) {
					t.Fatalf("iteration %d: inertia rose from %v to %v", it, prev, in)
				}
				prev = in
				iters++
				if changed == 0 && relocated == 0 {
					break
				}
			}
			if iters < 3 {
				t.Errorf("only %d iterations: the case does not exercise the invariant", iters)
			}
		})
	}
}

// TestRelocateEmptyCluster places one centroid far from all data: after a
// step it must have been moved onto a row and own at least that row.
func TestRelocateEmptyCluster(t *testing.T) {
	data, _ := blobs(2, 600, 2, 3, 5, 1)
	e := newTestEngine(data, 600, 2, 3, nil, 1)
	defer e.close()
	e.cent[2*2], e.cent[2*2+1] = 1e6, 1e6
	_, relocated, _ := e.step()
	if relocated != 1 {
		t.Fatalf("relocated = %d clusters, want 1", relocated)
	}
	counts := make([]int, 3)
	for _, a := range e.assign {
		counts[a]++
	}
	for j, n := range counts {
		if n == 0 {
			t.Errorf("cluster %d still empty after relocation", j)
		}
	}
	if e.cent[4] > 1e5 {
		t.Errorf("centroid 2 not moved: %v", e.cent[4:6])
	}
	// The run goes on to a consistent fit.
	if _, _, err := e.lloyd(context.Background(), 100, 0); err != nil {
		t.Fatal(err)
	}
}

func TestChunkRowsIgnoresThreads(t *testing.T) {
	for _, tc := range []struct{ rows, cols, k, want int }{
		{100, 2, 2, minChunkRows},
		{1 << 20, 16, 10, minChunkRows},
		{1 << 20, 1000, 100, 1 << 20 * 1000 * 100 / maxChunkFloats},
	} {
		if got := chunkRows(tc.rows, tc.cols, tc.k); got != tc.want {
			t.Errorf("chunkRows(%d, %d, %d) = %d, want %d", tc.rows, tc.cols, tc.k, got, tc.want)
		}
	}
}

// TestFloat32FilterExact checks that measuring in float32 first, with the
// exact measure where float32 cannot separate the nearest centroid, gives
// the same fit, bit for bit, as measuring in float64 only.
func TestFloat32FilterExact(t *testing.T) {
	if !useVector || !useNear12 {
		t.Skip("no vector kernel")
	}
	saved := allowF32
	t.Cleanup(func() { allowF32 = saved })
	cases := []struct {
		rows, cols, k int
		spread        float64
		weighted      bool
	}{
		{6000, 16, 10, 1.5, false},
		{5000, 3, 16, 1, true},
		{4000, 37, 5, 2, false},
		{3000, 2, 1, 1, false},
	}
	for _, tc := range cases {
		data, _ := blobs(12, tc.rows, tc.cols, tc.k, tc.spread, 1)
		// Offset the data: large norms against small distances stress the
		// float32 margin.
		for i := range data {
			data[i] += 40
		}
		var w []float64
		if tc.weighted {
			rng := rand.New(rand.NewPCG(3, 3))
			w = make([]float64, tc.rows)
			for i := range w {
				w[i] = rng.ExpFloat64()
			}
		}
		s := Settings{K: tc.k, Seed: 9, NInit: 3, Threads: 2, Weights: w}
		allowF32 = true
		a, err := KMeans(context.Background(), data, tc.rows, tc.cols, s)
		if err != nil {
			t.Fatal(err)
		}
		allowF32 = false
		b, err := KMeans(context.Background(), data, tc.rows, tc.cols, s)
		if err != nil {
			t.Fatal(err)
		}
		if !bitsEqual(a.Centroids, b.Centroids) || !slices.Equal(a.Assign, b.Assign) ||
			math.Float64bits(a.Inertia) != math.Float64bits(b.Inertia) || a.Iterations != b.Iterations {
			t.Errorf("rows=%d cols=%d k=%d: float32 filter changed the fit (inertia %v against %v)", tc.rows, tc.cols, tc.k, a.Inertia, b.Inertia)
		}
	}
}

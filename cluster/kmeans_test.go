package cluster

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkResult verifies the invariants every fit must satisfy: shapes,
// canonical numbering, distances and inertia consistent with the
// centroids, and each row assigned to its nearest centroid.
func checkResult(t *testing.T, r *Result, data []float64, rows, cols int, weights []float64) {
	t.Helper()
	k := r.K
	if len(r.Centroids) != k*cols || len(r.Assign) != rows || len(r.Distance) != rows || len(r.Sizes) != k || r.Cols != cols {
		t.Fatalf("shapes: centroids %d, assign %d, distance %d, sizes %d", len(r.Centroids), len(r.Assign), len(r.Distance), len(r.Sizes))
	}
	sizes := make([]int, k)
	var inertia float64
	for i, a := range r.Assign {
		if a < 0 || a >= k {
			t.Fatalf("row %d: label %d out of range", i, a)
		}
		sizes[a]++
		x := data[i*cols : (i+1)*cols]
		d2 := dist2(x, r.Centroid(a))
		if !nearlyEqual(math.Sqrt(d2), r.Distance[i], 1e-12) {
			t.Fatalf("row %d: Distance %v, want %v", i, r.Distance[i], math.Sqrt(d2))
		}
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		inertia += w * d2
		for j := range k {
			if dj := dist2(x, r.Centroid(j)); dj < d2*(1-1e-9) {
				t.Fatalf("row %d: assigned %d at %v but centroid %d is nearer at %v", i, a, d2, j, dj)
			}
		}
	}
	if !slices.Equal(sizes, r.Sizes) {
		t.Fatalf("Sizes = %v, counted %v", r.Sizes, sizes)
	}
	if !nearlyEqual(inertia, r.Inertia, 1e-9) {
		t.Fatalf("Inertia = %v, recomputed %v", r.Inertia, inertia)
	}
	for j := 1; j < k; j++ {
		if r.Sizes[j] > r.Sizes[j-1] {
			t.Fatalf("Sizes not descending: %v", r.Sizes)
		}
		if r.Sizes[j] == r.Sizes[j-1] && slices.Compare(r.Centroid(j-1), r.Centroid(j)) > 0 {
			t.Fatalf("equal-size clusters %d and %d not in lexicographic centroid order", j-1, j)
		}
	}
}

func TestKMeansTable(t *testing.T) {
	cases := []struct {
		name          string
		rows, cols, k int
		spread, sd    float64
		weighted      bool
		s             Settings
	}{
		{name: "k=1", rows: 200, cols: 3, k: 1, spread: 5, sd: 1},
		{name: "k=rows", rows: 7, cols: 2, k: 7, spread: 5, sd: 1},
		{name: "blobs", rows: 3000, cols: 4, k: 5, spread: 8, sd: 1},
		{name: "overlapping", rows: 2500, cols: 2, k: 9, spread: 1, sd: 1},
		{name: "one-column", rows: 1000, cols: 1, k: 4, spread: 10, sd: 1},
		{name: "many-columns", rows: 1500, cols: 37, k: 6, spread: 3, sd: 1},
		{name: "weighted", rows: 2000, cols: 3, k: 4, spread: 5, sd: 1, weighted: true},
		{name: "maxiter=1", rows: 2000, cols: 3, k: 6, spread: 1, sd: 1, s: Settings{MaxIter: 1}},
		{name: "tol-zero", rows: 2000, cols: 3, k: 6, spread: 1, sd: 1, s: Settings{Tol: -1}},
		{name: "one-restart-one-trial", rows: 2000, cols: 3, k: 6, spread: 4, sd: 1, s: Settings{NInit: 1, LocalTrials: 1}},
		{name: "many-chunks", rows: 20000, cols: 2, k: 7, spread: 3, sd: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := blobs(3, tc.rows, tc.cols, tc.k, tc.spread, tc.sd)
			s := tc.s
			s.K, s.Seed = tc.k, 42
			if tc.weighted {
				s.Weights = make([]float64, tc.rows)
				for i := range s.Weights {
					s.Weights[i] = float64(1 + i%3)
				}
			}
			r, err := KMeans(context.Background(), data, tc.rows, tc.cols, s)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, data, tc.rows, tc.cols, s.Weights)
			if tc.name == "k=rows" && r.Inertia != 0 {
				t.Errorf("k=rows: inertia %v, want 0", r.Inertia)
			}
			if tc.name == "maxiter=1" && (r.Iterations != 1 || r.Converged) {
				t.Errorf("maxiter=1: Iterations %d Converged %v", r.Iterations, r.Converged)
			}
			if r.Seed != 42 {
				t.Errorf("Seed = %d, want 42 recorded", r.Seed)
			}
		})
	}
}

func TestKMeansRecoversPlantedBlobs(t *testing.T) {
	cases := []struct {
		name          string
		rows, cols, k int
		sep, sd       float64
	}{
		{"k=3,2d", 1500, 2, 3, 10, 1},
		{"k=5,8d", 5000, 8, 5, 8, 1},
		{"k=10,16d", 10000, 16, 10, 6, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, labels := separatedBlobs(4, tc.rows, tc.cols, tc.k, tc.sep, tc.sd)
			r, err := KMeans(context.Background(), data, tc.rows, tc.cols, Settings{K: tc.k, Seed: 1, NInit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if ari := AdjustedRand(labels, r.Assign); ari <= 0.95 {
				t.Errorf("ARI = %v, want > 0.95", ari)
			}
			if !r.Converged {
				t.Errorf("did not converge in %d iterations", r.Iterations)
			}
		})
	}
}

func TestKMeansSameOnAnyThreads(t *testing.T) {
	cases := []struct {
		name          string
		rows, cols, k int
		weighted      bool
	}{
		{"small", 700, 3, 4, false},
		{"chunks", 9000, 5, 8, false},
		{"weighted", 6000, 4, 6, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := blobs(6, tc.rows, tc.cols, tc.k, 1.5, 1)
			var w []float64
			if tc.weighted {
				rng := rand.New(rand.NewPCG(1, 2))
				w = make([]float64, tc.rows)
				for i := range w {
					w[i] = rng.ExpFloat64()
				}
			}
			var ref *Result
			for _, threads := range []int{1, 2, 16} {
				r, err := KMeans(context.Background(), data, tc.rows, tc.cols, Settings{K: tc.k, Seed: 5, NInit: 3, Threads: threads, Weights: w})
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = r
					continue
				}
				if !bitsEqual(r.Centroids, ref.Centroids) || !slices.Equal(r.Assign, ref.Assign) ||
					!bitsEqual(r.Distance, ref.Distance) || math.Float64bits(r.Inertia) != math.Float64bits(ref.Inertia) ||
					r.Iterations != ref.Iterations {
					t.Errorf("threads=%d differs from threads=1", threads)
				}
			}
		})
	}
}

func bitsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func TestKMeansSeedReproducible(t *testing.T) {
	data, _ := blobs(8, 2000, 3, 5, 1, 1)
	s := Settings{K: 5, Seed: 77, NInit: 2}
	a, _ := KMeans(context.Background(), data, 2000, 3, s)
	b, _ := KMeans(context.Background(), data, 2000, 3, s)
	if !bitsEqual(a.Centroids, b.Centroids) || !slices.Equal(a.Assign, b.Assign) {
		t.Fatal("same seed gave different results")
	}
}

func TestWeightsEqualDuplication(t *testing.T) {
	// Integer weights must fit like duplicated rows.
	data, _ := separatedBlobs(9, 900, 3, 3, 10, 1)
	w := make([]float64, 900)
	var dup []float64
	for i := range w {
		w[i] = float64(1 + i%3)
		for range int(w[i]) {
			dup = append(dup, data[i*3:(i+1)*3]...)
		}
	}
	a, err := KMeans(context.Background(), data, 900, 3, Settings{K: 3, Seed: 1, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	b, err := KMeans(context.Background(), dup, len(dup)/3, 3, Settings{K: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !nearlyEqual(a.Inertia, b.Inertia, 1e-9) {
		t.Errorf("weighted inertia %v, duplicated %v", a.Inertia, b.Inertia)
	}
	for i := range a.Centroids {
		if math.Abs(a.Centroids[i]-b.Centroids[i]) > 1e-9 {
			t.Fatalf("centroids differ: %v vs %v", a.Centroids, b.Centroids)
		}
	}
}

func TestInputsUnchanged(t *testing.T) {
	data, _ := blobs(10, 1200, 3, 4, 3, 1)
	w := make([]float64, 1200)
	for i := range w {
		w[i] = float64(i%5) + 0.5
	}
	data0, w0 := slices.Clone(data), slices.Clone(w)
	ctx := context.Background()
	r, err := KMeans(ctx, data, 1200, 3, Settings{K: 4, Seed: 1, Weights: w, NInit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SelectK(ctx, data, 1200, 3, SelectSettings{KMin: 2, KMax: 4, Base: Settings{Weights: w, NInit: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Stability(ctx, data, 1200, 3, r, Settings{Weights: w, NInit: 1}, 2); err != nil {
		t.Fatal(err)
	}
	tr, out, err := FitTransform(data, 1200, 3, TransformAuto)
	if err != nil {
		t.Fatal(err)
	}
	_ = tr.Apply(make([]float64, len(data)), data)
	_ = ToObservations(data, 1200, 3)
	_ = r.ToClusters(data)
	_ = r.Predict(nil, data)
	if !bitsEqual(data, data0) || !bitsEqual(w, w0) {
		t.Fatal("caller's data or weights were modified")
	}
	if &out[0] == &data[0] || &r.Distance[0] == &w[0] {
		t.Fatal("result aliases an input")
	}
}

func TestKMeansErrors(t *testing.T) {
	good, _ := blobs(1, 50, 3, 2, 3, 1)
	with := func(row, col int, v float64) []float64 {
		d := slices.Clone(good)
		d[row*3+col] = v
		return d
	}
	cases := []struct {
		name     string
		data     []float64
		rows     int
		cols     int
		k        int
		weights  []float64
		want     error
		row, col int
	}{
		{name: "NaN", data: with(17, 2, math.NaN()), rows: 50, cols: 3, k: 2, want: ErrNonFinite, row: 17, col: 2},
		{name: "+Inf", data: with(0, 1, math.Inf(1)), rows: 50, cols: 3, k: 2, want: ErrNonFinite, row: 0, col: 1},
		{name: "-Inf", data: with(49, 0, math.Inf(-1)), rows: 50, cols: 3, k: 2, want: ErrNonFinite, row: 49, col: 0},
		{name: "huge", data: with(3, 0, 1e300), rows: 50, cols: 3, k: 2, want: ErrRange, row: 3, col: 0},
		{name: "too-few-rows", data: good, rows: 50, cols: 3, k: 51, want: ErrTooFewRows},
		{name: "empty", data: nil, rows: 0, cols: 3, k: 1, want: ErrTooFewRows},
		{name: "no-columns", data: nil, rows: 5, cols: 0, k: 1, want: ErrNoColumns},
		{name: "negative-weight", data: good, rows: 50, cols: 3, k: 2, weights: append(make([]float64, 49), -1), want: ErrWeight, row: 49, col: -1},
		{name: "zero-weights", data: good, rows: 50, cols: 3, k: 2, weights: make([]float64, 50), want: ErrWeight},
		{name: "NaN-weight", data: good, rows: 50, cols: 3, k: 2, weights: append(make([]float64, 49), math.NaN()), want: ErrNonFinite, row: 49, col: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for name, run := range map[string]func() error{
				"KMeans": func() error {
					_, err := KMeans(context.Background(), tc.data, tc.rows, tc.cols, Settings{K: tc.k, Weights: tc.weights})
					return err
				},
			} {
				err := run()
				if !errors.Is(err, tc.want) {
					t.Fatalf("%s: error %v, want %v", name, err, tc.want)
				}
				var de *DataError
				if errors.As(err, &de) && (de.Row != tc.row || de.Col != tc.col) {
					t.Errorf("%s: error at row %d col %d, want row %d col %d (%v)", name, de.Row, de.Col, tc.row, tc.col, err)
				}
			}
		})
	}
}

func TestKMeansPanicsOnMisuse(t *testing.T) {
	data := make([]float64, 12)
	cases := []struct {
		name string
		f    func()
	}{
		{"length", func() { KMeans(context.Background(), data, 5, 3, Settings{K: 2}) }},
		{"K=0", func() { KMeans(context.Background(), data, 4, 3, Settings{}) }},
		{"weights-length", func() { KMeans(context.Background(), data, 4, 3, Settings{K: 2, Weights: []float64{1}}) }},
		{"negative-NInit", func() { KMeans(context.Background(), data, 4, 3, Settings{K: 2, NInit: -1}) }},
		{"AdjustedRand-lengths", func() { AdjustedRand([]int{1}, []int{1, 2}) }},
		{"Predict-dst", func() { (&Result{K: 1, Cols: 3, Centroids: make([]float64, 3)}).Predict(make([]int, 1), data) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			tc.f()
		})
	}
}

func TestKMeansCancelled(t *testing.T) {
	data, _ := blobs(1, 2000, 3, 4, 1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := KMeans(ctx, data, 2000, 3, Settings{K: 4}); !errors.Is(err, context.Canceled) {
		t.Errorf("KMeans: %v, want context.Canceled", err)
	}
	if _, err := SelectK(ctx, data, 2000, 3, SelectSettings{KMax: 3}); !errors.Is(err, context.Canceled) {
		t.Errorf("SelectK: %v, want context.Canceled", err)
	}
}

func TestPredictMatchesAssign(t *testing.T) {
	data, _ := blobs(12, 1500, 4, 5, 3, 1)
	r, err := KMeans(context.Background(), data, 1500, 4, Settings{K: 5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Predict(nil, data); !slices.Equal(got, r.Assign) {
		t.Error("Predict disagrees with Assign")
	}
}

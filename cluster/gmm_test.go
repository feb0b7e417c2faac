package cluster

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// unequalBlobs draws, in 2 columns, one large wide blob (sd 2.5, 3000
// rows) at the origin and two small tight ones (sd 0.3, 300 rows each)
// close to its edge, at (5, 0) and (0, 5): groups that differ in size
// and spread, which k-means' equal spherical variance mislabels (its
// boundaries lie half-way between centroids, deep inside the wide blob's
// tail).
func unequalBlobs(seed uint64) (data []float64, rows, cols int, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	type blob struct {
		n      int
		x, y   float64
		spread float64
	}
	bs := []blob{{3000, 0, 0, 2.5}, {300, 5, 0, 0.3}, {300, 0, 5, 0.3}}
	cols = 2
	for c, b := range bs {
		for range b.n {
			data = append(data, b.x+b.spread*rng.NormFloat64(), b.y+b.spread*rng.NormFloat64())
			labels = append(labels, c)
		}
	}
	return data, len(labels), cols, labels
}

func TestGMMDiagRecoversUnequalBlobs(t *testing.T) {
	data, rows, cols, labels := unequalBlobs(1)
	ctx := context.Background()
	km, err := KMeans(ctx, data, rows, cols, Settings{K: 3, Seed: 1, Refine: true})
	if err != nil {
		t.Fatal(err)
	}
	g, err := GMMDiag(ctx, data, rows, cols, km, GMMSettings{})
	if err != nil {
		t.Fatal(err)
	}
	kmARI, gARI := AdjustedRand(labels, km.Assign), AdjustedRand(labels, g.Assign)
	t.Logf("k-means ARI %.3f, GMM ARI %.3f, %d iterations, log-likelihood %.1f, BIC %.1f", kmARI, gARI, g.Iterations, g.LogLik, g.BIC)
	if kmARI > 0.3 {
		t.Errorf("k-means ARI %.3f: the test data should defeat k-means", kmARI)
	}
	if gARI < 0.9 { // the tails overlap: the Bayes rule itself errs on some rows
		t.Errorf("GMM ARI %.3f, want at least 0.9", gARI)
	}
	if !g.Converged {
		t.Errorf("did not converge in %d iterations", g.Iterations)
	}
	// The fitted spreads are the planted ones.
	for j := range 3 {
		sd := math.Sqrt(g.Vars[j*cols])
		want := 0.3
		if g.Sizes[j] > 1000 {
			want = 2.5
		}
		if math.Abs(sd-want) > 0.15*want {
			t.Errorf("component %d (%d rows): sd %.3f, want about %.1f", j, g.Sizes[j], sd, want)
		}
	}
	var mix float64
	for _, m := range g.Mix {
		mix += m
	}
	if math.Abs(mix-1) > 1e-9 {
		t.Errorf("mixing proportions sum to %v", mix)
	}
	// EM never lowers the likelihood.
	for i := 1; i < len(g.Trace); i++ {
		if g.Trace[i] < g.Trace[i-1]-1e-9*math.Abs(g.Trace[i-1]) {
			t.Errorf("log-likelihood fell at iteration %d: %v -> %v", i, g.Trace[i-1], g.Trace[i])
		}
	}
	if want := -2*g.LogLik + float64(3*2*2+2)*math.Log(float64(rows)); g.BIC != want || g.Params != 14 {
		t.Errorf("BIC %v with %d params, want %v with 14", g.BIC, g.Params, want)
	}
}

// TestGMMDiagOneComponent checks k = 1 against the closed form: the
// column means and variances, and the Gaussian log-likelihood.
func TestGMMDiagOneComponent(t *testing.T) {
	data, _ := blobs(4, 500, 3, 4, 5, 1)
	rows, cols := 500, 3
	km, err := KMeans(context.Background(), data, rows, cols, Settings{K: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := GMMDiag(context.Background(), data, rows, cols, km, GMMSettings{})
	if err != nil {
		t.Fatal(err)
	}
	var ll float64
	for d := range cols {
		var m, v float64
		for i := range rows {
			m += data[i*cols+d]
		}
		m /= float64(rows)
		for i := range rows {
			e := data[i*cols+d] - m
			v += e * e
		}
		v /= float64(rows)
		if !nearlyEqual(g.Means[d], m, 1e-12) || !nearlyEqual(g.Vars[d], v, 1e-12) {
			t.Errorf("column %d: mean %v var %v, want %v %v", d, g.Means[d], g.Vars[d], m, v)
		}
		ll += -0.5 * float64(rows) * (math.Log(2*math.Pi*v) + 1)
	}
	if !nearlyEqual(g.LogLik, ll, 1e-12) {
		t.Errorf("log-likelihood %v, want %v", g.LogLik, ll)
	}
}

// TestGMMDiagWeights checks that integer weights fit as repeated rows.
func TestGMMDiagWeights(t *testing.T) {
	data, rows, cols, _ := unequalBlobs(2)
	n := 900
	data, rows = data[:n*cols], n
	data = append(data, data[len(data)-600*cols:]...) // the last 600 rows twice
	_ = rows
	wdata := data[:n*cols]
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
		if i >= n-600 {
			w[i] = 2
		}
	}
	ctx := context.Background()
	kmW, err := KMeans(ctx, wdata, n, cols, Settings{K: 2, Seed: 1, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	// The repeated data, initialised from the same clusters.
	init := &Result{K: 2, Cols: cols, Centroids: kmW.Centroids, Assign: append(slices.Clone(kmW.Assign), kmW.Assign[n-600:]...)}
	gw, err := GMMDiag(ctx, wdata, n, cols, kmW, GMMSettings{Weights: w, Tol: -1, MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := GMMDiag(ctx, data, n+600, cols, init, GMMSettings{Tol: -1, MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	if !nearlyEqual(gw.LogLik, gr.LogLik, 1e-9) || !nearlyEqual(gw.BIC, gr.BIC, 1e-9) {
		t.Errorf("weighted log-likelihood %v BIC %v, repeated rows %v %v", gw.LogLik, gw.BIC, gr.LogLik, gr.BIC)
	}
	for i := range gw.Means {
		if !nearlyEqual(gw.Means[i], gr.Means[i], 1e-9) || !nearlyEqual(gw.Vars[i], gr.Vars[i], 1e-9) {
			t.Fatalf("parameter %d: weighted %v %v, repeated %v %v", i, gw.Means[i], gw.Vars[i], gr.Means[i], gr.Vars[i])
		}
	}
}

// TestGMMDiagThreads checks bit-identical results on any number of
// threads, on enough rows for many chunks.
func TestGMMDiagThreads(t *testing.T) {
	data, _ := blobs(5, 20000, 4, 6, 4, 1)
	rows, cols := 20000, 4
	ctx := context.Background()
	km, err := KMeans(ctx, data, rows, cols, Settings{K: 6, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var ref *GMMResult
	for _, th := range []int{1, 2, 3, 8} {
		g, err := GMMDiag(ctx, data, rows, cols, km, GMMSettings{Threads: th})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = g
			if newGMM(data, rows, cols, 6, GMMSettings{Threads: 1, VarFloor: 1}).nChunks < 2 {
				t.Fatal("want several chunks")
			}
			continue
		}
		if g.LogLik != ref.LogLik || g.BIC != ref.BIC || g.Iterations != ref.Iterations ||
			!slices.Equal(g.Means, ref.Means) || !slices.Equal(g.Vars, ref.Vars) || !slices.Equal(g.Mix, ref.Mix) || !slices.Equal(g.Assign, ref.Assign) {
			t.Errorf("threads=%d: log-likelihood %v (%d iterations), 1 thread %v (%d)", th, g.LogLik, g.Iterations, ref.LogLik, ref.Iterations)
		}
	}
}

// TestGMMDiagFloor checks that a component on identical rows keeps a
// finite likelihood at the variance floor.
func TestGMMDiagFloor(t *testing.T) {
	data, rows, cols, labels := unequalBlobs(3)
	for range 20 { // 20 copies of one point
		data = append(data, 10, 10)
		labels = append(labels, 3)
	}
	rows += 20
	ctx := context.Background()
	km := resultFromLabels(data, rows, cols, labels)
	g, err := GMMDiag(ctx, data, rows, cols, km, GMMSettings{VarFloor: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(g.LogLik, 0) || math.IsNaN(g.LogLik) {
		t.Fatalf("log-likelihood %v", g.LogLik)
	}
	fl := newGMM(data, rows, cols, 4, GMMSettings{Threads: 1, VarFloor: 1e-2}).floor
	found := false
	for j := range g.K {
		for d := range cols {
			v := g.Vars[j*cols+d]
			if v < fl[d] {
				t.Errorf("component %d column %d: variance %v below the floor %v", j, d, v, fl[d])
			}
			if v == fl[d] {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no variance at the floor %v: sizes %v vars %v", fl, g.Sizes, g.Vars)
	}
}

func TestGMMDiagErrors(t *testing.T) {
	data, rows, cols, _ := unequalBlobs(1)
	ctx := context.Background()
	km, err := KMeans(ctx, data, rows, cols, Settings{K: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(data)
	bad[7] = math.NaN()
	if _, err := GMMDiag(ctx, bad, rows, cols, km, GMMSettings{}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN: %v", err)
	}
	w := make([]float64, rows)
	w[3] = -1
	if _, err := GMMDiag(ctx, data, rows, cols, km, GMMSettings{Weights: w}); !errors.Is(err, ErrWeight) {
		t.Errorf("negative weight: %v", err)
	}
	if _, err := GMMDiag(ctx, data[:2*cols], 2, cols, km, GMMSettings{}); !errors.Is(err, ErrTooFewRows) {
		t.Errorf("too few rows: %v", err)
	}
	if _, err := GMMDiag(ctx, data[:rows], rows, 1, km, GMMSettings{}); !errors.Is(err, ErrGMMInit) {
		t.Errorf("other columns: %v", err)
	}
	if _, err := GMMDiag(ctx, data[:100*cols], 100, cols, km, GMMSettings{}); !errors.Is(err, ErrGMMInit) {
		t.Errorf("other rows: %v", err)
	}
	if _, err := GMMDiag(ctx, data, rows, cols, nil, GMMSettings{}); !errors.Is(err, ErrGMMInit) {
		t.Errorf("nil init: %v", err)
	}
	lab := *km
	lab.Assign = slices.Clone(km.Assign)
	lab.Assign[5] = 3
	if _, err := GMMDiag(ctx, data, rows, cols, &lab, GMMSettings{}); !errors.Is(err, ErrGMMInit) {
		t.Errorf("label out of range: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := GMMDiag(cctx, data, rows, cols, km, GMMSettings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("negative MaxIter did not panic")
			}
		}()
		GMMDiag(ctx, data, rows, cols, km, GMMSettings{MaxIter: -1})
	}()
}

// resultFromLabels returns a Result whose clusters are the given labels,
// 0..k-1, with their means as centroids.
func resultFromLabels(data []float64, rows, cols int, labels []int) *Result {
	means, _, k := clusterMeans(data, rows, cols, labels)
	return &Result{K: k, Cols: cols, Centroids: means, Assign: slices.Clone(labels)}
}

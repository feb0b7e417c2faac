package mixture

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/segmint/segmint/cluster"
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

func TestFitDiagRecoversUnequalBlobs(t *testing.T) {
	data, rows, cols, labels := unequalBlobs(1)
	ctx := context.Background()
	km, err := cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: 3, Seed: 1, Refine: true})
	if err != nil {
		t.Fatal(err)
	}
	g, err := FitDiag(ctx, data, rows, cols, km, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	kmARI, gARI := cluster.AdjustedRand(labels, km.Assign), cluster.AdjustedRand(labels, g.Assign)
	t.Logf("k-means ARI %.3f, mixture ARI %.3f, %d iterations, log-likelihood %.1f, BIC %.1f", kmARI, gARI, g.Iterations, g.LogLik, g.BIC)
	if kmARI > 0.3 {
		t.Errorf("k-means ARI %.3f: the test data should defeat k-means", kmARI)
	}
	if gARI < 0.9 { // the tails overlap: the Bayes rule itself errs on some rows
		t.Errorf("mixture ARI %.3f, want at least 0.9", gARI)
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

// TestFitDiagOneComponent checks k = 1 against the closed form: the
// column means and variances, and the Gaussian log-likelihood.
func TestFitDiagOneComponent(t *testing.T) {
	data := blobs(4, 500, 3, 4, 5, 1)
	rows, cols := 500, 3
	km, err := cluster.KMeans(context.Background(), data, rows, cols, cluster.Settings{K: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	g, err := FitDiag(context.Background(), data, rows, cols, km, Settings{})
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

// TestFitDiagWeights checks that integer weights fit as repeated rows.
func TestFitDiagWeights(t *testing.T) {
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
	kmW, err := cluster.KMeans(ctx, wdata, n, cols, cluster.Settings{K: 2, Seed: 1, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	// The repeated data, initialised from the same clusters.
	init := &cluster.Result{K: 2, Cols: cols, Centroids: kmW.Centroids, Assign: append(slices.Clone(kmW.Assign), kmW.Assign[n-600:]...)}
	gw, err := FitDiag(ctx, wdata, n, cols, kmW, Settings{Weights: w, Tol: -1, MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := FitDiag(ctx, data, n+600, cols, init, Settings{Tol: -1, MaxIter: 50})
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

// TestFitDiagThreads checks bit-identical results on any number of
// threads, on enough rows for many chunks.
func TestFitDiagThreads(t *testing.T) {
	data := blobs(5, 20000, 4, 6, 4, 1)
	rows, cols := 20000, 4
	ctx := context.Background()
	km, err := cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: 6, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var ref *Result
	for _, th := range []int{1, 2, 3, 8} {
		g, err := FitDiag(ctx, data, rows, cols, km, Settings{Threads: th})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = g
			if newGMM(data, rows, cols, 6, Settings{Threads: 1, VarFloor: 1}).nChunks < 2 {
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

// TestFitDiagFloor checks that a component on identical rows keeps a
// finite likelihood at the variance floor.
func TestFitDiagFloor(t *testing.T) {
	data, rows, cols, labels := unequalBlobs(3)
	for range 20 { // 20 copies of one point
		data = append(data, 10, 10)
		labels = append(labels, 3)
	}
	rows += 20
	ctx := context.Background()
	km := resultFromLabels(data, rows, cols, labels)
	g, err := FitDiag(ctx, data, rows, cols, km, Settings{VarFloor: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsInf(g.LogLik, 0) || math.IsNaN(g.LogLik) {
		t.Fatalf("log-likelihood %v", g.LogLik)
	}
	fl := newGMM(data, rows, cols, 4, Settings{Threads: 1, VarFloor: 1e-2}).floor
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

func TestFitDiagErrors(t *testing.T) {
	data, rows, cols, _ := unequalBlobs(1)
	ctx := context.Background()
	km, err := cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(data)
	bad[7] = math.NaN()
	if _, err := FitDiag(ctx, bad, rows, cols, km, Settings{}); !errors.Is(err, cluster.ErrNonFinite) {
		t.Errorf("NaN: %v", err)
	}
	w := make([]float64, rows)
	w[3] = -1
	if _, err := FitDiag(ctx, data, rows, cols, km, Settings{Weights: w}); !errors.Is(err, cluster.ErrWeight) {
		t.Errorf("negative weight: %v", err)
	}
	if _, err := FitDiag(ctx, data[:2*cols], 2, cols, km, Settings{}); !errors.Is(err, cluster.ErrTooFewRows) {
		t.Errorf("too few rows: %v", err)
	}
	if _, err := FitDiag(ctx, data[:rows], rows, 1, km, Settings{}); !errors.Is(err, ErrInit) {
		t.Errorf("other columns: %v", err)
	}
	if _, err := FitDiag(ctx, data[:100*cols], 100, cols, km, Settings{}); !errors.Is(err, ErrInit) {
		t.Errorf("other rows: %v", err)
	}
	if _, err := FitDiag(ctx, data, rows, cols, nil, Settings{}); !errors.Is(err, ErrInit) {
		t.Errorf("nil init: %v", err)
	}
	lab := *km
	lab.Assign = slices.Clone(km.Assign)
	lab.Assign[5] = 3
	if _, err := FitDiag(ctx, data, rows, cols, &lab, Settings{}); !errors.Is(err, ErrInit) {
		t.Errorf("label out of range: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := FitDiag(cctx, data, rows, cols, km, Settings{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("negative MaxIter did not panic")
			}
		}()
		FitDiag(ctx, data, rows, cols, km, Settings{MaxIter: -1})
	}()
}

// resultFromLabels returns a Result whose clusters are the given labels,
// 0..k-1, with their means as centroids.
func resultFromLabels(data []float64, rows, cols int, labels []int) *cluster.Result {
	k := slices.Max(labels) + 1
	means := make([]float64, k*cols)
	counts := make([]int, k)
	for i, a := range labels {
		counts[a]++
		for d, v := range data[i*cols : (i+1)*cols] {
			means[a*cols+d] += v
		}
	}
	for a, n := range counts {
		for d := range cols {
			means[a*cols+d] /= float64(max(n, 1))
		}
	}
	return &cluster.Result{K: k, Cols: cols, Centroids: means, Assign: slices.Clone(labels)}
}

// blobs draws rows rows in cols columns around k centres drawn uniformly
// in [-spread, spread], row i from centre i mod k, with standard deviation
// sd.
func blobs(seed uint64, rows, cols, k int, spread, sd float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([]float64, k*cols)
	for i := range centres {
		centres[i] = (2*rng.Float64() - 1) * spread
	}
	data := make([]float64, rows*cols)
	for i := range rows {
		for j := range cols {
			data[i*cols+j] = centres[(i%k)*cols+j] + sd*rng.NormFloat64()
		}
	}
	return data
}

func nearlyEqual(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

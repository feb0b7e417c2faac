package mixture

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/segmint/segmint/cluster"
)

// DefaultVarFloor is the default variance floor of FitDiag, as a
// fraction of each column's overall (weighted population) variance.
//
// The likelihood of a Gaussian mixture is unbounded: a component whose
// variance in one column shrinks towards zero around one value (a cluster
// of a few rows, or a cluster in which a flag or a zero-inflated feature
// is constant, which the pipeline's matrix has) drives the likelihood to
// infinity, and EM follows it. The floor keeps every component's variance
// in column d at least DefaultVarFloor times the variance of column d
// over all rows, which bounds the likelihood; being relative to each
// column, it does not depend on the columns' units.
const DefaultVarFloor = 1e-3

// ErrInit reports a k-means cluster.Result that does not fit the data FitDiag is
// given: other columns, another number of rows, or a label out of range.
var ErrInit = errors.New("mixture: k-means result does not match the data")

// Settings configures FitDiag. The zero value of every field selects the
// documented default.
type Settings struct {
	// MaxIter bounds the EM iterations. Default 300.
	MaxIter int
	// Tol stops EM when the mean log-likelihood per row (weighted) rises
	// by at most Tol in an iteration. Default 1e-6; a negative value
	// means 0, that is, iterate until the log-likelihood stops rising or
	// MaxIter is reached.
	Tol float64
	// VarFloor is the variance floor as a fraction of each column's
	// overall variance (see DefaultVarFloor). Default
	// DefaultVarFloor.
	VarFloor float64
	// Threads is the number of goroutines used. Default
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Threads int
	// Weights are optional non-negative sample weights, one per row, as in
	// cluster.Settings.Weights. Nil means every row has weight 1.
	Weights []float64
}

// Result is a fitted Gaussian mixture with diagonal covariances.
// Components are numbered as the clusters of the k-means cluster.Result it was
// initialised from.
type Result struct {
	K    int
	Cols int
	// Means and Vars hold K rows of Cols values, row-major: each
	// component's mean and per-column variance.
	Means, Vars []float64
	// Mix holds the K mixing proportions, summing to 1.
	Mix []float64
	// Assign is each row's component of highest posterior probability
	// (ties to the lower number), in [0, K); Sizes counts rows per
	// component (unweighted).
	Assign []int
	Sizes  []int
	// LogLik is the (weighted) log-likelihood of the data under the
	// returned parameters, in nats.
	LogLik float64
	// Params is the number of free parameters, K·2·Cols + K − 1, and BIC
	// is −2·LogLik + Params·ln(n), n being the number of rows (the sum of
	// the weights when weights are given). Lower is better.
	Params int
	BIC    float64
	// Iterations is the number of M-steps run; Converged reports whether
	// Tol was met before MaxIter.
	Iterations int
	Converged  bool
	// Trace holds the log-likelihood before each M-step and, last, of the
	// returned parameters. EM never lets it fall.
	Trace []float64
}

// FitDiag fits a Gaussian mixture with one diagonal covariance matrix per
// component to the rows of the row-major rows×cols matrix data by
// expectation–maximisation, starting from the k-means fit init: the
// component means start at its centroids, the variances at the
// per-column variances of its clusters (floored) and the mixing
// proportions at the clusters' (weighted) shares of the rows. Where
// k-means assumes every cluster has the same spherical spread, the mixture
// fits each cluster's size and per-column spread.
//
// The E-step runs over fixed chunks of rows in parallel, each chunk
// summing its own statistics, which are added up in chunk order, so the
// result is bit-identical on any number of threads. Densities are
// combined by log-sum-exp, so no row underflows. Each variance is kept at
// least s.VarFloor times its column's overall variance (see
// DefaultVarFloor). A component left with no weight keeps its
// parameters with a mixing proportion of zero and is assigned no row.
//
// FitDiag never modifies data, init or s.Weights. It returns an error
// wrapping cluster.ErrNonFinite, ErrRange, ErrWeight, ErrTooFewRows or ErrNoColumns
// for bad data, ErrInit when init does not match the data, and
// ctx.Err() if ctx is cancelled; it panics if len(data) != rows*cols,
// len(s.Weights) is neither 0 nor rows, or the settings are negative.
func FitDiag(ctx context.Context, data []float64, rows, cols int, init *cluster.Result, s Settings) (*Result, error) {
	if s.MaxIter < 0 || s.Threads < 0 || s.VarFloor < 0 || math.IsNaN(s.Tol) || math.IsNaN(s.VarFloor) || math.IsInf(s.VarFloor, 0) {
		panic(fmt.Sprintf("mixture: invalid settings MaxIter=%d Tol=%v VarFloor=%v Threads=%d", s.MaxIter, s.Tol, s.VarFloor, s.Threads))
	}
	if s.MaxIter == 0 {
		s.MaxIter = 300
	}
	if s.Tol == 0 {
		s.Tol = 1e-6
	} else if s.Tol < 0 {
		s.Tol = 0
	}
	if s.VarFloor == 0 {
		s.VarFloor = DefaultVarFloor
	}
	if s.Threads == 0 {
		s.Threads = runtime.GOMAXPROCS(0)
	}
	if init == nil {
		return nil, fmt.Errorf("%w: no k-means result", ErrInit)
	}
	k := init.K
	if k < 1 {
		return nil, fmt.Errorf("%w: K = %d", ErrInit, k)
	}
	if err := validate(data, rows, cols, k, s.Weights); err != nil {
		return nil, err
	}
	if init.Cols != cols || len(init.Centroids) != k*cols || len(init.Assign) != rows {
		return nil, fmt.Errorf("%w: result has K = %d, %d columns, %d centroid values and %d labels; data has %d rows and %d columns",
			ErrInit, k, init.Cols, len(init.Centroids), len(init.Assign), rows, cols)
	}
	for i, a := range init.Assign {
		if a < 0 || a >= k {
			return nil, fmt.Errorf("%w: row %d has label %d, want [0, %d)", ErrInit, i, a, k)
		}
	}
	for i, v := range init.Centroids {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: centroid %d, column %d is %v", ErrInit, i/cols, i%cols, v)
		}
	}

	g := newGMM(data, rows, cols, k, s)
	g.initFrom(init)

	res := &Result{K: k, Cols: cols}
	prev := math.Inf(-1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ll := g.estep()
		res.Trace = append(res.Trace, ll)
		if res.Iterations > 0 && (ll-prev)/g.total <= s.Tol {
			res.Converged = true
			break
		}
		if res.Iterations == s.MaxIter {
			break
		}
		prev = ll
		g.mstep()
		res.Iterations++
	}
	res.LogLik = res.Trace[len(res.Trace)-1]
	res.Means, res.Vars, res.Mix = g.mean, g.vars, g.mix
	res.Assign = make([]int, rows)
	res.Sizes = make([]int, k)
	for i, a := range g.assign {
		res.Assign[i] = int(a)
		res.Sizes[a]++
	}
	res.Params = k*2*cols + k - 1
	res.BIC = -2*res.LogLik + float64(res.Params)*math.Log(g.total)
	return res, nil
}

// gmm holds the state of a FitDiag fit.
type gmm struct {
	data          []float64
	rows, cols, k int
	weights       []float64
	total         float64 // sum of weights
	floor         []float64
	chunk         int
	nChunks       int
	threads       int
	estepFn       func(w, c int)

	mean, vars, mix []float64
	// Per component: its log normalising constant plus log mixing
	// proportion, and the inverse variances (K×cols).
	logc, inv []float64
	// Per chunk: the chunk's statistics, laid out as K weights, then K×cols
	// sums of (x − mean), then K×cols sums of (x − mean)², all relative to
	// the current means, and its log-likelihood.
	stats [][]float64
	ll    []float64
	// Per worker: scratch for one row's K log densities.
	scratch [][]float64
	assign  []int32
}

func newGMM(data []float64, rows, cols, k int, s Settings) *gmm {
	chunk := chunkRows(rows, 2*cols+1, k)
	g := &gmm{
		data: data, rows: rows, cols: cols, k: k, weights: s.Weights, threads: s.Threads,
		chunk: chunk, nChunks: (rows + chunk - 1) / chunk,
		mean: make([]float64, k*cols), vars: make([]float64, k*cols), mix: make([]float64, k),
		logc: make([]float64, k), inv: make([]float64, k*cols),
		assign: make([]int32, rows),
	}
	g.stats = make([][]float64, g.nChunks)
	for c := range g.stats {
		g.stats[c] = make([]float64, k*(2*cols+1))
	}
	g.ll = make([]float64, g.nChunks)
	g.scratch = make([][]float64, s.Threads)
	for w := range g.scratch {
		g.scratch[w] = make([]float64, k)
	}
	g.estepFn = g.estepChunk
	// The overall weighted mean and variance of each column, for the floor.
	g.floor = make([]float64, cols)
	mu := make([]float64, cols)
	for i := range rows {
		w := g.weight(i)
		g.total += w
		for d, v := range data[i*cols : (i+1)*cols] {
			mu[d] += w * v
		}
	}
	for d := range mu {
		mu[d] /= g.total
	}
	for i := range rows {
		w := g.weight(i)
		for d, v := range data[i*cols : (i+1)*cols] {
			x := v - mu[d]
			g.floor[d] += w * x * x
		}
	}
	for d := range g.floor {
		g.floor[d] = s.VarFloor * g.floor[d] / g.total
		if !(g.floor[d] > 0) {
			// A constant column: any positive floor keeps the densities
			// finite, and every component then has the same variance in
			// it, so it does not change the posteriors.
			g.floor[d] = s.VarFloor
		}
	}
	return g
}

func (g *gmm) weight(i int) float64 {
	if g.weights == nil {
		return 1
	}
	return g.weights[i]
}

// initFrom sets the parameters from a k-means fit: the centroids, the
// weighted per-column variances of its clusters about them (floored) and
// the weighted cluster shares.
func (g *gmm) initFrom(r *cluster.Result) {
	cols := g.cols
	copy(g.mean, r.Centroids)
	for i, a := range r.Assign {
		w := g.weight(i)
		g.mix[a] += w
		m := g.mean[a*cols : (a+1)*cols]
		v := g.vars[a*cols : (a+1)*cols]
		for d, x := range g.data[i*cols : (i+1)*cols] {
			e := x - m[d]
			v[d] += w * e * e
		}
	}
	for j := range g.k {
		for d := range cols {
			v := 0.0
			if g.mix[j] > 0 {
				v = g.vars[j*cols+d] / g.mix[j]
			}
			g.vars[j*cols+d] = max(v, g.floor[d])
		}
		g.mix[j] /= g.total
	}
	g.prepare()
}

// prepare computes each component's log constant and inverse variances.
func (g *gmm) prepare() {
	cols := g.cols
	for j := range g.k {
		if !(g.mix[j] > 0) {
			g.logc[j] = math.Inf(-1)
			continue
		}
		c := math.Log(g.mix[j])
		for d := range cols {
			v := g.vars[j*cols+d]
			c -= 0.5 * math.Log(2*math.Pi*v)
			g.inv[j*cols+d] = 1 / v
		}
		g.logc[j] = c
	}
}

// estep computes every row's posterior, label and log-likelihood under the
// current parameters and the chunks' statistics for the M-step, and
// returns the (weighted) log-likelihood.
func (g *gmm) estep() float64 {
	parallel(g.threads, g.nChunks, g.estepFn)
	var ll float64
	for _, v := range g.ll {
		ll += v
	}
	return ll
}

func (g *gmm) estepChunk(w, c int) {
	k, cols := g.k, g.cols
	lo, hi := c*g.chunk, min((c+1)*g.chunk, g.rows)
	st := g.stats[c]
	clear(st)
	nk, s1, s2 := st[:k], st[k:k+k*cols], st[k+k*cols:]
	lp := g.scratch[w]
	var ll float64
	for i := lo; i < hi; i++ {
		x := g.data[i*cols : (i+1)*cols]
		best, bj := math.Inf(-1), 0
		for j := range k {
			if math.IsInf(g.logc[j], -1) {
				lp[j] = math.Inf(-1)
				continue
			}
			m := g.mean[j*cols : (j+1)*cols]
			iv := g.inv[j*cols : (j+1)*cols]
			var q float64
			for d, v := range x {
				e := v - m[d]
				q += e * e * iv[d]
			}
			lp[j] = g.logc[j] - 0.5*q
			if lp[j] > best {
				best, bj = lp[j], j
			}
		}
		g.assign[i] = int32(bj)
		var sum float64
		for j := range k {
			sum += math.Exp(lp[j] - best)
		}
		lse := best + math.Log(sum)
		wi := g.weight(i)
		ll += wi * lse
		if wi == 0 {
			continue
		}
		for j := range k {
			r := wi * math.Exp(lp[j]-lse)
			if r == 0 {
				continue
			}
			nk[j] += r
			m := g.mean[j*cols : (j+1)*cols]
			a := s1[j*cols : (j+1)*cols]
			b := s2[j*cols : (j+1)*cols]
			for d, v := range x {
				e := v - m[d]
				a[d] += r * e
				b[d] += r * e * e
			}
		}
	}
	g.ll[c] = ll
}

// mstep sets the parameters from the statistics of the last E-step, summed
// in chunk order.
func (g *gmm) mstep() {
	k, cols := g.k, g.cols
	tot := make([]float64, k*(2*cols+1))
	for _, st := range g.stats {
		for i, v := range st {
			tot[i] += v
		}
	}
	nk, s1, s2 := tot[:k], tot[k:k+k*cols], tot[k+k*cols:]
	for j := range k {
		// A component whose responsibilities underflow to nothing keeps
		// its parameters and drops out with a mixing proportion of zero.
		if !(nk[j] > 1e-12*g.total) {
			g.mix[j] = 0
			continue
		}
		g.mix[j] = nk[j] / g.total
		for d := range cols {
			// Sums relative to the old mean m: the new mean is m + s1/n and
			// the variance s2/n − (s1/n)², which loses little precision
			// because m is close to the new mean.
			sh := s1[j*cols+d] / nk[j]
			g.mean[j*cols+d] += sh
			g.vars[j*cols+d] = max(s2[j*cols+d]/nk[j]-sh*sh, g.floor[d])
		}
	}
	g.prepare()
}

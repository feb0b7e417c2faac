package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
)

// Settings configures KMeans. The zero value of every field except K
// selects the documented default.
type Settings struct {
	// K is the number of clusters. It must be at least 1.
	K int
	// NInit is the number of restarts, each from its own greedy k-means++
	// seeding; the restart with the lowest inertia is kept. Default 10.
	NInit int
	// MaxIter bounds the Lloyd iterations of each restart. Default 300.
	MaxIter int
	// Tol is the relative convergence tolerance: a restart stops when the
	// total squared centroid shift of an iteration is at most Tol times the
	// mean per-column variance of the data (scikit-learn's definition).
	// Default 1e-4; a negative value means 0, that is, iterate until no
	// label changes or MaxIter is reached.
	Tol float64
	// Seed is the only source of randomness: restart seeds are drawn from a
	// PCG generator seeded with it. The same data, settings and Seed give
	// bit-identical results on any number of threads.
	Seed uint64
	// Threads is the number of goroutines used. Default runtime.GOMAXPROCS(0).
	Threads int
	// LocalTrials is the number of candidates greedy k-means++ draws for
	// each centroid after the first. Default 2 + floor(ln K).
	LocalTrials int
	// Init, when not nil, holds K initial centroids (K rows of cols
	// values, row-major) used instead of k-means++ seeding: one fit is run
	// from them (NInit is ignored). This is seeded k-means: the centroids
	// of labelled groups as the starting point, refined by Lloyd
	// iterations. Init is not modified.
	Init []float64
	// Weights are optional non-negative sample weights, one per row. Nil
	// means every row has weight 1. Centroids are weighted means and the
	// inertia is weighted.
	Weights []float64
	// Refine, when Init is nil and K is at least 2, refines the restart
	// with the lowest inertia by split–remove moves: one centroid is
	// removed and another cluster split in two, Lloyd iterations run from
	// the result, and the move is kept when it lowers the inertia (see
	// the package documentation, "Algorithm"). Lloyd's iterations cannot
	// leave a local optimum where two centroids share one group of the
	// data while another straddles two, and with many clusters random
	// restarts rarely avoid one. The refinement draws nothing at random.
	// Off by default, so that KMeans is plain k-means++ and Lloyd (as in
	// scikit-learn); SelectK turns it on for its fits.
	Refine bool
}

// Result is a fitted clustering. Clusters are numbered canonically: by size
// descending, ties broken by the lexicographic order of the centroid
// coordinates.
type Result struct {
	K    int
	Cols int
	// Centroids holds K rows of Cols coordinates, row-major.
	Centroids []float64
	// Assign is the cluster of each row, in [0, K).
	Assign []int
	// Distance is the Euclidean (not squared) distance of each row to its
	// centroid.
	Distance []float64
	// Sizes is the number of rows in each cluster (unweighted).
	Sizes []int
	// Inertia is the sum over rows of weight times squared distance.
	Inertia float64
	// Iterations is the number of Lloyd iterations of the winning restart.
	Iterations int
	// Converged reports whether the winning restart met the tolerance, or
	// reached a state where no label changes, before MaxIter.
	Converged bool
	// Seed is the seed the result was fitted with, recorded for the output.
	Seed uint64
	// Restart is the zero-based index of the winning restart.
	Restart int

	// fromInit maps each centroid of a fit started from Settings.Init to
	// its cluster number in the result: fromInit[j] is the cluster grown
	// from Init's row j (canonical numbering renumbers them by size).
	fromInit []int
}

// Centroid returns row j of r.Centroids. The slice aliases r.Centroids.
func (r *Result) Centroid(j int) []float64 {
	return r.Centroids[j*r.Cols : (j+1)*r.Cols : (j+1)*r.Cols]
}

func (s Settings) withDefaults() Settings {
	if s.K < 1 {
		panic(fmt.Sprintf("cluster: K = %d, want at least 1", s.K))
	}
	if s.NInit < 0 || s.MaxIter < 0 || s.Threads < 0 || s.LocalTrials < 0 || math.IsNaN(s.Tol) {
		panic(fmt.Sprintf("cluster: invalid settings %+v", s))
	}
	if s.NInit == 0 {
		s.NInit = 10
	}
	if s.MaxIter == 0 {
		s.MaxIter = 300
	}
	if s.Tol == 0 {
		s.Tol = 1e-4
	} else if s.Tol < 0 {
		s.Tol = 0
	}
	if s.Threads == 0 {
		s.Threads = runtime.GOMAXPROCS(0)
	}
	if s.LocalTrials == 0 {
		s.LocalTrials = 2 + int(math.Log(float64(s.K)))
	}
	return s
}

// restartSeeds derives one seed per restart from seed.
func restartSeeds(seed uint64, n int) []uint64 {
	rng := rand.New(rand.NewPCG(seed, 0x5e9a1c7b3d2f4e60))
	out := make([]uint64, n)
	for i := range out {
		out[i] = rng.Uint64()
	}
	return out
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// meanVariance returns the mean over columns of the population variance of
// each column.
func meanVariance(data []float64, rows, cols int) float64 {
	if rows == 0 || cols == 0 {
		return 0
	}
	mean := make([]float64, cols)
	for i := range rows {
		for j, v := range data[i*cols : (i+1)*cols] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(rows)
	}
	// Row by row, each column summed in row order.
	ss := make([]float64, cols)
	for i := range rows {
		for j, v := range data[i*cols : (i+1)*cols] {
			d := v - mean[j]
			ss[j] += d * d
		}
	}
	var total float64
	for _, s := range ss {
		total += s / float64(rows)
	}
	return total / float64(cols)
}

// validate checks the matrix and weights: misuse panics, data problems
// return an error.
func validate(data []float64, rows, cols, k int, weights []float64) error {
	if err := checkMatrix(data, rows, cols); err != nil {
		return err
	}
	if err := checkWeights(weights, rows); err != nil {
		return err
	}
	if rows < k {
		return fmt.Errorf("%w: %d rows, K = %d", ErrTooFewRows, rows, k)
	}
	return nil
}

// KMeans partitions the rows of the row-major rows×cols matrix data into
// s.K clusters by Lloyd's algorithm, accelerated with Hamerly's bounds,
// from s.NInit greedy k-means++ seedings, and returns the fit with the
// lowest inertia.
//
// KMeans never modifies data or s.Weights. It returns an error wrapping
// ErrNonFinite, ErrRange, ErrWeight, ErrTooFewRows or ErrNoColumns for bad
// data, and ctx.Err() if ctx is cancelled; it panics if len(data) !=
// rows*cols, len(s.Weights) is neither 0 nor rows, or the settings are
// invalid.
func KMeans(ctx context.Context, data []float64, rows, cols int, s Settings) (*Result, error) {
	s = s.withDefaults()
	if err := validate(data, rows, cols, s.K, s.Weights); err != nil {
		return nil, err
	}
	tol := s.Tol * meanVariance(data, rows, cols)

	var (
		best      = -1
		bestIn    = math.Inf(1)
		bestCent  = make([]float64, s.K*cols)
		bestAsg   = make([]int32, rows)
		bestDist  = make([]float64, rows)
		bestIters int
		bestConv  bool
	)
	seeds := restartSeeds(s.Seed, s.NInit)
	if s.Init != nil {
		if len(s.Init) != s.K*cols {
			panic(fmt.Sprintf("cluster: len(Init) = %d, want K*cols = %d", len(s.Init), s.K*cols))
		}
		for i, v := range s.Init {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &DataError{Row: i / cols, Col: i % cols, Err: ErrNonFinite}
			}
		}
		seeds = seeds[:1]
	}
	// Restarts run side by side, as many at once as memory allows; each is
	// a complete, independent fit from its own seed.
	group := runsAtOnce(len(seeds), rows, cols, s.K)
	e := newEngineRuns(data, rows, cols, s.K, s.Weights, s.Threads, s.LocalTrials, group)
	defer e.close()
	rngs := make([]*rand.Rand, 0, group)
	for r0 := 0; r0 < len(seeds); r0 += group {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(group, len(seeds)-r0)
		if s.Init != nil {
			copy(e.runs[0].cent, s.Init)
			e.activate(1)
		} else {
			rngs = rngs[:0]
			for _, seed := range seeds[r0 : r0+n] {
				rngs = append(rngs, newRand(seed))
			}
			e.seedRuns(rngs)
		}
		if _, _, err := e.lloyd(ctx, s.MaxIter, tol); err != nil {
			return nil, err
		}
		for j := range n {
			ru := &e.runs[j]
			if best < 0 || ru.inertia < bestIn {
				best, bestIn, bestIters, bestConv = r0+j, ru.inertia, ru.iters, ru.converged
				copy(bestCent, ru.cent)
				copy(bestAsg, ru.assign)
				copy(bestDist, ru.upper)
			}
		}
	}
	if s.Init == nil && s.Refine {
		in, ok, iters, conv, err := refineFit(ctx, e, data, rows, cols, s, tol, bestCent, bestAsg, bestDist, bestIn)
		if err != nil {
			return nil, err
		}
		if ok {
			bestIn, bestIters, bestConv = in, iters, conv
		}
	}
	res := &Result{
		K: s.K, Cols: cols,
		Centroids:  bestCent,
		Assign:     make([]int, rows),
		Distance:   bestDist,
		Inertia:    bestIn,
		Iterations: bestIters,
		Converged:  bestConv,
		Seed:       s.Seed,
		Restart:    best,
	}
	for i, a := range bestAsg {
		res.Assign[i] = int(a)
	}
	res.canonicalize()
	return res, nil
}

// lloyd runs Lloyd iterations of every active run from its centroids until
// convergence or maxIter, then its final assignment pass, checking ctx
// before each pass over the data. Runs that converge early drop out of the
// passes; the others go on. It returns the iterations of run 0 and whether
// it converged; the results of each run are left in its state.
func (e *engine) lloyd(ctx context.Context, maxIter int, tol float64) (iters int, converged bool, err error) {
	e.reset()
	set := len(e.act) // the active runs are [0, set)
	for r := range set {
		e.runs[r].maxIter, e.runs[r].tol = maxIter, tol
	}
	for {
		if err := ctx.Err(); err != nil {
			e.activate(set)
			return e.runs[0].iters, false, err
		}
		e.act = e.act[:0]
		for r := range set {
			if !e.runs[r].done {
				e.act = append(e.act, r)
			}
		}
		if len(e.act) == 0 {
			break
		}
		e.pass()
	}
	e.activate(set)
	return e.runs[0].iters, e.runs[0].converged, nil
}

// canonicalize renumbers clusters by size descending, ties broken by the
// lexicographic order of the centroids, and fills Sizes.
func (r *Result) canonicalize() {
	k, cols := r.K, r.Cols
	sizes := make([]int, k)
	for _, a := range r.Assign {
		sizes[a]++
	}
	order := make([]int, k)
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if sizes[a] != sizes[b] {
			return sizes[b] - sizes[a]
		}
		ca := r.Centroids[a*cols : (a+1)*cols]
		cb := r.Centroids[b*cols : (b+1)*cols]
		for d := range ca {
			if ca[d] < cb[d] {
				return -1
			}
			if ca[d] > cb[d] {
				return 1
			}
		}
		return 0
	})
	newID := make([]int, k)
	cent := make([]float64, k*cols)
	r.Sizes = make([]int, k)
	for nj, oj := range order {
		newID[oj] = nj
		copy(cent[nj*cols:(nj+1)*cols], r.Centroids[oj*cols:(oj+1)*cols])
		r.Sizes[nj] = sizes[oj]
	}
	r.Centroids = cent
	for i, a := range r.Assign {
		r.Assign[i] = newID[a]
	}
	r.fromInit = newID
}

// Predict writes to dst the nearest centroid of each row of the row-major
// matrix data, which must have r.Cols columns, and returns dst. If dst is
// nil a new slice is allocated; otherwise it must have one element per row.
// Ties go to the lower cluster number. Predict panics on mismatched
// lengths; it does not check data for NaN.
func (r *Result) Predict(dst []int, data []float64) []int {
	if r.Cols == 0 || len(data)%r.Cols != 0 {
		panic(fmt.Sprintf("cluster: len(data) = %d is not a multiple of Cols = %d", len(data), r.Cols))
	}
	rows := len(data) / r.Cols
	if dst == nil {
		dst = make([]int, rows)
	}
	if len(dst) != rows {
		panic(fmt.Sprintf("cluster: len(dst) = %d, want %d rows", len(dst), rows))
	}
	cols := r.Cols
	for i := range rows {
		x := data[i*cols : (i+1)*cols]
		best, bi := math.Inf(1), 0
		for j := range r.K {
			if d := dist2(x, r.Centroids[j*cols:]); d < best {
				best, bi = d, j
			}
		}
		dst[i] = bi
	}
	return dst
}

// Distance returns the Euclidean distance between x and the first len(x)
// elements of c. The outputs' distances to the centroids are computed with
// it, so they do not depend on which kernel a fit or an assignment used.
func Distance(x, c []float64) float64 { return math.Sqrt(dist2(x, c)) }

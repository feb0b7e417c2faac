package cluster

import (
	"math"
	"math/rand/v2"
)

// minChunkRows is the smallest number of rows in a chunk, the unit of
// parallel work. The chunk size depends only on the shape of the problem,
// never on the number of threads, which is what makes results identical on
// any number of threads.
const minChunkRows = 512

// maxChunkFloats bounds the memory held by per-chunk partial sums.
const maxChunkFloats = 1 << 22

// chunkRows returns the rows per chunk for a rows×cols matrix and k
// clusters.
func chunkRows(rows, cols, k int) int {
	// nChunks·k·cols <= maxChunkFloats  ⇔  chunk >= rows·k·cols/maxChunkFloats.
	return max(minChunkRows, (rows*k*cols+maxChunkFloats-1)/maxChunkFloats)
}

// maxRunBytes bounds the memory of the per-row and per-chunk state of the
// restarts an engine runs side by side (see runsAtOnce).
const maxRunBytes = 1 << 30

// runsAtOnce returns how many of n restarts to run side by side on a
// rows×cols matrix with k clusters: all of them unless their state would
// exceed maxRunBytes. It depends only on the shape of the problem.
func runsAtOnce(n, rows, cols, k int) int {
	chunk := chunkRows(rows, cols, k)
	nChunks := (rows + chunk - 1) / chunk
	per := 20*rows + nChunks*(8*k*cols+12*k+64)
	return max(1, min(n, maxRunBytes/max(per, 1)))
}

// allowF32 lets engines measure in float32 first (see engine.use32); tests
// turn it off to compare with the float64-only path.
var allowF32 = true

// engine holds every buffer a k-means fit needs. It runs several restarts
// (runs) side by side: every pass over the data takes each chunk of rows
// once and applies it to every active run, so that a chunk is read from
// memory once per pass rather than once per run. Runs are independent: a
// run's results do not depend on which other runs share the engine. The
// engine is allocated once per fit and reused, so Lloyd iterations do not
// allocate.
type engine struct {
	data          []float64 // rows×cols, read only
	rows, cols, k int
	weights       []float64 // nil means unit weights
	chunk         int
	nChunks       int
	pool          *pool
	trials        int

	runs []run
	act  []int // indices of the runs taking part in the current pass

	work []work // per pool goroutine scratch space

	// For k <= 16 with the vector kernels, the rows measured against
	// every centroid during Lloyd iterations are first measured in
	// float32 (nearest16DotF32Vector), on the matrix centred on its column
	// means (distances do not change, norms shrink); the exact float64
	// measure is taken only when the nearest and second nearest are too
	// close for float32 to separate them (dotF32Margin).
	use32  bool
	mean   []float64 // cols: column means
	data32 []float32 // rows×cols: rows minus mean
	xn32   []float32 // rows: squared norm of each centred row
	xNorm  []float64 // rows: norm of each centred row
	keys32 [2 * groupOf32]uint32

	// cent, assign and upper alias the buffers of run 0, for callers that
	// use the engine for a single run.
	cent   []float64
	assign []int32
	upper  []float64

	passFn, updateFn, seedFirstFn, seedTrialFn, seedDrawFn, seedPickFn func(int, int)
}

// work is the scratch space of one pool goroutine.
type work struct {
	dk   []float64 // distances from one row to every centroid or candidate
	rows []int32   // rows of the chunk whose bounds failed
	labs []int32   // their labels
	m    []float64 // their bounds
	w    []float64 // their weights
	d    []float64 // their squared distances to their centroids
	full []int32   // rows to measure against every centroid
	rej  []int32   // positions in full of the rows float32 cannot settle
	mv   []int32   // rows that change label, with their old and new labels
	mvFr []int32
	mvTo []int32
	out  []nearOut
}

// run is the state of one restart.
type run struct {
	cent, centNew []float64 // k×cols
	centT         []float64 // cent in the centre-minor layout of dist2Groups
	pad           []float64 // 12: 0 for a centroid's lane, +Inf past k (nearest12)
	centT32       []float32 // cent minus mean as float32, for nearest16DotF32Vector
	cn32          []float32 // 16: squared norm of each centred centroid
	cNorm         float64   // largest norm of a centred centroid
	half          []float64 // k: half the distance to the nearest other centroid
	shift         []float64 // k: distance each centroid moved in the last update
	dec           []float64 // k: largest shift of another centroid than each
	maxShift      float64
	secondShift   float64
	maxShiftIdx   int32
	full          bool // next assignment pass computes every distance
	// noRefresh: rows whose bounds fail are measured against every
	// centroid at once, without first measuring their own centroid. It
	// is decided after each pass from chunkFailed and chunkSettled: the
	// refresh is kept while it settles at least half the rows it
	// measures.
	noRefresh bool
	finishing bool // next pass is the final one: assign, no sums, inertia
	done      bool

	// During Lloyd iterations: label, upper bound on the distance to the
	// own centroid (after the final pass: that distance), lower bound on
	// the distance to any other centroid. During seeding assign and upper
	// hold the nearest chosen centre and the squared distance to it.
	assign []int32
	upper  []float64
	lower  []float64

	// Weighted sums of the rows of each cluster, kept up to date from the
	// rows that change label. Each chunk adds the changes of its rows, in
	// row order, to its own delta buffers; deltas are folded into the sums
	// in chunk order, so the sums do not depend on the number of threads.
	sum   []float64 // k×cols
	wsum  []float64 // k
	count []int     // k: rows of positive weight
	dSum  []float64 // nChunks×k×cols
	dW    []float64 // nChunks×k
	dN    []int32   // nChunks×k
	dMark []bool    // nChunks: the chunk's deltas hold changes of this pass

	chunkChanged []int     // nChunks
	chunkFailed  []int     // nChunks: rows whose bounds failed
	chunkSettled []int     // nChunks: of those, rows their own centroid's distance settles
	chunkInertia []float64 // nChunks

	// Iteration results.
	changed, relocated int
	shiftTot           float64
	iters              int
	converged          bool
	inertia            float64
	maxIter            int
	tol                float64

	empties []int
	farIdx  []int
	farDist []float64

	// Greedy k-means++ state.
	rng          *rand.Rand
	seedStep     int       // index of the centroid being chosen
	pot          float64   // current potential
	cands        []int     // trials: candidate rows
	candPot      []float64 // trials
	chunkPot     []float64 // nChunks×potStride
	chunkClosest []float64 // nChunks: Σ w·closest over the chunk
	candBuf      []float64 // trials×cols: the candidate rows
	candT        []float64 // the candidates, centre-minor
	firstRow     int
	pending      int // row chosen last step not yet folded into closest, or -1
	pendingIdx   int32
}

func newEngine(data []float64, rows, cols, k int, weights []float64, threads, trials int) *engine {
	return newEngineRuns(data, rows, cols, k, weights, threads, trials, 1)
}

// newEngineRuns returns an engine that can run nRuns restarts side by side.
func newEngineRuns(data []float64, rows, cols, k int, weights []float64, threads, trials, nRuns int) *engine {
	chunk := chunkRows(rows, cols, k)
	nChunks := (rows + chunk - 1) / chunk
	kPad := (k + groupOf - 1) / groupOf * groupOf
	tPad := (trials + groupOf - 1) / groupOf * groupOf
	e := &engine{
		data: data, rows: rows, cols: cols, k: k, weights: weights,
		chunk: chunk, nChunks: nChunks, trials: trials,
		pool: newPool(threads),
		runs: make([]run, nRuns),
		act:  make([]int, 0, nRuns),
	}
	e.work = make([]work, e.pool.threads)
	for w := range e.work {
		e.work[w] = work{
			dk:   make([]float64, max(kPad, tPad)+8),
			rows: make([]int32, chunk+8),
			labs: make([]int32, chunk+8),
			m:    make([]float64, chunk),
			w:    make([]float64, chunk),
			d:    make([]float64, chunk),
			full: make([]int32, chunk+8),
			rej:  make([]int32, chunk+8),
			mv:   make([]int32, chunk+8),
			mvFr: make([]int32, chunk),
			mvTo: make([]int32, chunk),
			out:  make([]nearOut, chunk),
		}
	}
	potStride := (trials+7)/8*8 + 8
	for r := range e.runs {
		e.runs[r] = run{
			cent:         make([]float64, k*cols),
			centNew:      make([]float64, k*cols),
			centT:        make([]float64, max(kPad, 12)*cols),
			pad:          make([]float64, 12),
			centT32:      make([]float32, 2*groupOf32*cols),
			cn32:         make([]float32, 2*groupOf32),
			half:         make([]float64, k),
			shift:        make([]float64, k),
			dec:          make([]float64, k),
			assign:       make([]int32, rows),
			upper:        make([]float64, rows),
			lower:        make([]float64, rows),
			sum:          make([]float64, k*cols),
			wsum:         make([]float64, k),
			count:        make([]int, k),
			dSum:         make([]float64, nChunks*k*cols),
			dW:           make([]float64, nChunks*k),
			dN:           make([]int32, nChunks*k),
			dMark:        make([]bool, nChunks),
			chunkChanged: make([]int, nChunks),
			chunkFailed:  make([]int, nChunks),
			chunkSettled: make([]int, nChunks),
			chunkInertia: make([]float64, nChunks),
			empties:      make([]int, 0, k),
			farIdx:       make([]int, 0, k),
			farDist:      make([]float64, 0, k),
			cands:        make([]int, trials),
			candPot:      make([]float64, trials),
			chunkPot:     make([]float64, nChunks*potStride),
			chunkClosest: make([]float64, nChunks),
			candBuf:      make([]float64, trials*cols),
			candT:        make([]float64, tPad*cols),
		}
	}
	for r := range e.runs {
		for j := k; j < 12; j++ {
			e.runs[r].pad[j] = math.Inf(1)
		}
	}
	e.use32 = allowF32 && useVector && useNear12 && k <= 2*groupOf32 && cols > 0
	if e.use32 {
		e.mean = make([]float64, cols)
		for i := range rows {
			for d, v := range e.row(i) {
				e.mean[d] += v
			}
		}
		for d := range e.mean {
			e.mean[d] /= float64(rows)
		}
		e.data32 = make([]float32, rows*cols)
		e.xn32 = make([]float32, rows)
		e.xNorm = make([]float64, rows)
		for i := range rows {
			var s float64
			for d, v := range e.row(i) {
				c := v - e.mean[d]
				e.data32[i*cols+d] = float32(c)
				s += c * c
			}
			e.xn32[i] = float32(s)
			e.xNorm[i] = math.Sqrt(s)
		}
		for j := range e.keys32 {
			e.keys32[j] = uint32(j)
			if j >= k {
				e.keys32[j] = 1<<32 - 1
			}
		}
	}
	e.alias()
	e.passFn = e.passChunk
	e.updateFn = e.updateRun
	e.seedFirstFn = e.seedFirstChunk
	e.seedTrialFn = e.seedTrialChunk
	e.seedDrawFn = e.seedDraw
	e.seedPickFn = e.seedPick
	return e
}

// alias points e.cent, e.assign and e.upper at run 0.
func (e *engine) alias() {
	r := &e.runs[0]
	e.cent, e.assign, e.upper = r.cent, r.assign, r.upper
}

func (e *engine) close() { e.pool.close() }

func (e *engine) span(c int) (lo, hi int) {
	lo = c * e.chunk
	return lo, min(lo+e.chunk, e.rows)
}

func (e *engine) row(i int) []float64 {
	return e.data[i*e.cols : (i+1)*e.cols : (i+1)*e.cols]
}

func (e *engine) weight(i int) float64 {
	if e.weights == nil {
		return 1
	}
	return e.weights[i]
}

// dist2 returns the squared Euclidean distance between x and the first
// len(x) elements of c.
func dist2(x, c []float64) float64 {
	c = c[:len(x)]
	var s0, s1, s2, s3 float64
	for len(x) >= 4 && len(c) >= 4 {
		d0 := x[0] - c[0]
		d1 := x[1] - c[1]
		d2 := x[2] - c[2]
		d3 := x[3] - c[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		x, c = x[4:], c[4:]
	}
	for i := range x {
		d := x[i] - c[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// dist1 returns the squared distance from x to c with the bits dist2Rows
// and dist2Groups give it.
func dist1(dk, x, c []float64) float64 {
	dist2Rows(dk[:1], x, c)
	return dk[0]
}

// activate makes runs [0, n) the active ones.
func (e *engine) activate(n int) {
	e.act = e.act[:0]
	for r := range n {
		e.act = append(e.act, r)
	}
}

// ---- greedy k-means++ ----

// seedRuns seeds runs [0, len(rngs)) side by side, run r from rngs[r].
func (e *engine) seedRuns(rngs []*rand.Rand) {
	for r, rng := range rngs {
		e.runs[r].rng = rng
	}
	e.activate(len(rngs))
	e.seedActive()
}

// seedActive chooses k initial centroids for each active run by greedy
// k-means++: the first is a row drawn with probability proportional to
// its weight; each next one is the best, by resulting potential, of
// e.trials rows drawn with probability proportional to weight times
// squared distance to the nearest chosen centroid.
//
// Each trial pass measures every row against every candidate, in one
// branch-free loop per chunk. (Skipping candidates by the triangle
// inequality was tried: on standardised, overlapping data it spared under
// 2 % of the rows and its tests cost more than it saved.) The distance to
// the chosen candidate is measured again (same bits) when it is folded
// into the row's nearest centre in the next pass, rather than stored for
// every candidate.
func (e *engine) seedActive() {
	cols := e.cols
	for _, r := range e.act {
		ru := &e.runs[r]
		ru.firstRow = e.drawByWeight(ru.rng)
		copy(ru.cent[:cols], e.row(ru.firstRow))
		ru.pending = -1
	}
	e.pool.run(e.nChunks, e.seedFirstFn)
	for _, r := range e.act {
		ru := &e.runs[r]
		ru.pot = 0
		for _, s := range ru.chunkClosest {
			ru.pot += s
		}
	}
	for c := 1; c < e.k; c++ {
		for _, r := range e.act {
			e.runs[r].seedStep = c
		}
		e.pool.run(len(e.act), e.seedDrawFn)
		e.pool.run(e.nChunks, e.seedTrialFn)
		e.pool.run(len(e.act), e.seedPickFn)
	}
}

// seedDraw draws the candidates of active run e.act[j] for its next
// centroid.
func (e *engine) seedDraw(_, j int) {
	ru := &e.runs[e.act[j]]
	cols, T := e.cols, e.trials
	for t := range T {
		id := e.drawByPotential(ru, ru.rng.Float64()*ru.pot)
		if id < 0 {
			id = ru.rng.IntN(e.rows)
		}
		ru.cands[t] = id
	}
	for t, id := range ru.cands {
		copy(ru.candBuf[t*cols:(t+1)*cols], e.row(id))
	}
	transposeGroups(ru.candT, ru.candBuf, T, cols)
}

// seedPick keeps the best candidate of active run e.act[j].
func (e *engine) seedPick(_, j int) {
	ru := &e.runs[e.act[j]]
	cols, T, c := e.cols, e.trials, ru.seedStep
	potStride := len(ru.chunkPot) / e.nChunks
	clear(ru.candPot)
	for ch := range e.nChunks {
		p := ru.chunkPot[ch*potStride : ch*potStride+T]
		for t, v := range p {
			ru.candPot[t] += v
		}
	}
	best := 0
	for t := 1; t < T; t++ {
		if ru.candPot[t] < ru.candPot[best] {
			best = t
		}
	}
	ru.pot = ru.candPot[best]
	for ch := range e.nChunks {
		ru.chunkClosest[ch] = ru.chunkPot[ch*potStride+best]
	}
	ru.pending = ru.cands[best]
	ru.pendingIdx = int32(c)
	copy(ru.cent[c*cols:(c+1)*cols], e.row(ru.pending))
}

// drawByWeight returns a row drawn with probability proportional to its
// weight (uniformly without weights).
func (e *engine) drawByWeight(rng *rand.Rand) int {
	if e.weights == nil {
		return rng.IntN(e.rows)
	}
	var total float64
	for _, w := range e.weights {
		total += w
	}
	r := rng.Float64() * total
	var acc float64
	last := -1
	for i, w := range e.weights {
		if w > 0 {
			acc += w
			last = i
			if acc > r {
				return i
			}
		}
	}
	return last
}

// closestOf returns the squared distance from row i to the nearest centre
// of ru chosen so far, the pending one included, and that centre: bit for
// bit what the last trial pass summed for the chosen candidate. dk is
// scratch space for one distance.
func (e *engine) closestOf(ru *run, i int, dk []float64) (float64, int32) {
	cl, a := ru.upper[i], ru.assign[i]
	if ru.pending >= 0 {
		if d := dist1(dk, e.row(i), e.row(ru.pending)); d < cl {
			cl, a = d, ru.pendingIdx
		}
	}
	return cl, a
}

// drawByPotential returns the first row at which the running sum of
// weighted squared distances exceeds r, or -1 when every row has zero
// potential.
func (e *engine) drawByPotential(ru *run, r float64) int {
	var dk [1]float64
	wc := func(i int) float64 {
		cl, _ := e.closestOf(ru, i, dk[:])
		return e.weight(i) * cl
	}
	var acc float64
	lastChunk := -1
	for c, s := range ru.chunkClosest {
		if s > 0 {
			lastChunk = c
		}
		if s > 0 && acc+s > r {
			lo, hi := e.span(c)
			a := acc
			lastPos := -1
			for i := lo; i < hi; i++ {
				v := wc(i)
				if v > 0 {
					a += v
					lastPos = i
					if a > r {
						return i
					}
				}
			}
			if lastPos >= 0 {
				return lastPos // rounding put r past the chunk's own running sum
			}
		}
		acc += s
	}
	if lastChunk < 0 {
		return -1
	}
	lo, hi := e.span(lastChunk)
	for i := hi - 1; i >= lo; i-- {
		if wc(i) > 0 {
			return i
		}
	}
	return -1
}

func (e *engine) seedFirstChunk(w, c int) {
	lo, hi := e.span(c)
	wk := &e.work[w]
	n := hi - lo
	for ii := range n {
		wk.rows[ii] = int32(lo + ii)
	}
	clear(wk.labs[:n])
	for _, r := range e.act {
		ru := &e.runs[r]
		// The distances of the chunk's rows to the first centre, with
		// the bits of dist1.
		dist2Gather(ru.upper[lo:hi], e.data, e.row(ru.firstRow), wk.rows[:n], wk.labs[:n], e.cols)
		clear(ru.assign[lo:hi])
		var s float64
		for i := lo; i < hi; i++ {
			s += e.weight(i) * ru.upper[i]
		}
		ru.chunkClosest[c] = s
	}
}

func (e *engine) seedTrialChunk(w, c int) {
	lo, hi := e.span(c)
	T, cols := e.trials, e.cols
	wk := &e.work[w]
	var weights []float64
	if e.weights != nil {
		weights = e.weights[lo:hi]
	}
	for _, r := range e.act {
		ru := &e.runs[r]
		potStride := len(ru.chunkPot) / e.nChunks
		pot := ru.chunkPot[c*potStride : c*potStride+T]
		clear(pot)
		// Fold in the centroid chosen last step (see closestOf), then
		// measure the candidates.
		var pending []float64
		if ru.pending >= 0 {
			pending = e.row(ru.pending)
		}
		seedStep(pot, ru.upper[lo:hi], ru.assign[lo:hi], e.data[lo*cols:hi*cols], pending, ru.pendingIdx, ru.candBuf, ru.candT, weights, wk.dk, cols)
	}
}

// ---- Lloyd iterations with Hamerly bounds ----

// reset prepares the Hamerly state of every active run for a fresh run
// from its centroids.
func (e *engine) reset() {
	if len(e.act) == 0 {
		e.activate(1)
	}
	for _, r := range e.act {
		ru := &e.runs[r]
		for i := range ru.assign {
			ru.assign[i] = -1
		}
		clear(ru.shift)
		ru.maxShift, ru.secondShift, ru.maxShiftIdx = 0, 0, 0
		ru.full, ru.noRefresh = true, false
		ru.finishing, ru.done, ru.converged = false, false, false
		ru.iters = 0
		clear(ru.sum)
		clear(ru.wsum)
		clear(ru.count)
	}
}

// prepare computes, before a pass, the half distances between the
// centroids of run ru and their centre-minor copy.
func (e *engine) prepare(ru *run) {
	k, cols := e.k, e.cols
	for j := range ru.half {
		ru.half[j] = math.Inf(1)
	}
	for j := range k {
		cj := ru.cent[j*cols : (j+1)*cols]
		for l := j + 1; l < k; l++ {
			d := math.Sqrt(dist2(cj, ru.cent[l*cols:(l+1)*cols]))
			ru.half[j] = min(ru.half[j], d/2)
			ru.half[l] = min(ru.half[l], d/2)
		}
	}
	for j := range ru.dec {
		ru.dec[j] = ru.maxShift
		if int32(j) == ru.maxShiftIdx {
			ru.dec[j] = ru.secondShift
		}
	}
	transposeGroups(ru.centT, ru.cent, k, cols)
	if e.use32 {
		transposeGroups32(ru.centT32, ru.cent, k, cols, e.mean)
		ru.cNorm = 0
		for j := range k {
			var s float64
			for d, v := range ru.cent[j*cols : (j+1)*cols] {
				c := v - e.mean[d]
				s += c * c
			}
			ru.cn32[j] = float32(s)
			ru.cNorm = max(ru.cNorm, math.Sqrt(s))
		}
	}
}

// passChunk runs chunk c of the current pass for every active run.
func (e *engine) passChunk(w, c int) {
	wk := &e.work[w]
	for _, r := range e.act {
		ru := &e.runs[r]
		if ru.finishing {
			e.finishChunk(ru, c, wk)
		} else {
			e.assignChunk(ru, c, wk)
		}
	}
}

// assignChunk assigns each row of chunk c to its nearest centroid of run
// ru, using Hamerly's bounds to skip rows whose label cannot change, and
// records the change of each relabelled row in the chunk's deltas. Rows
// are handled in three sweeps: the bounds of every row, the distance to
// its own centroid for the rows whose bounds failed, the distance to every
// centroid for the rows still in doubt.
func (e *engine) assignChunk(ru *run, c int, wk *work) {
	lo, hi := e.span(c)
	k, cols := e.k, e.cols
	cent, centT := ru.cent, ru.centT
	assign, upper, lower := ru.assign[lo:hi], ru.upper[lo:hi], ru.lower[lo:hi]
	ru.dMark[c] = false
	ru.chunkFailed[c], ru.chunkSettled[c] = 0, 0
	nf := 0
	if ru.full {
		for ii := range assign {
			wk.full[nf] = int32(lo + ii)
			nf++
		}
	} else {
		n1 := boundSweep(assign, upper, lower, ru.shift, ru.half, ru.dec, wk.rows, wk.labs, wk.m, lo)
		ru.chunkFailed[c] = n1
		if ru.noRefresh {
			copy(wk.full, wk.rows[:n1])
			nf = n1
		} else {
			dist2Gather(wk.d[:n1], e.data, cent, wk.rows[:n1], wk.labs[:n1], cols)
			for j, d := range wk.d[:n1] {
				i := wk.rows[j]
				u := math.Sqrt(d)
				upper[int(i)-lo] = u
				wk.full[nf] = i
				if u > wk.m[j] {
					nf++
				}
			}
			ru.chunkSettled[c] = n1 - nf
		}
	}
	if nf == 0 {
		ru.chunkChanged[c] = 0
		return
	}
	// Without the refresh, count the rows it would have settled.
	countSettled := !ru.full && ru.noRefresh
	if e.use32 {
		e.assignF32(ru, c, wk, nf, countSettled)
		return
	}
	settled := 0
	fast := useVector && useNear12 && k <= 12
	if fast {
		nearest12Vector(&wk.out[0], &e.data[0], &wk.full[0], nf, &centT[0], cols, &ru.pad[0])
	}
	changed := 0
	dk := wk.dk
	for j, i := range wk.full[:nf] {
		ii := int(i) - lo
		a := assign[ii]
		var (
			b        int
			bsq, ssq float64
		)
		if fast && wk.out[j].b >= 0 {
			o := &wk.out[j]
			b, bsq, ssq = int(o.b), o.bsq, o.ssq
		} else {
			// Measure every centroid; on a tie keep the current label.
			x := e.row(int(i))
			dist2Groups(dk, x, cent, centT, k)
			b, bsq, ssq = nearest2(dk[:k])
			if a >= 0 && int(a) != b && dk[a] == bsq {
				b, ssq = int(a), bsq
			}
		}
		u := math.Sqrt(bsq)
		upper[ii] = u
		lower[ii] = math.Sqrt(ssq)
		if countSettled && int32(b) == a && u <= wk.m[j] {
			settled++
		}
		if int32(b) != a {
			assign[ii] = int32(b)
			wk.mv[changed], wk.mvFr[changed], wk.mvTo[changed] = i, a, int32(b)
			changed++
		}
	}
	ru.chunkChanged[c] = changed
	if changed > 0 {
		e.recordMoves(ru, c, wk.mv[:changed], wk.mvFr[:changed], wk.mvTo[:changed])
	}
	if countSettled {
		ru.chunkSettled[c] = settled
	}
}

// assignF32 measures the nf rows listed in wk.full against every centroid
// of run ru, in float32 first (nearest16DotF32Vector, which also sets the
// labels and bounds of the rows it separates and lists the moves), then
// exactly in float64 for the rows float32 cannot separate, and records the
// moves in the deltas of chunk c, in list order.
func (e *engine) assignF32(ru *run, c int, wk *work, nf int, countSettled bool) {
	k, cols := e.k, e.cols
	consts := [4]float64{1 + 0x1p-18, ru.cNorm, dotF32Margin(0, 1, cols), math.Inf(1)}
	var m *float64
	if countSettled {
		m = &wk.m[0]
	}
	changed, nrej, settled := nearest16DotF32Vector(&e.data32[0], &e.xn32[0], &wk.full[0], nf, &ru.centT32[0], &ru.cn32[0], cols, &e.keys32[0], &e.xNorm[0], &ru.upper[0], &ru.lower[0], &consts[0],
		&ru.assign[0], &wk.mv[0], &wk.mvFr[0], &wk.mvTo[0], &wk.rej[0], m)
	if nrej > 0 {
		// The rejected rows' moves are placeholders (to = -2), in list
		// order: measure those rows exactly, keep the moves that are
		// moves.
		dk := wk.dk
		r, n := 0, 0
		for x := range changed {
			i, a, b := wk.mv[x], wk.mvFr[x], wk.mvTo[x]
			if b == -2 {
				j := wk.rej[r]
				r++
				dist2Groups(dk, e.row(int(i)), ru.cent, ru.centT, k)
				bb, bsq, ssq := nearest2(dk[:k])
				if a >= 0 && int(a) != bb && dk[a] == bsq {
					bb, ssq = int(a), bsq
				}
				b = int32(bb)
				u := math.Sqrt(bsq)
				ru.upper[i] = u
				ru.lower[i] = math.Sqrt(ssq)
				if countSettled && b == a && u <= wk.m[j] {
					settled++
				}
				if b == a {
					continue
				}
				ru.assign[i] = b
			}
			wk.mv[n], wk.mvFr[n], wk.mvTo[n] = i, a, b
			n++
		}
		changed = n
	}
	ru.chunkChanged[c] = changed
	if changed > 0 {
		e.recordMoves(ru, c, wk.mv[:changed], wk.mvFr[:changed], wk.mvTo[:changed])
	}
	if countSettled {
		ru.chunkSettled[c] = settled
	}
}

// recordMoves adds to the deltas of chunk c the moves of rows rows[j]
// from cluster from[j] (-1: none) to cluster to[j], in row order.
func (e *engine) recordMoves(ru *run, c int, rows, from, to []int32) {
	k, cols := e.k, e.cols
	sum := ru.dSum[c*k*cols : (c+1)*k*cols]
	wsum := ru.dW[c*k : (c+1)*k]
	n := ru.dN[c*k : (c+1)*k]
	if !ru.dMark[c] {
		ru.dMark[c] = true
		clear(sum)
		clear(wsum)
		clear(n)
	}
	moveSums(sum, e.data, rows, from, to, e.weights, cols)
	for j, i := range rows {
		w := e.weight(int(i))
		var pos int32
		if w > 0 {
			pos = 1
		}
		if f := from[j]; f >= 0 {
			wsum[f] -= w
			n[f] -= pos
		}
		wsum[to[j]] += w
		n[to[j]] += pos
	}
}

// finishChunk is the final pass of run ru over chunk c: it assigns each
// row to its nearest centroid without moving the centroids, sets upper to
// the exact distance of each row to its centroid and sums the chunk's
// weighted inertia.
func (e *engine) finishChunk(ru *run, c int, wk *work) {
	lo, hi := e.span(c)
	k, cols := e.k, e.cols
	cent, centT := ru.cent, ru.centT
	full := ru.full
	ms, ss, mi := ru.maxShift, ru.secondShift, ru.maxShiftIdx
	dk := wk.dk
	changed := 0
	var inertia float64
	if !full {
		// Every row's distance to its own centroid, with the bits of
		// dist1.
		n := hi - lo
		for ii := range n {
			wk.rows[ii] = int32(lo + ii)
		}
		copy(wk.labs[:n], ru.assign[lo:hi])
		dist2Gather(wk.d[:n], e.data, cent, wk.rows[:n], wk.labs[:n], cols)
	}
	for i := lo; i < hi; i++ {
		x := e.data[i*cols : (i+1)*cols : (i+1)*cols]
		a := ru.assign[i]
		var d float64
		measure := full
		if !full {
			l := ru.lower[i]
			if a == mi {
				l -= ss
			} else {
				l -= ms
			}
			d = wk.d[i-lo]
			measure = math.Sqrt(d) > max(ru.half[a], l)
		}
		if measure {
			dist2Groups(dk, x, cent, centT, k)
			b, bsq, _ := nearest2(dk[:k])
			if a >= 0 && int(a) != b && dk[a] == bsq {
				b = int(a)
			}
			if int32(b) != a {
				ru.assign[i] = int32(b)
				changed++
			}
			d = bsq
		}
		ru.upper[i] = math.Sqrt(d)
		inertia += e.weight(i) * d
	}
	ru.chunkChanged[c] = changed
	ru.chunkInertia[c] = inertia
}

// pass runs one pass over the data for every active run: a Lloyd
// iteration for the running ones, the final assignment for the finishing
// ones, then updates each run.
func (e *engine) pass() {
	for _, r := range e.act {
		e.prepare(&e.runs[r])
	}
	e.pool.run(e.nChunks, e.passFn)
	e.pool.run(len(e.act), e.updateFn)
	e.alias()
}

// updateRun folds the results of the pass into active run e.act[j]: for a
// finishing run, its inertia; otherwise its cluster sums, empty-cluster
// relocation and new centroids.
func (e *engine) updateRun(_, j int) {
	ru := &e.runs[e.act[j]]
	ru.full = false
	if ru.finishing {
		ru.inertia = 0
		for _, v := range ru.chunkInertia {
			ru.inertia += v
		}
		ru.finishing, ru.done = false, true
		return
	}
	k, cols := e.k, e.cols
	kc := k * cols
	changed, failed, settled := 0, 0, 0
	for c := range e.nChunks {
		changed += ru.chunkChanged[c]
		failed += ru.chunkFailed[c]
		settled += ru.chunkSettled[c]
		if !ru.dMark[c] {
			continue
		}
		part := ru.dSum[c*kc : (c+1)*kc]
		for i, v := range part {
			ru.sum[i] += v
		}
		for i, v := range ru.dW[c*k : (c+1)*k] {
			ru.wsum[i] += v
		}
		for i, v := range ru.dN[c*k : (c+1)*k] {
			ru.count[i] += int(v)
		}
	}
	for j := range k {
		if ru.count[j] == 0 {
			// Drop what rounding left of the rows that departed.
			clear(ru.sum[j*cols : (j+1)*cols])
			ru.wsum[j] = 0
		}
	}
	relocated := e.relocate(ru)
	ru.maxShift, ru.secondShift, ru.maxShiftIdx = 0, 0, 0
	var shiftTot float64
	for j := range k {
		oc := ru.cent[j*cols : (j+1)*cols]
		nc := ru.centNew[j*cols : (j+1)*cols]
		if w := ru.wsum[j]; w > 0 && ru.count[j] > 0 {
			s := ru.sum[j*cols : (j+1)*cols]
			for d := range nc {
				nc[d] = s[d] / w
			}
		} else {
			copy(nc, oc)
		}
		s2 := dist2(nc, oc)
		shiftTot += s2
		sh := math.Sqrt(s2)
		ru.shift[j] = sh
		if sh > ru.maxShift {
			ru.secondShift = ru.maxShift
			ru.maxShift = sh
			ru.maxShiftIdx = int32(j)
		} else if sh > ru.secondShift {
			ru.secondShift = sh
		}
	}
	ru.cent, ru.centNew = ru.centNew, ru.cent
	ru.changed, ru.relocated, ru.shiftTot = changed, relocated, shiftTot
	ru.noRefresh = 4*settled < 3*failed
	ru.iters++
	if (changed == 0 && relocated == 0) || shiftTot <= ru.tol {
		ru.converged, ru.finishing = true, true
	} else if ru.iters >= ru.maxIter {
		ru.finishing = true
	}
}

// relocate moves each empty cluster of run ru onto one of the rows
// farthest from their centroids (as scikit-learn does), taking that row
// out of its cluster. It runs only when a cluster is empty.
func (e *engine) relocate(ru *run) int {
	ru.empties = ru.empties[:0]
	for j, w := range ru.wsum {
		if !(w > 0) || ru.count[j] == 0 {
			ru.empties = append(ru.empties, j)
		}
	}
	n := len(ru.empties)
	if n == 0 {
		return 0
	}
	cols := e.cols
	ru.farIdx = ru.farIdx[:0]
	ru.farDist = ru.farDist[:0]
	for i := range e.rows {
		if e.weight(i) == 0 {
			continue
		}
		a := int(ru.assign[i])
		d := dist2(e.row(i), ru.cent[a*cols:])
		ru.upper[i] = math.Sqrt(d)
		if d == 0 || (len(ru.farDist) == n && d <= ru.farDist[n-1]) {
			continue
		}
		// Insert keeping descending distance; equal distances keep row order.
		p := len(ru.farDist)
		if p < n {
			ru.farDist = append(ru.farDist, 0)
			ru.farIdx = append(ru.farIdx, 0)
		} else {
			p = n - 1
		}
		for p > 0 && ru.farDist[p-1] < d {
			ru.farDist[p] = ru.farDist[p-1]
			ru.farIdx[p] = ru.farIdx[p-1]
			p--
		}
		ru.farDist[p] = d
		ru.farIdx[p] = i
	}
	moved := 0
	for idx, i := range ru.farIdx {
		j := ru.empties[idx]
		old := int(ru.assign[i])
		w := e.weight(i)
		if w >= ru.wsum[old] || ru.count[old] <= 1 {
			continue // would empty the cluster it leaves
		}
		x := e.row(i)
		so := ru.sum[old*cols : (old+1)*cols]
		sj := ru.sum[j*cols : (j+1)*cols]
		for d, v := range x {
			so[d] -= w * v
			sj[d] = w * v
		}
		ru.wsum[old] -= w
		ru.wsum[j] = w
		ru.count[old]--
		ru.count[j] = 1
		ru.assign[i] = int32(j)
		ru.upper[i] = 0
		ru.lower[i] = 0
		moved++
	}
	return moved
}

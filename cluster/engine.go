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

// engine holds every buffer one k-means fit needs. It is allocated once per
// fit and reused across restarts, so Lloyd iterations do not allocate.
type engine struct {
	data          []float64 // rows×cols, read only
	rows, cols, k int
	weights       []float64 // nil means unit weights
	chunk         int
	nChunks       int
	pool          *pool

	cent, centNew []float64 // k×cols
	half          []float64 // k: half the distance to the nearest other centroid
	scratch       []float64 // nChunks×scratchStride: per-chunk distances
	scratchStride int
	shift         []float64 // k: distance each centroid moved in the last update
	maxShift      float64
	secondShift   float64
	maxShiftIdx   int32
	full          bool // next assignment pass computes every distance
	noSums        bool // assignment pass skips per-chunk sums (final pass)

	assign []int32   // rows; -1 before the first pass
	upper  []float64 // rows: upper bound on distance to own centroid
	lower  []float64 // rows: lower bound on distance to any other centroid

	chunkSum     []float64 // nChunks×k×cols partial weighted sums
	chunkW       []float64 // nChunks×k partial weights
	chunkDirty   []bool    // partial sums must be recomputed
	chunkChanged []int     // rows whose label changed in the last pass
	chunkInertia []float64 // per-chunk weighted squared distances

	sum  []float64 // k×cols
	wsum []float64 // k

	empties []int
	farIdx  []int
	farDist []float64

	// Greedy k-means++ state.
	trials       int
	closest      []float64 // rows: squared distance to nearest chosen centre
	cands        []int     // trials: candidate rows
	candPot      []float64 // trials
	chunkPot     []float64 // nChunks×trials
	chunkClosest []float64 // nChunks: Σ w·closest over the chunk
	closestIdx   []int32   // rows: index of that centre
	candCent     []float64 // k×trials: distance from each chosen centre to each candidate
	candBuf      []float64 // trials×cols: the candidate rows
	trialD       []float64 // rows×trials: min(closest, squared distance to each candidate)
	pendingTrial int       // trial that chose the pending centroid
	potStride    int       // chunkPot stride, padded against false sharing
	firstRow     int
	pending      int // row chosen last step not yet folded into closest, or -1
	pendingIdx   int32

	assignFn, finalFn, initFirstFn, initTrialFn func(int)
}

func newEngine(data []float64, rows, cols, k int, weights []float64, threads, trials int) *engine {
	chunk := chunkRows(rows, cols, k)
	nChunks := (rows + chunk - 1) / chunk
	e := &engine{
		data: data, rows: rows, cols: cols, k: k, weights: weights,
		chunk: chunk, nChunks: nChunks,
		pool:          newPool(threads),
		cent:          make([]float64, k*cols),
		centNew:       make([]float64, k*cols),
		half:          make([]float64, k),
		scratchStride: (max(k, trials)+7)/8*8 + 8,
		shift:         make([]float64, k),
		assign:        make([]int32, rows),
		upper:         make([]float64, rows),
		lower:         make([]float64, rows),
		chunkSum:      make([]float64, nChunks*k*cols),
		chunkW:        make([]float64, nChunks*k),
		chunkDirty:    make([]bool, nChunks),
		chunkChanged:  make([]int, nChunks),
		chunkInertia:  make([]float64, nChunks),
		sum:           make([]float64, k*cols),
		wsum:          make([]float64, k),
		empties:       make([]int, 0, k),
		farIdx:        make([]int, 0, k),
		farDist:       make([]float64, 0, k),
		trials:        trials,
		closest:       make([]float64, rows),
		cands:         make([]int, trials),
		candPot:       make([]float64, trials),
		closestIdx:    make([]int32, rows),
		candCent:      make([]float64, k*trials),
		trialD:        make([]float64, rows*trials),
		potStride:     (trials+7)/8*8 + 8,
		chunkClosest:  make([]float64, nChunks),
	}
	e.chunkPot = make([]float64, nChunks*e.potStride)
	e.scratch = make([]float64, nChunks*e.scratchStride)
	e.candBuf = make([]float64, trials*cols)
	e.assignFn = e.assignChunk
	e.finalFn = e.distanceChunk
	e.initFirstFn = e.initFirstChunk
	e.initTrialFn = e.initTrialChunk
	return e
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

// ---- greedy k-means++ ----

// seed chooses k initial centroids by greedy k-means++: the first is a row
// drawn with probability proportional to its weight; each next one is the
// best, by resulting potential, of e.trials rows drawn with probability
// proportional to weight times squared distance to the nearest chosen
// centroid.
//
// The trial passes skip a candidate for a row when the triangle inequality
// shows it cannot be nearer than the row's current centroid: if
// d(centroid, candidate) >= 2·d(row, centroid), then d(row, candidate) >=
// d(row, centroid). They store each row's capped distance to every
// candidate, so the winner is folded in without computing it again.
func (e *engine) seed(rng *rand.Rand) {
	cols, T := e.cols, e.trials
	e.firstRow = e.drawByWeight(rng)
	copy(e.cent[:cols], e.row(e.firstRow))
	e.pool.run(e.nChunks, e.initFirstFn)
	var pot float64
	for _, s := range e.chunkClosest {
		pot += s
	}
	e.pending = -1
	for c := 1; c < e.k; c++ {
		for t := range T {
			id := e.drawByPotential(rng.Float64() * pot)
			if id < 0 {
				id = rng.IntN(e.rows)
			}
			e.cands[t] = id
		}
		for a := range c {
			ca := e.cent[a*cols : (a+1)*cols]
			for t, id := range e.cands {
				e.candCent[a*T+t] = math.Sqrt(dist2(ca, e.row(id)))
			}
		}
		for t, id := range e.cands {
			copy(e.candBuf[t*cols:(t+1)*cols], e.row(id))
		}
		e.pool.run(e.nChunks, e.initTrialFn)
		clear(e.candPot)
		for ch := range e.nChunks {
			p := e.chunkPot[ch*e.potStride : ch*e.potStride+T]
			for t, v := range p {
				e.candPot[t] += v
			}
		}
		best := 0
		for t := 1; t < T; t++ {
			if e.candPot[t] < e.candPot[best] {
				best = t
			}
		}
		pot = e.candPot[best]
		for ch := range e.nChunks {
			e.chunkClosest[ch] = e.chunkPot[ch*e.potStride+best]
		}
		e.pending = e.cands[best]
		e.pendingTrial = best
		e.pendingIdx = int32(c)
		copy(e.cent[c*cols:(c+1)*cols], e.row(e.pending))
	}
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

// weightedClosest returns w·(squared distance to the nearest centroid,
// the pending one included) for row i: bit for bit the value the last
// trial pass summed for the chosen candidate.
func (e *engine) weightedClosest(i int) float64 {
	cl := e.closest[i]
	if e.pending >= 0 {
		cl = e.trialD[i*e.trials+e.pendingTrial]
	}
	return e.weight(i) * cl
}

// drawByPotential returns the first row at which the running sum of
// weighted squared distances exceeds r, or -1 when every row has zero
// potential.
func (e *engine) drawByPotential(r float64) int {
	var acc float64
	lastChunk := -1
	for c, s := range e.chunkClosest {
		if s > 0 {
			lastChunk = c
		}
		if s > 0 && acc+s > r {
			lo, hi := e.span(c)
			a := acc
			lastPos := -1
			for i := lo; i < hi; i++ {
				v := e.weightedClosest(i)
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
		if e.weightedClosest(i) > 0 {
			return i
		}
	}
	return -1
}

func (e *engine) initFirstChunk(c int) {
	lo, hi := e.span(c)
	first := e.row(e.firstRow)
	var s float64
	for i := lo; i < hi; i++ {
		d := dist2(e.row(i), first)
		e.closest[i] = d
		e.closestIdx[i] = 0
		s += e.weight(i) * d
	}
	e.chunkClosest[c] = s
}

func (e *engine) initTrialChunk(c int) {
	lo, hi := e.span(c)
	T := e.trials
	pot := e.chunkPot[c*e.potStride : c*e.potStride+T]
	clear(pot)
	pending := e.pending >= 0
	pt, pidx := e.pendingTrial, e.pendingIdx
	for i := lo; i < hi; i++ {
		x := e.row(i)
		cl := e.closest[i]
		a := e.closestIdx[i]
		trialD := e.trialD[i*T : i*T+T : i*T+T]
		if pending {
			// Fold in the centroid chosen last step: its distance, capped
			// at the old closest, was stored by the last trial pass.
			if d := trialD[pt]; d < cl {
				cl, a = d, pidx
				e.closest[i], e.closestIdx[i] = cl, a
			}
		}
		r2 := 2 * math.Sqrt(cl)
		w := e.weight(i)
		cc := e.candCent[int(a)*T : int(a)*T+T]
		// Measure the candidates unless the triangle inequality rules
		// them all out.
		far := true
		for _, v := range cc {
			if v < r2 {
				far = false
				break
			}
		}
		if far {
			for t := range trialD {
				trialD[t] = cl
			}
		} else {
			dist2Rows(trialD, x, e.candBuf)
			for t, d := range trialD {
				trialD[t] = min(cl, d)
			}
		}
		for t, d := range trialD {
			pot[t] += w * d
		}
	}
}

// ---- Lloyd iterations with Hamerly bounds ----

// reset prepares the Hamerly state for a fresh run from e.cent.
func (e *engine) reset() {
	for i := range e.assign {
		e.assign[i] = -1
	}
	clear(e.shift)
	e.maxShift, e.secondShift, e.maxShiftIdx = 0, 0, 0
	e.full = true
	e.noSums = false
	for c := range e.chunkDirty {
		e.chunkDirty[c] = true
	}
}

// computeHalf sets half[j] to half the distance from centroid j to its
// nearest other centroid.
func (e *engine) computeHalf() {
	k, cols := e.k, e.cols
	for j := range e.half {
		e.half[j] = math.Inf(1)
	}
	for j := range k {
		cj := e.cent[j*cols : (j+1)*cols]
		for l := j + 1; l < k; l++ {
			d := math.Sqrt(dist2(cj, e.cent[l*cols:(l+1)*cols]))
			e.half[j] = min(e.half[j], d/2)
			e.half[l] = min(e.half[l], d/2)
		}
	}
}

// assignChunk assigns each row of chunk c to its nearest centroid, using
// Hamerly's bounds to skip rows whose label cannot change, and refreshes
// the chunk's partial sums when any label in it changed.
func (e *engine) assignChunk(c int) {
	lo, hi := e.span(c)
	k, cols := e.k, e.cols
	cent := e.cent
	full := e.full
	ms, ss, mi := e.maxShift, e.secondShift, e.maxShiftIdx
	dk := e.scratch[c*e.scratchStride : c*e.scratchStride+k]
	changed := 0
	for i := lo; i < hi; i++ {
		x := e.data[i*cols : (i+1)*cols : (i+1)*cols]
		a := e.assign[i]
		if !full {
			u := e.upper[i] + e.shift[a]
			l := e.lower[i]
			if a == mi {
				l -= ss
			} else {
				l -= ms
			}
			e.lower[i] = l
			m := max(e.half[a], l)
			if u <= m {
				e.upper[i] = u
				continue
			}
			dist2Rows(dk[:1], x, cent[int(a)*cols:(int(a)+1)*cols])
			u = math.Sqrt(dk[0])
			e.upper[i] = u
			if u <= m {
				continue
			}
		}
		// Measure every centroid; on a tie keep the current label.
		dist2Rows(dk, x, cent)
		b, bsq, ssq := nearest2(dk)
		if a >= 0 && int(a) != b && dk[a] == bsq {
			b, ssq = int(a), bsq
		}
		bu := math.Sqrt(bsq)
		second := math.Sqrt(ssq)
		e.upper[i] = bu
		e.lower[i] = second
		if int32(b) != a {
			e.assign[i] = int32(b)
			changed++
		}
	}
	e.chunkChanged[c] = changed
	if e.noSums || (changed == 0 && !e.chunkDirty[c]) {
		return
	}
	e.chunkDirty[c] = false
	sum := e.chunkSum[c*k*cols : (c+1)*k*cols]
	wsum := e.chunkW[c*k : (c+1)*k]
	clear(sum)
	clear(wsum)
	for i := lo; i < hi; i++ {
		x := e.data[i*cols : (i+1)*cols : (i+1)*cols]
		a := int(e.assign[i])
		s := sum[a*cols : (a+1)*cols : (a+1)*cols]
		if e.weights == nil {
			for d, v := range x {
				s[d] += v
			}
			wsum[a]++
		} else {
			w := e.weights[i]
			for d, v := range x {
				s[d] += w * v
			}
			wsum[a] += w
		}
	}
}

// step runs one Lloyd iteration: it assigns every row to its nearest
// centroid in e.cent, relocates empty clusters, and moves each centroid to
// the weighted mean of its rows. It returns the number of rows whose label
// changed, the number of relocated clusters and the total squared shift of
// the centroids. It does not allocate.
func (e *engine) step() (changed, relocated int, shiftTot float64) {
	k, cols := e.k, e.cols
	e.computeHalf()
	e.pool.run(e.nChunks, e.assignFn)
	e.full = false
	clear(e.sum)
	clear(e.wsum)
	kc := k * cols
	for c := range e.nChunks {
		changed += e.chunkChanged[c]
		part := e.chunkSum[c*kc : (c+1)*kc]
		for j, v := range part {
			e.sum[j] += v
		}
		pw := e.chunkW[c*k : (c+1)*k]
		for j, v := range pw {
			e.wsum[j] += v
		}
	}
	relocated = e.relocate()
	e.maxShift, e.secondShift, e.maxShiftIdx = 0, 0, 0
	for j := range k {
		oc := e.cent[j*cols : (j+1)*cols]
		nc := e.centNew[j*cols : (j+1)*cols]
		if w := e.wsum[j]; w > 0 {
			s := e.sum[j*cols : (j+1)*cols]
			for d := range nc {
				nc[d] = s[d] / w
			}
		} else {
			copy(nc, oc)
		}
		s2 := dist2(nc, oc)
		shiftTot += s2
		sh := math.Sqrt(s2)
		e.shift[j] = sh
		if sh > e.maxShift {
			e.secondShift = e.maxShift
			e.maxShift = sh
			e.maxShiftIdx = int32(j)
		} else if sh > e.secondShift {
			e.secondShift = sh
		}
	}
	e.cent, e.centNew = e.centNew, e.cent
	return changed, relocated, shiftTot
}

// relocate moves each empty cluster onto one of the rows farthest from
// their centroids (as scikit-learn does), taking that row out of its
// cluster. It runs only when a cluster is empty.
func (e *engine) relocate() int {
	e.empties = e.empties[:0]
	for j, w := range e.wsum {
		if !(w > 0) {
			e.empties = append(e.empties, j)
		}
	}
	n := len(e.empties)
	if n == 0 {
		return 0
	}
	cols := e.cols
	e.farIdx = e.farIdx[:0]
	e.farDist = e.farDist[:0]
	for i := range e.rows {
		if e.weight(i) == 0 {
			continue
		}
		a := int(e.assign[i])
		d := dist2(e.row(i), e.cent[a*cols:])
		e.upper[i] = math.Sqrt(d)
		if d == 0 || (len(e.farDist) == n && d <= e.farDist[n-1]) {
			continue
		}
		// Insert keeping descending distance; equal distances keep row order.
		p := len(e.farDist)
		if p < n {
			e.farDist = append(e.farDist, 0)
			e.farIdx = append(e.farIdx, 0)
		} else {
			p = n - 1
		}
		for p > 0 && e.farDist[p-1] < d {
			e.farDist[p] = e.farDist[p-1]
			e.farIdx[p] = e.farIdx[p-1]
			p--
		}
		e.farDist[p] = d
		e.farIdx[p] = i
	}
	moved := 0
	for idx, i := range e.farIdx {
		j := e.empties[idx]
		old := int(e.assign[i])
		w := e.weight(i)
		if w >= e.wsum[old] {
			continue // would empty the cluster it leaves
		}
		x := e.row(i)
		so := e.sum[old*cols : (old+1)*cols]
		sj := e.sum[j*cols : (j+1)*cols]
		for d, v := range x {
			so[d] -= w * v
			sj[d] = w * v
		}
		e.wsum[old] -= w
		e.wsum[j] = w
		e.assign[i] = int32(j)
		e.upper[i] = 0
		e.lower[i] = 0
		e.chunkDirty[i/e.chunk] = true
		moved++
	}
	return moved
}

// finish assigns every row to its nearest centroid in e.cent without
// moving the centroids, then sets e.upper to the exact distance of each
// row to its centroid and returns the weighted inertia.
func (e *engine) finish() float64 {
	e.computeHalf()
	e.noSums = true
	e.pool.run(e.nChunks, e.assignFn)
	e.noSums = false
	e.full = false
	clear(e.shift)
	e.maxShift, e.secondShift, e.maxShiftIdx = 0, 0, 0
	e.pool.run(e.nChunks, e.finalFn)
	var inertia float64
	for _, v := range e.chunkInertia {
		inertia += v
	}
	// Labels may have changed in the final pass.
	for c := range e.chunkDirty {
		if e.chunkChanged[c] > 0 {
			e.chunkDirty[c] = true
		}
	}
	return inertia
}

func (e *engine) distanceChunk(c int) {
	lo, hi := e.span(c)
	cols := e.cols
	var s float64
	for i := lo; i < hi; i++ {
		a := int(e.assign[i])
		d := dist2(e.row(i), e.cent[a*cols:])
		e.upper[i] = math.Sqrt(d)
		s += e.weight(i) * d
	}
	e.chunkInertia[c] = s
}

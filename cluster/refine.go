package cluster

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// powerIters bounds the power iterations that find the principal
// direction of a cluster before it is split, and powerTol stops them
// once the unit direction moves less than that in an iteration. The
// direction only has to separate the cluster into two sides from which
// 2-means starts, and the 2-means iterations then move the two halves to
// a local optimum, so an approximate direction is enough.
const (
	powerIters = 20
	powerTol   = 1e-6
)

// refineSample bounds the rows the refinement's moves are tried on. Each
// move costs a Lloyd fit, so on more rows they are tried on a uniform
// sample of this many, the same number the stability scan judges
// partitions on (DefaultStabilitySample), and the refined centroids are
// then fitted to every row by one more run of Lloyd's iterations, kept
// when it lowers the inertia of the whole fit.
const refineSample = DefaultStabilitySample

// refineFit refines the fit held in cent, asg, dist and inertia (the best
// restart of KMeans, whose engine e it may reuse) by e.refine, directly
// when rows <= refineSample and otherwise on a sample (see
// refineSample). It reports the refined inertia, whether the fit changed,
// and the iterations and convergence of its last Lloyd run.
func refineFit(ctx context.Context, e *engine, data []float64, rows, cols int, s Settings, tol float64, cent []float64, asg []int32, dist []float64, inertia float64) (float64, bool, int, bool, error) {
	if rows <= refineSample {
		return e.refine(ctx, s.MaxIter, tol, cent, asg, dist, inertia)
	}
	idx := sampleRows(rows, refineSample, s.Seed^0x2ef1)
	n := len(idx)
	sub := make([]float64, n*cols)
	var subW []float64
	if s.Weights != nil {
		subW = make([]float64, n)
	}
	for j, i := range idx {
		copy(sub[j*cols:(j+1)*cols], data[i*cols:(i+1)*cols])
		if subW != nil {
			subW[j] = s.Weights[i]
		}
	}
	if subW != nil && checkWeights(subW, n) != nil {
		return inertia, false, 0, false, nil // no weight in the sample
	}
	se := newEngine(sub, n, cols, s.K, subW, s.Threads, s.LocalTrials)
	defer se.close()
	subTol := s.Tol * meanVariance(sub, n, cols)
	// The fit's centroids, fitted to the sample.
	copy(se.runs[0].cent, cent)
	se.activate(1)
	if _, _, err := se.lloyd(ctx, s.MaxIter, subTol); err != nil {
		return 0, false, 0, false, err
	}
	ru := &se.runs[0]
	sc := slices.Clone(ru.cent)
	sa := slices.Clone(ru.assign)
	sd := slices.Clone(ru.upper)
	_, ok, _, _, err := se.refine(ctx, s.MaxIter, subTol, sc, sa, sd, ru.inertia)
	if err != nil || !ok {
		return inertia, false, 0, false, err
	}
	// The refined centroids, fitted to every row.
	copy(e.runs[0].cent, sc)
	e.activate(1)
	if _, _, err := e.lloyd(ctx, s.MaxIter, tol); err != nil {
		return 0, false, 0, false, err
	}
	fr := &e.runs[0]
	if !(fr.inertia < inertia) {
		return inertia, false, 0, false, nil
	}
	copy(cent, fr.cent)
	copy(asg, fr.assign)
	copy(dist, fr.upper)
	return fr.inertia, true, fr.iters, fr.converged, nil
}

// refine improves the local optimum of a KMeans fit by split–remove
// moves, the structural moves Lloyd's iterations cannot make: a fit of
// k-means from random seeds typically ends with two centroids sharing one
// group of the data while one centroid straddles two groups. Each move
// removes one centroid r (its rows go to their next nearest centroid) and
// splits the rows of another cluster s in two along their principal
// direction, followed by 2-means on those rows; Lloyd's iterations then
// run from the k resulting centroids, and the move is kept when the fit's
// inertia is lower. Every removal is tried, paired with the best split of
// another cluster, in order of the first-order estimate of the change in
// inertia (the cost of removing r, measured with every row's second
// nearest centroid, less the gain of splitting s, measured by the
// 2-means): the estimate ignores how Lloyd's iterations move the other
// centroids, which is why it orders the moves rather than rules any out.
// The first move that lowers the inertia is kept and the moves are
// measured again; refinement stops when no move lowers the inertia, or
// after K kept moves (enough to relocate every centroid once).
//
// The fit is given and returned in cent (K×cols), asg, dist (each row's
// distance to its centroid) and inertia, as run 0 of e leaves them; the
// candidate fits run on run 0 of e. refine draws nothing at random, so
// like the engine its result does not depend on the number of threads.
func (e *engine) refine(ctx context.Context, maxIter int, tol float64, cent []float64, asg []int32, dist []float64, inertia float64) (float64, bool, int, bool, error) {
	data, rows, cols, k := e.data, e.rows, e.cols, e.k
	if k < 2 {
		return inertia, false, 0, false, nil
	}
	improved := false
	var iters int
	var conv bool
	members := make([][]int, k)
	remove := make([]float64, k)
	gain := make([]float64, k)
	halves := make([][]float64, k)
	type move struct {
		r, s int
		est  float64
	}
	moves := make([]move, 0, k)
	init := make([]float64, k*cols)
	for range k {
		if err := ctx.Err(); err != nil {
			return 0, false, 0, false, err
		}
		// Removal cost of each centroid, from every row's nearest and
		// second nearest centroid.
		clear(remove)
		for j := range members {
			members[j] = members[j][:0]
		}
		for i := range rows {
			x := data[i*cols : (i+1)*cols]
			a := int(asg[i])
			members[a] = append(members[a], i)
			wi := e.weight(i)
			if wi == 0 {
				continue
			}
			own := dist2(x, cent[a*cols:])
			next := math.Inf(1)
			for j := range k {
				if j != a {
					next = min(next, dist2(x, cent[j*cols:]))
				}
			}
			remove[a] += wi * (next - own)
		}
		// Gain of splitting each cluster by 2-means.
		for j := range k {
			gain[j], halves[j] = split2(data, cols, members[j], e.weight, maxIter)
		}
		moves = moves[:0]
		for r := range k {
			best := -1
			for j := range k {
				if j != r && halves[j] != nil && (best < 0 || gain[j] > gain[best]) {
					best = j
				}
			}
			if best >= 0 {
				moves = append(moves, move{r, best, remove[r] - gain[best]})
			}
		}
		slices.SortStableFunc(moves, func(a, b move) int { return cmp.Compare(a.est, b.est) })
		kept := false
		for _, m := range moves {
			if err := ctx.Err(); err != nil {
				return 0, false, 0, false, err
			}
			init = init[:0]
			for j := range k {
				if j != m.r && j != m.s {
					init = append(init, cent[j*cols:(j+1)*cols]...)
				}
			}
			init = append(init, halves[m.s]...)
			copy(e.runs[0].cent, init)
			e.activate(1)
			if _, _, err := e.lloyd(ctx, maxIter, tol); err != nil {
				return 0, false, 0, false, err
			}
			ru := &e.runs[0]
			if ru.inertia < inertia {
				inertia, iters, conv = ru.inertia, ru.iters, ru.converged
				copy(cent, ru.cent)
				copy(asg, ru.assign)
				copy(dist, ru.upper)
				improved, kept = true, true
				break
			}
		}
		if !kept {
			break
		}
	}
	return inertia, improved, iters, conv, nil
}

// split2 splits the rows idx of data in two by 2-means started from the
// sides of the hyperplane through their weighted mean normal to their
// principal direction, and returns the decrease of their weighted sum of
// squares and the two centres (2×cols values), or nil when the rows
// cannot be split (fewer than two of positive weight, or all equal).
func split2(data []float64, cols int, idx []int, w func(int) float64, maxIter int) (float64, []float64) {
	mean := make([]float64, cols)
	var tw float64
	n := 0
	for _, i := range idx {
		wi := w(i)
		if wi == 0 {
			continue
		}
		n++
		tw += wi
		for d, v := range data[i*cols : (i+1)*cols] {
			mean[d] += wi * v
		}
	}
	if n < 2 {
		return 0, nil
	}
	for d := range mean {
		mean[d] /= tw
	}
	var sse float64
	far, farD := -1, -1.0
	for _, i := range idx {
		if w(i) == 0 {
			continue
		}
		d := dist2(data[i*cols:(i+1)*cols], mean)
		sse += w(i) * d
		if d > farD {
			far, farD = i, d
		}
	}
	if !(farD > 0) {
		return 0, nil
	}
	// Principal direction by power iteration on the weighted scatter
	// matrix, from the direction of the farthest row.
	v := make([]float64, cols)
	nv := make([]float64, cols)
	for d := range v {
		v[d] = data[far*cols+d] - mean[d]
	}
	for range powerIters {
		clear(nv)
		for _, i := range idx {
			wi := w(i)
			if wi == 0 {
				continue
			}
			x := data[i*cols : (i+1)*cols]
			var p float64
			for d := range v {
				p += (x[d] - mean[d]) * v[d]
			}
			for d := range nv {
				nv[d] += wi * p * (x[d] - mean[d])
			}
		}
		var norm float64
		for _, x := range nv {
			norm += x * x
		}
		if !(norm > 0) {
			break
		}
		norm = math.Sqrt(norm)
		var moved float64
		for d := range v {
			u := nv[d] / norm
			moved += (u - v[d]) * (u - v[d])
			v[d] = u
		}
		if moved < powerTol*powerTol {
			break
		}
	}
	side := make([]bool, len(idx))
	for n, i := range idx {
		x := data[i*cols : (i+1)*cols]
		var p float64
		for d := range v {
			p += (x[d] - mean[d]) * v[d]
		}
		side[n] = p > 0
	}
	c := make([]float64, 2*cols)
	var sse2 float64
	for it := 0; ; it++ {
		// Centres of the two sides.
		clear(c)
		var cw [2]float64
		for n, i := range idx {
			wi := w(i)
			h := 0
			if side[n] {
				h = 1
			}
			cw[h] += wi
			for d, v := range data[i*cols : (i+1)*cols] {
				c[h*cols+d] += wi * v
			}
		}
		if !(cw[0] > 0) || !(cw[1] > 0) {
			return 0, nil
		}
		for h := range 2 {
			for d := range cols {
				c[h*cols+d] /= cw[h]
			}
		}
		// Reassign.
		changed := false
		sse2 = 0
		for n, i := range idx {
			x := data[i*cols : (i+1)*cols]
			d0, d1 := dist2(x, c), dist2(x, c[cols:])
			h := d1 < d0
			if h != side[n] {
				side[n], changed = h, true
			}
			sse2 += w(i) * min(d0, d1)
		}
		if !changed || it+1 >= maxIter {
			break
		}
	}
	return sse - sse2, c
}

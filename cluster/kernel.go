package cluster

import "math"

// dist2Rows writes to dst[r] the squared Euclidean distance from x to row r
// of the row-major matrix rows, which has len(dst) rows of len(x) values.
// On amd64 processors with AVX2 and FMA it runs a vector kernel; elsewhere
// it calls dist2. The two paths may round differently, so results are
// reproducible on a given machine, whatever the number of threads, but
// not necessarily across processor types.
func dist2Rows(dst, x, rows []float64) {
	cols := len(x)
	if len(rows) < len(dst)*cols {
		panic("cluster: dist2Rows: rows too short")
	}
	if len(dst) == 0 || cols == 0 {
		clear(dst)
		return
	}
	if useVector {
		dist2RowsVector(&dst[0], &x[0], &rows[0], len(dst), cols)
		return
	}
	for r := range dst {
		dst[r] = dist2(x, rows[r*cols:])
	}
}

// nearest2 returns the index of the first smallest value of d, that value,
// and the second smallest value: +Inf when len(d) == 1, the smallest again
// when it occurs twice. d must not be empty or hold NaN. On amd64 with
// AVX2 it runs without data-dependent branches.
func nearest2(d []float64) (b int, bsq, ssq float64) {
	if useVector {
		return nearest2Vector(&d[0], len(d))
	}
	bsq, ssq = d[0], math.Inf(1)
	for j := 1; j < len(d); j++ {
		if v := d[j]; v < bsq {
			b, bsq, ssq = j, v, bsq
		} else if v < ssq {
			ssq = v
		}
	}
	return b, bsq, ssq
}

// groupOf is the number of centres a group of the centre-minor layout
// holds.
const groupOf = 4

// transposeGroups writes the n rows of cols values in rows (row-major) to
// dst in the centre-minor layout dist2Groups reads: ceil(n/4) groups, each
// holding for every column the values of its four centres. Lanes past n
// are zero. dst must hold ceil(n/4)·4·cols values.
func transposeGroups(dst, rows []float64, n, cols int) {
	g := (n + groupOf - 1) / groupOf
	dst = dst[:g*groupOf*cols]
	for j := range n {
		base := (j/groupOf)*groupOf*cols + j%groupOf
		r := rows[j*cols : (j+1)*cols]
		for d, v := range r {
			dst[base+d*groupOf] = v
		}
	}
	for j := n; j < g*groupOf; j++ {
		base := (j/groupOf)*groupOf*cols + j%groupOf
		for d := range cols {
			dst[base+d*groupOf] = 0
		}
	}
}

// dist2Groups writes to dst[j] the squared distance from x to centre j of
// the n centres held row-major in rows and centre-minor in ct (see
// transposeGroups); dst must have room for ceil(n/4)·4 values. With the
// vector kernel it reads ct and every distance has the bits dist2Rows
// gives; otherwise it calls dist2Rows on rows.
func dist2Groups(dst, x, rows, ct []float64, n int) {
	cols := len(x)
	if useVector && cols > 0 {
		g := (n + groupOf - 1) / groupOf
		if len(ct) < g*groupOf*cols || len(dst) < g*groupOf {
			panic("cluster: dist2Groups: short buffer")
		}
		dist2GroupsVector(&dst[0], &x[0], &ct[0], g, cols)
		return
	}
	dist2Rows(dst[:n], x, rows)
}

// nearOut is one row's result of nearest12: the smallest and second
// smallest squared distances and the index of the smallest, -1 when it
// occurs more than once.
type nearOut struct {
	bsq, ssq float64
	b        int64
}

// useNear12 reports whether nearest12Vector can run (with useVector).
var useNear12 = hasPopcntBMI1

// dist2Gather writes to dst[j] the squared distance from row rows[j] of
// the row-major matrix data to centre labels[j] of cent, for j <
// len(rows), with the bits dist2Rows gives. rows and labels must have
// room for four values past len(rows) (they are read for prefetching).
func dist2Gather(dst, data, cent []float64, rows, labels []int32, cols int) {
	n := len(rows)
	if n == 0 {
		return
	}
	if useVector && cols > 0 {
		_ = dst[n-1]
		_ = labels[n-1]
		_ = rows[:n+4]
		dist2GatherVector(&dst[0], &data[0], &cent[0], &rows[0], &labels[0], n, cols)
		return
	}
	for j, i := range rows {
		a := int(labels[j])
		dist2Rows(dst[j:j+1], data[int(i)*cols:(int(i)+1)*cols], cent[a*cols:])
	}
}

// one is the weight of every row of an unweighted matrix, for seedStep.
var one = [1]float64{1}

// seedStep runs one trial pass of greedy k-means++ over the rows of the
// row-major matrix data (len(closest) rows of len(pending) or cols
// values): when pending is not nil, each row's squared distance d to
// pending (the bits of dist2Rows) replaces closest[i] and pidx near[i] if
// d < closest[i]; then w[i]·min(squared distance to candidate t,
// closest[i]) is added to pot[t], row after row, for the len(pot)
// candidates held row-major in cands and centre-minor in ct. w nil means
// unit weights. dk is scratch space for one row's distances.
func seedStep(pot, closest []float64, near []int32, data, pending []float64, pidx int32, cands, ct, w, dk []float64, cols int) {
	n := len(closest)
	if n == 0 {
		return
	}
	T := len(pot)
	_ = near[n-1]
	_ = data[n*cols-1]
	if useVector && cols > 0 && T <= groupOf {
		var acc [groupOf]float64
		copy(acc[:], pot)
		var p *float64
		if pending != nil {
			p = &pending[0]
		}
		wp, ws := &one[0], 0
		if w != nil {
			_ = w[n-1]
			wp, ws = &w[0], 8
		}
		seedStepVector(&closest[0], &near[0], &data[0], n, cols, p, int(pidx), &ct[0], wp, ws, &acc[0])
		copy(pot, acc[:T])
		return
	}
	for i := range n {
		x := data[i*cols : (i+1)*cols]
		if pending != nil {
			dist2Rows(dk[:1], x, pending)
			if dk[0] < closest[i] {
				closest[i], near[i] = dk[0], pidx
			}
		}
		cl := closest[i]
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		dist2Groups(dk, x, cands, ct, T)
		for t := range pot {
			pot[t] += wi * min(dk[t], cl)
		}
	}
}

// boundSweep applies Hamerly's bound test to the rows lo, lo+1, ... of
// assign, upper and lower (one value per row): upper grows by the shift
// of the row's centroid, lower shrinks by dec of the row's centroid (the
// largest shift of another centroid), and each row whose upper bound
// exceeds m = max(lower, half[label]) is listed in rows, labs and ms. It
// returns the number listed. The lists must have room for every row.
func boundSweep(assign []int32, upper, lower, shift, half, dec []float64, rows, labs []int32, ms []float64, lo int) int {
	n := len(assign)
	if n == 0 {
		return 0
	}
	_, _ = upper[n-1], lower[n-1]
	_, _, _ = rows[n-1], labs[n-1], ms[n-1]
	if useVector {
		return boundSweepVector(&assign[0], &upper[0], &lower[0], n, &shift[0], &half[0], &dec[0], &rows[0], &labs[0], &ms[0], lo)
	}
	n1 := 0
	for i, a := range assign {
		u := upper[i] + shift[a]
		l := lower[i] - dec[a]
		lower[i] = l
		m := max(l, half[a])
		upper[i] = u
		rows[n1], labs[n1], ms[n1] = int32(lo+i), a, m
		if u > m {
			n1++
		}
	}
	return n1
}

// groupOf32 is the number of centres a group of the float32 centre-minor
// layout holds.
const groupOf32 = 8

// transposeGroups32 writes the n <= 16 rows of cols values in rows
// (row-major), minus mean, to dst as float32 in the layout
// nearest16DotF32Vector reads: two groups of eight centres, each holding
// for every column the values of its centres. Lanes past n are zero.
func transposeGroups32(dst []float32, rows []float64, n, cols int, mean []float64) {
	dst = dst[:2*groupOf32*cols]
	clear(dst)
	for j := range n {
		base := (j/groupOf32)*groupOf32*cols + j%groupOf32
		for d, v := range rows[j*cols : (j+1)*cols] {
			dst[base+d*groupOf32] = float32(v - mean[d])
		}
	}
}

// dotF32Margin bounds how far a squared distance estimated by
// nearest16DotF32Vector, |c|² - 2·x·c + |x|² in float32, can be from the
// exact one, for a centred row of norm xNorm, centred centres of norm at
// most cNorm and cols columns. Each input rounded to float32 and each of
// the cols+3 float32 operations errs by at most 2⁻²⁴ of a quantity
// bounded by (|x| + |c|)²; the margin takes eight times their sum.
func dotF32Margin(xNorm, cNorm float64, cols int) float64 {
	s := xNorm + cNorm
	return 0x1p-21 * float64(cols+4) * s * s
}

// moveSums applies moves of rows between clusters to the cluster sums
// dsum (k×cols, row-major): move j takes row rows[j] of the row-major
// matrix data, times its weight (w[rows[j]], or 1 when w is nil), out of
// the sum of cluster from[j] (none when negative) and into that of
// cluster to[j], in list order. rows must have room for four values past
// the moves (read for prefetching).
func moveSums(dsum, data []float64, rows, from, to []int32, w []float64, cols int) {
	n := len(rows)
	if n == 0 {
		return
	}
	_, _ = from[n-1], to[n-1]
	if useVector && cols > 0 {
		_ = rows[:n+4]
		wp, ws := &one[0], 0
		if w != nil {
			wp, ws = &w[0], 8
		}
		moveSumsVector(&dsum[0], &data[0], &rows[0], &from[0], &to[0], n, cols, wp, ws)
		return
	}
	for j, i := range rows {
		x := data[int(i)*cols : (int(i)+1)*cols]
		v := 1.0
		if w != nil {
			v = w[i]
		}
		if f := int(from[j]); f >= 0 {
			s := dsum[f*cols : (f+1)*cols]
			for d, xv := range x {
				s[d] -= v * xv
			}
		}
		t := int(to[j])
		s := dsum[t*cols : (t+1)*cols]
		for d, xv := range x {
			s[d] += v * xv
		}
	}
}

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

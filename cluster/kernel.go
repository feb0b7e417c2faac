package cluster

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

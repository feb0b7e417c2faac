//go:build !amd64

package cluster

const useVector = false

func dist2RowsVector(dst, x, rows *float64, n, cols int) {
	panic("cluster: no vector kernel on this architecture")
}

func nearest2Vector(d *float64, n int) (b int, bsq, ssq float64) {
	panic("cluster: no vector kernel on this architecture")
}

func dist2GroupsVector(dst, x, ct *float64, groups, cols int) {
	panic("cluster: no vector kernel on this architecture")
}

func dist2GatherVector(dst, data, cent *float64, rows, labels *int32, n, cols int) {
	panic("cluster: no vector kernel on this architecture")
}

func nearest12Vector(out *nearOut, data *float64, rows *int32, n int, ct *float64, cols int, pad *float64) {
	panic("cluster: no vector kernel on this architecture")
}

const hasPopcntBMI1 = false

func seedStepVector(closest *float64, near *int32, data *float64, n, cols int, pending *float64, pidx int, ct, w *float64, wstride int, pot *float64) {
	panic("cluster: no vector kernel on this architecture")
}

func boundSweepVector(assign *int32, upper, lower *float64, n int, shift, half, dec *float64, rows, labs *int32, m *float64, lo int) (n1 int) {
	panic("cluster: no vector kernel on this architecture")
}

func moveSumsVector(dsum, data *float64, rows, from, to *int32, n, cols int, w *float64, wstride int) {
	panic("cluster: no vector kernel on this architecture")
}

func nearest16DotF32Vector(data, xn *float32, rows *int32, n int, ct, cn *float32, cols int, keys *uint32, xNorm, upper, lower, consts *float64, assign, mv, mvFr, mvTo, rej *int32, m *float64) (changed, nrej, settled int) {
	panic("cluster: no vector kernel on this architecture")
}

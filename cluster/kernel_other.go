//go:build !amd64

package cluster

const useVector = false

func dist2RowsVector(dst, x, rows *float64, n, cols int) {
	panic("cluster: no vector kernel on this architecture")
}

func nearest2Vector(d *float64, n int) (b int, bsq, ssq float64) {
	panic("cluster: no vector kernel on this architecture")
}

package cluster

import "golang.org/x/sys/cpu"

var useVector = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dist2RowsVector is dist2Rows with AVX2 and FMA: n rows of cols values.
//
//go:noescape
func dist2RowsVector(dst, x, rows *float64, n, cols int)

// nearest2Vector is nearest2 with AVX: d holds n >= 1 values.
//
//go:noescape
func nearest2Vector(d *float64, n int) (b int, bsq, ssq float64)

package cluster

import "golang.org/x/sys/cpu"

var useVector = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dist2RowsVector is dist2Rows with AVX2 and FMA: n rows of cols values.
//
//go:noescape
func dist2RowsVector(dst, x, rows *float64, n, cols int)

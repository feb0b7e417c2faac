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

// dist2GroupsVector is dist2Groups with AVX2 and FMA: groups groups of
// four centres of cols values, centre-minor.
//
//go:noescape
func dist2GroupsVector(dst, x, ct *float64, groups, cols int)

// dist2GatherVector is dist2Gather with AVX2 and FMA.
//
//go:noescape
func dist2GatherVector(dst, data, cent *float64, rows, labels *int32, n, cols int)

// nearest12Vector is nearest12 with AVX2, FMA, POPCNT and BMI1.
//
//go:noescape
func nearest12Vector(out *nearOut, data *float64, rows *int32, n int, ct *float64, cols int, pad *float64)

var hasPopcntBMI1 = cpu.X86.HasPOPCNT && cpu.X86.HasBMI1

// seedStepVector is seedStep with AVX2 and FMA for at most four
// candidates.
//
//go:noescape
func seedStepVector(closest *float64, near *int32, data *float64, n, cols int, pending *float64, pidx int, ct, w *float64, wstride int, pot *float64)

// boundSweepVector is boundSweep without branches.
//
//go:noescape
func boundSweepVector(assign *int32, upper, lower *float64, n int, shift, half, dec *float64, rows, labs *int32, m *float64, lo int) (n1 int)

// moveSumsVector is moveSums with AVX.
//
//go:noescape
func moveSumsVector(dsum, data *float64, rows, from, to *int32, n, cols int, w *float64, wstride int)

// nearest16DotF32Vector measures rows in float32 against at most sixteen
// centres with AVX2 and FMA (see kernel_amd64.s).
//
//go:noescape
func nearest16DotF32Vector(data, xn *float32, rows *int32, n int, ct, cn *float32, cols int, keys *uint32, xNorm, upper, lower, consts *float64, assign, mv, mvFr, mvTo, rej *int32, m *float64) (changed, nrej, settled int)

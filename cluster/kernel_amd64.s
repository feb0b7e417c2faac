#include "textflag.h"

// func dist2RowsVector(dst, x, rows *float64, n, cols int)
//
// For each of n rows: four lanes accumulate (x[j]-row[j])² over the
// columns j ≡ lane (mod 4) with fused multiply-adds, the lanes are summed
// as (l0+l2)+(l1+l3), and the remaining cols%4 columns are added last.
// Rows are taken four at a time with one accumulator each, so that the
// four dependency chains overlap; every row is still summed in the order
// above, whatever its position in a group.
TEXT ·dist2RowsVector(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ cols+32(FP), R8
	MOVQ R8, R9
	ANDQ $-4, R9
	MOVQ R8, BX
	SHLQ $3, BX           // BX = row stride in bytes

quad_loop:
	CMPQ CX, $4
	JLT  row_loop
	LEAQ (DX)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	LEAQ (R11)(BX*1), R12
	VXORPD Y0, Y0, Y0
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	XORQ   AX, AX

quad_vec:
	CMPQ        AX, R9
	JGE         quad_vec_done
	VMOVUPD     (SI)(AX*8), Y1
	VSUBPD      (DX)(AX*8), Y1, Y5
	VSUBPD      (R10)(AX*8), Y1, Y6
	VSUBPD      (R11)(AX*8), Y1, Y7
	VSUBPD      (R12)(AX*8), Y1, Y8
	VFMADD231PD Y5, Y5, Y0
	VFMADD231PD Y6, Y6, Y2
	VFMADD231PD Y7, Y7, Y3
	VFMADD231PD Y8, Y8, Y4
	ADDQ        $4, AX
	JMP         quad_vec

quad_vec_done:
	VEXTRACTF128 $1, Y0, X5
	VADDPD       X5, X0, X0
	VPERMILPD    $1, X0, X5
	VADDSD       X5, X0, X0
	VEXTRACTF128 $1, Y2, X6
	VADDPD       X6, X2, X2
	VPERMILPD    $1, X2, X6
	VADDSD       X6, X2, X2
	VEXTRACTF128 $1, Y3, X7
	VADDPD       X7, X3, X3
	VPERMILPD    $1, X3, X7
	VADDSD       X7, X3, X3
	VEXTRACTF128 $1, Y4, X8
	VADDPD       X8, X4, X4
	VPERMILPD    $1, X4, X8
	VADDSD       X8, X4, X4

quad_tail:
	CMPQ        AX, R8
	JGE         quad_tail_done
	VMOVSD      (SI)(AX*8), X1
	VSUBSD      (DX)(AX*8), X1, X5
	VSUBSD      (R10)(AX*8), X1, X6
	VSUBSD      (R11)(AX*8), X1, X7
	VSUBSD      (R12)(AX*8), X1, X8
	VFMADD231SD X5, X5, X0
	VFMADD231SD X6, X6, X2
	VFMADD231SD X7, X7, X3
	VFMADD231SD X8, X8, X4
	INCQ        AX
	JMP         quad_tail

quad_tail_done:
	VMOVSD X0, (DI)
	VMOVSD X2, 8(DI)
	VMOVSD X3, 16(DI)
	VMOVSD X4, 24(DI)
	ADDQ   $32, DI
	LEAQ   (R12)(BX*1), DX
	SUBQ   $4, CX
	JMP    quad_loop

row_loop:
	TESTQ CX, CX
	JZ    done
	VXORPD Y0, Y0, Y0
	XORQ   AX, AX

vec_loop:
	CMPQ        AX, R9
	JGE         vec_done
	VMOVUPD     (SI)(AX*8), Y1
	VSUBPD      (DX)(AX*8), Y1, Y1
	VFMADD231PD Y1, Y1, Y0
	ADDQ        $4, AX
	JMP         vec_loop

vec_done:
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0

tail_loop:
	CMPQ        AX, R8
	JGE         tail_done
	VMOVSD      (SI)(AX*8), X1
	VSUBSD      (DX)(AX*8), X1, X1
	VFMADD231SD X1, X1, X0
	INCQ        AX
	JMP         tail_loop

tail_done:
	VMOVSD X0, (DI)
	ADDQ   $8, DI
	LEAQ   (DX)(R8*8), DX
	DECQ   CX
	JMP    row_loop

done:
	VZEROUPPER
	RET

// func nearest2Vector(d *float64, n int) (b int, bsq, ssq float64)
//
// The index of the first smallest of n >= 1 values, that value, and the
// second smallest (+Inf when n == 1), without data-dependent branches.
TEXT ·nearest2Vector(SB), NOSPLIT, $0-40
	MOVQ    d+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVSD  (SI), X0
	MOVQ    $0x7FF0000000000000, AX
	VMOVQ   AX, X1
	XORQ    BX, BX
	MOVQ    $1, DX

min_loop:
	CMPQ     DX, CX
	JGE      min_done
	VMOVSD   (SI)(DX*8), X2
	VMAXSD   X0, X2, X3
	VMINSD   X3, X1, X1
	VUCOMISD X0, X2
	CMOVQCS  DX, BX
	VMINSD   X2, X0, X0
	INCQ     DX
	JMP      min_loop

min_done:
	MOVQ   BX, b+16(FP)
	VMOVSD X0, bsq+24(FP)
	VMOVSD X1, ssq+32(FP)
	RET

// func dist2GroupsVector(dst, x, ct *float64, groups, cols int)
//
// The squared distances from x to 4·groups centres stored centre-minor:
// group g holds, for each column j, the four centres' values of column j
// (ct[g·cols·4 + j·4 + lane]). Each centre is summed in exactly the order
// of dist2RowsVector: four accumulators over the columns j ≡ 0, 1, 2, 3
// (mod 4) with fused multiply-adds, combined as (a0+a2)+(a1+a3), then the
// remaining cols%4 columns fused in one at a time. So a distance has the
// same bits whichever kernel measured it. Groups are taken three at a
// time (twelve accumulators), then one at a time.
TEXT ·dist2GroupsVector(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ ct+16(FP), DX
	MOVQ groups+24(FP), CX
	MOVQ cols+32(FP), R8
	MOVQ R8, R9
	ANDQ $-4, R9
	MOVQ R8, BX
	SHLQ $5, BX           // BX = group stride in bytes (cols·4·8)

tri_loop:
	CMPQ CX, $3
	JLT  one_loop
	LEAQ (DX)(BX*1), R10
	LEAQ (R10)(BX*1), R11
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	XORQ   AX, AX
	XORQ   R13, R13

tri_vec:
	CMPQ         AX, R9
	JGE          tri_vec_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VSUBPD       (R10)(R13*1), Y12, Y14
	VSUBPD       (R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y0
	VFMADD231PD  Y14, Y14, Y4
	VFMADD231PD  Y15, Y15, Y8
	VBROADCASTSD 8(SI)(AX*8), Y12
	VSUBPD       32(DX)(R13*1), Y12, Y13
	VSUBPD       32(R10)(R13*1), Y12, Y14
	VSUBPD       32(R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y1
	VFMADD231PD  Y14, Y14, Y5
	VFMADD231PD  Y15, Y15, Y9
	VBROADCASTSD 16(SI)(AX*8), Y12
	VSUBPD       64(DX)(R13*1), Y12, Y13
	VSUBPD       64(R10)(R13*1), Y12, Y14
	VSUBPD       64(R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y2
	VFMADD231PD  Y14, Y14, Y6
	VFMADD231PD  Y15, Y15, Y10
	VBROADCASTSD 24(SI)(AX*8), Y12
	VSUBPD       96(DX)(R13*1), Y12, Y13
	VSUBPD       96(R10)(R13*1), Y12, Y14
	VSUBPD       96(R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y3
	VFMADD231PD  Y14, Y14, Y7
	VFMADD231PD  Y15, Y15, Y11
	ADDQ         $4, AX
	ADDQ         $128, R13
	JMP          tri_vec

tri_vec_done:
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	VADDPD Y1, Y0, Y0
	VADDPD Y6, Y4, Y4
	VADDPD Y7, Y5, Y5
	VADDPD Y5, Y4, Y4
	VADDPD Y10, Y8, Y8
	VADDPD Y11, Y9, Y9
	VADDPD Y9, Y8, Y8

tri_tail:
	CMPQ         AX, R8
	JGE          tri_tail_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VSUBPD       (R10)(R13*1), Y12, Y14
	VSUBPD       (R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y0
	VFMADD231PD  Y14, Y14, Y4
	VFMADD231PD  Y15, Y15, Y8
	INCQ         AX
	ADDQ         $32, R13
	JMP          tri_tail

tri_tail_done:
	VMOVUPD Y0, (DI)
	VMOVUPD Y4, 32(DI)
	VMOVUPD Y8, 64(DI)
	ADDQ    $96, DI
	LEAQ    (R11)(BX*1), DX
	SUBQ    $3, CX
	JMP     tri_loop

one_loop:
	TESTQ  CX, CX
	JZ     groups_done
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	XORQ   R13, R13

one_vec:
	CMPQ         AX, R9
	JGE          one_vec_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y0
	VBROADCASTSD 8(SI)(AX*8), Y12
	VSUBPD       32(DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y1
	VBROADCASTSD 16(SI)(AX*8), Y12
	VSUBPD       64(DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y2
	VBROADCASTSD 24(SI)(AX*8), Y12
	VSUBPD       96(DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y3
	ADDQ         $4, AX
	ADDQ         $128, R13
	JMP          one_vec

one_vec_done:
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	VADDPD Y1, Y0, Y0

one_tail:
	CMPQ         AX, R8
	JGE          one_tail_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y0
	INCQ         AX
	ADDQ         $32, R13
	JMP          one_tail

one_tail_done:
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    BX, DX
	DECQ    CX
	JMP     one_loop

groups_done:
	VZEROUPPER
	RET

// func dist2GatherVector(dst *float64, data *float64, cent *float64, rows, labels *int32, n, cols int)
//
// dst[j] = squared distance from data row rows[j] to centre labels[j] of
// cent (row-major), for j < n, in the order of dist2RowsVector (same
// bits). The row four places ahead in the list is prefetched.
TEXT ·dist2GatherVector(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ data+8(FP), BX
	MOVQ cent+16(FP), DX
	MOVQ rows+24(FP), R12
	MOVQ labels+32(FP), R11
	MOVQ n+40(FP), CX
	MOVQ cols+48(FP), R8
	MOVQ R8, R9
	ANDQ $-4, R9

gather_loop:
	TESTQ     CX, CX
	JZ        gather_done
	MOVLQSX   16(R12), R14
	IMULQ     R8, R14
	PREFETCHT0 (BX)(R14*8)
	PREFETCHT0 64(BX)(R14*8)
	MOVLQSX   (R12), R14
	IMULQ     R8, R14
	LEAQ      (BX)(R14*8), SI
	MOVLQSX   (R11), R14
	IMULQ     R8, R14
	LEAQ      (DX)(R14*8), R10
	VXORPD    Y0, Y0, Y0
	XORQ      AX, AX

gather_vec:
	CMPQ        AX, R9
	JGE         gather_vec_done
	VMOVUPD     (SI)(AX*8), Y1
	VSUBPD      (R10)(AX*8), Y1, Y1
	VFMADD231PD Y1, Y1, Y0
	ADDQ        $4, AX
	JMP         gather_vec

gather_vec_done:
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0

gather_tail:
	CMPQ        AX, R8
	JGE         gather_tail_done
	VMOVSD      (SI)(AX*8), X1
	VSUBSD      (R10)(AX*8), X1, X1
	VFMADD231SD X1, X1, X0
	INCQ        AX
	JMP         gather_tail

gather_tail_done:
	VMOVSD X0, (DI)
	ADDQ   $8, DI
	ADDQ   $4, R12
	ADDQ   $4, R11
	DECQ   CX
	JMP    gather_loop

gather_done:
	VZEROUPPER
	RET

// func nearest12Vector(out *nearOut, data *float64, rows *int32, n int, ct *float64, cols int, pad *float64)
//
// For each of the n data rows listed in rows, the squared distances to
// the twelve centres of ct (three groups, centre-minor, summed as
// dist2GroupsVector does, so with the bits of dist2RowsVector) are raised
// lane by lane to pad (0 for a real centre, +Inf for a padding lane), and
// out[j] receives the smallest, the second smallest and the index of the
// first smallest; when the smallest occurs more than once the index is -1
// and the caller decides. The row four places ahead is prefetched.
TEXT ·nearest12Vector(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ data+8(FP), BX
	MOVQ rows+16(FP), R12
	MOVQ n+24(FP), CX
	MOVQ ct+32(FP), DX
	MOVQ cols+40(FP), R8
	MOVQ R8, R9
	ANDQ $-4, R9
	MOVQ R8, R10
	SHLQ $5, R10
	LEAQ (DX)(R10*1), R10
	MOVQ R8, R11
	SHLQ $5, R11
	LEAQ (R10)(R11*1), R11

near_loop:
	TESTQ      CX, CX
	JZ         near_done
	MOVLQSX    16(R12), R14
	IMULQ      R8, R14
	PREFETCHT0 (BX)(R14*8)
	PREFETCHT0 64(BX)(R14*8)
	MOVLQSX    (R12), R14
	IMULQ      R8, R14
	LEAQ       (BX)(R14*8), SI
	VXORPD     Y0, Y0, Y0
	VXORPD     Y1, Y1, Y1
	VXORPD     Y2, Y2, Y2
	VXORPD     Y3, Y3, Y3
	VXORPD     Y4, Y4, Y4
	VXORPD     Y5, Y5, Y5
	VXORPD     Y6, Y6, Y6
	VXORPD     Y7, Y7, Y7
	VXORPD     Y8, Y8, Y8
	VXORPD     Y9, Y9, Y9
	VXORPD     Y10, Y10, Y10
	VXORPD     Y11, Y11, Y11
	XORQ       AX, AX
	XORQ       R13, R13

near_vec:
	CMPQ         AX, R9
	JGE          near_vec_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VSUBPD       (R10)(R13*1), Y12, Y14
	VSUBPD       (R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y0
	VFMADD231PD  Y14, Y14, Y4
	VFMADD231PD  Y15, Y15, Y8
	VBROADCASTSD 8(SI)(AX*8), Y12
	VSUBPD       32(DX)(R13*1), Y12, Y13
	VSUBPD       32(R10)(R13*1), Y12, Y14
	VSUBPD       32(R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y1
	VFMADD231PD  Y14, Y14, Y5
	VFMADD231PD  Y15, Y15, Y9
	VBROADCASTSD 16(SI)(AX*8), Y12
	VSUBPD       64(DX)(R13*1), Y12, Y13
	VSUBPD       64(R10)(R13*1), Y12, Y14
	VSUBPD       64(R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y2
	VFMADD231PD  Y14, Y14, Y6
	VFMADD231PD  Y15, Y15, Y10
	VBROADCASTSD 24(SI)(AX*8), Y12
	VSUBPD       96(DX)(R13*1), Y12, Y13
	VSUBPD       96(R10)(R13*1), Y12, Y14
	VSUBPD       96(R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y3
	VFMADD231PD  Y14, Y14, Y7
	VFMADD231PD  Y15, Y15, Y11
	ADDQ         $4, AX
	ADDQ         $128, R13
	JMP          near_vec

near_vec_done:
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	VADDPD Y1, Y0, Y0
	VADDPD Y6, Y4, Y4
	VADDPD Y7, Y5, Y5
	VADDPD Y5, Y4, Y4
	VADDPD Y10, Y8, Y8
	VADDPD Y11, Y9, Y9
	VADDPD Y9, Y8, Y8

near_tail:
	CMPQ         AX, R8
	JGE          near_tail_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VSUBPD       (R10)(R13*1), Y12, Y14
	VSUBPD       (R11)(R13*1), Y12, Y15
	VFMADD231PD  Y13, Y13, Y0
	VFMADD231PD  Y14, Y14, Y4
	VFMADD231PD  Y15, Y15, Y8
	INCQ         AX
	ADDQ         $32, R13
	JMP          near_tail

near_tail_done:
	// Padding lanes to +Inf.
	MOVQ    pad+48(FP), R14
	VMAXPD  (R14), Y0, Y0
	VMAXPD  32(R14), Y4, Y4
	VMAXPD  64(R14), Y8, Y8
	// Smallest value, broadcast to Y12.
	VMINPD       Y4, Y0, Y12
	VMINPD       Y8, Y12, Y12
	VEXTRACTF128 $1, Y12, X13
	VMINPD       X13, X12, X12
	VPERMILPD    $1, X12, X13
	VMINSD       X13, X12, X12
	VMOVSD       X12, (DI)
	VBROADCASTSD X12, Y12
	// Lanes equal to it: a 12-bit mask in R14.
	VCMPPD    $0, Y12, Y0, Y13
	VMOVMSKPD Y13, R14
	VCMPPD    $0, Y12, Y4, Y13
	VMOVMSKPD Y13, R13
	SHLQ      $4, R13
	ORQ       R13, R14
	VCMPPD    $0, Y12, Y8, Y13
	VMOVMSKPD Y13, R13
	SHLQ      $8, R13
	ORQ       R13, R14
	POPCNTQ   R14, R13
	CMPQ      R13, $1
	JNE       near_tie
	TZCNTQ    R14, R14
	MOVQ      R14, 16(DI)
	// Second smallest: the smallest of the lanes above the smallest.
	MOVQ         $0x7FF0000000000000, R13
	VMOVQ        R13, X15
	VBROADCASTSD X15, Y15
	VCMPPD       $14, Y12, Y0, Y13 // Y0 > min
	VBLENDVPD    Y13, Y0, Y15, Y0
	VCMPPD       $14, Y12, Y4, Y13
	VBLENDVPD    Y13, Y4, Y15, Y4
	VCMPPD       $14, Y12, Y8, Y13
	VBLENDVPD    Y13, Y8, Y15, Y8
	VMINPD       Y4, Y0, Y0
	VMINPD       Y8, Y0, Y0
	VEXTRACTF128 $1, Y0, X13
	VMINPD       X13, X0, X0
	VPERMILPD    $1, X0, X13
	VMINSD       X13, X0, X0
	VMOVSD       X0, 8(DI)
	JMP          near_next

near_tie:
	MOVQ $-1, 16(DI)
	VMOVSD X12, 8(DI)

near_next:
	ADDQ $24, DI
	ADDQ $4, R12
	DECQ CX
	JMP  near_loop

near_done:
	VZEROUPPER
	RET


// func seedStepVector(closest *float64, near *int32, data *float64, n, cols int, pending *float64, pidx int, ct, w *float64, wstride int, pot *float64)
//
// One trial pass of greedy k-means++ over n consecutive rows. For row j,
// when pending is not nil: d = squared distance to pending (in the order
// of dist2RowsVector, so with its bits); if d < closest[j], closest[j] =
// d and near[j] = pidx. Then, with cl = closest[j] and the squared
// distances dt to the four candidates of the group ct (as
// dist2GroupsVector sums them), pot[t] += w·min(dt, cl) lane by lane,
// row after row (a multiply then an add, as in Go); w advances by
// wstride bytes per row (0: one weight for every row).
TEXT ·seedStepVector(SB), NOSPLIT, $0-88
	MOVQ    closest+0(FP), DI
	MOVQ    near+8(FP), R11
	MOVQ    data+16(FP), SI
	MOVQ    n+24(FP), CX
	MOVQ    cols+32(FP), R8
	MOVQ    pending+40(FP), R10
	MOVQ    pidx+48(FP), R14
	MOVQ    ct+56(FP), DX
	MOVQ    w+64(FP), BX
	MOVQ    wstride+72(FP), R12
	MOVQ    pot+80(FP), AX
	VMOVUPD (AX), Y8
	MOVQ    R8, R9
	ANDQ    $-4, R9
	MOVQ    R8, R15
	SHLQ    $3, R15       // R15 = row stride in bytes

step_loop:
	TESTQ CX, CX
	JZ    step_done
	VMOVSD (DI), X9        // cl
	TESTQ  R10, R10
	JZ     step_cands
	VXORPD Y0, Y0, Y0
	XORQ   AX, AX

step_pvec:
	CMPQ        AX, R9
	JGE         step_pvec_done
	VMOVUPD     (SI)(AX*8), Y1
	VSUBPD      (R10)(AX*8), Y1, Y1
	VFMADD231PD Y1, Y1, Y0
	ADDQ        $4, AX
	JMP         step_pvec

step_pvec_done:
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0

step_ptail:
	CMPQ        AX, R8
	JGE         step_ptail_done
	VMOVSD      (SI)(AX*8), X1
	VSUBSD      (R10)(AX*8), X1, X1
	VFMADD231SD X1, X1, X0
	INCQ        AX
	JMP         step_ptail

step_ptail_done:
	MOVLQSX  (R11), AX
	VUCOMISD X9, X0        // CF: d < cl
	CMOVQCS  R14, AX
	MOVL     AX, (R11)
	VMINSD   X9, X0, X9    // d < cl ? d : cl
	VMOVSD   X9, (DI)

step_cands:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	XORQ   R13, R13

step_vec:
	CMPQ         AX, R9
	JGE          step_vec_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y0
	VBROADCASTSD 8(SI)(AX*8), Y12
	VSUBPD       32(DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y1
	VBROADCASTSD 16(SI)(AX*8), Y12
	VSUBPD       64(DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y2
	VBROADCASTSD 24(SI)(AX*8), Y12
	VSUBPD       96(DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y3
	ADDQ         $4, AX
	ADDQ         $128, R13
	JMP          step_vec

step_vec_done:
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y1, Y1
	VADDPD Y1, Y0, Y0

step_tail:
	CMPQ         AX, R8
	JGE          step_tail_done
	VBROADCASTSD (SI)(AX*8), Y12
	VSUBPD       (DX)(R13*1), Y12, Y13
	VFMADD231PD  Y13, Y13, Y0
	INCQ         AX
	ADDQ         $32, R13
	JMP          step_tail

step_tail_done:
	VBROADCASTSD X9, Y12
	VMINPD       Y12, Y0, Y0
	VBROADCASTSD (BX), Y12
	VMULPD       Y12, Y0, Y0
	VADDPD       Y0, Y8, Y8
	ADDQ         $8, DI
	ADDQ         $4, R11
	ADDQ         R15, SI
	ADDQ         R12, BX
	DECQ         CX
	JMP          step_loop

step_done:
	MOVQ    pot+80(FP), AX
	VMOVUPD Y8, (AX)
	VZEROUPPER
	RET

// func boundSweepVector(assign *int32, upper, lower *float64, n int, shift, half, dec *float64, rows, labs *int32, m *float64, lo int) (n1 int)
//
// Hamerly's bound test over n consecutive rows, without branches: for
// row i with label a, upper[i] += shift[a]; lower[i] -= dec[a]; the row
// is listed (rows[n1] = lo+i, labs[n1] = a, m[n1] = max(lower[i],
// half[a])) and n1 advanced when upper[i] > m. Returns n1.
TEXT ·boundSweepVector(SB), NOSPLIT, $0-96
	MOVQ  assign+0(FP), R11
	MOVQ  upper+8(FP), DI
	MOVQ  lower+16(FP), SI
	MOVQ  n+24(FP), CX
	MOVQ  shift+32(FP), DX
	MOVQ  half+40(FP), R8
	MOVQ  dec+48(FP), R10
	MOVQ  rows+56(FP), R12
	MOVQ  labs+64(FP), R14
	MOVQ  m+72(FP), R15
	MOVQ  lo+80(FP), BX
	XORQ  AX, AX              // n1
	TESTQ CX, CX
	JZ    sweep_done
	// Index the row arrays by the row number lo+i, kept in BX.
	MOVQ  BX, R9
	SHLQ  $2, R9
	SUBQ  R9, R11
	SHLQ  $1, R9
	SUBQ  R9, DI
	SUBQ  R9, SI
	ADDQ  BX, CX              // lo+n

sweep_loop:
	MOVLQSX  (R11)(BX*4), R13 // a
	VMOVSD   (DI)(BX*8), X0
	VADDSD   (DX)(R13*8), X0, X0
	VMOVSD   X0, (DI)(BX*8)
	VMOVSD   (SI)(BX*8), X1
	VSUBSD   (R10)(R13*8), X1, X1
	VMOVSD   X1, (SI)(BX*8)
	VMAXSD   (R8)(R13*8), X1, X1
	MOVL     BX, (R12)(AX*4)
	MOVL     R13, (R14)(AX*4)
	VMOVSD   X1, (R15)(AX*8)
	XORQ     R9, R9
	VUCOMISD X1, X0           // u > m: above
	SETHI    R9
	ADDQ     R9, AX
	INCQ     BX
	CMPQ     BX, CX
	JLT      sweep_loop

sweep_done:
	MOVQ AX, n1+88(FP)
	RET

// func moveSumsVector(dsum, data *float64, rows, from, to *int32, n, cols int, w *float64, wstride int)
//
// For each move j < n of row r = rows[j] with weight v = w[r·wstride/8]:
// dsum[from[j]·cols + d] -= v·x[d] unless from[j] < 0, then dsum[to[j]·cols
// + d] += v·x[d], for every column d (a multiply, then a subtract or an
// add). The row four moves ahead is prefetched.
TEXT ·moveSumsVector(SB), NOSPLIT, $0-72
	MOVQ dsum+0(FP), DI
	MOVQ data+8(FP), BX
	MOVQ rows+16(FP), R12
	MOVQ from+24(FP), R10
	MOVQ to+32(FP), R11
	MOVQ n+40(FP), CX
	MOVQ cols+48(FP), R8
	MOVQ w+56(FP), R15
	MOVQ R8, R9
	ANDQ $-4, R9

move_loop:
	TESTQ      CX, CX
	JZ         move_done
	MOVLQSX    16(R12), R14
	IMULQ      R8, R14
	PREFETCHT0 (BX)(R14*8)
	PREFETCHT0 64(BX)(R14*8)
	MOVLQSX    (R12), R14
	MOVQ       R14, R13
	IMULQ      wstride+64(FP), R13
	VBROADCASTSD (R15)(R13*1), Y15 // weight
	IMULQ      R8, R14
	LEAQ       (BX)(R14*8), SI      // x
	MOVLQSX    (R11), R14
	IMULQ      R8, R14
	LEAQ       (DI)(R14*8), DX      // sum of to
	MOVLQSX    (R10), R13
	TESTQ      R13, R13
	JS         move_add
	IMULQ      R8, R13
	LEAQ       (DI)(R13*8), R13     // sum of from
	XORQ       AX, AX

move_sub_vec:
	CMPQ    AX, R9
	JGE     move_sub_tail
	VMULPD  (SI)(AX*8), Y15, Y0
	VMOVUPD (R13)(AX*8), Y1
	VSUBPD  Y0, Y1, Y1
	VMOVUPD Y1, (R13)(AX*8)
	ADDQ    $4, AX
	JMP     move_sub_vec

move_sub_tail:
	CMPQ   AX, R8
	JGE    move_add
	VMULSD (SI)(AX*8), X15, X0
	VMOVSD (R13)(AX*8), X1
	VSUBSD X0, X1, X1
	VMOVSD X1, (R13)(AX*8)
	INCQ   AX
	JMP    move_sub_tail

move_add:
	XORQ AX, AX

move_add_vec:
	CMPQ    AX, R9
	JGE     move_add_tail
	VMULPD  (SI)(AX*8), Y15, Y0
	VADDPD  (DX)(AX*8), Y0, Y1
	VMOVUPD Y1, (DX)(AX*8)
	ADDQ    $4, AX
	JMP     move_add_vec

move_add_tail:
	CMPQ   AX, R8
	JGE    move_next
	VMULSD (SI)(AX*8), X15, X0
	VADDSD (DX)(AX*8), X0, X1
	VMOVSD X1, (DX)(AX*8)
	INCQ   AX
	JMP    move_add_tail

move_next:
	ADDQ $4, R12
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JMP  move_loop

move_done:
	VZEROUPPER
	RET

// func nearest16DotF32Vector(data, xn *float32, rows *int32, n int, ct, cn *float32, cols int, keys *uint32, xNorm, upper, lower, consts *float64, assign, mv, mvFr, mvTo, rej *int32, m *float64) (changed, nrej, settled int)
//
// For each of the n rows of the float32 matrix data listed in rows: with
// e = max(cn - 2·x·c + xn[row], 0) lane by lane for the sixteen centres
// of ct (two groups of eight, centre-minor; x·c summed with fused
// multiply-adds), each lane's key is the bits of e with the low four
// replaced: keys[lane] holds the lane's index, or all ones past the last
// centre. The smallest and second smallest keys, compared as unsigned
// integers (which orders non-negative floats), give the nearest centre b
// and estimates eb = value(kb)·consts[0] (the cleared bits put value(kb)
// at most 2⁻¹⁹ below) and es = value(ks) (+Inf when there is none). With
// the margin Δ = consts[2]·(xNorm[row] + consts[1])², when es - eb > 2Δ
// the row is accepted: upper[row] = sqrt(eb + Δ), lower[row] =
// sqrt(max(es - Δ, 0)), assign[row] = b, and when b differs from the
// row's old label a the move (row, a, b) is appended to mv, mvFr and
// mvTo; when m is not nil, settled counts the accepted rows (at list
// position j) with b == a and upper[row] <= m[j]. Otherwise the row is
// rejected: its position j is appended to rej and the move (row, a, -2)
// to the moves, so that moves stay in list order; upper, lower and
// assign are left alone. The moves are written without branches. The
// row four places ahead is prefetched.
TEXT ·nearest16DotF32Vector(SB), NOSPLIT, $0-168
	MOVQ data+0(FP), BX
	MOVQ xn+8(FP), R15
	MOVQ rows+16(FP), R12
	MOVQ n+24(FP), CX
	MOVQ ct+32(FP), DX
	MOVQ cols+48(FP), R8
	XORQ DI, DI             // changed
	MOVQ DI, nrej+152(FP)
	MOVQ DI, settled+160(FP)
	MOVQ R8, R9
	ANDQ $-4, R9
	MOVQ R8, R10
	SHLQ $5, R10
	LEAQ (DX)(R10*1), R10   // second group
	MOVL $0xC0000000, AX    // -2.0
	VMOVD AX, X14
	VBROADCASTSS X14, Y14
	MOVL $0xFFFFFFF0, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VXORPS Y11, Y11, Y11

dot_loop:
	TESTQ      CX, CX
	JZ         dot_done
	MOVLQSX    16(R12), R14
	IMULQ      R8, R14
	PREFETCHT0 (BX)(R14*4)
	MOVLQSX    (R12), R13
	MOVQ       R13, R14
	IMULQ      R8, R14
	LEAQ       (BX)(R14*4), SI
	VXORPS     Y0, Y0, Y0
	VXORPS     Y1, Y1, Y1
	VXORPS     Y2, Y2, Y2
	VXORPS     Y3, Y3, Y3
	VXORPS     Y4, Y4, Y4
	VXORPS     Y5, Y5, Y5
	VXORPS     Y6, Y6, Y6
	VXORPS     Y7, Y7, Y7
	XORQ       AX, AX
	XORQ       R11, R11

dot_vec:
	CMPQ         AX, R9
	JGE          dot_vec_done
	VBROADCASTSS (SI)(AX*4), Y12
	VFMADD231PS  (DX)(R11*1), Y12, Y0
	VFMADD231PS  (R10)(R11*1), Y12, Y4
	VBROADCASTSS 4(SI)(AX*4), Y12
	VFMADD231PS  32(DX)(R11*1), Y12, Y1
	VFMADD231PS  32(R10)(R11*1), Y12, Y5
	VBROADCASTSS 8(SI)(AX*4), Y12
	VFMADD231PS  64(DX)(R11*1), Y12, Y2
	VFMADD231PS  64(R10)(R11*1), Y12, Y6
	VBROADCASTSS 12(SI)(AX*4), Y12
	VFMADD231PS  96(DX)(R11*1), Y12, Y3
	VFMADD231PS  96(R10)(R11*1), Y12, Y7
	ADDQ         $4, AX
	ADDQ         $128, R11
	JMP          dot_vec

dot_vec_done:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	VADDPS Y6, Y4, Y4
	VADDPS Y7, Y5, Y5
	VADDPS Y5, Y4, Y4

dot_tail:
	CMPQ         AX, R8
	JGE          dot_tail_done
	VBROADCASTSS (SI)(AX*4), Y12
	VFMADD231PS  (DX)(R11*1), Y12, Y0
	VFMADD231PS  (R10)(R11*1), Y12, Y4
	INCQ         AX
	ADDQ         $32, R11
	JMP          dot_tail

dot_tail_done:
	// e = max(cn - 2·dot + xn, 0).
	MOVQ         cn+40(FP), R14
	VFMADD213PS  (R14), Y14, Y0
	VFMADD213PS  32(R14), Y14, Y4
	VBROADCASTSS (R15)(R13*4), Y12
	VADDPS       Y12, Y0, Y0
	VADDPS       Y12, Y4, Y4
	VMAXPS       Y11, Y0, Y0
	VMAXPS       Y11, Y4, Y4
	// Keys.
	MOVQ    keys+56(FP), R14
	VPAND   Y15, Y0, Y0
	VPOR    (R14), Y0, Y0
	VPAND   Y15, Y4, Y4
	VPOR    32(R14), Y4, Y4
	// Smallest key, to R11.
	VPMINUD      Y4, Y0, Y8
	VEXTRACTI128 $1, Y8, X9
	VPMINUD      X9, X8, X8
	VPSHUFD      $0x4E, X8, X9
	VPMINUD      X9, X8, X8
	VPSHUFD      $0xB1, X8, X9
	VPMINUD      X9, X8, X8
	VMOVD        X8, R11
	// Second smallest, to AX: the smallest once the smallest is raised
	// to all ones.
	VPBROADCASTD X8, Y8
	VPCMPEQD     Y8, Y0, Y9
	VPOR         Y9, Y0, Y0
	VPCMPEQD     Y8, Y4, Y9
	VPOR         Y9, Y4, Y4
	VPMINUD      Y4, Y0, Y8
	VEXTRACTI128 $1, Y8, X9
	VPMINUD      X9, X8, X8
	VPSHUFD      $0x4E, X8, X9
	VPMINUD      X9, X8, X8
	VPSHUFD      $0xB1, X8, X9
	VPMINUD      X9, X8, X8
	VMOVD        X8, AX
	// Estimates.
	MOVQ      consts+88(FP), R14
	MOVL      R11, SI
	ANDL      $-16, SI
	VMOVD     SI, X1
	VCVTSS2SD X1, X1, X1
	VMULSD    (R14), X1, X1        // eb
	MOVL      AX, SI
	ANDL      $-16, SI
	VMOVD     SI, X2
	VCVTSS2SD X2, X2, X2           // es
	CMPL      AX, $-1
	JNE       dot_has_second
	VMOVSD    24(R14), X2          // +Inf

dot_has_second:
	MOVQ     xNorm+64(FP), SI
	VMOVSD   (SI)(R13*8), X3
	VADDSD   8(R14), X3, X3
	VMULSD   X3, X3, X3
	VMULSD   16(R14), X3, X3       // Δ
	VSUBSD   X1, X2, X4            // es - eb
	VADDSD   X3, X3, X5            // 2Δ
	VUCOMISD X5, X4
	JLS      dot_reject
	VADDSD   X3, X1, X6
	VSQRTSD  X6, X6, X6
	VSUBSD   X3, X2, X7
	VMAXSD   X11, X7, X7
	VSQRTSD  X7, X7, X7
	MOVQ     upper+72(FP), SI
	VMOVSD   X6, (SI)(R13*8)
	MOVQ     lower+80(FP), SI
	VMOVSD   X7, (SI)(R13*8)
	ANDL     $15, R11             // b
	MOVQ     assign+96(FP), SI
	MOVL     (SI)(R13*4), AX      // a
	MOVL     R11, (SI)(R13*4)
	MOVQ     mv+104(FP), SI
	MOVL     R13, (SI)(DI*4)
	MOVQ     mvFr+112(FP), SI
	MOVL     AX, (SI)(DI*4)
	MOVQ     mvTo+120(FP), SI
	MOVL     R11, (SI)(DI*4)
	XORQ     SI, SI
	CMPL     AX, R11
	SETNE    SI
	ADDQ     SI, DI               // changed += a != b
	MOVQ     m+136(FP), AX
	TESTQ    AX, AX
	JZ       dot_next
	XORQ     $1, SI               // a == b
	MOVQ     n+24(FP), R14
	SUBQ     CX, R14              // j
	XORQ     R11, R11
	VUCOMISD (AX)(R14*8), X6      // upper <= m[j]: below or equal
	SETLS    R11
	ANDQ     SI, R11
	ADDQ     R11, settled+160(FP)
	JMP      dot_next

dot_reject:
	MOVQ n+24(FP), R14
	SUBQ CX, R14                  // j
	MOVQ rej+128(FP), SI
	MOVQ nrej+152(FP), AX
	MOVL R14, (SI)(AX*4)
	INCQ AX
	MOVQ AX, nrej+152(FP)
	MOVQ assign+96(FP), SI
	MOVL (SI)(R13*4), AX
	MOVQ mv+104(FP), SI
	MOVL R13, (SI)(DI*4)
	MOVQ mvFr+112(FP), SI
	MOVL AX, (SI)(DI*4)
	MOVQ mvTo+120(FP), SI
	MOVL $-2, (SI)(DI*4)
	INCQ DI

dot_next:
	ADDQ $4, R12
	DECQ CX
	JMP  dot_loop

dot_done:
	MOVQ DI, changed+144(FP)
	VZEROUPPER
	RET

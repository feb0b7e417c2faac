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

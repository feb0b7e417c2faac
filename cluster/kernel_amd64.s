#include "textflag.h"

// func dist2RowsVector(dst, x, rows *float64, n, cols int)
//
// For each of n rows: four lanes accumulate (x[j]-row[j])² over the
// columns j ≡ lane (mod 4) with fused multiply-adds, the lanes are summed
// as (l0+l2)+(l1+l3), and the remaining cols%4 columns are added last.
TEXT ·dist2RowsVector(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ cols+32(FP), R8
	MOVQ R8, R9
	ANDQ $-4, R9

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

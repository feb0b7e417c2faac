package clv

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// The Gauss hypergeometric function 2F1 appears in two shapes here, each
// put by a linear transformation into a form whose series has bounded,
// mostly positive terms, so that nothing overflows for customers with
// hundreds of transactions. The series is summed directly while it
// converges in a few thousand terms (z up to hypSeriesMaxZ); closer to
// z = 1, mathext.Hypergeo (Cephes, which switches to the 1−z
// transformation there) takes over, and the direct series with a larger
// cap is the fallback if it returns a non-finite value.

const (
	hypSeriesMaxZ   = 0.999
	hypMaxTerms     = 1 << 16
	hypMaxTermsSlow = 1 << 24
	hypTol          = 0x1p-53
)

// hyp1 returns 2F1(1, b; c; z) for 0 < b < c and 0 <= z < 1. The terms
// of its series are positive and each is less than z times the one
// before, so the tail after a term u is below u·z/(1−z).
func hyp1(b, c, z float64) float64 {
	if z > hypSeriesMaxZ {
		if v := mathext.Hypergeo(1, b, c, z); v >= 1 && v <= maxFinite {
			return v
		}
		return hyp1Series(b, c, z, hypMaxTermsSlow)
	}
	return hyp1Series(b, c, z, hypMaxTerms)
}

// hyp1Series sums the series of 2F1(1, b; c; z) with at most maxTerms terms.
func hyp1Series(b, c, z float64, maxTerms int) float64 {
	if z == 0 {
		return 1
	}
	sum, u := 1.0, 1.0
	tail := z / (1 - z)
	for n := 0; n < maxTerms; n++ {
		fn := float64(n)
		u *= (b + fn) / (c + fn) * z
		sum += u
		if u*tail <= hypTol*sum {
			break
		}
	}
	return sum
}

// bgAlive returns the expected number of transactions in (T, T+t] of a
// BG/NBD customer alive at T with x repeat transactions, with u = t/(α+T):
//
//	(a+b+x−1)/(a−1) · [1 − (1+u)^{−(r+x)} 2F1(r+x, b+x; a+b+x−1; z)],
//	z = u/(1+u),
//
// the bracket of Fader, Hardie and Lee's (2005) equation 10. Euler's
// transformation turns the bracket into 1 − (1−z)^ε F with ε = a−1 and
// F = 2F1(a+b−1−r, ε; a+b+x−1; z), whose series is 1 + ε·S; so
//
//	bracket/ε = −expm1(ε·ln(1−z))/ε − S·(1−z)^ε,
//
// which stays finite and accurate as a → 1, where the published form is
// 0/0, and as x grows, where the published 2F1 overflows.
func bgAlive(r, a, b, x, u float64) float64 {
	if u <= 0 {
		return 0
	}
	eps := a - 1
	z := u / (1 + u)
	lnq := -math.Log1p(u) // ln(1−z)
	c := a + b + x - 1
	var frac float64 // bracket/ε
	if z > hypSeriesMaxZ && math.Abs(eps) > 1e-4 {
		f := mathext.Hypergeo(a+b-1-r, eps, c, z)
		frac = -math.Expm1(eps*lnq+math.Log(math.Abs(f))) / eps
		if f <= 0 || math.IsNaN(frac) || math.IsInf(frac, 0) {
			frac = bgAliveSeries(r, a, b, x, z, lnq, hypMaxTermsSlow)
		}
	} else {
		maxTerms := hypMaxTerms
		if z > hypSeriesMaxZ {
			maxTerms = hypMaxTermsSlow
		}
		frac = bgAliveSeries(r, a, b, x, z, lnq, maxTerms)
	}
	return c * frac
}

// bgAliveSeries returns the bracket of bgAlive divided by ε = a−1 from the
// series S = Σ_{n≥1} (A)_n (1+ε)_{n−1} / ((c)_n n!) z^n, A = a+b−1−r,
// c = a+b+x−1, with lnq = ln(1−z).
func bgAliveSeries(r, a, b, x, z, lnq float64, maxTerms int) float64 {
	eps := a - 1
	A := a + b - 1 - r
	c := a + b + x - 1
	var head float64 // −expm1(ε·lnq)/ε
	if math.Abs(eps*lnq) < 1e-300 {
		head = -lnq
	} else {
		head = -math.Expm1(eps*lnq) / eps
	}
	u := A / c * z // n = 1
	s := u
	for n := 1; n < maxTerms; n++ {
		fn := float64(n)
		rho := (A + fn) * (eps + fn) / ((c + fn) * (fn + 1)) * z
		u *= rho
		s += u
		bound := max(math.Abs(rho), z)
		if bound < 1 && math.Abs(u)*bound/(1-bound) <= hypTol*max(math.Abs(s), head) {
			break
		}
	}
	return head - s*math.Exp(eps*lnq)
}

// logIntegral returns the log of ∫_lo^hi (A+u)^{−p1} (B+u)^{−p2} du for
// A, B > 0, p1, p2 > 0 with p1+p2 > 1 and 0 <= lo <= hi; −Inf when
// lo == hi. With P = p1+p2 and A >= B an antiderivative is
//
//	G(u) = −(A+u)^{−p1} (B+u)^{1−p2} 2F1(1, p1; P; (A−B)/(A+u)) / (P−1),
//
// from expanding (B+u)^{−p2} = (A+u)^{−p2} (1−k/(A+u))^{−p2} with k = A−B
// and Euler's transformation; for A < B the roles swap. The difference is
// taken in log space.
func logIntegral(p1, A, p2, B, lo, hi float64) float64 {
	if hi <= lo {
		return math.Inf(-1)
	}
	l1, l2 := logAntiderivative(p1, A, p2, B, lo), logAntiderivative(p1, A, p2, B, hi)
	return l1 + math.Log(-math.Expm1(l2-l1))
}

// logAntiderivative returns ln(−G(u)) for logIntegral.
func logAntiderivative(p1, A, p2, B, u float64) float64 {
	if A < B {
		p1, A, p2, B = p2, B, p1, A
	}
	P := p1 + p2
	return -p1*math.Log(A+u) + (1-p2)*math.Log(B+u) +
		math.Log(hyp1(p1, P, (A-B)/(A+u))) - math.Log(P-1)
}

package clv

import "math"

// The Gauss hypergeometric function 2F1 appears in two shapes here, each
// put by a linear transformation into a form whose series has bounded,
// mostly positive terms, so that nothing overflows for customers with
// hundreds of transactions. The series are summed directly. For
// 2F1(1, b; c; z) with z above hypSeriesMaxZ, where the series would need
// thousands of terms, the 1−z transformation (Abramowitz and Stegun
// 15.3.6) gives two series in 1−z instead.
//
// mathext.Hypergeo is not used: where c−a−b is a whole number its Cephes
// code expands in digamma functions, a loop that did not return within
// seconds for 2F1(1, 500.001; 1501.001; 0.99996), a value the Pareto/NBD
// likelihood needs for a customer with 500 purchases.

const (
	hypSeriesMaxZ   = 0.99
	hypMaxTerms     = 1 << 16
	hypMaxTermsSlow = 1 << 24
	hypTol          = 0x1p-53
)

// hyp1 returns 2F1(1, b; c; z) for 0 < b < c and 0 <= z < 1. The terms
// of its series are positive and each is less than z times the one
// before, so the tail after a term u is below u·z/(1−z).
func hyp1(b, c, z float64) float64 {
	if z <= hypSeriesMaxZ {
		return hyp1Series(b, c, z, hypMaxTerms)
	}
	var v float64
	ok := true
	near1 := func(c float64) float64 {
		f, good := hyp1Near1(b, c, z)
		ok = ok && good
		return f
	}
	if d := c - 1 - b; math.Abs(d-math.Round(d)) < 1e-3 {
		// The two terms of the transformation have poles at whole d
		// that cancel: evaluate away from them, at c ± h and c ± 2h,
		// and extrapolate the symmetric means to h = 0: exact to
		// about 1e-7 relative up to z = 1 − 1e-5.
		v = richardson(near1, c, 4e-3)
	} else {
		v = near1(c)
	}
	if ok {
		return v
	}
	return hyp1Series(b, c, z, hypMaxTermsSlow)
}

// richardson returns f(x) from the symmetric means of f at x ± h and
// x ± 2h, with the error terms in h² eliminated, for an f that is smooth
// at x but cannot be evaluated there accurately.
func richardson(f func(float64) float64, x, h float64) float64 {
	m1 := (f(x+h) + f(x-h)) / 2
	m2 := (f(x+2*h) + f(x-2*h)) / 2
	return (4*m1 - m2) / 3
}

// hyp1Near1 returns 2F1(1, b; c; z) by the 1−z transformation, for d =
// c−1−b not a whole number:
//
//	2F1(1, b; c; z) = (c−1)/d · 2F1(1, b; 1−d; 1−z) + Γ(c)Γ(−d)/Γ(b) · (1−z)^d z^{1−c},
//
// where 2F1(c−1, c−b; 1+d; 1−z) = z^{1−c} has been summed. It reports
// false when the result is not finite or the two terms cancel to fewer
// than ten significant digits, as they do for large b.
func hyp1Near1(b, c, z float64) (float64, bool) {
	d := c - 1 - b
	w := 1 - z
	// 2F1(1, b; 1−d; w): the denominators may be negative for the first
	// terms, so the tail test waits for the ratio to settle below 1/2.
	sum, u, big := 1.0, 1.0, 1.0
	for n := 0; n < hypMaxTerms; n++ {
		fn := float64(n)
		rho := (b + fn) / (1 - d + fn) * w
		u *= rho
		sum += u
		big = max(big, math.Abs(u))
		if math.Abs(rho) < 0.5 && math.Abs(u) <= hypTol*math.Abs(sum) {
			break
		}
	}
	lgc, _ := math.Lgamma(c)
	lgd, sgn := math.Lgamma(-d)
	lgb, _ := math.Lgamma(b)
	first := (c - 1) / d * sum
	second := float64(sgn) * math.Exp(lgc+lgd-lgb+d*math.Log(w)+(1-c)*math.Log(z))
	v := first + second
	scale := math.Abs((c-1)/d)*big + math.Abs(second)
	return v, v > 0 && v <= maxFinite && scale <= 1e6*v
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
	z := u / (1 + u)
	lnq := -math.Log1p(u) // ln(1−z)
	c := a + b + x - 1
	if a+b-1-r < -2 {
		return bgAlivePrinted(r, a, b, x, z, lnq)
	}
	maxTerms := hypMaxTerms
	if z > hypSeriesMaxZ {
		maxTerms = hypMaxTermsSlow
	}
	frac := bgAliveSeries(r, a, b, x, z, lnq, maxTerms) // bracket/ε
	return c * frac
}

// bgAlivePrinted returns bgAlive from the printed form, for r > a+b+1,
// where the first parameter of the Euler form, a+b−1−r, is below −2 and
// the early terms of its series alternate in sign and cancel. The printed
// 2F1(r+x, b+x; a+b+x−1; z) has positive terms, summed with rescaling so
// that its logarithm survives where it overflows. Near a = 1 the printed
// form is 0/0; there it is evaluated at a ± h and a ± 2h and extrapolated
// to h = 0, the bracket being smooth in a.
func bgAlivePrinted(r, a, b, x, z, lnq float64) float64 {
	if math.Abs(a-1) < 1e-4 {
		return richardson(func(a float64) float64 { return bgAlivePrinted(r, a, b, x, z, lnq) }, a, 4e-4)
	}
	c := a + b + x - 1
	lf := logHypPositive(r+x, b+x, c, z)
	return c / (a - 1) * -math.Expm1((r+x)*lnq+lf)
}

// logHypPositive returns ln 2F1(a, b; c; z) for a, b, c > 0 and
// 0 <= z < 1 by the direct series, whose terms are positive; terms and
// sum are rescaled when they grow past 2^600.
func logHypPositive(a, b, c, z float64) float64 {
	sum, u := 1.0, 1.0
	var logScale float64
	for n := 0; n < hypMaxTermsSlow; n++ {
		fn := float64(n)
		rho := (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
		u *= rho
		sum += u
		if u > 0x1p600 {
			u, sum = u*0x1p-600, sum*0x1p-600
			logScale += 600 * math.Ln2
		}
		if rho < 1 && u*rho/(1-rho) <= hypTol*sum {
			// The ratio falls towards z from above once below 1, so
			// the tail is below u·ρ/(1−ρ).
			break
		}
	}
	return math.Log(sum) + logScale
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
	sum := u
	// With a large, the terms grow far beyond 1 before they fall; they
	// and the sum are rescaled by 2^-600 whenever a term passes 2^600,
	// and the scale is carried in logScale.
	var logScale float64
	scaledHead := head // head in the units of the rescaled terms
	for n := 1; n < maxTerms; n++ {
		fn := float64(n)
		rho := (A + fn) * (eps + fn) / ((c + fn) * (fn + 1)) * z
		u *= rho
		sum += u
		if math.Abs(u) > 0x1p600 {
			u, sum, scaledHead = u*0x1p-600, sum*0x1p-600, scaledHead*0x1p-600
			logScale += 600 * math.Ln2
		}
		bound := max(math.Abs(rho), z)
		if bound < 1 && math.Abs(u)*bound <= (1-bound)*hypTol*max(math.Abs(sum), scaledHead) {
			break
		}
	}
	if sum == 0 {
		return head
	}
	return head - math.Copysign(math.Exp(math.Log(math.Abs(sum))+logScale+eps*lnq), sum)
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

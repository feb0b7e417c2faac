package clv

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mathext"
)

// directSeries sums Σ (a)_n (b)_n / ((c)_n n!) z^n term by term, with
// compensated summation, until the terms are negligible: the definition
// of 2F1, in the form the papers print it.
func directSeries(a, b, c, z float64) float64 {
	sum, comp, u := 1.0, 0.0, 1.0
	for n := 0; n < 1<<24; n++ {
		fn := float64(n)
		u *= (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
		y := u - comp
		s := sum + y
		comp = (s - sum) - y
		sum = s
		if n > 10 && math.Abs(u) < 1e-18*math.Abs(sum) && (a+fn)*(b+fn)*z < (c+fn)*(fn+1) {
			break
		}
	}
	return sum
}

func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// TestBGAliveSeries checks the BG/NBD conditional expectation given alive,
// evaluated through Euler's transformation, against the direct series of
// the 2F1 of the paper's equation 10, for z up to 0.9999 (where
// mathext.Hypergeo takes over from the package's own series).
func TestBGAliveSeries(t *testing.T) {
	params := []struct{ r, a, b, x float64 }{
		{0.243, 0.793, 2.426, 0},
		{0.243, 0.793, 2.426, 1},
		{0.243, 0.793, 2.426, 7},
		{0.5, 1.7, 3, 2},
		{2, 3.5, 0.6, 0},
		{1.2, 0.3, 5, 25},
	}
	for _, p := range params {
		for _, z := range []float64{1e-6, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999} {
			t.Run(fmt.Sprintf("r=%v,a=%v,b=%v,x=%v,z=%v", p.r, p.a, p.b, p.x, z), func(t *testing.T) {
				u := z / (1 - z)
				c := p.a + p.b + p.x - 1
				f := directSeries(p.r+p.x, p.b+p.x, c, z)
				want := c / (p.a - 1) * (1 - math.Pow(1-z, p.r+p.x)*f)
				got := bgAlive(p.r, p.a, p.b, p.x, u)
				tol := 1e-9
				if z < 1e-3 {
					tol = 1e-6 // the printed form cancels: 1 − (1−z)^k F ≈ z
				}
				if e := relErr(got, want); e > tol {
					t.Errorf("bgAlive = %.15g, direct series %.15g (rel. error %.2g)", got, want, e)
				}
			})
		}
	}
}

// bgAliveQuad integrates E[(1 − (1+pu)^{−(r+x)})/p] over p ~ Beta(a,
// b+x): a customer alive at T buys at the posterior rate λ and drops out
// after each purchase with probability p, so given p the expected count
// in the horizon is E_λ[(1 − e^{−λpt})/p]. The substitution w = p^a
// removes the density's singularity at 0.
func bgAliveQuad(r, a, b, x, u float64) float64 {
	k, bx := r+x, b+x
	g := func(w float64) float64 {
		p := math.Pow(w, 1/a)
		if p == 0 {
			return k * u * math.Pow(1-p, bx-1)
		}
		return -math.Expm1(-k*math.Log1p(p*u)) / p * math.Pow(1-p, bx-1)
	}
	// The integrand bends at p = 1/u: split there.
	split := math.Pow(min(1/u, 0.5), a)
	sum := quad.Fixed(g, 0, split, 2000, quad.Legendre{}, 0) + quad.Fixed(g, split, 1, 2000, quad.Legendre{}, 0)
	return sum / (a * mathext.Beta(a, bx))
}

// TestBGAliveLimit checks bgAlive against direct integration over the
// dropout probability, including a = 1, where the printed form is 0/0.
func TestBGAliveLimit(t *testing.T) {
	for _, a := range []float64{0.793, 1 - 1e-9, 1, 1 + 1e-12, 2.5} {
		for _, x := range []float64{0, 3} {
			for _, u := range []float64{0.01, 1, 20} {
				got := bgAlive(0.4, a, 2.2, x, u)
				want := bgAliveQuad(0.4, a, 2.2, x, u)
				if e := relErr(got, want); e > 1e-7 {
					t.Errorf("a=%v x=%v u=%v: bgAlive = %.12g, quadrature %.12g (rel. error %.2g)", a, x, u, got, want, e)
				}
			}
		}
	}
}

// TestHyp1 checks 2F1(1, b; c; z) against the direct series, on both
// sides of hypSeriesMaxZ, and against mathext.Hypergeo where c−1−b is not
// whole (where it is, Hypergeo can take seconds).
func TestHyp1(t *testing.T) {
	for _, p := range []struct{ b, c float64 }{
		{0.5, 1.6}, {1.6, 2.2}, {7.5, 8.1}, {300.2, 301.8}, {0.1, 50},
		// c−1−b whole or nearly: the transformation's poles cancel.
		{1.5, 3.5}, {0.3, 1.3}, {2, 3.0005}, {500.001, 1501.001}, {0.606, 2.606},
		// Large b near c: the transformation's terms cancel.
		{2346, 2349.9},
	} {
		for _, z := range []float64{0, 0.3, 0.9, 0.995, 0.9995, 0.99999} {
			got, want := hyp1(p.b, p.c, z), directSeries(1, p.b, p.c, z)
			tol := 1e-9
			if d := p.c - 1 - p.b; math.Abs(d-math.Round(d)) < 1e-3 {
				tol = 3e-7 // extrapolated across the poles
			}
			if e := relErr(got, want); e > tol {
				t.Errorf("2F1(1, %v; %v; %v) = %.15g, direct series %.15g (rel. error %.2g)", p.b, p.c, z, got, want, e)
			}
			if d := p.c - 1 - p.b; math.Abs(d-math.Round(d)) > 0.05 {
				if h := mathext.Hypergeo(1, p.b, p.c, z); relErr(got, h) > 1e-9 {
					t.Errorf("2F1(1, %v; %v; %v) = %.15g, mathext.Hypergeo %.15g", p.b, p.c, z, got, h)
				}
			}
		}
	}
}

// TestLogIntegral checks the closed form of ∫ (A+u)^{−p1} (B+u)^{−p2} du
// against Gauss–Legendre quadrature in v = ln(1+u), for A above, equal to
// and below B.
func TestLogIntegral(t *testing.T) {
	cases := []struct{ p1, A, p2, B, lo, hi float64 }{
		{0.55, 74, 1.6, 81.7, 0, 272},
		{3.55, 74, 1.6, 81.7, 30, 200},
		{0.55, 81.7, 1.6, 74, 0, 272},
		{1.3, 10, 0.4, 10, 5, 50},
		{20.5, 2, 1.6, 300, 100, 101},
		{0.3, 500, 1.2, 0.5, 0, 1000},
	}
	for _, c := range cases {
		f := func(v float64) float64 {
			u := math.Expm1(v)
			return math.Pow(c.A+u, -c.p1) * math.Pow(c.B+u, -c.p2) * (1 + u)
		}
		want := math.Log(quad.Fixed(f, math.Log1p(c.lo), math.Log1p(c.hi), 2000, quad.Legendre{}, 0))
		got := logIntegral(c.p1, c.A, c.p2, c.B, c.lo, c.hi)
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%+v: log integral = %.12g, quadrature %.12g", c, got, want)
		}
	}
	if v := logIntegral(1, 2, 3, 4, 5, 5); !math.IsInf(v, -1) {
		t.Errorf("empty interval: %v, want -Inf", v)
	}
}

// TestBGAliveLargeR checks the printed form, used when r > a+b+1, against
// integration over the dropout probability, including a near 1.
func TestBGAliveLargeR(t *testing.T) {
	for _, p := range []struct{ r, a, b, x float64 }{
		{5, 0.793, 2.426, 0}, {50, 0.793, 2.426, 3}, {289.944, 0.793, 2.426, 21}, {40, 1 + 1e-6, 3, 2}, {12, 3, 0.5, 1},
	} {
		for _, u := range []float64{0.01, 1, 3} {
			got, want := bgAlive(p.r, p.a, p.b, p.x, u), bgAliveQuad(p.r, p.a, p.b, p.x, u)
			if e := relErr(got, want); e > 1e-7 {
				t.Errorf("%+v u=%v: bgAlive = %.12g, quadrature %.12g (rel. error %.2g)", p, u, got, want, e)
			}
		}
	}
}

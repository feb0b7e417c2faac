package clv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/stat/distuv"
)

// testCustomers are summaries with and without repeat purchases, with
// T = TX and long gaps, in days.
var testCustomers = []Customer{
	{X: 0, TX: 0, T: 0},
	{X: 0, TX: 0, T: 200},
	{X: 1, TX: 3, T: 3},
	{X: 2, TX: 30.43, T: 38.86 * 7},
	{X: 5, TX: 250, T: 270},
	{X: 12, TX: 60, T: 365},
	{X: 80, TX: 700, T: 730},
}

var testBG = []BGNBD{
	{R: 0.243, Alpha: 4.414 * 7, A: 0.793, B: 2.426},
	{R: 2, Alpha: 5, A: 1, B: 0.7},
	{R: 0.05, Alpha: 300, A: 3, B: 9},
}

var testPareto = []ParetoNBD{
	{R: 0.553, Alpha: 10.578 * 7, S: 0.606, Beta: 11.669 * 7},
	{R: 0.553, Alpha: 11.669 * 7, S: 0.606, Beta: 10.578 * 7},
	{R: 2, Alpha: 5, S: 1, Beta: 400},
	{R: 0.1, Alpha: 300, S: 3, Beta: 2},
}

// TestBGNBDGradient checks the analytic gradient of the summed BG/NBD
// log-likelihood against central finite differences.
func TestBGNBDGradient(t *testing.T) {
	tr := collapseTriples(testCustomers)
	for _, m := range testBG {
		t.Run(fmt.Sprintf("%+v", m), func(t *testing.T) {
			got := make([]float64, 4)
			bgLogLik(m, tr, got, 1)
			f := func(p []float64) float64 { return bgLogLik(BGNBD{p[0], p[1], p[2], p[3]}, tr, nil, 1) }
			want := fd.Gradient(nil, f, []float64{m.R, m.Alpha, m.A, m.B}, &fd.Settings{Formula: fd.Central})
			for j := range got {
				if math.Abs(got[j]-want[j]) > 1e-6*math.Max(1, math.Abs(want[j])) {
					t.Errorf("d/dθ%d = %.10g, finite differences %.10g", j, got[j], want[j])
				}
			}
		})
	}
}

// TestGammaGammaGradient checks the analytic gradient of the Gamma-Gamma
// log-likelihood against central finite differences.
func TestGammaGammaGradient(t *testing.T) {
	cs := cdnowLike.customers(500, 3)
	d, _ := newSpendData(cs)
	for _, m := range []GammaGamma{{6.25, 3.74, 15.44}, {0.5, 1.2, 300}, {40, 10, 2}} {
		got := make([]float64, 3)
		ggLogLik(m, d, got, nil, 1)
		f := func(p []float64) float64 { return ggLogLik(GammaGamma{p[0], p[1], p[2]}, d, nil, nil, 1) }
		want := fd.Gradient(nil, f, []float64{m.P, m.Q, m.V}, &fd.Settings{Formula: fd.Central})
		for j := range got {
			if math.Abs(got[j]-want[j]) > 1e-6*math.Max(1, math.Abs(want[j])) {
				t.Errorf("%+v: d/dθ%d = %.10g, finite differences %.10g", m, j, got[j], want[j])
			}
		}
	}
}

// TestCollapsedLikelihood checks that the likelihood summed over distinct
// summaries with counts as weights equals the sum over every customer,
// for a population where summaries repeat.
func TestCollapsedLikelihood(t *testing.T) {
	cs := cdnowLike
	cs.Days, cs.MinT, cs.MaxT = true, 0, 120
	customers := cs.customers(3000, 11)
	tr := collapseTriples(customers)
	if len(tr.x) >= len(customers)/2 {
		t.Fatalf("%d distinct summaries of %d customers: too few repeats for the test", len(tr.x), len(customers))
	}
	t.Run("BG/NBD", func(t *testing.T) {
		for _, m := range testBG {
			var want float64
			for _, c := range customers {
				want += m.LogLikelihoodOf(c)
			}
			if got := bgLogLik(m, tr, nil, 3); relErr(got, want) > 1e-12 {
				t.Errorf("%+v: collapsed %.12g, expanded %.12g", m, got, want)
			}
		}
	})
	t.Run("Pareto/NBD", func(t *testing.T) {
		for _, m := range testPareto {
			var want float64
			for _, c := range customers {
				want += m.LogLikelihoodOf(c)
			}
			if got := pnbdLogLik(m, tr, 3); relErr(got, want) > 1e-12 {
				t.Errorf("%+v: collapsed %.12g, expanded %.12g", m, got, want)
			}
		}
	})
	t.Run("Gamma-Gamma", func(t *testing.T) {
		d, _ := newSpendData(customers)
		m := GammaGamma{6.25, 3.74, 15.44}
		var want float64
		for _, c := range customers {
			if c.X > 0 {
				want += ggLogLikelihoodOf(m, c)
			}
		}
		if got := ggLogLik(m, d, nil, nil, 3); relErr(got, want) > 1e-12 {
			t.Errorf("collapsed %.12g, per customer %.12g", got, want)
		}
	})
}

// models returns every test model as a Model.
func models() []Model {
	var ms []Model
	for _, m := range testBG {
		ms = append(ms, m)
	}
	for _, m := range testPareto {
		ms = append(ms, m)
	}
	return ms
}

// TestModelProperties checks, for every test model and summary, that
// P(alive) and P(no purchase) are probabilities, that expected
// transactions grow with the horizon while P(no purchase) falls, and that
// the expected count over a short horizon is the alive rate times its
// length.
func TestModelProperties(t *testing.T) {
	horizons := []float64{0.01, 1, 7, 30, 90, 365, 1826, 1e5}
	for _, m := range models() {
		for _, c := range testCustomers {
			name := fmt.Sprintf("%T%+v/%+v", m, m, c)
			pa := m.PAlive(c)
			if !(pa >= 0 && pa <= 1) {
				t.Errorf("%s: P(alive) = %v", name, pa)
			}
			if c.X == 0 {
				if bg, ok := m.(BGNBD); ok && bg.PAlive(c) != 1 {
					t.Errorf("%s: BG/NBD P(alive) = %v without a repeat purchase, want 1", name, pa)
				}
			}
			prevE, prevP := 0.0, 1.0
			for _, h := range horizons {
				e, p := m.ExpectedTransactions(c, h), m.ProbNoPurchase(c, h)
				if !(e >= prevE) || math.IsInf(e, 0) {
					t.Errorf("%s: E[Y(%v)] = %v after %v", name, h, e, prevE)
				}
				if !(p >= 0 && p <= prevP+1e-15) {
					t.Errorf("%s: P(no purchase in %v) = %v after %v", name, h, p, prevP)
				}
				// At least one purchase is no more likely than the mean count.
				if 1-p > e*(1+1e-9) {
					t.Errorf("%s: P(purchase in %v) = %v exceeds E = %v", name, h, 1-p, e)
				}
				prevE, prevP = e, p
			}
		}
	}
}

// TestParetoNoPurchaseMonteCarlo checks the Pareto/NBD probability of no
// purchase against a simulation: draw λ and μ from their posterior given
// alive at T and count draws with no purchase before min(death, t).
func TestParetoNoPurchaseMonteCarlo(t *testing.T) {
	const n = 200_000
	m := testPareto[0]
	for _, c := range []Customer{testCustomers[1], testCustomers[4]} {
		for _, h := range []float64{30, 365} {
			src := rand.NewPCG(7, uint64(h))
			rng := rand.New(src)
			lam := distuv.Gamma{Alpha: m.R + c.X, Beta: m.Alpha + c.T, Src: src}
			mu := distuv.Gamma{Alpha: m.S, Beta: m.Beta + c.T, Src: src}
			none := 0
			for range n {
				l, d := lam.Rand(), mu.Rand()
				death := rng.ExpFloat64() / d
				if rng.ExpFloat64()/l > min(death, h) {
					none++
				}
			}
			mc := float64(none) / n
			want := 1 - m.PAlive(c)*(1-mc)
			se := math.Sqrt(mc*(1-mc)/n) * m.PAlive(c)
			if got := m.ProbNoPurchase(c, h); math.Abs(got-want) > 4*se {
				t.Errorf("%+v, t=%v: P(no purchase) = %.5f, simulation %.5f ± %.5f", c, h, got, want, se)
			}
		}
	}
}

// TestBGNBDNoPurchaseMonteCarlo checks the BG/NBD probability of no
// purchase against a simulation from the posterior given alive.
func TestBGNBDNoPurchaseMonteCarlo(t *testing.T) {
	const n = 200_000
	m := testBG[0]
	c := testCustomers[4]
	src := rand.NewPCG(8, 9)
	rng := rand.New(src)
	lam := distuv.Gamma{Alpha: m.R + c.X, Beta: m.Alpha + c.T, Src: src}
	none := 0
	for range n {
		if rng.ExpFloat64()/lam.Rand() > 90 {
			none++
		}
	}
	mc := float64(none) / n
	pa := m.PAlive(c)
	want, se := 1-pa*(1-mc), pa*math.Sqrt(mc*(1-mc)/n)
	if got := m.ProbNoPurchase(c, 90); math.Abs(got-want) > 4*se {
		t.Errorf("P(no purchase) = %.5f, simulation %.5f ± %.5f", got, want, se)
	}
}

// TestCollapseTriplesPacked checks that whole-day summaries, collapsed
// through packed integer keys, give the same triples as fractional ones,
// collapsed by hashing.
func TestCollapseTriplesPacked(t *testing.T) {
	sim := cdnowLike
	sim.Days, sim.MinT, sim.MaxT = true, 0, 200
	cs := sim.customers(5000, 9)
	packed := collapseTriples(cs)
	// Halving every time makes some fractional: the float-key path.
	half := slices.Clone(cs)
	for i := range half {
		half[i].TX /= 2
		half[i].T /= 2
	}
	float := collapseTriples(half)
	if len(packed.x) != len(float.x) || !slices.Equal(packed.of, float.of) || !slices.Equal(packed.weight, float.weight) {
		t.Fatalf("packed and float collapses differ: %d and %d triples", len(packed.x), len(float.x))
	}
	for i := range packed.x {
		if packed.x[i] != float.x[i] || packed.tx[i] != 2*float.tx[i] || packed.t[i] != 2*float.t[i] {
			t.Fatalf("triple %d: %v %v %v and %v %v %v", i, packed.x[i], packed.tx[i], packed.t[i], float.x[i], float.tx[i], float.t[i])
		}
	}
}

// TestGammaGammaHessian checks the analytic Hessian against central
// differences of the analytic gradient, and trigamma against exact values.
func TestGammaGammaHessian(t *testing.T) {
	for _, tc := range []struct{ x, want float64 }{
		{1, math.Pi * math.Pi / 6},
		{0.5, math.Pi * math.Pi / 2},
		{6, math.Pi*math.Pi/6 - (1 + 1.0/4 + 1.0/9 + 1.0/16 + 1.0/25)},
		{7.5, math.Pi*math.Pi/2 - 4*(1+1.0/9+1.0/25+1.0/49+1.0/81+1.0/121+1.0/169)},
		{1e-3, 1e6 + math.Pi*math.Pi/6 - 2*1.2020569031595942e-3 + 3*1.0823232337111382e-6},
	} {
		if e := relErr(trigamma(tc.x), tc.want); e > 1e-12 {
			t.Errorf("trigamma(%v) = %.16g, want %.16g", tc.x, trigamma(tc.x), tc.want)
		}
	}
	d, _ := newSpendData(cdnowLike.customers(500, 3))
	for _, m := range []GammaGamma{{6.25, 3.74, 15.44}, {0.5, 1.2, 300}} {
		grad, hess := make([]float64, 3), make([]float64, 9)
		ggLogLik(m, d, grad, hess, 1)
		for j := range 3 {
			for k := range 3 {
				h := 1e-6 * []float64{m.P, m.Q, m.V}[k]
				g1, g2 := make([]float64, 3), make([]float64, 3)
				plus, minus := []float64{m.P, m.Q, m.V}, []float64{m.P, m.Q, m.V}
				plus[k] += h
				minus[k] -= h
				ggLogLik(GammaGamma{plus[0], plus[1], plus[2]}, d, g1, nil, 1)
				ggLogLik(GammaGamma{minus[0], minus[1], minus[2]}, d, g2, nil, 1)
				want := (g1[j] - g2[j]) / (2 * h)
				if math.Abs(hess[3*j+k]-want) > 1e-5*math.Max(1, math.Abs(want)) {
					t.Errorf("%+v: H[%d][%d] = %.8g, differences %.8g", m, j, k, hess[3*j+k], want)
				}
			}
		}
	}
}

// TestGammaGammaPolish checks that a fit whose starts are compared on a
// subsample and refined by Newton's method finds the optimum that BFGS
// finds on all the customers.
func TestGammaGammaPolish(t *testing.T) {
	sim := cdnowLike
	sim.MinT, sim.MaxT = 30, 365
	cs := sim.customers(80_000, 21)
	fit, err := FitGammaGamma(t.Context(), cs, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if fit.Customers <= ggSearchCustomers || fit.Method != "Newton" || !fit.Converged {
		t.Fatalf("%d customers, method %q, converged %v: the test needs a Newton refinement", fit.Customers, fit.Method, fit.Converged)
	}
	d, _ := newSpendData(cs)
	theta, res, err := minimise(t.Context(), ggObjective(d, 0), []float64{math.Log(5), math.Log(4), math.Log(15)}, FitSettings{})
	if err != nil || !res.Converged {
		t.Fatalf("BFGS on all customers: %v %+v", err, res)
	}
	for j, got := range []float64{fit.P, fit.Q, fit.V} {
		if want := math.Exp(theta[j]); relErr(got, want) > 1e-4 {
			t.Errorf("parameter %d: %v after the subsample and Newton, %v by BFGS on all", j, got, want)
		}
	}
	t.Logf("%d evaluations; BFGS on all customers alone took %d", fit.Evaluations, res.Evaluations)
}

// FuzzModels checks that for any valid summary and parameters the models
// return probabilities in [0, 1] and finite, non-negative expectations
// that grow with the horizon, or NaN, never a panic or an infinity.
func FuzzModels(f *testing.F) {
	f.Add(0.243, 30.9, 0.793, 2.426, uint16(3), 100.0, 200.0, 365.0)
	f.Add(1e-3, 1e-3, 1e3, 1e-3, uint16(500), 0.0, 1e4, 1e5)
	f.Add(50.0, 1e4, 0.999999, 1e4, uint16(0), 0.0, 0.0, 1e-3)
	f.Fuzz(func(t *testing.T, r, alpha, a, b float64, x uint16, tx, T, h float64) {
		for _, v := range []float64{r, alpha, a, b} {
			if !(v >= 1e-3 && v <= 1e4) {
				return
			}
		}
		if !(T >= 0 && T <= 1e5 && tx >= 0 && tx <= T && h > 0 && h <= 1e6) {
			return
		}
		c := Customer{X: float64(x), TX: tx, T: T}
		if x == 0 {
			c.TX = 0
		}
		for _, m := range []Model{BGNBD{r, alpha, a, b}, ParetoNBD{r, alpha, a, b}} {
			pa, p := m.PAlive(c), m.ProbNoPurchase(c, h)
			e, e2 := m.ExpectedTransactions(c, h), m.ExpectedTransactions(c, 2*h)
			if !(pa >= 0 && pa <= 1) || !(p >= 0 && p <= 1) {
				t.Fatalf("%T%+v %+v h=%v: P(alive) %v, P(no purchase) %v", m, m, c, h, pa, p)
			}
			if math.IsInf(e, 0) || e < 0 || e2 < e*(1-1e-9) {
				t.Fatalf("%T%+v %+v h=%v: E[Y(h)] %v, E[Y(2h)] %v", m, m, c, h, e, e2)
			}
		}
	})
}

package clv

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"gonum.org/v1/gonum/stat"
)

// GammaGamma holds the parameters of the Gamma-Gamma model of spend
// (Fader, Hardie and Lee 2005, "RFM and CLV"; Fader and Hardie, "The
// Gamma-Gamma model of monetary value"): a customer's transaction values
// are Gamma(P, ν) with ν ~ Gamma(Q, V) across customers, independent of
// the purchase process. V is in the currency's units.
type GammaGamma struct {
	P, Q, V float64
}

// GammaGammaFit is a fitted Gamma-Gamma model and how its fit went.
type GammaGammaFit struct {
	GammaGamma
	FitResult
	// Excluded counts customers with repeat transactions whose MeanValue
	// is zero or negative: their likelihood is undefined, so they are
	// left out of the fit.
	Excluded int
	// Correlation is the Pearson correlation between X and MeanValue
	// over the fitted customers. The model assumes spend independent of
	// frequency; a correlation far from zero says it is not.
	Correlation float64
	// Starts is the number of starting points tried; the estimate is the
	// one with the highest likelihood.
	Starts int
}

// ridgeP is the P above which a fit is taken to have run along the
// likelihood's ridge (P → ∞, V → 0 with P·V fixed) rather than to a
// maximum; such a fit is reported as not converged.
const ridgeP = 1e6

// PopulationMean returns the mean transaction value of a customer about
// whom nothing is known, p·v/(q−1); NaN when q <= 1.
func (m GammaGamma) PopulationMean() float64 {
	if m.Q <= 1 {
		return math.NaN()
	}
	return m.P * m.V / (m.Q - 1)
}

// ExpectedValue returns the expected value of the customer's future
// transactions, E[M | x, m] = p(v + x m)/(p x + q − 1), a weighted mean of
// the population mean and the customer's own mean. Customers without a
// repeat transaction, or whose MeanValue is not positive, get the
// population mean. NaN when q <= 1.
func (m GammaGamma) ExpectedValue(c Customer) float64 {
	if m.Q <= 1 {
		return math.NaN()
	}
	if c.X <= 0 || !(c.MeanValue > 0) {
		return m.PopulationMean()
	}
	return m.P * (m.V + c.X*c.MeanValue) / (m.P*c.X + m.Q - 1)
}

// spendData is the fitted customers sorted by x, with the sums the
// likelihood needs.
type spendData struct {
	x, m, xm []float64 // per customer
	xs       []float64 // distinct x
	n        []float64 // customers per distinct x
	sumLnM   float64   // Σ ln m
	sumXLnM  float64   // Σ x ln m
	total    float64
	fitted   []Customer // the customers, sorted by x
}

func newSpendData(cs []Customer) (*spendData, int) {
	n := 0
	for _, c := range cs {
		if c.X > 0 && c.MeanValue > 0 {
			n++
		}
	}
	fit := make([]Customer, 0, n)
	excluded := 0
	for _, c := range cs {
		switch {
		case c.X > 0 && c.MeanValue > 0:
			fit = append(fit, c)
		case c.X > 0:
			excluded++
		}
	}
	// A counting sort by x: stable, and linear in the customers.
	slot := make(map[float64]int)
	var xs []float64
	for _, c := range fit {
		if _, ok := slot[c.X]; !ok {
			slot[c.X] = 0
			xs = append(xs, c.X)
		}
	}
	slices.Sort(xs)
	counts := make([]int, len(xs)+1)
	for k, x := range xs {
		slot[x] = k
	}
	for _, c := range fit {
		counts[slot[c.X]+1]++
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	sorted := make([]Customer, len(fit))
	for _, c := range fit {
		k := slot[c.X]
		sorted[counts[k]] = c
		counts[k]++
	}
	fit = sorted
	return spendDataOf(fit), excluded
}

// spendDataOf returns the spend data of customers sorted by X.
func spendDataOf(fit []Customer) *spendData {
	n := len(fit)
	d := &spendData{
		x: make([]float64, 0, n), m: make([]float64, 0, n), xm: make([]float64, 0, n),
		total: float64(n), fitted: fit,
	}
	for _, c := range fit {
		d.x = append(d.x, c.X)
		d.m = append(d.m, c.MeanValue)
		d.xm = append(d.xm, c.X*c.MeanValue)
		if k := len(d.xs); k == 0 || d.xs[k-1] != c.X {
			d.xs = append(d.xs, c.X)
			d.n = append(d.n, 0)
		}
		d.n[len(d.n)-1]++
		lm := math.Log(c.MeanValue)
		d.sumLnM += lm
		d.sumXLnM += c.X * lm
	}
	return d
}

// subsample returns every k-th customer of d, in its order by x, so that
// about n remain; d itself when it has no more than n.
func (d *spendData) subsample(n int) *spendData {
	k := (len(d.fitted) + n - 1) / n
	if k <= 1 {
		return d
	}
	sub := make([]Customer, 0, n)
	for i := 0; i < len(d.fitted); i += k {
		sub = append(sub, d.fitted[i])
	}
	return spendDataOf(sub)
}

// ggLogLik returns the log-likelihood summed over d and, when grad is not
// nil, writes its gradient with respect to (p, q, v) into grad and, when
// hess is not nil too, its Hessian into hess (row-major 3×3).
func ggLogLik(m GammaGamma, d *spendData, grad, hess []float64, workers int) float64 {
	p, q, v := m.P, m.Q, m.V
	lnV := math.Log(v)
	// Σ_i ln(v + x_i m_i) times x_i and 1, and Σ_i (v + x_i m_i)^{−1}
	// and ^{−2}, times x_i and 1.
	k := 4
	if hess != nil {
		k = 6
	}
	s := sumBlocks(len(d.x), k, workers, func(dst []float64, lo, hi int) {
		for i := lo; i < hi; i++ {
			inv := 1 / (v + d.xm[i])
			l := -math.Log(inv)
			dst[0] += d.x[i] * l
			dst[1] += l
			dst[2] += d.x[i] * inv
			dst[3] += inv
			if k == 6 {
				dst[4] += d.x[i] * inv * inv
				dst[5] += inv * inv
			}
		}
	})
	ll := p*d.sumXLnM - d.sumLnM - p*s[0] - q*s[1]
	lgq, psq, tgq := lgamma(q), digamma(q), 0.0
	if hess != nil {
		tgq = trigamma(q)
	}
	var dp, dq, hpp, hpq, hqq float64
	for j, x := range d.xs {
		px, n := p*x, d.n[j]
		ll += n * (lgamma(px+q) - lgamma(px) - lgq + q*lnV + px*math.Log(x))
		if grad != nil {
			ps := digamma(px + q)
			dp += n * x * (ps - digamma(px) + math.Log(x))
			dq += n * (ps - psq + lnV)
		}
		if hess != nil {
			tg := trigamma(px + q)
			hpp += n * x * x * (tg - trigamma(px))
			hpq += n * x * tg
			hqq += n * (tg - tgq)
		}
	}
	W := d.total
	if grad != nil {
		grad[0] = dp + d.sumXLnM - s[0]
		grad[1] = dq - s[1]
		grad[2] = W*q/v - p*s[2] - q*s[3]
	}
	if hess != nil {
		hpv, hqv, hvv := -s[2], W/v-s[3], -W*q/(v*v)+p*s[4]+q*s[5]
		copy(hess, []float64{hpp, hpq, hpv, hpq, hqq, hqv, hpv, hqv, hvv})
	}
	return ll
}

// trigamma returns ψ′(x) for x > 0: the recurrence ψ′(x) = ψ′(x+1) + 1/x²
// up to x >= 10, then the asymptotic series to the term in x^{−11},
// accurate to about 1e-14 relative.
func trigamma(x float64) float64 {
	var r float64
	for ; x < 10; x++ {
		r += 1 / (x * x)
	}
	t := 1 / x
	t2 := t * t
	return r + t + t2/2 + t*t2*(1.0/6-t2*(1.0/30-t2*(1.0/42-t2*(1.0/30-t2*5/66))))
}

// ggStarts are the (p, q) of the starting points; v starts where the
// population mean p·v/(q−1) equals the customers' mean value.
var ggStarts = [][2]float64{{1, 2}, {5, 4}, {20, 10}}

// ggSearchCustomers is the size of the subsample on which the starting
// points are compared.
const ggSearchCustomers = 20_000

// ggObjective returns the mean negative log-likelihood of d over the logs
// of (p, q, v).
func ggObjective(d *spendData, workers int) objective {
	return objective{dim: 3, eval: func(theta, grad []float64) float64 {
		m := GammaGamma{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])}
		if !(m.P > 0 && m.Q > 0 && m.V > 0) || math.IsInf(m.P+m.Q+m.V, 0) {
			return math.NaN()
		}
		var g []float64
		if grad != nil {
			g = make([]float64, 3)
		}
		ll := ggLogLik(m, d, g, nil, workers)
		for j := range grad {
			grad[j] = -g[j] * math.Exp(theta[j]) / d.total
		}
		return -ll / d.total
	}}
}

// ggPolish refines theta0, the best start on a subsample, on all of d by
// Newton's method with the analytic Hessian, which from so close needs a
// few iterations where BFGS, learning the curvature along the ridge,
// needs dozens; if Newton's method does not converge, by minimise.
func ggPolish(ctx context.Context, d *spendData, theta0 []float64, s FitSettings) ([]float64, FitResult, error) {
	obj := ggObjective(d, s.Workers)
	c := &cached{obj: obj, ctx: ctx}
	prob := c.problem()
	grad, hess := make([]float64, 3), make([]float64, 9)
	prob.Hess = func(h *mat.SymDense, theta []float64) {
		m := GammaGamma{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])}
		ggLogLik(m, d, grad, hess, s.Workers)
		par := []float64{m.P, m.Q, m.V}
		for i := range 3 {
			for j := i; j < 3; j++ {
				v := par[i] * par[j] * hess[3*i+j]
				if i == j {
					v += par[i] * grad[i]
				}
				h.SetSym(i, j, -v/d.total)
			}
		}
	}
	settings := &optimize.Settings{
		MajorIterations:   s.maxIterations(),
		GradientThreshold: s.gradientTolerance() / 100,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-13, Relative: 1e-13, Iterations: 20},
	}
	r, err := optimize.Minimize(prob, theta0, settings, &optimize.Newton{})
	if ctx.Err() != nil {
		return nil, FitResult{}, ctx.Err()
	}
	if r != nil && !math.IsNaN(r.F) && !math.IsInf(r.F, 0) {
		g := make([]float64, 3)
		obj.eval(r.X, g)
		res := FitResult{Method: "Newton", Status: r.Status.String(), Gradient: floats.Norm(g, math.Inf(1))}
		if err != nil {
			res.Status += ": " + err.Error()
		}
		res.Converged = res.Gradient <= s.gradientTolerance() && !limited(r.Status)
		if res.Converged {
			res.Evaluations = c.evals
			return r.X, res, nil
		}
	}
	theta, res, err := minimise(ctx, obj, theta0, s)
	res.Evaluations += c.evals
	return theta, res, err
}

// FitGammaGamma fits the Gamma-Gamma model by maximum likelihood on the
// customers with X > 0 and MeanValue > 0 (the others are counted in
// Excluded, or ignored when X == 0). It runs BFGS with the analytic
// gradient over the logs of the parameters from several starting points,
// since the likelihood has a ridge with p → ∞ and v → 0 along which a
// single run can drift, and keeps the best. With more than 20,000
// customers the starts are compared on a subsample of 20,000 (every k-th
// customer in order of X) and the best is then refined on all of them by
// Newton's method with the analytic Hessian.
// A fit on the ridge (p >
// 1e6) is reported as not converged. Q <= 1 is returned as fitted: the
// population mean, and so ExpectedValue, is then undefined, which
// Guards.CheckSpend reports.
func FitGammaGamma(ctx context.Context, customers []Customer, s FitSettings) (GammaGammaFit, error) {
	if err := checkCustomers(customers); err != nil {
		return GammaGammaFit{}, err
	}
	d, excluded := newSpendData(customers)
	if d.total == 0 {
		return GammaGammaFit{Excluded: excluded}, ErrNoCustomers
	}
	mean := stat.Mean(d.m, nil)
	best := GammaGammaFit{Excluded: excluded, Starts: len(ggStarts)}
	search := d.subsample(ggSearchCustomers)
	var bestTheta []float64
	bestLL, evals := math.Inf(-1), 0
	for _, st := range ggStarts {
		theta0 := []float64{math.Log(st[0]), math.Log(st[1]), math.Log(mean * (st[1] - 1) / st[0])}
		theta, res, err := minimise(ctx, ggObjective(search, s.Workers), theta0, s)
		evals += res.Evaluations
		if err != nil {
			return GammaGammaFit{}, err
		}
		m := GammaGamma{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])}
		if ll := ggLogLik(m, search, nil, nil, s.Workers); ll > bestLL {
			bestLL, bestTheta = ll, theta
			best.GammaGamma, best.FitResult = m, res
		}
	}
	if search != d {
		theta, res, err := ggPolish(ctx, d, bestTheta, s)
		evals += res.Evaluations
		if err != nil {
			return GammaGammaFit{}, err
		}
		best.GammaGamma = GammaGamma{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2])}
		best.FitResult = res
		bestLL = ggLogLik(best.GammaGamma, d, nil, nil, s.Workers)
	}
	best.LogLikelihood = bestLL
	best.Evaluations = evals
	best.Customers, best.Unique = len(d.x), len(d.x)
	if best.P > ridgeP {
		best.Converged = false
	}
	best.Correlation = stat.Correlation(d.x, d.m, nil)
	return best, nil
}

package clv

import (
	"context"
	"math"

	"gonum.org/v1/gonum/diff/fd"
)

// ParetoNBD holds the parameters of the Pareto/NBD model (Schmittlein,
// Morrison and Colombo 1987): while alive a customer buys at rate
// λ ~ Gamma(R, Alpha) per day, and dies after an exponential lifetime of
// rate μ ~ Gamma(S, Beta) per day. Alpha and Beta are in days.
type ParetoNBD struct {
	R, Alpha, S, Beta float64
}

// ParetoNBDFit is a fitted Pareto/NBD model and how its fit went.
type ParetoNBDFit struct {
	ParetoNBD
	FitResult
}

func (m ParetoNBD) valid() bool {
	return m.R > 0 && m.Alpha > 0 && m.S > 0 && m.Beta > 0 &&
		m.R < math.Inf(1) && m.Alpha < math.Inf(1) && m.S < math.Inf(1) && m.Beta < math.Inf(1)
}

// LogLikelihoodOf returns the log-likelihood of one customer's summary
// with times in days, as in Fader and Hardie (2005), "A note on deriving
// the Pareto/NBD model and related expressions", equations 22–23:
//
//	L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s·I ],
//	I = ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ,
//
// the second term being the customers who died at τ in (t_x, T]. The
// note's 2F1 expressions, for α ≥ β and α < β, are I in closed form;
// logIntegral evaluates it.
func (m ParetoNBD) LogLikelihoodOf(c Customer) float64 {
	x := c.X
	return lgamma(m.R+x) - lgamma(m.R) + m.R*math.Log(m.Alpha) + m.S*math.Log(m.Beta) +
		logAddExp(m.logAliveTerm(c), math.Log(m.S)+m.logDeathIntegral(c))
}

// logAliveTerm returns ln((α+T)^{−(r+x)} (β+T)^{−s}).
func (m ParetoNBD) logAliveTerm(c Customer) float64 {
	return -(m.R+c.X)*math.Log(m.Alpha+c.T) - m.S*math.Log(m.Beta+c.T)
}

// logDeathIntegral returns ln I.
func (m ParetoNBD) logDeathIntegral(c Customer) float64 {
	return logIntegral(m.R+c.X, m.Alpha, m.S+1, m.Beta, c.TX, c.T)
}

// PAlive returns the probability that the customer is alive at T: the
// first term of the likelihood's bracket over the whole bracket.
func (m ParetoNBD) PAlive(c Customer) float64 {
	_, sig := softplus(m.logAliveTerm(c) - math.Log(m.S) - m.logDeathIntegral(c))
	return sig
}

// ExpectedTransactions returns the expected number of transactions in
// (T, T+t] given the summary:
//
//	P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}],
//
// with the limit ln((β+T+t)/(β+T)) for the bracket over s−1 at s = 1.
func (m ParetoNBD) ExpectedTransactions(c Customer, t float64) float64 {
	return m.PAlive(c) * m.expectedGivenAlive(c.X, c.T, t)
}

// expectedGivenAlive returns the expected number of transactions in
// (T, T+t] of a customer alive at T with x repeat transactions.
func (m ParetoNBD) expectedGivenAlive(x, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	l := math.Log1p(t / (m.Beta + T))
	g := l
	if e := m.S - 1; math.Abs(e*l) > 1e-300 {
		g = -math.Expm1(-e*l) / e
	}
	return (m.R + x) * (m.Beta + T) / (m.Alpha + T) * g
}

// ProbNoPurchase returns the probability of no purchase in (T, T+t].
// Given alive at T, λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T) are
// independent a posteriori, and a customer with rates λ, μ buys before
// dying and within t with probability λ/(λ+μ)·(1 − e^{−(λ+μ)t}) =
// ∫_0^t λ e^{−λu} e^{−μu} du. Taking the expectation inside the integral,
//
//	P(buy | alive) = (r+x)/(α+T) ∫_0^t (1+u/(α+T))^{−(r+x+1)} (1+u/(β+T))^{−s} du,
//
// evaluated in closed form like the likelihood's integral, and
// P(none) = 1 − P(alive)·P(buy | alive).
func (m ParetoNBD) ProbNoPurchase(c Customer, t float64) float64 {
	if t <= 0 {
		return 1
	}
	k := m.R + c.X
	a, b := m.Alpha+c.T, m.Beta+c.T
	lbuy := math.Log(k) + k*math.Log(a) + m.S*math.Log(b) + logIntegral(k+1, a, m.S, b, 0, t)
	buy := min(math.Exp(lbuy), 1)
	return 1 - m.PAlive(c)*buy
}

// pnbdLogLik returns the log-likelihood summed over tr.
func pnbdLogLik(m ParetoNBD, tr *triples, workers int) float64 {
	lgx := make([]float64, len(tr.xs))
	for k, x := range tr.xs {
		lgx[k] = lgamma(m.R + x)
	}
	lnS := math.Log(m.S)
	sum := sumBlocks(len(tr.x), 1, workers, func(dst []float64, lo, hi int) {
		for i := lo; i < hi; i++ {
			c := tr.customer(i)
			dst[0] += tr.weight[i] * (lgx[tr.ix[i]] + logAddExp(m.logAliveTerm(c), lnS+m.logDeathIntegral(c)))
		}
	})
	return sum[0] + tr.total*(-lgamma(m.R)+m.R*math.Log(m.Alpha)+m.S*math.Log(m.Beta))
}

// FitParetoNBD fits the Pareto/NBD model by maximum likelihood over the
// distinct summaries, like FitBGNBD, except that the gradient is taken
// by central finite differences (gonum/diff/fd) on the logs of the
// parameters: the derivatives in r and s of the likelihood's integral
// have no closed form as simple as the integral's. Each gradient costs
// nine evaluations of the likelihood, each two 2F1 per distinct summary,
// so the fit is about ten times as costly as BG/NBD's: some 15 s of CPU
// for a million customers observed by the day over a year.
func FitParetoNBD(ctx context.Context, customers []Customer, s FitSettings) (ParetoNBDFit, error) {
	if len(customers) == 0 {
		return ParetoNBDFit{}, ErrNoCustomers
	}
	if err := checkCustomers(customers); err != nil {
		return ParetoNBDFit{}, err
	}
	tr := collapseTriples(customers)
	W := tr.total
	f := func(theta []float64) float64 {
		m := ParetoNBD{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])}
		if !m.valid() {
			return math.NaN()
		}
		return -pnbdLogLik(m, tr, s.Workers) / W
	}
	obj := objective{dim: 4, eval: func(theta, grad []float64) float64 {
		v := f(theta)
		if grad != nil {
			fd.Gradient(grad, f, theta, &fd.Settings{Formula: fd.Central, OriginKnown: true, OriginValue: v})
		}
		return v
	}}
	scale := rateScale(tr)
	theta0 := []float64{0, math.Log(scale), 0, math.Log(scale)}
	theta, res, err := minimise(ctx, obj, theta0, s)
	if err != nil {
		return ParetoNBDFit{}, err
	}
	m := ParetoNBD{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])}
	res.LogLikelihood = pnbdLogLik(m, tr, s.Workers)
	res.Customers, res.Unique = int(W), len(tr.x)
	return ParetoNBDFit{ParetoNBD: m, FitResult: res}, nil
}

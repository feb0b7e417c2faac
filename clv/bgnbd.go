package clv

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// BGNBD holds the parameters of the BG/NBD model (Fader, Hardie and Lee
// 2005): while alive a customer buys at rate λ ~ Gamma(R, Alpha) per day,
// and after each purchase drops out with probability p ~ Beta(A, B).
// Alpha is in days (Alpha in weeks is Alpha/7).
type BGNBD struct {
	R, Alpha, A, B float64
}

// BGNBDFit is a fitted BG/NBD model and how its fit went.
type BGNBDFit struct {
	BGNBD
	FitResult
}

func (m BGNBD) valid() bool {
	return m.R > 0 && m.Alpha > 0 && m.A > 0 && m.B > 0 &&
		m.R < math.Inf(1) && m.Alpha < math.Inf(1) && m.A < math.Inf(1) && m.B < math.Inf(1)
}

// LogLikelihoodOf returns the log-likelihood of one customer's summary,
// Fader, Hardie and Lee's equation 6, with times in days.
func (m BGNBD) LogLikelihoodOf(c Customer) float64 {
	r, al, a, b, x := m.R, m.Alpha, m.A, m.B, c.X
	ll := lgamma(r+x) - lgamma(r) + r*math.Log(al) +
		lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x) -
		(r+x)*math.Log(al+c.T)
	if x > 0 {
		sp, _ := softplus(m.deathLogOdds(c))
		ll += sp
	}
	return ll
}

// deathLogOdds returns the log of A4/A3 in the paper's notation: the log
// odds that a customer with repeat purchases dropped out after the last.
func (m BGNBD) deathLogOdds(c Customer) float64 {
	return math.Log(m.A) - math.Log(m.B+c.X-1) -
		(m.R+c.X)*(math.Log(m.Alpha+c.TX)-math.Log(m.Alpha+c.T))
}

// PAlive returns the probability that the customer is alive at T:
// 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x}).
func (m BGNBD) PAlive(c Customer) float64 {
	if c.X == 0 {
		return 1
	}
	_, sig := softplus(-m.deathLogOdds(c))
	return sig
}

// ExpectedTransactions returns the expected number of transactions in
// (T, T+t] given the summary, the paper's equation 10 (see bgAlive for
// how the 2F1 in it is evaluated).
func (m BGNBD) ExpectedTransactions(c Customer, t float64) float64 {
	if t <= 0 {
		return 0
	}
	return m.PAlive(c) * m.expectedGivenAlive(c.X, c.T, t)
}

// ProbNoPurchase returns the probability of no purchase in (T, T+t]. A
// BG/NBD customer drops out only just after a purchase, so one alive at T
// makes the next purchase after an exponential time at the posterior rate
// λ ~ Gamma(r+x, α+T), and
//
//	P(none) = 1 − P(alive) + P(alive) · ((α+T)/(α+T+t))^{r+x}.
func (m BGNBD) ProbNoPurchase(c Customer, t float64) float64 {
	if t <= 0 {
		return 1
	}
	buy := -math.Expm1(-(m.R + c.X) * math.Log1p(t/(m.Alpha+c.T)))
	return 1 - m.PAlive(c)*buy
}

// bgLogLik returns the log-likelihood summed over tr and, when grad is
// not nil, writes its gradient with respect to (r, α, a, b) into grad.
func bgLogLik(m BGNBD, tr *triples, grad []float64, workers int) float64 {
	r, al, a, b := m.R, m.Alpha, m.A, m.B
	lnA := math.Log(a)
	// Terms of one distinct x: the x-dependent part of ln A1 + ln A2 and
	// of its derivatives in r, a and b, and ln(b+x−1).
	type xTerm struct{ ll, dr, da, db, lnB1 float64 }
	xt := make([]xTerm, len(tr.xs))
	for k, x := range tr.xs {
		psABx := digamma(a + b + x)
		xt[k] = xTerm{
			ll: lgamma(r+x) + lgamma(b+x) - lgamma(a+b+x),
			dr: digamma(r + x),
			da: -psABx,
			db: digamma(b+x) - psABx,
		}
		if x > 0 {
			xt[k].lnB1 = math.Log(b + x - 1)
		}
	}
	lnT, lnTx := logShift(tr.ts, al), logShift(tr.txs, al)
	invT, invTx := invShift(tr.ts, al), invShift(tr.txs, al)
	sum := sumBlocks(len(tr.x), 5, workers, func(dst []float64, lo, hi int) {
		for i := lo; i < hi; i++ {
			w, x := tr.weight[i], tr.x[i]
			k := tr.ix[i]
			it, itx := tr.it[i], tr.itx[i]
			lt, ltx := lnT[it], lnTx[itx]
			ll := xt[k].ll - (r+x)*lt
			var pd float64 // weight of A4 in A3 + A4
			if x > 0 {
				var sp float64
				sp, pd = softplus(lnA - xt[k].lnB1 - (r+x)*(ltx-lt))
				ll += sp
			}
			dst[0] += w * ll
			if grad == nil {
				continue
			}
			dst[1] += w * (xt[k].dr - (1-pd)*lt - pd*ltx)
			dst[2] -= w * (r + x) * ((1-pd)*invT[it] + pd*invTx[itx])
			dst[3] += w * (xt[k].da + pd/a)
			if x > 0 {
				dst[4] += w * (xt[k].db - pd/(b+x-1))
			} else {
				dst[4] += w * xt[k].db
			}
		}
	})
	W := tr.total
	ll := sum[0] + W*(-lgamma(r)+r*math.Log(al)+lgamma(a+b)-lgamma(b))
	if grad != nil {
		psAB := digamma(a + b)
		grad[0] = sum[1] + W*(-digamma(r)+math.Log(al))
		grad[1] = sum[2] + W*r/al
		grad[2] = sum[3] + W*psAB
		grad[3] = sum[4] + W*(psAB-digamma(b))
	}
	return ll
}

// logShift returns ln(α+v) for each v.
func logShift(v []float64, alpha float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Log(alpha + x)
	}
	return out
}

// invShift returns 1/(α+v) for each v.
func invShift(v []float64, alpha float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = 1 / (alpha + x)
	}
	return out
}

// FitBGNBD fits the BG/NBD model by maximum likelihood. The likelihood
// is summed over the distinct (X, TX, T) summaries, each weighted by its
// number of customers, and maximised over the logs of the parameters by
// BFGS with the analytic gradient, falling back to Nelder–Mead (see
// FitResult). Bad summaries return a *CustomerError; no customers return
// ErrNoCustomers. A fit that did not converge is returned with
// Converged false and no error.
func FitBGNBD(ctx context.Context, customers []Customer, s FitSettings) (BGNBDFit, error) {
	if len(customers) == 0 {
		return BGNBDFit{}, ErrNoCustomers
	}
	if err := checkCustomers(customers); err != nil {
		return BGNBDFit{}, err
	}
	tr := collapseTriples(customers)
	return fitBGNBD(ctx, tr, s)
}

func fitBGNBD(ctx context.Context, tr *triples, s FitSettings) (BGNBDFit, error) {
	W := tr.total
	obj := objective{dim: 4, eval: func(theta, grad []float64) float64 {
		m := BGNBD{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])}
		if !m.valid() {
			return math.NaN()
		}
		var g []float64
		if grad != nil {
			g = make([]float64, 4)
		}
		ll := bgLogLik(m, tr, g, s.Workers)
		for j := range grad {
			grad[j] = -g[j] * math.Exp(theta[j]) / W
		}
		return -ll / W
	}}
	theta0 := []float64{0, math.Log(rateScale(tr)), 0, 0}
	theta, res, err := minimise(ctx, obj, theta0, s)
	if err != nil {
		return BGNBDFit{}, err
	}
	m := BGNBD{math.Exp(theta[0]), math.Exp(theta[1]), math.Exp(theta[2]), math.Exp(theta[3])}
	res.LogLikelihood = bgLogLik(m, tr, nil, s.Workers)
	res.Customers, res.Unique = int(W), len(tr.x)
	return BGNBDFit{BGNBD: m, FitResult: res}, nil
}

// rateScale returns a starting α for r = 1: total observed days over
// total repeat transactions, so that r/α is the pooled purchase rate.
func rateScale(tr *triples) float64 {
	var days float64
	for i, t := range tr.t {
		days += tr.weight[i] * t
	}
	if tr.sumX > 0 && days > 0 {
		return days / tr.sumX
	}
	return max(days/tr.total, 1)
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

func digamma(x float64) float64 { return mathext.Digamma(x) }

// expectedGivenAlive returns the expected number of transactions in
// (T, T+t] of a customer alive at T with x repeat transactions.
func (m BGNBD) expectedGivenAlive(x, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	return bgAlive(m.R, m.A, m.B, x, t/(m.Alpha+T))
}

package clv

import (
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// FitSettings tunes a maximum-likelihood fit. The zero value is ready to
// use.
type FitSettings struct {
	// MaxIterations caps the major iterations of each optimiser run;
	// zero means 1000.
	MaxIterations int
	// GradientTolerance is the largest infinity norm of the gradient of
	// the mean log-likelihood per customer, with respect to the logs of
	// the parameters, at which a fit counts as converged; zero means 1e-5.
	GradientTolerance float64
	// Workers is the number of goroutines that sum the likelihood; zero
	// means GOMAXPROCS. Results do not depend on it.
	Workers int
}

func (s FitSettings) maxIterations() int {
	if s.MaxIterations <= 0 {
		return 1000
	}
	return s.MaxIterations
}

func (s FitSettings) gradientTolerance() float64 {
	if s.GradientTolerance <= 0 {
		return 1e-5
	}
	return s.GradientTolerance
}

// FitResult describes how a fit went.
type FitResult struct {
	// LogLikelihood is the maximised log-likelihood, with times in days.
	LogLikelihood float64
	// Customers is the number of customers fitted; Unique the number of
	// distinct summaries the likelihood was summed over.
	Customers, Unique int
	// Converged reports that the gradient at the estimate is within
	// FitSettings.GradientTolerance and that the optimiser was not
	// stopped by its iteration limit.
	Converged bool
	// Method is the optimiser run that produced the estimate: "BFGS";
	// or, when BFGS did not converge, "NelderMead" or "NelderMead+BFGS"
	// (BFGS restarted from the simplex's point).
	Method string
	// Status is the optimiser's termination status.
	Status string
	// Evaluations counts likelihood evaluations over all runs.
	Evaluations int
	// Gradient is the infinity norm of the gradient of the mean
	// log-likelihood per customer with respect to the logs of the
	// parameters at the estimate.
	Gradient float64
}

// objective is a mean negative log-likelihood over the logs of a model's
// parameters. eval returns it and, when grad is not nil, writes its
// gradient into grad. A NaN means the point is outside the domain.
type objective struct {
	dim  int
	eval func(theta, grad []float64) float64
}

// cached wraps an objective for optimize.Problem, computing value and
// gradient together once per location.
type cached struct {
	obj     objective
	ctx     context.Context
	x       []float64
	f       float64
	g       []float64
	hasGrad bool
	evals   int
}

func (c *cached) at(x []float64, wantGrad bool) {
	if c.x != nil && slices.Equal(c.x, x) && (c.hasGrad || !wantGrad) {
		return
	}
	c.evals++
	c.x = append(c.x[:0], x...)
	if c.ctx.Err() != nil {
		c.f, c.hasGrad = math.NaN(), false
		return
	}
	if wantGrad {
		if c.g == nil {
			c.g = make([]float64, c.obj.dim)
		}
		c.f = c.obj.eval(x, c.g)
	} else {
		c.f = c.obj.eval(x, nil)
	}
	c.hasGrad = wantGrad
	if math.IsNaN(c.f) {
		c.f = math.Inf(1)
	}
}

func (c *cached) problem() optimize.Problem {
	return optimize.Problem{
		Func: func(x []float64) float64 { c.at(x, false); return c.f },
		Grad: func(g, x []float64) {
			c.at(x, true)
			copy(g, c.g)
		},
	}
}

// minimise minimises obj from theta0 by BFGS and, if that does not
// converge, by Nelder–Mead from the best point so far, polished by BFGS. It returns the estimate and the FitResult fields it knows of
// (not LogLikelihood, Customers, Unique). A cancelled context returns
// ctx.Err().
func minimise(ctx context.Context, obj objective, theta0 []float64, s FitSettings) ([]float64, FitResult, error) {
	c := &cached{obj: obj, ctx: ctx}
	settings := &optimize.Settings{
		MajorIterations:   s.maxIterations(),
		GradientThreshold: s.gradientTolerance() / 100,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-13, Relative: 1e-13, Iterations: 50},
	}
	best, bestF := slices.Clone(theta0), math.Inf(1)
	var res FitResult
	g := make([]float64, obj.dim)
	try := func(method optimize.Method, name string, from []float64) {
		r, err := optimize.Minimize(c.problem(), from, settings, method)
		if r == nil || math.IsNaN(r.F) || math.IsInf(r.F, 0) || r.F > bestF {
			return
		}
		best, bestF = slices.Clone(r.X), r.F
		res.Method, res.Status = name, r.Status.String()
		if err != nil {
			res.Status += ": " + err.Error()
		}
		obj.eval(best, g)
		res.Gradient = floats.Norm(g, math.Inf(1))
		res.Converged = res.Gradient <= s.gradientTolerance() && !limited(r.Status)
	}
	try(&optimize.BFGS{}, "BFGS", theta0)
	if !res.Converged && ctx.Err() == nil {
		// Nelder–Mead from the best point so far, then BFGS again to
		// polish what the simplex found.
		from := theta0
		if !math.IsInf(bestF, 1) {
			from = best
		}
		try(&optimize.NelderMead{}, "NelderMead", from)
		if !res.Converged && !math.IsInf(bestF, 1) && ctx.Err() == nil {
			try(&optimize.BFGS{}, "NelderMead+BFGS", best)
		}
	}
	res.Evaluations = c.evals
	if err := ctx.Err(); err != nil {
		return nil, res, err
	}
	return best, res, nil
}

// limited reports a status of a run stopped by a limit, not by a
// convergence criterion or a failed line search.
func limited(s optimize.Status) bool {
	switch s {
	case optimize.IterationLimit, optimize.RuntimeLimit, optimize.FunctionEvaluationLimit,
		optimize.GradientEvaluationLimit, optimize.HessianEvaluationLimit:
		return true
	}
	return false
}

// softplus returns ln(1+e^d) and the logistic sigmoid 1/(1+e^{−d}).
// ln(1+e) rather than log1p(e): the absolute error, which is what a sum
// of log-likelihoods feels, stays below 1e-16, and the logarithm is
// several times faster.
func softplus(d float64) (sp, sig float64) {
	if d > 0 {
		e := math.Exp(-d)
		return d + math.Log(1+e), 1 / (1 + e)
	}
	e := math.Exp(d)
	return math.Log(1 + e), e / (1 + e)
}

// logAddExp returns ln(e^a + e^b).
func logAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

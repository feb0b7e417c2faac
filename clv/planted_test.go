package clv

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// standardErrors returns the standard errors of a maximum-likelihood
// estimate from the inverse of the observed information, the Hessian of
// the log-likelihood taken by central differences of its gradient.
func standardErrors(t *testing.T, grad func(dst, p []float64), est []float64) []float64 {
	t.Helper()
	n := len(est)
	jac := mat.NewDense(n, n, nil)
	fd.Jacobian(jac, grad, est, &fd.JacobianSettings{Formula: fd.Central})
	info := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			info.SetSym(i, j, -(jac.At(i, j)+jac.At(j, i))/2)
		}
	}
	var cov mat.SymDense
	var chol mat.Cholesky
	if !chol.Factorize(info) {
		t.Fatalf("observed information not positive definite at %v", est)
	}
	if err := chol.InverseTo(&cov); err != nil {
		t.Fatal(err)
	}
	se := make([]float64, n)
	for i := range se {
		se[i] = math.Sqrt(cov.At(i, i))
	}
	return se
}

// TestPlanted simulates customers from known BG/NBD and Gamma-Gamma
// parameters, fits both models, and checks that each estimate lies
// within four standard errors of the planted value.
func TestPlanted(t *testing.T) {
	sim := cdnowLike
	sim.MinT, sim.MaxT = 30, 365
	customers := sim.customers(20_000, 42)

	t.Run("BG/NBD", func(t *testing.T) {
		fit, err := FitBGNBD(context.Background(), customers, FitSettings{})
		if err != nil {
			t.Fatal(err)
		}
		if !fit.Converged {
			t.Fatalf("not converged: %+v", fit.FitResult)
		}
		tr := collapseTriples(customers)
		est := []float64{fit.R, fit.Alpha, fit.A, fit.B}
		se := standardErrors(t, func(dst, p []float64) { bgLogLik(BGNBD{p[0], p[1], p[2], p[3]}, tr, dst, 0) }, est)
		want := []float64{sim.Model.R, sim.Model.Alpha, sim.Model.A, sim.Model.B}
		for i, name := range []string{"r", "alpha", "a", "b"} {
			t.Logf("%s = %.4f ± %.4f, planted %.4f", name, est[i], se[i], want[i])
			if math.Abs(est[i]-want[i]) > 4*se[i] {
				t.Errorf("%s = %.4f ± %.4f, planted %.4f", name, est[i], se[i], want[i])
			}
		}
	})
	t.Run("Gamma-Gamma", func(t *testing.T) {
		fit, err := FitGammaGamma(context.Background(), customers, FitSettings{})
		if err != nil {
			t.Fatal(err)
		}
		if !fit.Converged {
			t.Fatalf("not converged: %+v", fit.FitResult)
		}
		d, _ := newSpendData(customers)
		est := []float64{fit.P, fit.Q, fit.V}
		se := standardErrors(t, func(dst, p []float64) { ggLogLik(GammaGamma{p[0], p[1], p[2]}, d, dst, nil, 0) }, est)
		want := []float64{sim.Spend.P, sim.Spend.Q, sim.Spend.V}
		for i, name := range []string{"p", "q", "v"} {
			t.Logf("%s = %.4f ± %.4f, planted %.4f", name, est[i], se[i], want[i])
			if math.Abs(est[i]-want[i]) > 4*se[i] {
				t.Errorf("%s = %.4f ± %.4f, planted %.4f", name, est[i], se[i], want[i])
			}
		}
		if math.Abs(fit.Correlation) > 0.05 {
			t.Errorf("correlation of frequency and spend %.3f; the simulation draws them independently", fit.Correlation)
		}
	})
}

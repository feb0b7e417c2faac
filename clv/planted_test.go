package clv

import (
	"context"
	"errors"
	"math"
	"slices"
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

// TestFitsLeaveInputs checks that the fits neither modify the customers
// nor depend on their order.
func TestFitsLeaveInputs(t *testing.T) {
	sim := cdnowLike
	sim.Days, sim.MinT, sim.MaxT = true, 0, 300
	cs := sim.customers(3000, 8)
	orig := slices.Clone(cs)
	rev := slices.Clone(cs)
	slices.Reverse(rev)
	ctx := context.Background()
	bg1, err1 := FitBGNBD(ctx, cs, FitSettings{})
	bg2, err2 := FitBGNBD(ctx, rev, FitSettings{Workers: 1})
	gg1, err3 := FitGammaGamma(ctx, cs, FitSettings{})
	gg2, err4 := FitGammaGamma(ctx, rev, FitSettings{Workers: 1})
	pn, err5 := FitParetoNBD(ctx, cs, FitSettings{})
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cs, orig) {
		t.Error("customers modified")
	}
	if bg1.BGNBD != bg2.BGNBD {
		t.Errorf("BG/NBD depends on the order or the workers: %+v and %+v", bg1.BGNBD, bg2.BGNBD)
	}
	if gg1.GammaGamma != gg2.GammaGamma {
		// The x-sorted order keeps the original order within each x, so
		// the sums may round differently; the estimates must still agree.
		for j, p := range []float64{gg1.P, gg1.Q, gg1.V} {
			if q := []float64{gg2.P, gg2.Q, gg2.V}[j]; relErr(p, q) > 1e-6 {
				t.Errorf("Gamma-Gamma depends on the order: %+v and %+v", gg1.GammaGamma, gg2.GammaGamma)
			}
		}
	}
	if !pn.Converged {
		t.Errorf("Pareto/NBD did not converge: %+v", pn.FitResult)
	}
}

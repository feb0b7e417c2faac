package clv

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// This file holds what clv's tests, internal and external (package
// clv_test), share but the product does not call: Backtest, the
// transaction-level backtest that tests use as an independent oracle
// for pipeline.Backtest, and the CDNOW sample.

// CDNOWPath is the CDNOW sample's path, for package clv_test.
const CDNOWPath = cdnowPath

// CDNOWTxns reads the CDNOW sample as cdnowTxns does, for package
// clv_test; it skips the test when the sample is absent.
func CDNOWTxns(t testing.TB) []Txn {
	t.Helper()
	return cdnowTxns(t)
}

// BacktestSettings chooses the model a backtest fits. The zero value fits
// BG/NBD with the default guards and fit settings.
type BacktestSettings struct {
	Model  ModelKind
	Fit    FitSettings
	Guards Guards
}

// BacktestResult is the outcome of Backtest.
type BacktestResult struct {
	// Customers is the number of customers first seen in the
	// calibration period, the ones scored.
	Customers int
	// HoldoutDays is the length of the holdout period.
	HoldoutDays float64
	// Reason is why the model was not fitted or not used, or ReasonNone.
	// With a reason, Model is zero.
	Reason Reason
	// Fit is how the model's fit went.
	Fit FitResult
	// Model scores the model's conditional expectations; Baseline scores
	// the naive forecast x/T·HoldoutDays (0 when T = 0): each customer
	// goes on repeating at the rate of the calibration period.
	Model, Baseline Score
}

// fitKind fits the model of kind k to customers and returns it with how
// the fit went.
func fitKind(ctx context.Context, k ModelKind, customers []Customer, s FitSettings) (Model, FitResult, error) {
	switch k {
	case KindBGNBD:
		f, err := FitBGNBD(ctx, customers, s)
		return f.BGNBD, f.FitResult, err
	case KindParetoNBD:
		f, err := FitParetoNBD(ctx, customers, s)
		return f.ParetoNBD, f.FitResult, err
	}
	panic(fmt.Sprintf("clv: unknown %v", k))
}

// Backtest fits a model on the transactions up to calibrationEnd (the
// last day of the calibration period, as in Summarise) and predicts each
// calibration customer's repeat transactions in the holdout, the days
// after calibrationEnd up to holdoutEnd inclusive; it compares them with
// the transactions made, collapsed as in Summarise, next to the naive
// baseline. Customers first seen in the holdout are left out. The
// guards are applied before the fit and to it. txns is not modified.
func Backtest(ctx context.Context, txns []Txn, calibrationEnd, holdoutEnd time.Time, s BacktestSettings) (BacktestResult, error) {
	calDay, endDay := dayOfTime(calibrationEnd), dayOfTime(holdoutEnd)
	if endDay <= calDay {
		panic(fmt.Sprintf("clv: Backtest: holdout end %v not after calibration end %v", holdoutEnd, calibrationEnd))
	}
	all, err := collapse(txns, endDay)
	if err != nil {
		return BacktestResult{}, err
	}
	// Split each customer's transactions at calDay: the calibration
	// summary, then the number in the holdout.
	var cal []transaction
	var actual []float64
	for k := 0; k < len(all); {
		j := k
		for j < len(all) && all[j].customer == all[k].customer {
			j++
		}
		if all[k].day <= calDay {
			n := 0
			for _, t := range all[k:j] {
				if t.day <= calDay {
					cal = append(cal, t)
				} else {
					n++
				}
			}
			actual = append(actual, float64(n))
		}
		k = j
	}
	customers := summarise(cal, calDay)
	h := float64(endDay - calDay)
	res := BacktestResult{Customers: len(customers), HoldoutDays: h}
	baseline := make([]float64, len(customers))
	for i, c := range customers {
		if c.T > 0 {
			baseline[i] = c.X / c.T * h
		}
	}
	res.Baseline = ScoreCounts(baseline, actual)
	if res.Reason = s.Guards.Check(customers); res.Reason != ReasonNone {
		return res, nil
	}
	model, fit, err := fitKind(ctx, s.Model, customers, s.Fit)
	if err != nil {
		return res, err
	}
	res.Fit = fit
	if res.Reason = s.Guards.CheckFit(fit); res.Reason != ReasonNone {
		return res, nil
	}
	tr := collapseTriples(customers)
	perTriple := make([]float64, len(tr.x))
	forBlocks(len(perTriple), s.Fit.Workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			perTriple[i] = model.ExpectedTransactions(tr.customer(i), h)
		}
	})
	predicted := make([]float64, len(customers))
	for i := range predicted {
		predicted[i] = perTriple[tr.of[i]]
	}
	res.Model = ScoreCounts(predicted, actual)
	return res, nil
}

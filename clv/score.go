package clv

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// ModelKind names a model of repeat purchasing.
type ModelKind int

// The models of repeat purchasing.
const (
	KindBGNBD ModelKind = iota
	KindParetoNBD
)

// String returns the model's published name.
func (k ModelKind) String() string {
	switch k {
	case KindBGNBD:
		return "BG/NBD"
	case KindParetoNBD:
		return "Pareto/NBD"
	}
	return fmt.Sprintf("ModelKind(%d)", int(k))
}

// Score compares predicted with actual repeat transactions in a
// holdout period, customer by customer.
type Score struct {
	// Actual and Predicted are the totals over the customers.
	Actual, Predicted float64
	// BiasPercent is 100·(Predicted − Actual)/Actual.
	BiasPercent float64
	// Correlation is the Pearson correlation between predicted and
	// actual counts per customer; NaN for fewer than two customers.
	Correlation float64
	// MAE is the mean absolute error per customer.
	MAE float64
}

// ScoreCounts scores the predicted against the actual counts of the same
// customers, predicted[i] and actual[i] being customer i's. It panics if
// the lengths differ. With no customers MAE is NaN; with no actual
// transactions BiasPercent is ±Inf or NaN.
func ScoreCounts(predicted, actual []float64) Score {
	if len(predicted) != len(actual) {
		panic(fmt.Sprintf("clv: ScoreCounts: %d predicted, %d actual", len(predicted), len(actual)))
	}
	var s Score
	var abs float64
	for i, p := range predicted {
		s.Predicted += p
		s.Actual += actual[i]
		abs += math.Abs(p - actual[i])
	}
	n := float64(len(predicted))
	s.MAE = abs / n
	s.BiasPercent = 100 * (s.Predicted - s.Actual) / s.Actual
	s.Correlation = math.NaN()
	if len(predicted) > 1 {
		s.Correlation = stat.Correlation(predicted, actual, nil)
	}
	return s
}

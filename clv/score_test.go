package clv

import (
	"math"
	"slices"
	"testing"
)

func TestScoreCounts(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name              string
		predicted, actual []float64
		want              Score
	}{
		{"exact", []float64{1, 2, 3}, []float64{1, 2, 3}, Score{Actual: 6, Predicted: 6, BiasPercent: 0, Correlation: 1, MAE: 0}},
		{"over", []float64{2, 3, 4}, []float64{1, 2, 3}, Score{Actual: 6, Predicted: 9, BiasPercent: 50, Correlation: 1, MAE: 1}},
		{"anticorrelated", []float64{3, 2, 1}, []float64{1, 2, 3}, Score{Actual: 6, Predicted: 6, BiasPercent: 0, Correlation: -1, MAE: 4.0 / 3}},
		{"one customer", []float64{2}, []float64{1}, Score{Actual: 1, Predicted: 2, BiasPercent: 100, Correlation: nan, MAE: 1}},
		{"none", nil, nil, Score{Correlation: nan, MAE: nan, BiasPercent: nan}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, a := slices.Clone(tc.predicted), slices.Clone(tc.actual)
			got := ScoreCounts(tc.predicted, tc.actual)
			same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) < 1e-12 }
			if !same(got.Actual, tc.want.Actual) || !same(got.Predicted, tc.want.Predicted) || !same(got.BiasPercent, tc.want.BiasPercent) ||
				!same(got.Correlation, tc.want.Correlation) || !same(got.MAE, tc.want.MAE) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if !slices.Equal(p, tc.predicted) || !slices.Equal(a, tc.actual) {
				t.Error("inputs modified")
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic on mismatched lengths")
		}
	}()
	ScoreCounts([]float64{1}, []float64{1, 2})
}

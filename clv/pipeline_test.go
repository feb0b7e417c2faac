package clv_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/segmint/segmint/clv"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
)

// TestPipelineBacktestCDNOW: pipeline.Backtest, which backtests the
// feature table's summaries as segmint backtest does, gives the figures
// of clv.Backtest, the transaction-level backtest of clv's tests, on the
// CDNOW sample, 39 weeks each side.
func TestPipelineBacktestCDNOW(t *testing.T) {
	txns := clv.CDNOWTxns(t)
	ctx := context.Background()
	calibrationEnd, holdoutEnd := time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC), time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
	layout, err := source.Preset("transactions")
	if err != nil {
		t.Fatal(err)
	}
	if layout.Columns, err = source.ParseMapping("user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds", nil); err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Backtest(ctx, pipeline.BacktestOptions{Events: []string{clv.CDNOWPath}, Scan: source.ScanOptions{Layout: layout}, CalibrationEnd: calibrationEnd})
	if err != nil {
		t.Fatal(err)
	}
	if res.Customers != 2357 || res.HoldoutDays != 273 || res.Actual != 1882 || !res.HoldoutEnd.Equal(holdoutEnd) {
		t.Fatalf("%d customers, %v holdout days to %v, %v actual; want 2357, 273 to 1998-06-30, 1882", res.Customers, res.HoldoutDays, res.HoldoutEnd, res.Actual)
	}
	for k, kind := range []clv.ModelKind{clv.KindBGNBD, clv.KindParetoNBD} {
		want, err := clv.Backtest(ctx, txns, calibrationEnd, holdoutEnd, clv.BacktestSettings{Model: kind})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Models[k]
		if got.Fit.ModelName() != kind.String() || got.Fit.Reason != "" {
			t.Fatalf("model %d: %s, %s", k, got.Fit.ModelName(), got.Fit.Detail)
		}
		if d := math.Abs(got.Score.Predicted - want.Model.Predicted); d > 1e-6 || math.Abs(got.Score.Correlation-want.Model.Correlation) > 1e-9 || math.Abs(got.Score.MAE-want.Model.MAE) > 1e-9 {
			t.Errorf("%v: %+v, clv.Backtest %+v", kind, got.Score, want.Model)
		}
		if res.Baseline != want.Baseline {
			t.Errorf("baseline %+v, clv.Backtest %+v", res.Baseline, want.Baseline)
		}
		t.Logf("%v: %+v; naive %+v", kind, got.Score, res.Baseline)
	}
}

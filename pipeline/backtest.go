package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/segmint/segmint/clv"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
)

// BacktestOptions configure a backtest of the purchase models (segmint
// backtest).
type BacktestOptions struct {
	// Events are the input paths, read as segmint run reads them with
	// Scan (whose AsOf is ignored).
	Events []string
	Scan   source.ScanOptions
	// CalibrationEnd names the last day of the calibration period (its
	// UTC date: the events of that whole day count); HoldoutEnd the last
	// day of the holdout, zero for the day of the latest event.
	CalibrationEnd, HoldoutEnd time.Time
	// Models are the purchase models to score (ModelBGNBD,
	// ModelParetoNBD); empty means both.
	Models []string
	// Predict supplies the guards and the threads; its model, horizon and
	// discount are not used.
	Predict PredictOptions
}

// BacktestResult is a backtest's outcome: each model's predicted repeat
// orders in the holdout against the orders made, customer by customer,
// next to the naive baseline.
type BacktestResult struct {
	// CalibrationEnd and HoldoutEnd are the last days of the two periods
	// (UTC dates); HoldoutDays is the holdout's length.
	CalibrationEnd, HoldoutEnd time.Time
	HoldoutDays                float64
	// Customers is the number of customers with an order by the end of
	// the calibration period, the ones scored; Actual their repeat orders
	// in the holdout.
	Customers int
	Actual    float64
	// Models holds each model's fit and score.
	Models []BacktestModel
	// Baseline scores the naive forecast x/T · HoldoutDays: each customer
	// goes on ordering at the rate of the calibration period.
	Baseline clv.Score
}

// BacktestModel is one purchase model's backtest.
type BacktestModel struct {
	// Fit is the model's fit on the calibration period, with the reason
	// it does not speak, if it does not (Score is then zero).
	Fit   *CLVFit
	Score clv.Score
}

// Backtest fits the purchase models on the orders up to the end of the
// calibration period, predicts each calibration customer's repeat orders
// in the holdout (the days after it up to HoldoutEnd) and compares them
// with the orders made, next to the naive baseline. The summaries are the
// feature table's as segmint run computes them (two passes: as of each
// period's end), so a backtest scores the fits a run makes. Customers
// first seen in the holdout are left out.
func Backtest(ctx context.Context, o BacktestOptions) (*BacktestResult, error) {
	calDay := utcDay(o.CalibrationEnd)
	models := o.Models
	if len(models) == 0 {
		models = []string{ModelBGNBD, ModelParetoNBD}
	}
	for _, m := range models {
		if m != ModelBGNBD && m != ModelParetoNBD {
			return nil, fmt.Errorf("backtest: model %q: want %s or %s", m, ModelBGNBD, ModelParetoNBD)
		}
	}
	scan := o.Scan
	scan.AsOf = endOfDay(calDay)
	cal, _, err := source.ComputeFeatures(ctx, o.Events, scan)
	if err != nil {
		return nil, err
	}
	scan.AsOf = 0
	if !o.HoldoutEnd.IsZero() {
		scan.AsOf = endOfDay(utcDay(o.HoldoutEnd))
	}
	all, _, err := source.ComputeFeatures(ctx, o.Events, scan)
	if err != nil {
		return nil, err
	}
	endDay := all.AsOf / features.MicrosPerDay
	if all.AsOf < 0 && all.AsOf%features.MicrosPerDay != 0 {
		endDay--
	}
	if endDay <= calDay {
		return nil, &source.InputError{File: o.Events[0], Err: fmt.Errorf("the holdout is empty: the latest event or holdout end, %s, is not after the calibration end %s", dayDate(endDay), dayDate(calDay))}
	}
	res := &BacktestResult{CalibrationEnd: dayDate(calDay), HoldoutEnd: dayDate(endDay), HoldoutDays: float64(endDay - calDay)}

	// The orders of each calibration customer in the holdout: its orders
	// by the holdout's end less those by the calibration's.
	ordersAll := make(map[int64]float64, len(all.Customers))
	if col := all.Column(colOrders); col != nil {
		for i, id := range all.Customers {
			ordersAll[id] = col[i]
		}
	}
	cs, rows := summaries(cal)
	calOrders := cal.Column(colOrders)
	actual := make([]float64, len(cs))
	baseline := make([]float64, len(cs))
	for k, c := range cs {
		actual[k] = ordersAll[c.ID] - calOrders[rows[k]]
		res.Actual += actual[k]
		if c.T > 0 {
			baseline[k] = c.X / c.T * res.HoldoutDays
		}
	}
	res.Customers = len(cs)
	res.Baseline = clv.ScoreCounts(baseline, actual)
	for _, name := range models {
		po := o.Predict
		po.Model = name
		fit, err := FitCLV(ctx, cal, po)
		if err != nil {
			return nil, err
		}
		bm := BacktestModel{Fit: fit}
		if m := fit.model(); m != nil {
			predicted := make([]float64, len(cs))
			for k, c := range cs {
				predicted[k] = m.ExpectedTransactions(c, res.HoldoutDays)
			}
			bm.Score = clv.ScoreCounts(predicted, actual)
		}
		res.Models = append(res.Models, bm)
	}
	return res, nil
}

// utcDay is the day number of t's UTC date.
func utcDay(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// endOfDay is the last microsecond of day number day.
func endOfDay(day int64) int64 { return (day+1)*features.MicrosPerDay - 1 }

// dayDate is the midnight (UTC) of day number day.
func dayDate(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

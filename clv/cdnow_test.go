package clv

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// cdnowPath is the CDNOW sample in the shared data folder beside the
// repository; it is not copied into the repository.
const cdnowPath = "../../shared/data/cdnow_sample.parquet"

type cdnowRow struct {
	CustomerID  int64   `parquet:"customer_id"`
	Date        int32   `parquet:"date,date"`
	NumberOfCDs int32   `parquet:"number_of_cds"`
	DollarValue float64 `parquet:"dollar_value"`
}

// cdnowTxns reads the CDNOW sample as rows without order ids, so that
// Summarise collapses them per customer and day, as the published fits do.
func cdnowTxns(t testing.TB) []Txn {
	t.Helper()
	rows, err := parquet.ReadFile[cdnowRow](cdnowPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("CDNOW sample not found at %s (the shared data folder beside the repository): %v", cdnowPath, err)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", cdnowPath, err)
	}
	txns := make([]Txn, len(rows))
	for i, r := range rows {
		txns[i] = Txn{Customer: r.CustomerID, Time: int64(r.Date) * MicrosPerDay, Value: r.DollarValue}
	}
	return txns
}

var (
	cdnowCalibrationEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	cdnowHoldoutEnd     = time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)
)

func cdnowCustomers(t testing.TB) []Customer {
	cs, err := Summarise(cdnowTxns(t), cdnowCalibrationEnd)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// sigfig3 reports whether got agrees with want to three significant
// figures: within half a unit of want's third significant digit.
func sigfig3(got, want float64) bool {
	unit := math.Pow(10, math.Floor(math.Log10(math.Abs(want)))-2)
	return math.Abs(got-want) <= unit/2
}

// weeksLogLik converts a log-likelihood with times in days to one with
// times in weeks. The likelihood of a customer's transaction times is a
// density in x times (the repeat purchases); measuring them in weeks
// multiplies it by 7^x, so LL_weeks = LL_days + ln 7 · Σx.
func weeksLogLik(llDays float64, cs []Customer) float64 {
	var sumX float64
	for _, c := range cs {
		sumX += c.X
	}
	return llDays + math.Log(7)*sumX
}

func TestCDNOWBGNBD(t *testing.T) {
	cs := cdnowCustomers(t)
	if len(cs) != 2357 {
		t.Fatalf("customers = %d, want 2357", len(cs))
	}
	fit, err := FitBGNBD(context.Background(), cs, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	ll := weeksLogLik(fit.LogLikelihood, cs)
	t.Logf("BG/NBD: r=%.4f alpha=%.4f weeks a=%.4f b=%.4f LL=%.2f (weeks) %+v",
		fit.R, fit.Alpha/7, fit.A, fit.B, ll, fit.FitResult)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"r", fit.R, 0.243}, {"alpha", fit.Alpha / 7, 4.414}, {"a", fit.A, 0.793}, {"b", fit.B, 2.426},
	} {
		if !sigfig3(c.got, c.want) {
			t.Errorf("%s = %.4f, published %.4g", c.name, c.got, c.want)
		}
	}
	if math.Abs(ll-(-9582.4)) > 0.1 {
		t.Errorf("LL = %.2f, published -9582.4", ll)
	}
	if !fit.Converged {
		t.Errorf("fit did not converge: %+v", fit.FitResult)
	}
}

func TestCDNOWParetoNBD(t *testing.T) {
	cs := cdnowCustomers(t)
	fit, err := FitParetoNBD(context.Background(), cs, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	ll := weeksLogLik(fit.LogLikelihood, cs)
	t.Logf("Pareto/NBD: r=%.4f alpha=%.4f weeks s=%.4f beta=%.4f weeks LL=%.2f (weeks) %+v",
		fit.R, fit.Alpha/7, fit.S, fit.Beta/7, ll, fit.FitResult)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"r", fit.R, 0.553}, {"alpha", fit.Alpha / 7, 10.578}, {"s", fit.S, 0.606}, {"beta", fit.Beta / 7, 11.669},
	} {
		if !sigfig3(c.got, c.want) {
			t.Errorf("%s = %.4f, published %.5g", c.name, c.got, c.want)
		}
	}
	if math.Abs(ll-(-9595.0)) > 0.1 {
		t.Errorf("LL = %.2f, published -9595.0", ll)
	}
	if !fit.Converged {
		t.Errorf("fit did not converge: %+v", fit.FitResult)
	}
}

func TestCDNOWGammaGamma(t *testing.T) {
	cs := cdnowCustomers(t)
	fit, err := FitGammaGamma(context.Background(), cs, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Gamma-Gamma: p=%.4f q=%.4f v=%.4f LL=%.2f corr=%.4f excluded=%d %+v",
		fit.P, fit.Q, fit.V, fit.LogLikelihood, fit.Correlation, fit.Excluded, fit.FitResult)
	if fit.Customers != 946 {
		t.Errorf("fitted customers = %d, published 946", fit.Customers)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p", fit.P, 6.25}, {"q", fit.Q, 3.74}, {"v", fit.V, 15.44},
	} {
		if !sigfig3(c.got, c.want) {
			t.Errorf("%s = %.4f, published %.4g", c.name, c.got, c.want)
		}
	}
	if !fit.Converged {
		t.Errorf("fit did not converge: %+v", fit.FitResult)
	}
}

// TestCDNOWBacktest fits on the 39 calibration weeks and predicts the 39
// holdout weeks, for both models and the naive baseline.
func TestCDNOWBacktest(t *testing.T) {
	txns := cdnowTxns(t)
	for _, kind := range []ModelKind{KindBGNBD, KindParetoNBD} {
		t.Run(kind.String(), func(t *testing.T) {
			res, err := Backtest(context.Background(), txns, cdnowCalibrationEnd, cdnowHoldoutEnd, BacktestSettings{Model: kind})
			if err != nil {
				t.Fatal(err)
			}
			if res.Reason != ReasonNone {
				t.Fatalf("reason %q", res.Reason)
			}
			if res.Customers != 2357 || res.HoldoutDays != 273 {
				t.Errorf("customers %d, holdout days %v; want 2357, 273", res.Customers, res.HoldoutDays)
			}
			t.Logf("%v: model %+v", kind, res.Model)
			t.Logf("%v: naive %+v", kind, res.Baseline)
			if res.Model.Actual != 1882 {
				t.Errorf("actual holdout repeat transactions %v, want 1882", res.Model.Actual)
			}
			m, b := res.Model, res.Baseline
			if !(math.Abs(m.BiasPercent) < math.Abs(b.BiasPercent) && m.MAE < b.MAE && m.Correlation > b.Correlation) {
				t.Errorf("the model does not beat the naive baseline: %+v against %+v", m, b)
			}
		})
	}
}

// TestCDNOWTimeConvention checks which T reproduces the published fit: T
// counted to the last calibration day, 1997-09-30 (272 days for a
// customer who started on 1 January, 38.86 weeks, as in the published
// summaries), and not to the start of the next day.
func TestCDNOWTimeConvention(t *testing.T) {
	cs := cdnowCustomers(t)
	var maxT float64
	for _, c := range cs {
		maxT = max(maxT, c.T)
	}
	if maxT != 272 {
		t.Errorf("longest T %v days, want 272 for buyers since 1 January 1997", maxT)
	}
	next := make([]Customer, len(cs))
	for i, c := range cs {
		next[i] = c
		next[i].T++
	}
	fit, err := FitBGNBD(context.Background(), next, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	ll := weeksLogLik(fit.LogLikelihood, next)
	t.Logf("T to 1997-10-01: r=%.4f alpha=%.4f weeks a=%.4f b=%.4f LL=%.2f", fit.R, fit.Alpha/7, fit.A, fit.B, ll)
	if math.Abs(ll-(-9582.4)) <= 0.1 {
		t.Errorf("T counted to 1997-10-01 also reproduces the published LL (%.2f)", ll)
	}
}

// TestCDNOWWeeks fits BG/NBD to the CDNOW summaries in weeks and checks
// the relationship between the units: alpha scales by 7, the other
// parameters do not move, and LL_weeks = LL_days + ln 7 · Σx.
func TestCDNOWWeeks(t *testing.T) {
	cs := cdnowCustomers(t)
	weeks := make([]Customer, len(cs))
	for i, c := range cs {
		weeks[i] = c
		weeks[i].TX, weeks[i].T = c.TX/7, c.T/7
	}
	days, err := FitBGNBD(context.Background(), cs, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := FitBGNBD(context.Background(), weeks, FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("in weeks: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.3f", wk.R, wk.Alpha, wk.A, wk.B, wk.LogLikelihood)
	if math.Abs(wk.LogLikelihood-weeksLogLik(days.LogLikelihood, cs)) > 1e-6 {
		t.Errorf("LL in weeks %.6f, LL in days + ln 7·Σx = %.6f", wk.LogLikelihood, weeksLogLik(days.LogLikelihood, cs))
	}
	for _, c := range []struct {
		name string
		w, d float64
	}{
		{"r", wk.R, days.R}, {"alpha", wk.Alpha, days.Alpha / 7}, {"a", wk.A, days.A}, {"b", wk.B, days.B},
	} {
		if relErr(c.w, c.d) > 1e-4 {
			t.Errorf("%s: %.6f in weeks, %.6f from days", c.name, c.w, c.d)
		}
	}
}

package clv

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

// samePredictions compares predictions bit for bit, NaN equal to NaN.
func samePredictions(a, b []Prediction) bool {
	eq := func(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }
	return slices.EqualFunc(a, b, func(p, q Prediction) bool {
		return eq(p.PAlive, q.PAlive) && eq(p.ChurnProbability, q.ChurnProbability) &&
			eq(p.ExpectedOrders, q.ExpectedOrders) && eq(p.ExpectedOrderValue, q.ExpectedOrderValue) &&
			eq(p.PredictedCLV, q.PredictedCLV) && eq(p.AvgDaysBetweenOrders, q.AvgDaysBetweenOrders) &&
			eq(p.ExpectedNextOrder, q.ExpectedNextOrder)
	})
}

func TestPredict(t *testing.T) {
	sim := cdnowLike
	sim.Days, sim.MinT, sim.MaxT = true, 0, 365
	customers := sim.customers(20_000, 5)
	orig := slices.Clone(customers)
	model, spend := sim.Model, sim.Spend
	s := PredictSettings{HorizonDays: 365, Workers: 1}
	one, err := Predict(context.Background(), nil, customers, model, &spend, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("independent of workers", func(t *testing.T) {
		for _, w := range []int{2, 3, 8} {
			s := s
			s.Workers = w
			dst := make([]Prediction, len(customers))
			got, err := Predict(context.Background(), dst, customers, model, &spend, s)
			if err != nil {
				t.Fatal(err)
			}
			if &got[0] != &dst[0] {
				t.Error("dst not used")
			}
			if !samePredictions(got, one) {
				t.Errorf("%d workers: predictions differ from one worker's", w)
			}
		}
	})
	t.Run("customers unchanged", func(t *testing.T) {
		if !slices.Equal(customers, orig) {
			t.Error("customers modified")
		}
	})
	t.Run("per customer", func(t *testing.T) {
		for i, c := range customers[:500] {
			p := one[i]
			if got := model.ExpectedTransactions(c, 365); got != p.ExpectedOrders {
				t.Fatalf("%+v: expected orders %v, model %v", c, p.ExpectedOrders, got)
			}
			if !(p.ChurnProbability >= 0 && p.ChurnProbability <= 1) {
				t.Errorf("%+v: churn %v", c, p.ChurnProbability)
			}
			if (c.X == 0) != math.IsNaN(p.AvgDaysBetweenOrders) {
				t.Errorf("%+v: avg days between orders %v", c, p.AvgDaysBetweenOrders)
			}
			// Discounting lowers the value, by at most the factor of a year.
			undiscounted := p.ExpectedOrders * p.ExpectedOrderValue
			if p.PredictedCLV > undiscounted*(1+1e-12) || p.PredictedCLV < undiscounted/1.1*(1-1e-12) {
				t.Errorf("%+v: CLV %v outside [%v, %v]", c, p.PredictedCLV, undiscounted/1.1, undiscounted)
			}
			if n := p.ExpectedNextOrder; !math.IsNaN(n) {
				if e := model.ExpectedTransactions(c, n); math.Abs(e-1) > 1e-3 {
					t.Errorf("%+v: E[Y] at the next order (%v days) = %v, want 1", c, n, e)
				}
			} else if e := model.ExpectedTransactions(c, DefaultNextOrderLimit); e >= 1 {
				t.Errorf("%+v: no next order but E[Y(5 years)] = %v", c, e)
			}
		}
	})
	t.Run("shared and generic paths agree", func(t *testing.T) {
		// Wrapping the model hides its factorisation, so Predict takes the
		// path of any Model, summary by summary.
		type anyModel struct{ Model }
		for _, m := range []Model{model, testPareto[0]} {
			fast, err := Predict(context.Background(), nil, customers[:300], m, &spend, s)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := Predict(context.Background(), nil, customers[:300], anyModel{m}, &spend, s)
			if err != nil {
				t.Fatal(err)
			}
			for i := range fast {
				f, g := fast[i], slow[i]
				if relErr(f.ExpectedOrders, g.ExpectedOrders) > 1e-12 || relErr(f.PredictedCLV, g.PredictedCLV) > 1e-12 ||
					f.PAlive != g.PAlive || f.ChurnProbability != g.ChurnProbability ||
					math.IsNaN(f.ExpectedNextOrder) != math.IsNaN(g.ExpectedNextOrder) ||
					math.Abs(f.ExpectedNextOrder-g.ExpectedNextOrder) > 0.02 {
					t.Errorf("%T %+v: shared %+v, generic %+v", m, customers[i], f, g)
				}
			}
		}
	})
	t.Run("no discount", func(t *testing.T) {
		s := s
		s.NoDiscount = true
		got, err := Predict(context.Background(), nil, customers[:200], model, &spend, s)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range got {
			if want := p.ExpectedOrders * p.ExpectedOrderValue; relErr(p.PredictedCLV, want) > 1e-12 && want > 1e-300 {
				t.Errorf("%+v: undiscounted CLV %v, want E[orders]·E[value] = %v", customers[i], p.PredictedCLV, want)
			}
		}
	})
	t.Run("no spend model", func(t *testing.T) {
		got, err := Predict(context.Background(), nil, customers[:10], model, nil, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			if !math.IsNaN(p.PredictedCLV) || !math.IsNaN(p.ExpectedOrderValue) {
				t.Errorf("value %v, CLV %v without a spend model; want NaN", p.ExpectedOrderValue, p.PredictedCLV)
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Predict(ctx, nil, customers, model, &spend, s); err == nil {
			t.Error("no error after cancellation")
		}
	})
}

func TestGammaGammaExpectedValue(t *testing.T) {
	m := GammaGamma{P: 6.25, Q: 3.74, V: 15.44}
	pop := m.P * m.V / (m.Q - 1)
	for _, tc := range []struct {
		c    Customer
		want float64
	}{
		{Customer{X: 0}, pop},
		{Customer{X: 2, MeanValue: 0}, pop},
		{Customer{X: 1, MeanValue: 40}, 6.25 * (15.44 + 40) / (6.25 + 2.74)},
		{Customer{X: 1e9, MeanValue: 40}, 40},
	} {
		if got := m.ExpectedValue(tc.c); relErr(got, tc.want) > 1e-6 {
			t.Errorf("%+v: %v, want %v", tc.c, got, tc.want)
		}
	}
	if v := (GammaGamma{P: 1, Q: 1, V: 1}).ExpectedValue(Customer{X: 1, MeanValue: 3}); !math.IsNaN(v) {
		t.Errorf("q = 1: %v, want NaN", v)
	}
}

func TestGuards(t *testing.T) {
	many := func(n, repeat int, maxT float64) []Customer {
		cs := make([]Customer, n)
		for i := range cs {
			cs[i].T = maxT
			if i < repeat {
				cs[i].X, cs[i].TX = 1, 1
			}
		}
		return cs
	}
	var g Guards
	for _, tc := range []struct {
		name string
		cs   []Customer
		want Reason
	}{
		{"enough", many(500, 50, 90), ReasonNone},
		{"few customers", many(499, 100, 300), ReasonFewCustomers},
		{"short history", many(1000, 100, 89), ReasonShortHistory},
		{"few repeat buyers", many(100000, 49, 300), ReasonFewRepeatBuyers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.Check(tc.cs); got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
	if got := (Guards{MinCustomers: 10}).Check(many(10, 10, 100)); got != ReasonFewRepeatBuyers {
		t.Errorf("custom MinCustomers: %q", got)
	}
	if got := g.CheckFit(FitResult{}); got != ReasonNotConverged {
		t.Errorf("CheckFit: %q", got)
	}
	spend := GammaGammaFit{GammaGamma: GammaGamma{1, 0.9, 1}, FitResult: FitResult{Customers: 60, Converged: true}}
	if got := g.CheckSpend(spend); got != ReasonSpendUndefined {
		t.Errorf("CheckSpend q < 1: %q", got)
	}
}

// TestBacktestGuards checks that a backtest on too little data reports
// the reason and still scores the naive baseline.
func TestBacktestGuards(t *testing.T) {
	day := func(d int) int64 { return int64(d) * MicrosPerDay }
	var rows []Txn
	for c := range 40 {
		for k := range c%4 + 1 {
			rows = append(rows, Txn{Customer: int64(c), Time: day(c + 30*k), Value: 10})
		}
	}
	orig := slices.Clone(rows)
	cal, end := time.UnixMicro(day(100)), time.UnixMicro(day(200))
	res, err := Backtest(context.Background(), rows, cal, end, BacktestSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != ReasonFewCustomers || res.Customers != 40 || res.HoldoutDays != 100 {
		t.Errorf("reason %q, %d customers, %v holdout days; want %q, 40, 100", res.Reason, res.Customers, res.HoldoutDays, ReasonFewCustomers)
	}
	if res.Baseline.Actual == 0 || res.Model != (Score{}) {
		t.Errorf("baseline %+v, model %+v", res.Baseline, res.Model)
	}
	if !slices.Equal(rows, orig) {
		t.Error("rows modified")
	}
	// With the guards lowered, the fit runs.
	res, err = Backtest(context.Background(), rows, cal, end, BacktestSettings{Guards: Guards{MinCustomers: 10, MinHistoryDays: 10, MinRepeatBuyers: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != ReasonNone && res.Reason != ReasonNotConverged {
		t.Errorf("reason %q with lowered guards", res.Reason)
	}
}

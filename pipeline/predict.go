package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/segmint/segmint/clv"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/segments"
)

// The purchase models of PredictOptions.Model (segmint run --clv-model).
const (
	ModelBGNBD     = "bgnbd" // BG/NBD, the default
	ModelParetoNBD = "pnbd"  // Pareto/NBD
	ModelNone      = "none"  // no predictions: every prediction column is null
)

// Models lists the values of PredictOptions.Model.
var Models = []string{ModelBGNBD, ModelParetoNBD, ModelNone}

// DefaultHorizonDays is the horizon of the predictions when
// PredictOptions.HorizonDays is zero.
const DefaultHorizonDays = 365

// CorrelationLimit is the largest absolute correlation between the number
// of repeat orders and their mean value at which the spend model's
// assumption, that the two are independent, is taken to hold (CDNOW's is
// 0.11). Above it the manifest and the report warn that the expected
// order values lean on a broken assumption; they are still written.
const CorrelationLimit = 0.3

// PredictOptions configure the predictions of customer lifetime value.
// The zero value is the default: BG/NBD over 365 days, CLV discounted at
// 10 % a year, the guards of clv.Guards.
type PredictOptions struct {
	// Model is the purchase model: ModelBGNBD ("" means it),
	// ModelParetoNBD or ModelNone.
	Model string
	// HorizonDays is the horizon of churn_probability, expected_orders and
	// predicted_clv, in days; zero means DefaultHorizonDays.
	HorizonDays float64
	// DiscountRate is the annual rate predicted_clv is discounted at; zero
	// means clv.DefaultAnnualDiscount (0.10), unless NoDiscount is set.
	DiscountRate float64
	NoDiscount   bool
	// Threads is the number of goroutines the fits and predictions use;
	// zero means GOMAXPROCS. The results do not depend on it.
	Threads int
	// Guards are the thresholds under which the models are not fitted.
	Guards clv.Guards
}

// Check reports options no prediction can be made with.
func (o PredictOptions) Check() error {
	if o.Model != "" && !slices.Contains(Models, o.Model) {
		return fmt.Errorf("model %q: want one of %s", o.Model, strings.Join(Models, ", "))
	}
	if !(o.HorizonDays >= 0) || math.IsInf(o.HorizonDays, 0) {
		return fmt.Errorf("horizon %v days: want a positive number", o.HorizonDays)
	}
	if !(o.DiscountRate >= 0) || math.IsInf(o.DiscountRate, 0) {
		return fmt.Errorf("discount rate %v: want a rate of 0 or more a year (0.10 is 10 %%)", o.DiscountRate)
	}
	return nil
}

// resolved returns o with its defaults filled in.
func (o PredictOptions) resolved() PredictOptions {
	if o.Model == "" {
		o.Model = ModelBGNBD
	}
	if o.HorizonDays == 0 {
		o.HorizonDays = DefaultHorizonDays
	}
	if o.NoDiscount {
		o.DiscountRate = 0
	} else if o.DiscountRate == 0 {
		o.DiscountRate = clv.DefaultAnnualDiscount
	}
	return o
}

// The reasons, besides clv's, why the models do not speak.
const (
	// ReasonDisabled: the run asked for no predictions (ModelNone).
	ReasonDisabled clv.Reason = "disabled"
	// ReasonNoPurchases: the input has no purchase events.
	ReasonNoPurchases clv.Reason = "no_purchases"
	// ReasonNoSpend: the input has no price or amount column, so the
	// spend model has nothing to fit (for the spend model only).
	ReasonNoSpend clv.Reason = "no_spend"
)

// CLVFit is the fit of the lifetime-value models on the purchase
// summaries of a feature table: what predicting any customer needs, and
// what the manifest and the report say of the fit. segmint run fits and
// predicts in one step (Predict); a distributed run fits once, on its
// sample, and predicts every customer with the fit (CLVFit.Predict).
type CLVFit struct {
	// Options are the options fitted with, their defaults filled in.
	Options PredictOptions
	// Customers is the number of customers with a purchase, the ones
	// the models describe; RepeatBuyers is how many of them bought again;
	// HistoryDays is the longest history, max T, in days.
	Customers, RepeatBuyers int
	HistoryDays             float64
	// Reason, when not empty, is why the purchase model does not speak:
	// every prediction is then null; Detail says it with the figures.
	Reason clv.Reason
	Detail string
	// BGNBD or ParetoNBD is the purchase model fitted, nil when none was
	// (a fit that did not converge is kept here for the manifest, with
	// Reason clv.ReasonNotConverged, and predicts nothing).
	BGNBD     *clv.BGNBDFit
	ParetoNBD *clv.ParetoNBDFit
	// SpendReason, when not empty, is why the spend model does not speak:
	// expected_order_value and predicted_clv are then null.
	SpendReason clv.Reason
	SpendDetail string
	// Spend is the Gamma-Gamma fit, nil when none was made.
	Spend *clv.GammaGammaFit
}

// ModelName is the purchase model's published name.
func (f *CLVFit) ModelName() string {
	switch f.Options.Model {
	case ModelBGNBD:
		return clv.KindBGNBD.String()
	case ModelParetoNBD:
		return clv.KindParetoNBD.String()
	}
	return "none"
}

// model returns the purchase model to predict with, nil when it does not
// speak.
func (f *CLVFit) model() clv.Model {
	switch {
	case f.Reason != "":
		return nil
	case f.BGNBD != nil:
		return f.BGNBD.BGNBD
	case f.ParetoNBD != nil:
		return f.ParetoNBD.ParetoNBD
	}
	return nil
}

// The feature columns the purchase summary is read from.
const (
	colOrders = "orders"
	colTX     = "days_first_to_last_order"
	colT      = "days_since_first_order"
	colValue  = "repeat_order_value"
)

// summaries returns the purchase summary of every customer of t with an
// order, and each one's row in t: X = orders − 1, TX, T and the mean
// repeat order value from the summary features (0 where undefined, as clv
// expects of customers without a repeat order). With no orders column
// it returns nothing.
func summaries(t *features.Table) (cs []clv.Customer, rows []int) {
	orders, tx, tt, value := t.Column(colOrders), t.Column(colTX), t.Column(colT), t.Column(colValue)
	if orders == nil || tx == nil || tt == nil {
		return nil, nil
	}
	for i, n := range orders {
		if !(n >= 1) {
			continue
		}
		c := clv.Customer{ID: t.Customers[i], X: n - 1, TX: tx[i], T: tt[i]}
		if value != nil && c.X > 0 && !math.IsNaN(value[i]) {
			c.MeanValue = value[i]
		}
		cs = append(cs, c)
		rows = append(rows, i)
	}
	return cs, rows
}

// FitCLV fits the purchase model of o, and the Gamma-Gamma spend model,
// to the purchase summaries of t's customers (the features
// days_first_to_last_order, days_since_first_order and repeat_order_value,
// with orders − 1 repeat orders). Where the data cannot carry a model
// (o.Guards) or a fit does not converge, the result says why and predicts
// nothing; only a cancelled context or an internal inconsistency returns
// an error. t is not modified.
func FitCLV(ctx context.Context, t *features.Table, o PredictOptions) (*CLVFit, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	o = o.resolved()
	f := &CLVFit{Options: o}
	if o.Model == ModelNone {
		f.Reason, f.Detail = ReasonDisabled, "no predictions were asked for (--clv-model none)"
		f.SpendReason, f.SpendDetail = f.Reason, f.Detail
		return f, nil
	}
	if t.Column(colOrders) == nil {
		f.Reason, f.Detail = ReasonNoPurchases, "the input has no purchase events"
		f.SpendReason, f.SpendDetail = f.Reason, f.Detail
		return f, nil
	}
	cs, _ := summaries(t)
	f.Customers = len(cs)
	for _, c := range cs {
		f.HistoryDays = max(f.HistoryDays, c.T)
		if c.X > 0 {
			f.RepeatBuyers++
		}
	}
	if f.Reason = o.Guards.Check(cs); f.Reason != "" {
		f.Detail = f.guardDetail()
		f.SpendReason, f.SpendDetail = f.Reason, f.Detail
		return f, nil
	}
	settings := clv.FitSettings{Workers: o.Threads}
	var res clv.FitResult
	switch o.Model {
	case ModelBGNBD:
		fit, err := clv.FitBGNBD(ctx, cs, settings)
		if err != nil {
			return nil, fmt.Errorf("fitting BG/NBD: %w", err)
		}
		f.BGNBD, res = &fit, fit.FitResult
	case ModelParetoNBD:
		fit, err := clv.FitParetoNBD(ctx, cs, settings)
		if err != nil {
			return nil, fmt.Errorf("fitting Pareto/NBD: %w", err)
		}
		f.ParetoNBD, res = &fit, fit.FitResult
	}
	if f.Reason = o.Guards.CheckFit(res); f.Reason != "" {
		f.Detail = fmt.Sprintf("the %s fit did not converge (gradient %.3g, %s, %s): no prediction is written", f.ModelName(), res.Gradient, res.Method, res.Status)
		f.SpendReason, f.SpendDetail = f.Reason, f.Detail
		return f, nil
	}
	return f, f.fitSpend(ctx, t, cs, settings)
}

// fitSpend fits the Gamma-Gamma model to the repeat buyers of cs and
// says why it cannot be used, if it cannot.
func (f *CLVFit) fitSpend(ctx context.Context, t *features.Table, cs []clv.Customer, settings clv.FitSettings) error {
	g := f.Options.Guards
	if t.Column(colValue) == nil {
		f.SpendReason, f.SpendDetail = ReasonNoSpend, "the input has no price or amount column: there is no order value to model"
		return nil
	}
	fit, err := clv.FitGammaGamma(ctx, cs, settings)
	if errors.Is(err, clv.ErrNoCustomers) {
		f.SpendReason = clv.ReasonFewRepeatBuyers
		f.SpendDetail = "no customer has a repeat order of positive value"
		return nil
	}
	if err != nil {
		return fmt.Errorf("fitting Gamma-Gamma: %w", err)
	}
	f.Spend = &fit
	switch f.SpendReason = g.CheckSpend(fit); f.SpendReason {
	case clv.ReasonFewRepeatBuyers:
		f.SpendDetail = fmt.Sprintf("%d customers with a repeat order of positive value; the spend model needs at least %d", fit.Customers, guardOr(g.MinRepeatBuyers, clv.DefaultMinRepeatBuyers))
	case clv.ReasonNotConverged:
		f.SpendDetail = fmt.Sprintf("the Gamma-Gamma fit did not converge (gradient %.3g, %s, %s): no order value is written", fit.Gradient, fit.Method, fit.Status)
	case clv.ReasonSpendUndefined:
		f.SpendDetail = fmt.Sprintf("the Gamma-Gamma fit has q = %.3g <= 1, an infinite mean order value: no order value is written", fit.Q)
	}
	return nil
}

func guardOr[T int | float64](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// guardDetail words the guard's reason with the data's figures.
func (f *CLVFit) guardDetail() string {
	g := f.Options.Guards
	switch f.Reason {
	case clv.ReasonFewCustomers:
		return fmt.Sprintf("%d customers with a purchase; the models need at least %d", f.Customers, guardOr(g.MinCustomers, clv.DefaultMinCustomers))
	case clv.ReasonShortHistory:
		return fmt.Sprintf("the longest purchase history is %s; the models need at least %s to tell a customer who left from one who buys rarely", segments.Days(f.HistoryDays), segments.Days(guardOr(g.MinHistoryDays, clv.DefaultMinHistoryDays)))
	case clv.ReasonFewRepeatBuyers:
		return fmt.Sprintf("%d customers with a repeat purchase; the models need at least %d", f.RepeatBuyers, guardOr(g.MinRepeatBuyers, clv.DefaultMinRepeatBuyers))
	}
	return string(f.Reason)
}

// Predictions are every customer's predictions, one value per row of the
// feature table they were made from; NaN means null: the customer has no
// purchase, the value does not exist for it (no expected next order), or
// the models do not speak for the data (Fit.Reason, Fit.SpendReason).
type Predictions struct {
	Fit *CLVFit
	// PAlive is the probability that the customer is still active at the
	// as-of day.
	PAlive []float64
	// ChurnProbability is the probability of no order within the
	// horizon; ExpectedOrders the expected number of orders within it.
	ChurnProbability, ExpectedOrders []float64
	// ExpectedOrderValue is the spend model's expected value of an order;
	// PredictedCLV the discounted value of the horizon's expected orders.
	ExpectedOrderValue, PredictedCLV []float64
	// AvgDaysBetweenOrders is days_first_to_last_order / (orders − 1), a
	// fact of the history rather than a prediction: written whatever the
	// models say, null with one order.
	AvgDaysBetweenOrders []float64
	// ExpectedNextOrder is the number of days after the as-of day at
	// which the expected number of orders reaches one; null when that
	// takes more than five years.
	ExpectedNextOrder []float64
	// Seconds is the time the fit and the predictions took.
	Seconds float64
}

// Predict fits the models to t (FitCLV) and predicts every customer of t
// with them.
func Predict(ctx context.Context, t *features.Table, o PredictOptions) (*Predictions, error) {
	start := time.Now()
	f, err := FitCLV(ctx, t, o)
	if err != nil {
		return nil, err
	}
	p, err := f.Predict(ctx, t)
	if err != nil {
		return nil, err
	}
	p.Seconds = time.Since(start).Seconds()
	return p, nil
}

// Predict predicts every customer of t with the fitted models (the
// customers need not be the ones fitted). Each customer's predictions
// depend on its own summary and the fit alone.
func (f *CLVFit) Predict(ctx context.Context, t *features.Table) (*Predictions, error) {
	n := len(t.Customers)
	p := &Predictions{Fit: f}
	cols := []*[]float64{&p.PAlive, &p.ChurnProbability, &p.ExpectedOrders, &p.ExpectedOrderValue, &p.PredictedCLV, &p.AvgDaysBetweenOrders, &p.ExpectedNextOrder}
	for _, c := range cols {
		*c = make([]float64, n)
		for i := range *c {
			(*c)[i] = math.NaN()
		}
	}
	cs, rows := summaries(t)
	for k, c := range cs {
		if c.X > 0 {
			p.AvgDaysBetweenOrders[rows[k]] = c.TX / c.X
		}
	}
	model := f.model()
	if model == nil || len(cs) == 0 {
		return p, nil
	}
	var spend *clv.GammaGamma
	if f.SpendReason == "" && f.Spend != nil {
		spend = &f.Spend.GammaGamma
	}
	o := f.Options
	pred, err := clv.Predict(ctx, nil, cs, model, spend, clv.PredictSettings{HorizonDays: o.HorizonDays, AnnualDiscount: o.DiscountRate, NoDiscount: o.DiscountRate == 0, Workers: o.Threads})
	if err != nil {
		return nil, fmt.Errorf("predicting: %w", err)
	}
	for k, r := range rows {
		q := pred[k]
		p.PAlive[r], p.ChurnProbability[r], p.ExpectedOrders[r] = q.PAlive, q.ChurnProbability, q.ExpectedOrders
		p.ExpectedOrderValue[r], p.PredictedCLV[r], p.ExpectedNextOrder[r] = q.ExpectedOrderValue, q.PredictedCLV, q.ExpectedNextOrder
	}
	return p, nil
}

// predictionColumn is one prediction column of customers.parquet.
type predictionColumn struct {
	Name, Unit, Description string
	values                  func(*Predictions) []float64
	spend                   bool // null when the spend model does not speak
}

// predictionColumns are the prediction columns of customers.parquet, in
// order (docs/outputs.md). expected_next_order is written as a date.
var predictionColumns = []predictionColumn{
	{"p_alive", "probability", "probability that the customer is still active at the as-of day", func(p *Predictions) []float64 { return p.PAlive }, false},
	{"churn_probability", "probability", "probability of no order within the horizon", func(p *Predictions) []float64 { return p.ChurnProbability }, false},
	{"expected_orders", "orders", "expected number of orders within the horizon", func(p *Predictions) []float64 { return p.ExpectedOrders }, false},
	{"expected_order_value", "currency", "expected value of an order (the spend model's)", func(p *Predictions) []float64 { return p.ExpectedOrderValue }, true},
	{"predicted_clv", "currency", "discounted value of the horizon's expected orders", func(p *Predictions) []float64 { return p.PredictedCLV }, true},
	{"avg_days_between_orders", "days", "days from the first order to the last over the repeat orders", func(p *Predictions) []float64 { return p.AvgDaysBetweenOrders }, false},
	{"expected_next_order", "date", "the day the expected number of orders reaches one", func(p *Predictions) []float64 { return p.ExpectedNextOrder }, false},
}

// RuleTable returns the table the rules of cat read: t's features and, as
// further columns, the predictions the rules read (of
// segments.Predictions); where the models do not speak, those are listed
// absent with the reason, so a rule reading them is not evaluated. It
// shares t's columns and modifies none of its arguments.
func RuleTable(t *features.Table, p *Predictions, cat *segments.Catalogue) *features.Table {
	rt := *t
	rt.Features = slices.Clip(t.Features)
	rt.Columns = slices.Clip(t.Columns)
	rt.Absent = slices.Clip(t.Absent)
	for _, name := range segments.Predictions {
		if !cat.Reads(name) {
			continue
		}
		i := slices.IndexFunc(predictionColumns, func(c predictionColumn) bool { return c.Name == name })
		c := predictionColumns[i]
		why, detail := p.Fit.Reason, p.Fit.Detail
		if why == "" && c.spend {
			why, detail = p.Fit.SpendReason, p.Fit.SpendDetail
		}
		if why != "" {
			rt.Absent = append(rt.Absent, features.Absence{Feature: name, Reason: "the lifetime-value models cannot speak: " + detail})
			continue
		}
		rt.Features = append(rt.Features, &features.Feature{Name: c.Name, Unit: c.Unit, Description: c.Description, NotClustered: true})
		rt.Columns = append(rt.Columns, c.values(p))
	}
	return &rt
}

func manifestFit(name string, params map[string]float64, r clv.FitResult) *output.ManifestFit {
	return &output.ManifestFit{Name: name, Parameters: params, LogLikelihood: r.LogLikelihood, Customers: r.Customers, Converged: r.Converged, Method: r.Method, Gradient: r.Gradient}
}

// correlationCheck words the spend model's independence check.
func correlationCheck(r float64) string {
	if math.Abs(r) < CorrelationLimit {
		return fmt.Sprintf("passed: |r| = %.3f < %g, the number of repeat orders and their value are close to independent, as the spend model assumes", math.Abs(r), CorrelationLimit)
	}
	return fmt.Sprintf("failed: |r| = %.3f >= %g, the number of repeat orders and their value are correlated, which the spend model assumes they are not: read expected_order_value and predicted_clv with care", math.Abs(r), CorrelationLimit)
}

// manifestCLV is the manifest's account of p.
func manifestCLV(p *Predictions) *output.ManifestCLV {
	f := p.Fit
	o := f.Options
	g := o.Guards
	m := &output.ManifestCLV{Model: o.Model, ModelName: f.ModelName(), TimeUnit: "days", HorizonDays: o.HorizonDays, AnnualDiscountRate: o.DiscountRate,
		Predicted: f.Reason == "", Reason: string(f.Reason), Detail: f.Detail,
		CustomersWithPurchase: f.Customers, RepeatBuyers: f.RepeatBuyers, LongestHistoryDays: f.HistoryDays,
		Guards: output.ManifestGuards{MinCustomers: guardOr(g.MinCustomers, clv.DefaultMinCustomers), MinHistoryDays: guardOr(g.MinHistoryDays, clv.DefaultMinHistoryDays), MinRepeatBuyers: guardOr(g.MinRepeatBuyers, clv.DefaultMinRepeatBuyers)}}
	switch {
	case f.BGNBD != nil:
		b := f.BGNBD
		m.Purchase = manifestFit(f.ModelName(), map[string]float64{"r": b.R, "alpha": b.Alpha, "a": b.A, "b": b.B}, b.FitResult)
	case f.ParetoNBD != nil:
		b := f.ParetoNBD
		m.Purchase = manifestFit(f.ModelName(), map[string]float64{"r": b.R, "alpha": b.Alpha, "s": b.S, "beta": b.Beta}, b.FitResult)
	}
	if m.Purchase != nil {
		m.Purchase.Used = f.Reason == ""
		if !m.Purchase.Used {
			m.Purchase.Reason, m.Purchase.Detail = string(f.Reason), f.Detail
		}
	}
	if s := f.Spend; s != nil {
		m.Spend = manifestFit("Gamma-Gamma", map[string]float64{"p": s.P, "q": s.Q, "v": s.V}, s.FitResult)
		m.Spend.Used = f.SpendReason == ""
		m.Spend.Reason, m.Spend.Detail = string(f.SpendReason), f.SpendDetail
		m.Spend.Excluded = s.Excluded
		if r := s.Correlation; !math.IsNaN(r) {
			m.Spend.FrequencyValueCorrelation = &r
			m.Spend.CorrelationCheck = correlationCheck(r)
		}
	}
	return m
}

// predictionTableColumns are the prediction columns of customers.parquet:
// doubles, null where NaN, and expected_next_order as the date of the
// first whole day by whose end, counted from the as-of day asOf (µs), the
// expected number of orders reaches one.
func predictionTableColumns(p *Predictions, asOf int64) []output.Column {
	asOfDay := asOf / features.MicrosPerDay
	if asOf%features.MicrosPerDay < 0 {
		asOfDay--
	}
	var cols []output.Column
	for _, c := range predictionColumns {
		v := c.values(p)
		if c.Unit != "date" {
			cols = append(cols, output.Column{Name: c.Name, Float64: v})
			continue
		}
		dates := make([]int32, len(v))
		for i, d := range v {
			dates[i] = output.NullDate
			if !math.IsNaN(d) {
				dates[i] = int32(asOfDay + int64(math.Ceil(d)))
			}
		}
		cols = append(cols, output.Column{Name: c.Name, Date: dates})
	}
	return cols
}

package clv

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// Model is a fitted model of repeat purchasing; BGNBD and ParetoNBD
// implement it. Times are in days; t is a horizon after the customer's T.
type Model interface {
	// PAlive returns the probability that the customer is alive at T.
	PAlive(c Customer) float64
	// ExpectedTransactions returns the expected number of transactions
	// in (T, T+t].
	ExpectedTransactions(c Customer, t float64) float64
	// ProbNoPurchase returns the probability of no transaction in
	// (T, T+t].
	ProbNoPurchase(c Customer, t float64) float64
}

// Prediction holds one customer's predictions over a horizon. A NaN
// means that the value does not exist for the customer or could not be
// computed; callers write it as null.
type Prediction struct {
	// PAlive is the probability that the customer is alive at the end
	// of the calibration period.
	PAlive float64
	// ChurnProbability is the probability of no purchase in the horizon.
	ChurnProbability float64
	// ExpectedOrders is the expected number of purchases in the horizon.
	ExpectedOrders float64
	// ExpectedOrderValue is the Gamma-Gamma expected value of a future
	// purchase (the population mean for customers without a repeat
	// purchase); NaN without a spend model.
	ExpectedOrderValue float64
	// PredictedCLV is the discounted expected value of the horizon's
	// purchases (see PredictSettings); NaN without a spend model.
	PredictedCLV float64
	// AvgDaysBetweenOrders is TX/X; NaN when X == 0.
	AvgDaysBetweenOrders float64
	// ExpectedNextOrder is the number of days after the end of the
	// calibration period at which the expected number of purchases
	// reaches 1; NaN when it does not within NextOrderLimitDays.
	ExpectedNextOrder float64
}

// Defaults of PredictSettings.
const (
	DefaultAnnualDiscount = 0.10
	DefaultStepDays       = 365.25 / 12
	DefaultNextOrderLimit = 5 * 365.25
	daysPerYear           = 365.25
)

// PredictSettings sets the horizon and discounting of Predict. Apart
// from HorizonDays, the zero value of each field is a documented default.
//
// PredictedCLV sums the expected value of the purchases of each step of
// StepDays (the last step ends at the horizon), discounted from the
// step's end at the continuous rate equivalent to the annual rate d:
//
//	CLV = E[M] · Σ_k (E[Y(t_k)] − E[Y(t_{k−1})]) · (1+d)^{−t_k/365.25},
//	t_k = min(k·StepDays, HorizonDays), t_0 = 0,
//
// as lifetimes' customer_lifetime_value does with monthly steps, with E[M]
// the Gamma-Gamma expected value and E[Y(t)] the expected purchases in
// (T, T+t].
type PredictSettings struct {
	// HorizonDays is the length of the horizon after the end of the
	// calibration period; it must be positive.
	HorizonDays float64
	// AnnualDiscount is the annual discount rate d; zero means
	// DefaultAnnualDiscount (0.10). Set NoDiscount for none.
	AnnualDiscount float64
	// NoDiscount turns discounting off.
	NoDiscount bool
	// StepDays is the length of a discounting step; zero means a month,
	// DefaultStepDays.
	StepDays float64
	// NextOrderLimitDays bounds the search for ExpectedNextOrder; zero
	// means five years, DefaultNextOrderLimit.
	NextOrderLimitDays float64
	// Workers is the number of goroutines; zero means GOMAXPROCS.
	// Results do not depend on it.
	Workers int
}

func (s PredictSettings) discountRate() float64 {
	switch {
	case s.NoDiscount:
		return 0
	case s.AnnualDiscount == 0:
		return DefaultAnnualDiscount
	}
	return s.AnnualDiscount
}

// tripleForecast is what Predict computes per distinct summary.
type tripleForecast struct {
	pAlive, churn, orders, discounted, next float64
}

// Predict returns the predictions of every customer, in the order of
// customers, over the horizon of s, written into dst when dst is not nil
// (it must then have len(customers) elements). spend may be nil: the
// order value and CLV are then NaN. Customers sharing a summary
// (X, TX, T) share the model's computations, which run on s.Workers
// goroutines; results do not depend on their number. Bad summaries
// return a *CustomerError; a cancelled context returns ctx.Err(). The
// model's predictions for a customer are NaN, not an error, where the
// model's formulas fail.
func Predict(ctx context.Context, dst []Prediction, customers []Customer, model Model, spend *GammaGamma, s PredictSettings) ([]Prediction, error) {
	if model == nil {
		panic("clv: Predict with a nil model")
	}
	if !(s.HorizonDays > 0) || math.IsInf(s.HorizonDays, 0) || s.StepDays < 0 || s.NextOrderLimitDays < 0 {
		panic(fmt.Sprintf("clv: bad PredictSettings %+v", s))
	}
	if dst == nil {
		dst = make([]Prediction, len(customers))
	}
	if len(dst) != len(customers) {
		panic(fmt.Sprintf("clv: Predict: len(dst) = %d, want %d", len(dst), len(customers)))
	}
	if err := checkCustomers(customers); err != nil {
		return dst, err
	}
	tr := collapseTriples(customers)
	var fc []tripleForecast
	if am, ok := model.(aliveModel); ok {
		fc = forecastShared(ctx, am, tr, s)
	} else {
		fc = make([]tripleForecast, len(tr.x))
		forBlocks(len(fc), s.Workers, func(_, lo, hi int) {
			if ctx.Err() != nil {
				return
			}
			for i := lo; i < hi; i++ {
				fc[i] = forecast(model, tr.customer(i), s)
			}
		})
	}
	if err := ctx.Err(); err != nil {
		return dst, err
	}
	forBlocks(len(customers), s.Workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			c, f := customers[i], fc[tr.of[i]]
			p := Prediction{
				PAlive:               f.pAlive,
				ChurnProbability:     f.churn,
				ExpectedOrders:       f.orders,
				ExpectedOrderValue:   math.NaN(),
				PredictedCLV:         math.NaN(),
				AvgDaysBetweenOrders: math.NaN(),
				ExpectedNextOrder:    f.next,
			}
			if spend != nil {
				p.ExpectedOrderValue = spend.ExpectedValue(c)
				p.PredictedCLV = f.discounted * p.ExpectedOrderValue
			}
			if c.X > 0 {
				p.AvgDaysBetweenOrders = c.TX / c.X
			}
			dst[i] = p
		}
	})
	return dst, nil
}

// forecast computes the per-summary predictions of c from any Model.
func forecast(m Model, c Customer, s PredictSettings) tripleForecast {
	h := s.HorizonDays
	steps := s.steps()
	f := tripleForecast{
		pAlive: m.PAlive(c),
		churn:  m.ProbNoPurchase(c, h),
		orders: m.ExpectedTransactions(c, h),
	}
	var prev float64
	for _, st := range steps {
		e := m.ExpectedTransactions(c, st.t)
		f.discounted += (e - prev) * st.discount
		prev = e
	}
	limit := s.nextOrderLimit()
	g := func(t float64) float64 { return m.ExpectedTransactions(c, t) }
	f.next = solveIncreasing(g, 1, 0, 0, limit, g(limit))
	return f
}

// discountStep is the end of a discounting step and its discount factor.
type discountStep struct{ t, discount float64 }

// steps returns the discounting steps of s: their ends t_k =
// min(k·StepDays, HorizonDays) and factors (1+d)^{−t_k/365.25}.
func (s PredictSettings) steps() []discountStep {
	step := s.StepDays
	if step == 0 {
		step = DefaultStepDays
	}
	delta := math.Log1p(s.discountRate()) / daysPerYear
	var out []discountStep
	for k := 1; ; k++ {
		t := min(float64(k)*step, s.HorizonDays)
		out = append(out, discountStep{t, math.Exp(-delta * t)})
		if t >= s.HorizonDays {
			return out
		}
	}
}

func (s PredictSettings) nextOrderLimit() float64 {
	if s.NextOrderLimitDays == 0 {
		return DefaultNextOrderLimit
	}
	return s.NextOrderLimitDays
}

// aliveModel is a Model whose expected transactions are P(alive) times
// an expectation given alive that depends on X and T alone, as BG/NBD's
// and Pareto/NBD's do; Predict computes the latter once for all the
// customers sharing X and T.
type aliveModel interface {
	Model
	// expectedGivenAlive returns the expected number of transactions
	// in (T, T+t] of a customer alive at T with x repeat transactions.
	expectedGivenAlive(x, T, t float64) float64
}

// nextGrid is the number of horizons, spaced geometrically up to the
// limit, at which forecastShared tabulates the expectation given alive to
// bracket the next order.
const nextGrid = 24

// forecastShared computes the per-summary predictions of an aliveModel,
// sharing the expectations given alive among summaries with equal X and
// T: per pair, the expectation at the steps' ends and at a grid of
// horizons; per summary, P(alive) and the horizon at which the
// expectation given alive reaches 1/P(alive), bracketed by the grid.
func forecastShared(ctx context.Context, m aliveModel, tr *triples, s PredictSettings) []tripleForecast {
	type pairKey struct{ x, t float64 }
	pairIndex := make(map[pairKey]int32)
	pairOf := make([]int32, len(tr.x))
	var pairs []pairKey
	for i := range tr.x {
		k := pairKey{tr.x[i], tr.t[i]}
		j, ok := pairIndex[k]
		if !ok {
			j = int32(len(pairs))
			pairIndex[k] = j
			pairs = append(pairs, k)
		}
		pairOf[i] = j
	}
	steps := s.steps()
	limit := s.nextOrderLimit()
	grid := make([]float64, nextGrid)
	for j := range grid {
		grid[j] = limit * math.Pow(2, float64(j+1-nextGrid)/2)
	}
	// Per pair: discounted sum, expectation at the horizon, expectation
	// at the grid's horizons.
	discounted := make([]float64, len(pairs))
	atHorizon := make([]float64, len(pairs))
	atGrid := make([]float64, len(pairs)*nextGrid)
	forBlocks(len(pairs), s.Workers, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		for p := lo; p < hi; p++ {
			x, T := pairs[p].x, pairs[p].t
			var prev float64
			for _, st := range steps {
				e := m.expectedGivenAlive(x, T, st.t)
				discounted[p] += (e - prev) * st.discount
				prev = e
			}
			atHorizon[p] = prev
			for j, t := range grid {
				atGrid[p*nextGrid+j] = m.expectedGivenAlive(x, T, t)
			}
		}
	})
	fc := make([]tripleForecast, len(tr.x))
	forBlocks(len(fc), s.Workers, func(_, lo, hi int) {
		if ctx.Err() != nil {
			return
		}
		for i := lo; i < hi; i++ {
			c, p := tr.customer(i), pairOf[i]
			pa := m.PAlive(c)
			f := tripleForecast{
				pAlive:     pa,
				churn:      m.ProbNoPurchase(c, s.HorizonDays),
				orders:     pa * atHorizon[p],
				discounted: pa * discounted[p],
				next:       math.NaN(),
			}
			g := atGrid[p*nextGrid : (p+1)*nextGrid]
			target := 1 / pa
			if j, _ := slices.BinarySearch(g, target); j < len(g) {
				lo, glo := 0.0, 0.0
				if j > 0 {
					lo, glo = grid[j-1], g[j-1]
				}
				ga := func(t float64) float64 { return m.expectedGivenAlive(c.X, c.T, t) }
				f.next = solveIncreasing(ga, target, lo, glo, grid[j], g[j])
			}
			fc[i] = f
		}
	})
	return fc
}

// solveIncreasing returns the t in (lo, hi] at which the increasing g
// reaches target, to within a hundredth of a day, given glo = g(lo) <
// target and ghi = g(hi); NaN when ghi < target or g returns NaN. It uses
// the Illinois variant of regula falsi, which keeps the bracket.
func solveIncreasing(g func(float64) float64, target, lo, glo, hi, ghi float64) float64 {
	flo, fhi := glo-target, ghi-target
	if !(fhi >= 0) {
		return math.NaN()
	}
	if fhi == 0 {
		return hi
	}
	side := 0
	for iter := 0; iter < 200; iter++ {
		if hi-lo <= 0.01 {
			break
		}
		t := hi - fhi*(hi-lo)/(fhi-flo)
		if iter == 0 && lo > 0 && glo > 0 {
			// g is close to a power of t over a bracket: interpolate
			// the first point on the log scales.
			t = math.Exp(math.Log(lo) + math.Log(target/glo)*math.Log(hi/lo)/math.Log(ghi/glo))
		}
		if !(t > lo && t < hi) {
			t = (lo + hi) / 2
		}
		ft := g(t) - target
		switch {
		case math.IsNaN(ft):
			return math.NaN()
		case ft == 0:
			return t
		case ft < 0:
			lo, flo = t, ft
			if side == -1 {
				fhi /= 2
			}
			side = -1
		default:
			hi, fhi = t, ft
			if side == 1 {
				flo /= 2
			}
			side = 1
		}
	}
	return (lo + hi) / 2
}

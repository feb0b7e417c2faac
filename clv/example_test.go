package clv_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/segmint/segmint/clv"
)

func ExampleSummarise() {
	day := func(d int) int64 { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC).UnixMicro() }
	rows := []clv.Txn{
		{Customer: 1, Time: day(1), Value: 30},
		{Customer: 1, Time: day(11), Value: 20},
		{Customer: 1, Time: day(11), Value: 5}, // same day: the same transaction
		{Customer: 1, Time: day(21), Value: 15},
		{Customer: 2, Time: day(25), Value: 60},
	}
	customers, err := clv.Summarise(rows, time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range customers {
		fmt.Printf("customer %d: x=%v t_x=%v T=%v mean repeat value=%v\n", c.ID, c.X, c.TX, c.T, c.MeanValue)
	}
	// Output:
	// customer 1: x=2 t_x=20 T=30 mean repeat value=20
	// customer 2: x=0 t_x=0 T=6 mean repeat value=0
}

// ExamplePredict predicts two customers with the published CDNOW fits,
// their scale parameter converted from weeks to days.
func ExamplePredict() {
	model := clv.BGNBD{R: 0.243, Alpha: 4.414 * 7, A: 0.793, B: 2.426}
	spend := clv.GammaGamma{P: 6.25, Q: 3.74, V: 15.44}
	customers := []clv.Customer{
		{ID: 1, X: 4, TX: 200, T: 250, MeanValue: 40}, // bought recently
		{ID: 2, X: 4, TX: 30, T: 250, MeanValue: 40},  // silent for seven months
	}
	preds, err := clv.Predict(context.Background(), nil, customers, model, &spend, clv.PredictSettings{HorizonDays: 365})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, p := range preds {
		fmt.Printf("customer %d: P(alive)=%.2f churn=%.2f orders=%.2f value=%.2f CLV=%.2f next order in %.0f days\n",
			customers[i].ID, p.PAlive, p.ChurnProbability, p.ExpectedOrders, p.ExpectedOrderValue, p.PredictedCLV, p.ExpectedNextOrder)
	}
	// Output:
	// customer 1: P(alive)=0.75 churn=0.27 orders=3.13 value=39.53 CLV=117.89 next order in 97 days
	// customer 2: P(alive)=0.01 churn=0.99 orders=0.04 value=39.53 CLV=1.62 next order in NaN days
}

// ExampleFitBGNBD fits BG/NBD to customers simulated from known
// parameters, after checking the guards.
func ExampleFitBGNBD() {
	planted := clv.BGNBD{R: 0.5, Alpha: 20, A: 0.7, B: 3}
	customers := simulate(planted, 5000, rand.New(rand.NewPCG(1, 2)))

	var guards clv.Guards
	if reason := guards.Check(customers); reason != clv.ReasonNone {
		fmt.Println("no model:", reason)
		return
	}
	fit, err := clv.FitBGNBD(context.Background(), customers, clv.FitSettings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if reason := guards.CheckFit(fit.FitResult); reason != clv.ReasonNone {
		fmt.Println("no model:", reason)
		return
	}
	fmt.Printf("r=%.2f alpha=%.0f days a=%.1f b=%.0f, converged %v\n", fit.R, fit.Alpha, fit.A, fit.B, fit.Converged)
	// Output:
	// r=0.51 alpha=20 days a=0.7 b=3, converged true
}

// simulate draws n BG/NBD customers observed for 60 to 365 days, in
// continuous time.
func simulate(m clv.BGNBD, n int, rng *rand.Rand) []clv.Customer {
	gamma := func(shape float64) float64 { // Marsaglia and Tsang, with Ahrens–Dieter's boost for shape < 1
		boost := 1.0
		if shape < 1 {
			boost = math.Pow(rng.Float64(), 1/shape)
			shape++
		}
		d := shape - 1.0/3
		for {
			x := rng.NormFloat64()
			v := math.Pow(1+x/math.Sqrt(9*d), 3)
			if v > 0 && math.Log(rng.Float64()) < x*x/2+d-d*v+d*math.Log(v) {
				return d * v * boost
			}
		}
	}
	cs := make([]clv.Customer, n)
	for i := range cs {
		c := clv.Customer{ID: int64(i), T: 60 + 305*rng.Float64()}
		lambda := gamma(m.R) / m.Alpha
		ga, gb := gamma(m.A), gamma(m.B)
		p := ga / (ga + gb)
		for t := rng.ExpFloat64() / lambda; t < c.T; t += rng.ExpFloat64() / lambda {
			c.X, c.TX = c.X+1, t
			if rng.Float64() < p {
				break
			}
		}
		cs[i] = c
	}
	return cs
}

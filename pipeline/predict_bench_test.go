package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/pipeline"
)

// summaryTable returns a feature table of n customers whose purchases
// follow the BG/NBD story over up to a year, in whole days: the columns
// the predictions read (orders, days_first_to_last_order,
// days_since_first_order, repeat_order_value), and a tenth of the
// customers without an order.
func summaryTable(n int, seed uint64) *features.Table {
	rng := rand.New(rand.NewPCG(seed, 0x5b))
	names := []string{"orders", "days_first_to_last_order", "days_since_first_order", "repeat_order_value"}
	t := &features.Table{Customers: make([]int64, n)}
	for _, name := range names {
		t.Features = append(t.Features, features.Lookup(name))
		t.Columns = append(t.Columns, make([]float64, n))
	}
	gamma := func(shape, scale float64) float64 { // shape >= 1 by Marsaglia and Tsang; below, boosted
		boost := 1.0
		if shape < 1 {
			boost = math.Pow(rng.Float64(), 1/shape)
			shape++
		}
		d := shape - 1.0/3
		c := 1 / math.Sqrt(9*d)
		for {
			x := rng.NormFloat64()
			v := 1 + c*x
			if v <= 0 {
				continue
			}
			v = v * v * v
			if u := rng.Float64(); math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
				return d * v * scale * boost
			}
		}
	}
	for i := range n {
		t.Customers[i] = int64(i + 1)
		if rng.IntN(10) == 0 {
			t.Columns[0][i], t.Columns[1][i], t.Columns[2][i], t.Columns[3][i] = 0, math.NaN(), math.NaN(), math.NaN()
			continue
		}
		T := float64(rng.IntN(366))
		rate := gamma(0.5, 1.0/20) // per day
		drop := 1 / (1 + gamma(3, 1)/gamma(1, 1))
		x, last := 0.0, 0.0
		for at := 0.0; ; {
			at += rng.ExpFloat64() / rate
			if at > T {
				break
			}
			x, last = x+1, math.Floor(at)
			if rng.Float64() < drop {
				break
			}
		}
		t.Columns[0][i], t.Columns[1][i], t.Columns[2][i], t.Columns[3][i] = x+1, last, T, math.NaN()
		if x > 0 {
			t.Columns[3][i] = gamma(6, 5)
		}
	}
	return t
}

// BenchmarkPredict: the fit of BG/NBD and Gamma-Gamma and every
// customer's predictions, by customers; rows/s counts customers.
func BenchmarkPredict(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		t := summaryTable(n, 1)
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := pipeline.Predict(context.Background(), t, pipeline.PredictOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if p.Fit.Reason != "" {
					b.Fatalf("%s: %s", p.Fit.Reason, p.Fit.Detail)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

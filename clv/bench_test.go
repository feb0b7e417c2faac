package clv

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchCustomers caches simulated populations by size: drawing a million
// customers takes longer than fitting them.
var benchCustomers = struct {
	sync.Mutex
	bySize map[int][]Customer
}{bySize: map[int][]Customer{}}

// benchPopulation returns n customers of a CDNOW-like population observed
// by the day, acquired over a year before the end of the calibration
// period.
func benchPopulation(n int) []Customer {
	benchCustomers.Lock()
	defer benchCustomers.Unlock()
	if cs, ok := benchCustomers.bySize[n]; ok {
		return cs
	}
	sim := cdnowLike
	sim.Days, sim.MinT, sim.MaxT = true, 0, 365
	cs := sim.customers(n, 1)
	benchCustomers.bySize[n] = cs
	return cs
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fitPredict fits BG/NBD and Gamma-Gamma and predicts every customer over
// a year, returning the time of each stage.
func fitPredict(b *testing.B, cs []Customer, dst []Prediction) (fit, spend, predict time.Duration, unique int) {
	ctx := context.Background()
	t0 := time.Now()
	bg, err := FitBGNBD(ctx, cs, FitSettings{})
	if err != nil || !bg.Converged {
		b.Fatalf("BG/NBD: %v %+v", err, bg.FitResult)
	}
	t1 := time.Now()
	gg, err := FitGammaGamma(ctx, cs, FitSettings{})
	if err != nil || !gg.Converged {
		b.Fatalf("Gamma-Gamma: %v %+v", err, gg.FitResult)
	}
	b.Logf("BG/NBD %+v %+v", bg.BGNBD, bg.FitResult)
	b.Logf("Gamma-Gamma %+v %+v", gg.GammaGamma, gg.FitResult)
	t2 := time.Now()
	if _, err := Predict(ctx, dst, cs, bg.BGNBD, &gg.GammaGamma, PredictSettings{HorizonDays: 365}); err != nil {
		b.Fatal(err)
	}
	return t1.Sub(t0), t2.Sub(t1), time.Since(t2), bg.Unique
}

func benchFitPredict(b *testing.B, n int) {
	cs := benchPopulation(n)
	dst := make([]Prediction, n)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var fit, spend, predict time.Duration
	var unique int
	for range b.N {
		f, s, p, u := fitPredict(b, cs, dst)
		fit, spend, predict, unique = fit+f, spend+s, predict+p, u
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "customers/s")
	b.ReportMetric(per(fit), "bgnbd-s")
	b.ReportMetric(per(spend), "gammagamma-s")
	b.ReportMetric(per(predict), "predict-s")
	b.ReportMetric(float64(unique), "summaries")
	// CPU time over both cores: on a shared machine it is steadier than
	// the elapsed time.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s")
}

// BenchmarkFitPredict1M fits BG/NBD and Gamma-Gamma to a million
// simulated customers and predicts them all over a year.
func BenchmarkFitPredict1M(b *testing.B) { benchFitPredict(b, 1_000_000) }

// BenchmarkFitPredict steps through smaller populations.
func BenchmarkFitPredict(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchFitPredict(b, n) })
	}
}

package clv

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// simulation draws customers of a BG/NBD population with Gamma-Gamma
// spend. Each customer's first purchase is at time 0 and T is drawn
// uniformly from [MinT, MaxT]. With Days set, times are whole days:
// purchases are dated by the day they fall in, purchases of one day merge
// into one transaction (their values summed), and T is an integer.
type simulation struct {
	Model      BGNBD
	Spend      GammaGamma
	MinT, MaxT float64
	Days       bool
}

// customers returns n simulated customers drawn from a PCG seeded with
// seed; ID is the index.
func (s simulation) customers(n int, seed uint64) []Customer {
	src := rand.NewPCG(seed, 0x5eed)
	rng := rand.New(src)
	lambda := distuv.Gamma{Alpha: s.Model.R, Beta: s.Model.Alpha, Src: src}
	drop := distuv.Beta{Alpha: s.Model.A, Beta: s.Model.B, Src: src}
	var nu distuv.Gamma
	if s.Spend.P > 0 {
		nu = distuv.Gamma{Alpha: s.Spend.Q, Beta: s.Spend.V, Src: src}
	}
	out := make([]Customer, n)
	for i := range out {
		T := s.MinT + rng.Float64()*(s.MaxT-s.MinT)
		if s.Days {
			T = math.Floor(T)
		}
		l, p := lambda.Rand(), drop.Rand()
		var spend distuv.Gamma
		if s.Spend.P > 0 {
			spend = distuv.Gamma{Alpha: s.Spend.P, Beta: nu.Rand(), Src: src}
		}
		c := Customer{ID: int64(i), T: T}
		var sum, t float64
		lastDay := 0.0
		for {
			t += rng.ExpFloat64() / l
			end := T
			if s.Days {
				end = T + 1 // the whole of day T
			}
			if t >= end {
				break
			}
			var value float64
			if s.Spend.P > 0 {
				value = spend.Rand()
			}
			switch {
			case !s.Days:
				c.X++
				c.TX = t
				sum += value
			case math.Floor(t) > lastDay:
				lastDay = math.Floor(t)
				c.X++
				c.TX = lastDay
				sum += value
			case lastDay > 0:
				sum += value // same day as the last repeat purchase
			}
			if rng.Float64() < p {
				break
			}
		}
		if c.X > 0 {
			c.MeanValue = sum / c.X
		}
		out[i] = c
	}
	return out
}

// cdnowLike are parameters of the order of CDNOW's, in days.
var cdnowLike = simulation{
	Model: BGNBD{R: 0.25, Alpha: 30, A: 0.8, B: 2.5},
	Spend: GammaGamma{P: 6, Q: 4, V: 15},
}

// ggLogLikelihoodOf returns the Gamma-Gamma log-likelihood of one
// customer's mean repeat value m = MeanValue over x = X transactions,
// computed directly, against which the fit's collapsed sum is checked:
//
//	ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m + px ln x − (px+q) ln(v + x m).
//
// It is −Inf for MeanValue <= 0 and NaN for X == 0.
func ggLogLikelihoodOf(m GammaGamma, c Customer) float64 {
	if c.X == 0 {
		return math.NaN()
	}
	if c.MeanValue <= 0 {
		return math.Inf(-1)
	}
	px := m.P * c.X
	return lgamma(px+m.Q) - lgamma(px) - lgamma(m.Q) + m.Q*math.Log(m.V) +
		(px-1)*math.Log(c.MeanValue) + px*math.Log(c.X) - (px+m.Q)*math.Log(m.V+c.X*c.MeanValue)
}

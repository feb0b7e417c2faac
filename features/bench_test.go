package features

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

const benchBatchLen = 64 << 10

// benchBatches returns batches of 64k events, at least minBatches and enough
// for every customer of [0, customers) to appear, written in runs of 1 to
// 12 events per customer as sessions are, with every column filled and the
// type mix of a REES46 dump (mostly views). Customers come in random order:
// a fresh permutation of all of them for each pass.
func benchBatches(seed uint64, minBatches, customers int) []*Batch {
	nBatches := max(minBatches, customers*13/2/benchBatchLen+2)
	rng := rand.New(rand.NewPCG(seed, 99))
	countries := []string{"DE", "RO", "KR", "US", ""}
	out := make([]*Batch, nBatches)
	var perm []int
	for k := range out {
		b := &Batch{Present: allColumns}
		for b.Len < benchBatchLen {
			if len(perm) == 0 {
				perm = rng.Perm(customers)
			}
			cust := int64(perm[0])
			perm = perm[1:]
			session := Hash64(fmt.Sprint(cust, "/", rng.IntN(20)))
			t := baseTime + rng.Int64N(120*MicrosPerDay)
			country := countries[cust%int64(len(countries))]
			for range min(1+rng.IntN(12), benchBatchLen-b.Len) {
				typ := EventView
				switch r := rng.IntN(100); {
				case r < 6:
					typ = EventCart
				case r < 8:
					typ = EventPurchase
				case r < 9:
					typ = EventRemoveFromCart
				}
				t += rng.Int64N(120_000_000)
				b.Customer = append(b.Customer, cust)
				b.Time = append(b.Time, t)
				b.Type = append(b.Type, typ)
				b.Product = append(b.Product, 1+rng.Int64N(50_000))
				b.Category = append(b.Category, 1+rng.Int64N(300))
				b.Price = append(b.Price, rng.Int64N(500*MoneyScale))
				b.Quantity = append(b.Quantity, 1)
				b.Session = append(b.Session, session)
				b.Order = append(b.Order, 0)
				b.Coupon = append(b.Coupon, rng.IntN(10) == 0)
				b.Discount = append(b.Discount, 0)
				b.Country = append(b.Country, country)
				b.Len++
			}
		}
		out[k] = b
	}
	return out
}

// BenchmarkAggregatorAdd adds 64k-event batches to one aggregator. The
// batches are cycled, so after the first pass every customer and session
// is known and the benchmark measures the steady state of a long scan.
func BenchmarkAggregatorAdd(b *testing.B) {
	for _, customers := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			batches := benchBatches(1, 16, customers)
			launch := NewLaunches()
			for _, bt := range batches {
				launch.Add(bt)
			}
			launch.Freeze(launch.MinTime, DefaultTrendWindowDays)
			g := NewAggregator(launch)
			for _, bt := range batches {
				g.Add(bt) // warm up: every customer has its slot
			}
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				g.Add(batches[n%len(batches)])
				n++
			}
			b.ReportMetric(float64(n)*benchBatchLen/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(g.Customers()), "customers")
		})
	}
}

// interleavedBatches returns 64k-event batches in which the customers'
// sessions overlap in time, as in a dump sorted by event time: sessions of
// 1 to 12 events of customers drawn at random are open at once, and every
// row comes from one of them drawn at random, so a customer's next event
// is tens of rows later.
func interleavedBatches(seed uint64, batches, customers, open int) []*Batch {
	rng := rand.New(rand.NewPCG(seed, 7))
	type session struct {
		cust, key int64
		left      int
	}
	live := make([]session, open)
	start := func(s *session) {
		s.cust = rng.Int64N(int64(customers))
		s.key = int64(Hash64(fmt.Sprint(s.cust, "/", rng.IntN(20))))
		s.left = 1 + rng.IntN(12)
	}
	for i := range live {
		start(&live[i])
	}
	t := baseTime
	countries := []string{"DE", "RO", "KR", "US", ""}
	out := make([]*Batch, batches)
	for k := range out {
		b := &Batch{Present: allColumns}
		for b.Len < benchBatchLen {
			s := &live[rng.IntN(open)]
			typ := EventView
			switch r := rng.IntN(100); {
			case r < 6:
				typ = EventCart
			case r < 8:
				typ = EventPurchase
			case r < 9:
				typ = EventRemoveFromCart
			}
			t += rng.Int64N(2_000_000)
			b.Customer = append(b.Customer, s.cust)
			b.Time = append(b.Time, t)
			b.Type = append(b.Type, typ)
			b.Product = append(b.Product, 1+rng.Int64N(50_000))
			b.Category = append(b.Category, 1+rng.Int64N(300))
			b.Price = append(b.Price, rng.Int64N(500*MoneyScale))
			b.Quantity = append(b.Quantity, 1)
			b.Session = append(b.Session, uint64(s.key))
			b.Order = append(b.Order, 0)
			b.Coupon = append(b.Coupon, rng.IntN(10) == 0)
			b.Discount = append(b.Discount, 0)
			b.Country = append(b.Country, countries[s.cust%int64(len(countries))])
			b.Len++
			if s.left--; s.left == 0 {
				start(s)
			}
		}
		out[k] = b
	}
	return out
}

// BenchmarkShardedAdd adds time-interleaved 64k-event batches (see
// interleavedBatches) to a Sharded aggregator from one goroutine, a new
// split per batch as a reader's row groups are, cycling the batches.
func BenchmarkShardedAdd(b *testing.B) {
	for _, customers := range []int{200_000, 1_000_000} {
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			batches := interleavedBatches(1, 24, customers, 64)
			launch := NewLaunches()
			for _, bt := range batches {
				launch.Add(bt)
			}
			launch.Freeze(launch.MinTime, DefaultTrendWindowDays)
			s := NewSharded(launch, 64)
			var buf ShardBuffer
			for _, bt := range batches {
				buf.Split()
				s.Add(bt, &buf)
			}
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				buf.Split()
				s.Add(batches[n%len(batches)], &buf)
				n++
			}
			b.ReportMetric(float64(n)*benchBatchLen/b.Elapsed().Seconds(), "events/s")
		})
	}
}

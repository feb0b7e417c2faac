package features

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/segmint/segmint/clv"
)

// TestSummaryMatchesClv: the purchase summary the feature table carries
// (orders − 1, days_first_to_last_order, days_since_first_order,
// repeat_order_value) is clv.Summarise's of the same purchases, order by
// order, whatever the batches and workers the events were folded by.
func TestSummaryMatchesClv(t *testing.T) {
	for trial := range 20 {
		rng := rand.New(rand.NewPCG(uint64(trial), 0xc1))
		present := ColTime | ColType | ColCustomer | ColQuantity | ColPrice | ColOrder
		var evs []ev
		var txns []clv.Txn
		for cust := int64(1); cust <= 30; cust++ {
			orders := rng.IntN(6)
			for o := range orders {
				order := uint64(cust*100 + int64(o) + 1)
				// An order's rows may come days apart; the order is dated
				// by its earliest. Seconds apart, so no two orders of a
				// customer start at the same instant.
				first := float64(rng.IntN(90*86400)) / 86400
				for range 1 + rng.IntN(3) {
					e := buy(first+float64(rng.IntN(3*86400))/86400, float64(rng.IntN(10000))/100, int64(1+rng.IntN(3)), 0, order)
					e.cust = cust
					evs = append(evs, e)
					txns = append(txns, clv.Txn{Customer: cust, Time: at(e.day), Order: strconv.FormatUint(order, 10), Value: float64(ToMoney(e.price)*e.qty) / MoneyScale})
				}
			}
			evs = append(evs, ev{cust: cust, day: 1, typ: EventView}) // customers without orders too
		}
		asOf := 95.5
		rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		workers := make([]*Aggregator, 1+rng.IntN(4))
		for i := range workers {
			workers[i] = NewAggregator(nil)
		}
		for _, b := range splitBatch(rng, batchOf(present, evs...)) {
			workers[rng.IntN(len(workers))].Add(b)
		}
		g := mergeRandomly(rng, workers, func(dst, src *Aggregator) { dst.Merge(src) })
		tab := g.Finalise(Context{AsOf: at(asOf), WindowStart: at(0), Stats: g.Stats})

		want, err := clv.Summarise(txns, time.UnixMicro(at(asOf)).UTC())
		if err != nil {
			t.Fatal(err)
		}
		byID := make(map[int64]clv.Customer)
		for _, c := range want {
			byID[c.ID] = c
		}
		orders, tx, tt, value := tab.Column("orders"), tab.Column("days_first_to_last_order"), tab.Column("days_since_first_order"), tab.Column("repeat_order_value")
		for i, id := range tab.Customers {
			c, bought := byID[id]
			if !bought {
				if orders[i] != 0 || !math.IsNaN(tx[i]) || !math.IsNaN(tt[i]) || !math.IsNaN(value[i]) {
					t.Errorf("trial %d customer %d without orders: %v %v %v %v", trial, id, orders[i], tx[i], tt[i], value[i])
				}
				continue
			}
			mean := value[i]
			if c.X == 0 {
				if !math.IsNaN(mean) {
					t.Errorf("trial %d customer %d: repeat_order_value %v with one order", trial, id, mean)
				}
				mean = 0
			}
			if orders[i]-1 != c.X || tx[i] != c.TX || tt[i] != c.T || math.Abs(mean-c.MeanValue) > 1e-9*max(1, c.MeanValue) {
				t.Errorf("trial %d customer %d: summary (%v, %v, %v, %v), clv's %+v", trial, id, orders[i]-1, tx[i], tt[i], mean, c)
			}
		}
	}
}

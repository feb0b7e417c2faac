package synth

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestArchetypeTable prints the planted features per archetype, for tuning
// and for reading alongside doc.go. Run with
//
//	SYNTH_TABLE=20000 go test ./synth/ -run ArchetypeTable -v
func TestArchetypeTable(t *testing.T) {
	customers, _ := strconv.Atoi(os.Getenv("SYNTH_TABLE"))
	if customers <= 0 {
		t.Skip("set SYNTH_TABLE to a number of customers")
	}
	ds := load(t, generateTemp(t, Settings{Customers: customers, Seed: 1}))
	var all []*customerStats
	for _, c := range ds.customers {
		all = append(all, c)
	}
	spends := make([]float64, 0, len(all))
	for _, c := range all {
		spends = append(spends, c.spend)
	}
	sort.Float64s(spends)
	p90 := spends[len(spends)*9/10]
	days := func(us int64) float64 { return float64(ds.asOfUS-us) / 86400e6 }
	perPurchase := func(c *customerStats, n int) float64 { return float64(n) / float64(max(1, c.purchaseRows)) }
	cols := []struct {
		name string
		f    func(cs []*customerStats) float64
	}{
		{"n", func(cs []*customerStats) float64 { return float64(len(cs)) }},
		{"events", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return float64(c.events) })
		}},
		{"sessions", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return float64(len(c.sessions)) })
		}},
		{"orders", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return float64(len(c.orders)) })
		}},
		{"spend", func(cs []*customerStats) float64 { return mean(cs, func(c *customerStats) float64 { return c.spend }) }},
		{"top10%", func(cs []*customerStats) float64 {
			return share(cs, func(c *customerStats) bool { return c.spend >= p90 })
		}},
		{"recency", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return days(c.last) })
		}},
		{"tenure", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return days(c.first) })
		}},
		{"coupon", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return perPurchase(c, c.couponRows) })
		}},
		{"newbuy", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return perPurchase(c, c.newBuys) })
		}},
		{"refund", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return perPurchase(c, c.refundRows) })
		}},
		{"abandon", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return float64(c.abandonedCarts) })
		}},
		{"gap", func(cs []*customerStats) float64 { return mean(cs, medianGap) }},
		{"cats", func(cs []*customerStats) float64 {
			return mean(cs, func(c *customerStats) float64 { return float64(len(c.categories)) })
		}},
		{"subscr", func(cs []*customerStats) float64 {
			return share(cs, func(c *customerStats) bool { return c.subscribes > 0 })
		}},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d customers, %.1f events each, spend p90 %.0f\n%-23s", len(all),
		mean(all, func(c *customerStats) float64 { return float64(c.events) }), p90, "archetype")
	for _, c := range cols {
		fmt.Fprintf(&b, "%9s", c.name)
	}
	b.WriteByte('\n')
	by := ds.byArchetype()
	for _, a := range Archetypes() {
		fmt.Fprintf(&b, "%-23s", a)
		for _, c := range cols {
			fmt.Fprintf(&b, "%9.2f", c.f(by[a]))
		}
		b.WriteByte('\n')
	}
	t.Log("\n" + b.String())
}

package synth

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"
)

func TestExplore(t *testing.T) {
	if os.Getenv("SYNTH_EXPLORE") == "" {
		t.Skip()
	}
	start := time.Now()
	sum := generateTemp(t, Settings{Customers: 20000, Seed: 1})
	t.Logf("gen %v events %d products %d", time.Since(start), sum.Events, sum.Products)
	ds := load(t, sum)
	all := []*customerStats{}
	for _, c := range ds.customers {
		all = append(all, c)
	}
	spends := []float64{}
	for _, c := range all {
		spends = append(spends, c.spend)
	}
	sort.Float64s(spends)
	p90 := spends[len(spends)*9/10]
	t.Logf("events/customer %.1f  spend p50 %.0f p90 %.0f mean %.0f", float64(sum.Events)/float64(len(all)), spends[len(spends)/2], p90, mean(all, func(c *customerStats) float64 { return c.spend }))
	by := ds.byArchetype()
	day := 86400e6
	fmt.Printf("%-24s %5s %6s %5s %5s %7s %6s %6s %5s %5s %5s %5s %6s %6s %6s %5s %5s %5s\n", "arch", "n", "ev", "sess", "ord", "spend", "top10", "rec", "first", "coup", "new", "refnd", "aband", "carts", "gap", "cats", "sub", "views")
	for _, a := range Archetypes() {
		cs := by[a]
		fmt.Printf("%-24s %5d %6.1f %5.1f %5.1f %7.0f %6.2f %6.1f %5.1f %5.2f %5.2f %5.2f %6.1f %6.1f %6.1f %5.1f %5.2f %5.1f\n", a, len(cs),
			mean(cs, func(c *customerStats) float64 { return float64(c.events) }),
			mean(cs, func(c *customerStats) float64 { return float64(len(c.sessions)) }),
			mean(cs, func(c *customerStats) float64 { return float64(len(c.orders)) }),
			mean(cs, func(c *customerStats) float64 { return c.spend }),
			share(cs, func(c *customerStats) bool { return c.spend >= p90 }),
			mean(cs, func(c *customerStats) float64 { return float64(ds.asOfUS-c.last) / day }),
			mean(cs, func(c *customerStats) float64 { return float64(ds.asOfUS-c.first) / day }),
			mean(cs, func(c *customerStats) float64 { return float64(c.couponRows) / float64(max(1, c.purchaseRows)) }),
			mean(cs, func(c *customerStats) float64 { return float64(c.newBuys) / float64(max(1, c.purchaseRows)) }),
			mean(cs, func(c *customerStats) float64 { return float64(c.refundRows) / float64(max(1, c.purchaseRows)) }),
			mean(cs, func(c *customerStats) float64 { return float64(c.abandonedCarts) }),
			mean(cs, func(c *customerStats) float64 { return float64(c.carts) }),
			mean(cs, func(c *customerStats) float64 { return medianGap(c) }),
			mean(cs, func(c *customerStats) float64 { return float64(len(c.categories)) }),
			share(cs, func(c *customerStats) bool { return c.subscribes > 0 }),
			mean(cs, func(c *customerStats) float64 { return float64(c.views) }),
		)
	}
}

func TestSpeed(t *testing.T) {
	if os.Getenv("SYNTH_SPEED") == "" {
		t.Skip()
	}
	start := time.Now()
	sum, err := Generate(t.Context(), "/tmp/synthx/speed", Settings{Customers: speedCustomers(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("gen %v events %d  %.2f Mev/s files %v", el, sum.Events, float64(sum.Events)/el.Seconds()/1e6, sum.Files)
}

func TestExplore2(t *testing.T) {
	if os.Getenv("SYNTH_EXPLORE") == "" {
		t.Skip()
	}
	sum := generateTemp(t, Settings{Customers: 20000, Seed: 1})
	ds := load(t, sum)
	by := ds.byArchetype()
	for _, a := range []string{AtRisk, Loyal, Thrifty, Dormant, Hero, Active, CouponCustomers} {
		cs := by[a]
		r := mean(cs, func(c *customerStats) float64 {
			g := medianGap(c)
			if g == 0 {
				return 0
			}
			return float64(ds.asOfUS-c.lastPurchase) / 86400e6 / g
		})
		rec := mean(cs, func(c *customerStats) float64 { return float64(ds.asOfUS-c.lastPurchase) / 86400e6 })
		ipo := mean(cs, func(c *customerStats) float64 { return float64(c.purchaseRows) / float64(max(1, len(c.orders))) })
		fmt.Printf("%-20s recency/gap %.2f  purchase recency %.1f items/order %.2f\n", a, r, rec, ipo)
	}
}

func speedCustomers() int {
	n, _ := strconv.Atoi(os.Getenv("SYNTH_SPEED"))
	return n
}

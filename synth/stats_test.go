package synth

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// customerStats are behavioural features of one customer, computed from
// the written events the way a pipeline would.
type customerStats struct {
	archetype      string
	events         int
	views, carts   int
	removes        int
	purchaseRows   int
	refundRows     int
	subscribes     int
	couponRows     int
	newBuys        int // purchase rows of a product bought <= 14 days after its first appearance
	orders         map[string]int64
	sessions       map[string]bool
	categories     map[int64]bool
	spend          float64
	first, last    int64 // event_time, microseconds
	lastPurchase   int64
	firstPurchase  int64
	purchaseTimes  []int64 // order times, one per order
	abandonedCarts int     // cart rows in sessions without a purchase
}

// dataset is a generated data set read back from disk.
type dataset struct {
	sum       *Summary
	customers map[int64]*customerStats
	asOfUS    int64
}

func readRows[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	var out []T
	buf := make([]T, 4096)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
	}
	return out
}

// load reads an events+labels data set and computes customerStats.
func load(t testing.TB, sum *Summary) *dataset {
	t.Helper()
	ds := &dataset{sum: sum, customers: map[int64]*customerStats{}, asOfUS: sum.AsOf.UnixMicro()}
	for _, l := range readRows[LabelRow](t, sum.Labels) {
		ds.customers[l.CustomerID] = &customerStats{
			archetype: l.Archetype, orders: map[string]int64{}, sessions: map[string]bool{},
			categories: map[int64]bool{}, first: 1 << 62, firstPurchase: 1 << 62,
		}
	}
	var rows []EventRow
	for _, f := range sum.Files {
		rows = append(rows, readRows[EventRow](t, f)...)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].EventTime < rows[j].EventTime })
	firstSeen := map[int64]int64{}
	sessionBuys := map[string]bool{}
	for _, r := range rows {
		if _, ok := firstSeen[r.ProductID]; !ok {
			firstSeen[r.ProductID] = r.EventTime
		}
		if r.EventType == "purchase" {
			sessionBuys[r.UserSession] = true
		}
	}
	for _, r := range rows {
		c := ds.customers[r.UserID]
		if c == nil {
			t.Fatalf("event of user %d without a label", r.UserID)
		}
		c.events++
		c.first = min(c.first, r.EventTime)
		c.last = max(c.last, r.EventTime)
		c.sessions[r.UserSession] = true
		switch r.EventType {
		case "view":
			c.views++
		case "cart":
			c.carts++
			if !sessionBuys[r.UserSession] {
				c.abandonedCarts++
			}
		case "remove_from_cart":
			c.removes++
		case "purchase":
			c.purchaseRows++
			c.spend += r.Price*float64(r.Quantity) - r.Discount
			c.categories[r.CategoryID] = true
			if r.CouponCode != "" {
				c.couponRows++
			}
			if r.EventTime-firstSeen[r.ProductID] <= 14*86400e6 {
				c.newBuys++
			}
			if _, ok := c.orders[r.OrderID]; !ok {
				c.orders[r.OrderID] = r.EventTime
				c.purchaseTimes = append(c.purchaseTimes, r.EventTime)
			}
			c.lastPurchase = max(c.lastPurchase, r.EventTime)
			c.firstPurchase = min(c.firstPurchase, r.EventTime)
		case "refund":
			c.refundRows++
		case "subscribe":
			c.subscribes++
		}
	}
	return ds
}

// byArchetype groups customers by planted archetype.
func (ds *dataset) byArchetype() map[string][]*customerStats {
	out := map[string][]*customerStats{}
	for _, c := range ds.customers {
		out[c.archetype] = append(out[c.archetype], c)
	}
	return out
}

// share returns the share of cs for which f holds.
func share(cs []*customerStats, f func(c *customerStats) bool) float64 {
	if len(cs) == 0 {
		return 0
	}
	n := 0
	for _, c := range cs {
		if f(c) {
			n++
		}
	}
	return float64(n) / float64(len(cs))
}

// mean returns the mean of f over cs.
func mean(cs []*customerStats, f func(c *customerStats) float64) float64 {
	if len(cs) == 0 {
		return 0
	}
	var s float64
	for _, c := range cs {
		s += f(c)
	}
	return s / float64(len(cs))
}

// medianGap returns the median gap between consecutive orders in days.
func medianGap(c *customerStats) float64 {
	ts := append([]int64(nil), c.purchaseTimes...)
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	if len(ts) < 2 {
		return 0
	}
	gaps := make([]float64, len(ts)-1)
	for i := range gaps {
		gaps[i] = float64(ts[i+1]-ts[i]) / 86400e6
	}
	sort.Float64s(gaps)
	return gaps[len(gaps)/2]
}

func generateTemp(t testing.TB, s Settings) *Summary {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	sum, err := Generate(t.Context(), dir, s)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

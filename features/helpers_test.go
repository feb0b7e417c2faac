package features

import (
	"math"
	"testing"
)

// allColumns is every event column of a layout with unit prices (ColAmount,
// a line's total, replaces ColPrice's money where present).
const allColumns = ColTime | ColType | ColCustomer | ColProduct | ColCategory | ColPrice |
	ColSession | ColOrder | ColQuantity | ColCoupon | ColDiscount | ColCountry

// baseTime is 2024-01-01T00:00:00Z in microseconds; it is minute-aligned,
// so the purchase-minute order key of day offsets is predictable.
const baseTime int64 = 1_704_067_200_000_000

// at returns the time day days after baseTime.
func at(day float64) int64 { return baseTime + int64(math.Round(day*MicrosPerDay)) }

// ev is one hand-written event. Quantity 0 is written as 1.
type ev struct {
	cust     int64
	day      float64
	typ      EventType
	product  int64
	category int64
	price    float64 // currency units
	amount   float64 // currency units, the line's total (ColAmount)
	qty      int64
	session  uint64
	order    uint64
	coupon   bool
	discount float64 // currency units
	country  string
}

// batchOf builds a Batch with the given columns from evs. Columns outside
// present are left nil, as a source without them would.
func batchOf(present Columns, evs ...ev) *Batch {
	b := &Batch{Len: len(evs), Present: present}
	for _, e := range evs {
		b.Customer = append(b.Customer, e.cust)
		b.Time = append(b.Time, at(e.day))
		b.Type = append(b.Type, e.typ)
		q := e.qty
		if q == 0 {
			q = 1
		}
		b.Quantity = append(b.Quantity, q)
		if present.Has(ColProduct) {
			b.Product = append(b.Product, e.product)
		}
		if present.Has(ColCategory) {
			b.Category = append(b.Category, e.category)
		}
		if present.Has(ColPrice) {
			b.Price = append(b.Price, ToMoney(e.price))
		}
		if present.Has(ColAmount) {
			b.Amount = append(b.Amount, ToMoney(e.amount))
		}
		if present.Has(ColSession) {
			b.Session = append(b.Session, e.session)
		}
		if present.Has(ColOrder) {
			b.Order = append(b.Order, e.order)
		}
		if present.Has(ColCoupon) {
			b.Coupon = append(b.Coupon, e.coupon)
		}
		if present.Has(ColDiscount) {
			b.Discount = append(b.Discount, ToMoney(e.discount))
		}
		if present.Has(ColCountry) {
			b.Country = append(b.Country, e.country)
		}
	}
	return b
}

// background is customer 99 with one event of every type on day 0 and no
// product, so that the window starts on day 0 and no feature is absent for
// want of an event type.
func background() []ev {
	var out []ev
	for _, t := range EventTypes() {
		out = append(out, ev{cust: 99, day: 0, typ: t, price: 1})
	}
	return out
}

// run computes the feature table of the batches the way the pipeline does:
// a launches pass frozen at its earliest time, one aggregator, finalised as
// of asOfDay.
func run(t testing.TB, asOfDay float64, batches ...*Batch) *Table {
	t.Helper()
	launch := NewLaunches()
	for _, b := range batches {
		launch.Add(b)
	}
	launch.Freeze(launch.MinTime, DefaultTrendWindowDays)
	g := NewAggregator(launch)
	for _, b := range batches {
		g.Add(b)
	}
	return g.Finalise(Context{AsOf: at(asOfDay), WindowStart: launch.MinTime, Stats: g.Stats})
}

// value returns feature name of customer id in t; it fails the test when
// the feature is absent or the customer unknown.
func value(t testing.TB, tab *Table, name string, id int64) float64 {
	t.Helper()
	col := tab.Column(name)
	if col == nil {
		t.Fatalf("feature %s absent: %v", name, tab.Absent)
	}
	for i, c := range tab.Customers {
		if c == id {
			return col[i]
		}
	}
	t.Fatalf("customer %d not in table %v", id, tab.Customers)
	return 0
}

// sameFloat reports whether a and b are equal, NaN equal to NaN.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b
}

// closeTo reports whether a is within 1e-12 (relative) of b, NaN equal to NaN.
func closeTo(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

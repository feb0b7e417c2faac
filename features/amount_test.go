package features

import (
	"strings"
	"testing"
)

// amountColumns is a transactions table's columns: a line's total
// (amount) and its units, no unit price.
const amountColumns = ColTime | ColType | ColCustomer | ColQuantity | ColOrder | ColAmount

// TestAmountIsTheLineTotal: with an amount column a purchase's spend is
// its amount, never amount × quantity; the quantity still counts units,
// and a refund's amount is the absolute amount.
func TestAmountIsTheLineTotal(t *testing.T) {
	b := batchOf(amountColumns,
		ev{cust: 1, day: 1, typ: EventPurchase, amount: 29.97, qty: 3, order: 1},
		ev{cust: 1, day: 2, typ: EventPurchase, amount: 10, qty: 1, order: 2},
		ev{cust: 1, day: 3, typ: EventRefund, amount: -10, qty: -1, order: 2},
		ev{cust: 2, day: 1, typ: EventPurchase, amount: 5.5, qty: 2, order: 3},
	)
	tab := run(t, 10, b)
	for _, tc := range []struct {
		name string
		cust int64
		want float64
	}{
		{"total_spend", 1, 39.97},
		{"total_spend", 2, 5.5},
		{"avg_item_price", 1, 39.97 / 4},
		{"avg_order_value", 1, 39.97 / 2},
		{"items_per_order", 1, 2},
		{"refund_rate", 1, 0.5},
	} {
		if got := value(t, tab, tc.name, tc.cust); !closeTo(got, tc.want) {
			t.Errorf("customer %d %s = %v, want %v", tc.cust, tc.name, got, tc.want)
		}
	}
	g := NewAggregator(nil)
	g.Add(b)
	if a := g.Acc(1); a.Spend != ToMoney(39.97) || a.Units != 4 || a.RefundAmount != ToMoney(10) {
		t.Errorf("spend %d units %d refunded %d, want %d, 4, %d", a.Spend, a.Units, a.RefundAmount, ToMoney(39.97), ToMoney(10))
	}
}

// TestAmountStandsInForPrice: the money features need a price or an
// amount; with neither they are absent and the reason names both.
func TestAmountStandsInForPrice(t *testing.T) {
	evs := []ev{{cust: 1, day: 1, typ: EventPurchase, amount: 3, order: 1}, {cust: 1, day: 2, typ: EventRefund, amount: 3, order: 1}}
	tab := run(t, 10, batchOf(amountColumns, evs...))
	for _, a := range tab.Absent {
		if a.Feature == "total_spend" || a.Feature == "avg_order_value" || a.Feature == "avg_item_price" {
			t.Errorf("%s absent with an amount column: %s", a.Feature, a.Reason)
		}
	}
	tab = run(t, 10, batchOf(amountColumns&^ColAmount, evs...))
	found := false
	for _, a := range tab.Absent {
		if a.Feature == "total_spend" {
			found = true
			if !strings.Contains(a.Reason, "price (or amount)") {
				t.Errorf("total_spend absent because %q, want the reason to name price and amount", a.Reason)
			}
		}
	}
	if !found {
		t.Error("total_spend computed without a price or an amount")
	}
}

// TestKeepRepeats: a batch with KeepRepeats keeps rows that repeat each
// other exactly, through Dedup, Aggregator.Add and Sharded.Add alike; the
// same batch without it drops them.
func TestKeepRepeats(t *testing.T) {
	evs := []ev{
		{cust: 1, day: 1, typ: EventPurchase, amount: 9.99, qty: 1, order: 7},
		{cust: 1, day: 1, typ: EventPurchase, amount: 9.99, qty: 1, order: 7},
		{cust: 2, day: 1, typ: EventPurchase, amount: 5, qty: 1, order: 8},
	}
	for _, keep := range []bool{false, true} {
		b := batchOf(amountColumns, evs...)
		b.KeepRepeats = keep
		want, wantDups := ToMoney(2*9.99), int64(0)
		if !keep {
			want, wantDups = ToMoney(9.99), 1
		}
		var d Dedup
		if rows := d.Keep(b, nil); len(rows) != b.Len-int(wantDups) {
			t.Errorf("KeepRepeats %v: Dedup kept %d of %d rows", keep, len(rows), b.Len)
		}
		g := NewAggregator(nil)
		g.Add(b)
		if a := g.Acc(1); a.Spend != want || g.Stats.Duplicates != wantDups {
			t.Errorf("KeepRepeats %v: Aggregator spend %d duplicates %d, want %d and %d", keep, a.Spend, g.Stats.Duplicates, want, wantDups)
		}
		s := NewSharded(nil, 4)
		s.Add(b, new(ShardBuffer))
		tab := s.Finalise(Context{AsOf: at(2), WindowStart: at(0), Stats: s.Stats()})
		if got := value(t, tab, "total_spend", 1); got != FromMoney(want) || s.Stats().Duplicates != wantDups {
			t.Errorf("KeepRepeats %v: Sharded spend %v duplicates %d, want %v and %d", keep, got, s.Stats().Duplicates, FromMoney(want), wantDups)
		}
	}
}

package features

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// Shorthands for customer 1's events.
func view(day float64, session uint64) ev {
	return ev{cust: 1, day: day, typ: EventView, session: session}
}

func cart(day float64, session uint64) ev {
	return ev{cust: 1, day: day, typ: EventCart, session: session}
}

func buy(day float64, price float64, qty int64, session, order uint64) ev {
	return ev{cust: 1, day: day, typ: EventPurchase, price: price, qty: qty, session: session, order: order}
}

func TestCatalogueFeatureValues(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name    string
		feature string
		present Columns // 0 means allColumns
		events  []ev    // customer 1's events, plus any others the case needs
		asOf    float64 // day
		want    float64
	}{
		{"total_spend price times quantity", "total_spend", 0,
			[]ev{buy(1, 10.5, 2, 0, 1), buy(2, 3.25, 1, 0, 2), view(3, 0)}, 10, 24.25},
		{"total_spend without purchases is zero", "total_spend", 0,
			[]ev{view(3, 0)}, 10, 0},

		{"orders by order_id", "orders", 0,
			[]ev{buy(1, 1, 1, 5, 7), buy(1, 1, 1, 6, 7), buy(2, 1, 1, 6, 8)}, 10, 2},
		{"orders fall back to the session when order_id is 0", "orders", 0,
			[]ev{buy(1, 1, 1, 5, 0), buy(1.1, 1, 1, 5, 0), buy(2, 1, 1, 6, 0)}, 10, 2},
		{"orders fall back to the session without an order column", "orders", allColumns &^ ColOrder,
			[]ev{buy(1, 1, 1, 5, 0), buy(1.1, 1, 1, 5, 0), buy(2, 1, 1, 6, 0)}, 10, 2},
		{"orders fall back to the purchase minute", "orders", 0,
			[]ev{buy(1, 1, 1, 0, 0), buy(1+30.0/86400, 1, 1, 0, 0), buy(1+90.0/86400, 1, 1, 0, 0)}, 10, 2},
		{"orders by purchase minute without order and session columns", "orders", allColumns &^ (ColOrder | ColSession),
			[]ev{buy(1, 1, 1, 5, 7), buy(1+59.0/86400, 1, 1, 5, 7), buy(1+60.0/86400, 1, 1, 5, 7), buy(4, 1, 1, 5, 7)}, 10, 3},
		{"orders zero without purchases", "orders", 0,
			[]ev{view(1, 1), cart(1, 1)}, 10, 0},

		{"order_frequency per 30 days of tenure", "order_frequency", 0,
			[]ev{view(0, 0), buy(10, 1, 1, 0, 1), buy(20, 1, 1, 0, 2), buy(30, 1, 1, 0, 3)}, 60, 1.5},
		{"order_frequency tenure floored at 30 days", "order_frequency", 0,
			[]ev{buy(50, 1, 1, 0, 1)}, 60, 1},

		{"recency_days from as-of to last purchase", "recency_days", 0,
			[]ev{buy(4, 1, 1, 0, 1), buy(10, 1, 1, 0, 2), view(20, 0)}, 25, 15},
		{"recency_days null without purchases", "recency_days", 0,
			[]ev{view(20, 0)}, 25, nan},

		{"days_since_last_event any type", "days_since_last_event", 0,
			[]ev{buy(4, 1, 1, 0, 1), view(20, 0)}, 25, 5},
		{"tenure_days from first event", "tenure_days", 0,
			[]ev{view(3, 0), buy(4, 1, 1, 0, 1)}, 25, 22},

		{"avg_order_value spend per order", "avg_order_value", 0,
			[]ev{buy(1, 10, 2, 0, 1), buy(1, 5, 1, 0, 1), buy(3, 5, 1, 0, 2)}, 10, 15},
		{"avg_order_value null without orders", "avg_order_value", 0,
			[]ev{view(1, 0)}, 10, nan},

		{"items_per_order units per order", "items_per_order", 0,
			[]ev{buy(1, 1, 3, 0, 1), buy(3, 1, 2, 0, 2)}, 10, 2.5},
		{"items_per_order null without orders", "items_per_order", 0,
			[]ev{view(1, 0)}, 10, nan},

		{"avg_item_price spend per unit", "avg_item_price", 0,
			[]ev{buy(1, 4.5, 4, 0, 1), buy(3, 12, 1, 0, 2)}, 10, 6},
		{"avg_item_price null without purchases", "avg_item_price", 0,
			[]ev{cart(1, 0)}, 10, nan},

		{"coupon_ratio counts coupon or discount rows", "coupon_ratio", 0, []ev{
			{cust: 1, day: 1, typ: EventPurchase, price: 10, order: 1, coupon: true},
			{cust: 1, day: 2, typ: EventPurchase, price: 10, order: 2, discount: 1},
			{cust: 1, day: 3, typ: EventPurchase, price: 10, order: 3, coupon: true, discount: 2},
			{cust: 1, day: 4, typ: EventPurchase, price: 10, order: 4},
		}, 10, 0.75},
		{"coupon_ratio ignores a coupon on a view", "coupon_ratio", 0, []ev{
			{cust: 1, day: 1, typ: EventView, coupon: true, discount: 3},
			{cust: 1, day: 4, typ: EventPurchase, price: 10, order: 4},
		}, 10, 0},
		{"coupon_ratio from discount alone without a coupon column", "coupon_ratio", allColumns &^ ColCoupon, []ev{
			{cust: 1, day: 1, typ: EventPurchase, price: 10, order: 1, discount: 1},
			{cust: 1, day: 2, typ: EventPurchase, price: 10, order: 2},
		}, 10, 0.5},
		{"coupon_ratio null without purchases", "coupon_ratio", 0,
			[]ev{view(1, 0)}, 10, nan},

		{"discount_share of gross spend", "discount_share", 0, []ev{
			{cust: 1, day: 1, typ: EventPurchase, price: 30, qty: 3, order: 1, discount: 10},
			{cust: 1, day: 2, typ: EventPurchase, price: 0, qty: 1, order: 2},
		}, 10, 0.1},
		{"discount_share zero without discounts", "discount_share", 0,
			[]ev{buy(1, 10, 1, 0, 1)}, 10, 0},
		{"discount_share null without purchases", "discount_share", 0,
			[]ev{view(1, 0)}, 10, nan},

		{"views", "views", 0, []ev{view(1, 1), view(1.5, 1), view(2, 2), cart(2, 2)}, 10, 3},
		{"cart_adds", "cart_adds", 0, []ev{view(1, 1), cart(1, 1), cart(2, 2),
			{cust: 1, day: 2, typ: EventRemoveFromCart, session: 2}}, 10, 2},

		{"sessions distinct, 0 is none", "sessions", 0,
			[]ev{view(1, 1), view(1, 2), cart(1, 2), buy(2, 1, 1, 3, 1), view(3, 0)}, 10, 3},

		{"browse_without_buy one view-only session", "browse_without_buy", 0,
			[]ev{view(1, 1)}, 10, 1},
		{"browse_without_buy share of sessions", "browse_without_buy", 0,
			[]ev{view(1, 1), view(2, 2), buy(2, 1, 1, 2, 0), cart(3, 3)}, 10, 1.0 / 3},
		{"browse_without_buy purchase earlier in the session still counts as bought", "browse_without_buy", 0,
			[]ev{buy(2, 1, 1, 2, 0), view(2.01, 2)}, 10, 0},
		{"browse_without_buy null without sessions", "browse_without_buy", 0,
			[]ev{view(1, 0), buy(2, 1, 1, 0, 1)}, 10, nan},

		{"cart_abandonment_rate carts without purchase", "cart_abandonment_rate", 0,
			[]ev{cart(1, 1), cart(2, 2), buy(2, 1, 1, 2, 0), cart(3, 3), cart(3, 3), view(4, 4)}, 10, 2.0 / 3},
		{"cart_abandonment_rate all carts abandoned", "cart_abandonment_rate", 0,
			[]ev{cart(1, 1), cart(2, 2), view(3, 3), buy(3, 1, 1, 3, 0)}, 10, 1},
		{"cart_abandonment_rate null without cart adds", "cart_abandonment_rate", 0,
			[]ev{view(1, 1), buy(2, 1, 1, 1, 0)}, 10, nan},

		{"abandoned_carts counts cart sessions without purchase", "abandoned_carts", 0,
			[]ev{cart(1, 1), cart(2, 2), buy(2, 1, 1, 2, 0), cart(3, 3), cart(3, 3), view(4, 4)}, 10, 2},
		{"abandoned_carts zero without cart adds", "abandoned_carts", 0,
			[]ev{view(1, 1), buy(2, 1, 1, 1, 0)}, 10, 0},

		{"trend_adoption bought within 14 days of a late launch", "trend_adoption", 0, []ev{
			{cust: 98, day: 20, typ: EventView, product: 501},
			{cust: 1, day: 30, typ: EventPurchase, product: 501, price: 1, order: 1},
		}, 60, 1},
		{"trend_adoption bought exactly 14 days after launch", "trend_adoption", 0, []ev{
			{cust: 98, day: 20, typ: EventView, product: 501},
			{cust: 1, day: 34, typ: EventPurchase, product: 501, price: 1, order: 1},
		}, 60, 1},
		{"trend_adoption bought 15 days after launch", "trend_adoption", 0, []ev{
			{cust: 98, day: 20, typ: EventView, product: 501},
			{cust: 1, day: 35, typ: EventPurchase, product: 501, price: 1, order: 1},
		}, 60, 0},
		{"trend_adoption product first seen on day 14 has a known launch", "trend_adoption", 0, []ev{
			{cust: 98, day: 14, typ: EventCart, product: 502},
			{cust: 1, day: 15, typ: EventPurchase, product: 502, price: 1, order: 1},
		}, 60, 1},
		{"trend_adoption product first seen in the first 14 days never counts", "trend_adoption", 0, []ev{
			{cust: 98, day: 13.9, typ: EventView, product: 503},
			{cust: 1, day: 14.5, typ: EventPurchase, product: 503, price: 1, order: 1},
		}, 60, 0},
		{"trend_adoption first purchase is the launch", "trend_adoption", 0, []ev{
			{cust: 1, day: 40, typ: EventPurchase, product: 504, price: 1, order: 1},
		}, 60, 1},
		{"trend_adoption share of purchase rows", "trend_adoption", 0, []ev{
			{cust: 98, day: 20, typ: EventView, product: 501},
			{cust: 98, day: 5, typ: EventView, product: 503},
			{cust: 1, day: 21, typ: EventPurchase, product: 501, price: 1, order: 1},
			{cust: 1, day: 22, typ: EventPurchase, product: 503, price: 1, order: 2},
			{cust: 1, day: 50, typ: EventPurchase, product: 501, price: 1, order: 3},
			{cust: 1, day: 51, typ: EventPurchase, product: 0, price: 1, order: 4},
		}, 60, 0.25},
		{"trend_adoption null without purchases", "trend_adoption", 0, []ev{
			{cust: 1, day: 40, typ: EventView, product: 504},
		}, 60, nan},

		{"mean_gap_days two orders 10 days apart", "mean_gap_days", 0,
			[]ev{buy(5, 1, 1, 0, 1), buy(15, 1, 1, 0, 2)}, 20, 10},
		{"mean_gap_days from each order's earliest row", "mean_gap_days", 0,
			[]ev{buy(5, 1, 1, 0, 1), buy(9, 1, 1, 0, 1), buy(15, 1, 1, 0, 2), buy(35, 1, 1, 0, 3)}, 40, 15},
		{"mean_gap_days null with one order", "mean_gap_days", 0,
			[]ev{buy(5, 1, 1, 0, 1), buy(6, 1, 1, 0, 1)}, 20, nan},

		{"gap_regularity perfectly regular", "gap_regularity", 0,
			[]ev{buy(0, 1, 1, 0, 1), buy(10, 1, 1, 0, 2), buy(20, 1, 1, 0, 3)}, 30, 0},
		{"gap_regularity sd over mean", "gap_regularity", 0,
			[]ev{buy(0, 1, 1, 0, 1), buy(10, 1, 1, 0, 2), buy(40, 1, 1, 0, 3)}, 50, 0.5},
		{"gap_regularity null with two orders", "gap_regularity", 0,
			[]ev{buy(0, 1, 1, 0, 1), buy(10, 1, 1, 0, 2)}, 30, nan},

		{"overdue_ratio recency over mean gap", "overdue_ratio", 0,
			[]ev{buy(0, 1, 1, 0, 1), buy(10, 1, 1, 0, 2)}, 40, 3},
		{"overdue_ratio mean gap floored at one day", "overdue_ratio", 0,
			[]ev{buy(0, 1, 1, 0, 1), buy(0.5, 1, 1, 0, 2)}, 2, 1.5},
		{"overdue_ratio null with one order", "overdue_ratio", 0,
			[]ev{buy(0, 1, 1, 0, 1)}, 40, nan},

		{"distinct_categories of purchases only", "distinct_categories", 0, []ev{
			{cust: 1, day: 1, typ: EventPurchase, category: 3, price: 1, order: 1},
			{cust: 1, day: 2, typ: EventPurchase, category: 3, price: 1, order: 2},
			{cust: 1, day: 3, typ: EventPurchase, category: 4, price: 1, order: 3},
			{cust: 1, day: 3, typ: EventPurchase, category: 0, price: 1, order: 3},
			{cust: 1, day: 4, typ: EventView, category: 5},
		}, 10, 2},

		{"refund_rate refunds per purchase row", "refund_rate", 0, []ev{
			buy(1, 5, 1, 0, 1), buy(1.5, 5, 1, 0, 1),
			{cust: 1, day: 3, typ: EventRefund, price: 5, qty: -1},
		}, 10, 0.5},
		{"refund_rate at most 1", "refund_rate", 0, []ev{
			buy(1, 5, 1, 0, 1),
			{cust: 1, day: 3, typ: EventRefund},
			{cust: 1, day: 4, typ: EventRefund},
		}, 10, 1},
		{"refund_rate null without purchases", "refund_rate", 0,
			[]ev{{cust: 1, day: 3, typ: EventRefund}}, 10, nan},

		{"subscribed with a subscribe event", "subscribed", 0,
			[]ev{view(1, 0), {cust: 1, day: 2, typ: EventSubscribe}}, 10, 1},
		{"subscribed without", "subscribed", 0,
			[]ev{view(1, 0)}, 10, 0},

		{"days_first_to_last_order in calendar days, orders by their earliest row", "days_first_to_last_order", 0,
			[]ev{buy(1.5, 1, 1, 0, 1), buy(9.9, 1, 1, 0, 1), buy(4.7, 1, 1, 0, 2)}, 10, 3},
		{"days_first_to_last_order zero with one order", "days_first_to_last_order", 0,
			[]ev{buy(2.5, 1, 1, 0, 1), buy(3.5, 1, 1, 0, 1)}, 10, 0},
		{"days_first_to_last_order null without orders", "days_first_to_last_order", 0,
			[]ev{view(1, 0)}, 10, nan},

		{"days_since_first_order to the as-of day", "days_since_first_order", 0,
			[]ev{view(1, 0), buy(2.9, 1, 1, 0, 1), buy(5, 1, 1, 0, 2)}, 10.2, 8},
		{"days_since_first_order null without orders", "days_since_first_order", 0,
			[]ev{view(1, 0)}, 10, nan},

		{"repeat_order_value the orders after the first", "repeat_order_value", 0,
			[]ev{buy(1, 10, 2, 0, 1), buy(1.5, 5, 1, 0, 1), buy(3, 30, 1, 0, 2), buy(4, 12, 1, 0, 3), buy(4, 6, 1, 0, 3)}, 10, 24},
		{"repeat_order_value first order by time, not key", "repeat_order_value", 0,
			[]ev{buy(2, 10, 1, 0, 2), buy(1, 100, 1, 0, 5)}, 10, 10},
		{"repeat_order_value on equal times the smaller key is first", "repeat_order_value", 0,
			[]ev{buy(1, 100, 1, 0, 5), buy(1, 10, 1, 0, 2), buy(3, 40, 1, 0, 3)}, 10, 70},
		{"repeat_order_value null with one order", "repeat_order_value", 0,
			[]ev{buy(1, 10, 1, 0, 1), buy(2, 10, 1, 0, 1)}, 10, nan},
	}
	covered := make(map[string]bool)
	for _, tc := range cases {
		covered[tc.feature] = true
		t.Run(tc.name, func(t *testing.T) {
			present := tc.present
			if present == 0 {
				present = allColumns
			}
			tab := run(t, tc.asOf, batchOf(present, append(background(), tc.events...)...))
			if got := value(t, tab, tc.feature, 1); !closeTo(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.feature, got, tc.want)
			}
		})
	}
	for _, f := range Catalogue() {
		if !covered[f.Name] {
			t.Errorf("feature %s has no test case", f.Name)
		}
	}
}

func TestRefundAmount(t *testing.T) {
	// A refund's amount is price × |quantity|: cancellations may carry a
	// negative quantity.
	g := NewAggregator(nil)
	g.Add(batchOf(allColumns,
		ev{cust: 1, day: 1, typ: EventRefund, price: 2.5, qty: -2},
		ev{cust: 1, day: 2, typ: EventRefund, price: 1, qty: 3},
	))
	a := g.Acc(1)
	if a == nil {
		t.Fatal("customer 1 missing")
	}
	if a.RefundRows != 2 || a.RefundAmount != ToMoney(8) {
		t.Errorf("RefundRows, RefundAmount = %d, %d; want 2, %d", a.RefundRows, a.RefundAmount, ToMoney(8))
	}
	if a.PurchaseRows != 0 || a.Spend != 0 {
		t.Errorf("refunds changed purchases: rows %d, spend %d", a.PurchaseRows, a.Spend)
	}
}

func TestCountryIsLatest(t *testing.T) {
	cases := []struct {
		name   string
		events []ev
		want   string
	}{
		{"latest event wins", []ev{
			{cust: 1, day: 1, typ: EventView, country: "DE"},
			{cust: 1, day: 5, typ: EventView, country: "RO"},
			{cust: 1, day: 3, typ: EventView, country: "KR"},
		}, "RO"},
		{"empty country is unknown, not a value", []ev{
			{cust: 1, day: 1, typ: EventView, country: "DE"},
			{cust: 1, day: 9, typ: EventView, country: ""},
		}, "DE"},
		{"ties at one time take the larger name", []ev{
			{cust: 1, day: 1, typ: EventView, session: 1, country: "DE"},
			{cust: 1, day: 1, typ: EventView, session: 2, country: "RO"},
			{cust: 1, day: 1, typ: EventView, session: 3, country: "KR"},
		}, "RO"},
		{"never known", []ev{{cust: 1, day: 1, typ: EventView}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs := append(background(), tc.events...)
			tab := run(t, 10, batchOf(allColumns, evs...))
			if tab.Country == nil {
				t.Fatal("Country is nil with a country column")
			}
			i := slices.Index(tab.Customers, 1)
			if tab.Country[i] != tc.want {
				t.Errorf("country = %q, want %q", tab.Country[i], tc.want)
			}
			// The same events in reverse order give the same country.
			slices.Reverse(evs)
			tab = run(t, 10, batchOf(allColumns, evs...))
			if got := tab.Country[slices.Index(tab.Customers, 1)]; got != tc.want {
				t.Errorf("reversed: country = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("no country column", func(t *testing.T) {
		tab := run(t, 10, batchOf(allColumns&^ColCountry, background()...))
		if tab.Country != nil {
			t.Errorf("Country = %q, want nil without a country column", tab.Country)
		}
	})
}

func TestTableShape(t *testing.T) {
	evs := append(background(),
		ev{cust: 7, day: 1, typ: EventView},
		ev{cust: -3, day: 2, typ: EventView},
		ev{cust: 1, day: 3, typ: EventView},
		ev{cust: 7, day: 4, typ: EventView},
	)
	tab := run(t, 10, batchOf(allColumns, evs...))
	if want := []int64{-3, 1, 7, 99}; !slices.Equal(tab.Customers, want) {
		t.Errorf("Customers = %v, want %v (ascending, distinct)", tab.Customers, want)
	}
	if len(tab.Features) != len(Catalogue()) || len(tab.Absent) != 0 {
		t.Fatalf("%d features, %d absent; want all %d present", len(tab.Features), len(tab.Absent), len(Catalogue()))
	}
	for j, f := range tab.Features {
		if f != Catalogue()[j] {
			t.Errorf("Features[%d] = %s, want %s (catalogue order)", j, f.Name, Catalogue()[j].Name)
		}
		if len(tab.Columns[j]) != len(tab.Customers) {
			t.Errorf("column %s has %d rows, want %d", f.Name, len(tab.Columns[j]), len(tab.Customers))
		}
		for i, v := range tab.Columns[j] {
			if math.IsInf(v, 0) {
				t.Errorf("%s[%d] = %v; infinities must be null", f.Name, i, v)
			}
		}
	}
	if got := tab.WindowDays(); got != 10 {
		t.Errorf("WindowDays = %v, want 10", got)
	}
	if tab.Stats.Events != int64(len(evs)) || tab.Stats.Seen(EventView) != 5 {
		t.Errorf("Stats = %+v, want %d events, 5 views", tab.Stats, len(evs))
	}
}

func TestAbsentFeatures(t *testing.T) {
	cases := []struct {
		name    string
		present Columns
		types   []EventType // event types in the data (customer 1, one each)
		absent  map[string]string
	}{
		{"no session column", allColumns &^ ColSession, EventTypes(), map[string]string{
			"sessions": "user_session", "browse_without_buy": "user_session", "cart_abandonment_rate": "user_session",
			"abandoned_carts": "user_session",
		}},
		{"no refund events", allColumns, []EventType{EventView, EventCart, EventPurchase, EventSubscribe}, map[string]string{
			"refund_rate": "refund",
		}},
		{"no subscribe events", allColumns, []EventType{EventView, EventCart, EventPurchase, EventRefund}, map[string]string{
			"subscribed": "subscribe",
		}},
		{"no price column", allColumns &^ ColPrice, EventTypes(), map[string]string{
			"total_spend": "price", "avg_order_value": "price", "avg_item_price": "price", "discount_share": "price",
			"repeat_order_value": "price",
		}},
		{"no discount column", allColumns &^ ColDiscount, EventTypes(), map[string]string{
			"discount_share": "discount",
		}},
		{"no product or category column", allColumns &^ (ColProduct | ColCategory), EventTypes(), map[string]string{
			"trend_adoption": "product_id", "distinct_categories": "category_id",
		}},
		{"no cart events", allColumns, []EventType{EventView, EventPurchase, EventRefund, EventSubscribe}, map[string]string{
			"cart_adds": "cart", "cart_abandonment_rate": "cart", "abandoned_carts": "cart",
		}},
		{"views only", allColumns, []EventType{EventView}, map[string]string{
			"total_spend": "purchase", "orders": "purchase", "order_frequency": "purchase", "recency_days": "purchase",
			"avg_order_value": "purchase", "items_per_order": "purchase", "avg_item_price": "purchase",
			"coupon_ratio": "purchase", "discount_share": "purchase", "cart_adds": "cart",
			"cart_abandonment_rate": "cart", "abandoned_carts": "cart", "trend_adoption": "purchase", "mean_gap_days": "purchase",
			"gap_regularity": "purchase", "overdue_ratio": "purchase", "distinct_categories": "purchase",
			"refund_rate": "refund", "subscribed": "subscribe", "days_first_to_last_order": "purchase",
			"days_since_first_order": "purchase", "repeat_order_value": "purchase",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var evs []ev
			for k, typ := range tc.types {
				evs = append(evs, ev{cust: 1, day: float64(k), typ: typ, price: 2, session: 1, order: 1, product: 9, category: 3})
			}
			tab := run(t, 30, batchOf(tc.present, evs...))
			got := make(map[string]string)
			for _, a := range tab.Absent {
				if a.Reason == "" {
					t.Errorf("absent feature %s has no reason", a.Feature)
				}
				got[a.Feature] = a.Reason
			}
			for name, word := range tc.absent {
				reason, ok := got[name]
				if !ok {
					t.Errorf("%s not in Absent", name)
				} else if !strings.Contains(reason, word) {
					t.Errorf("%s: reason %q does not mention %q", name, reason, word)
				}
				if tab.Column(name) != nil {
					t.Errorf("%s absent but has a column", name)
				}
			}
			for name := range got {
				if _, ok := tc.absent[name]; !ok {
					t.Errorf("%s unexpectedly absent: %s", name, got[name])
				}
			}
			// Every catalogue feature is either computed or absent, once.
			if len(tab.Features)+len(tab.Absent) != len(Catalogue()) {
				t.Errorf("%d features + %d absent != %d in the catalogue", len(tab.Features), len(tab.Absent), len(Catalogue()))
			}
			for _, f := range tab.Features {
				if _, ok := got[f.Name]; ok {
					t.Errorf("%s both computed and absent", f.Name)
				}
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	f := Lookup("cart_abandonment_rate")
	if f == nil {
		t.Fatal("Lookup(cart_abandonment_rate) = nil")
	}
	var c Context
	c.Stats.Present = allColumns
	if got := f.Unavailable(&c); !strings.Contains(got, "no cart events") {
		t.Errorf("without cart events: %q", got)
	}
	c.Stats.ByType[EventCart] = 1
	if got := f.Unavailable(&c); got != "" {
		t.Errorf("with everything: %q, want \"\"", got)
	}
	c.Stats.Present &^= ColSession
	if got := f.Unavailable(&c); got != "input has no user_session column" {
		t.Errorf("without sessions: %q", got)
	}
	if Lookup("no_such_feature") != nil {
		t.Error("Lookup of an unknown name is not nil")
	}
}

func TestCatalogueDefinitions(t *testing.T) {
	seen := make(map[string]bool)
	for _, f := range Catalogue() {
		if f.Name == "" || f.Unit == "" || f.Description == "" || f.Value == nil {
			t.Errorf("feature %+v is incompletely defined", f.Name)
		}
		if seen[f.Name] {
			t.Errorf("feature %s defined twice", f.Name)
		}
		seen[f.Name] = true
		if Lookup(f.Name) != f {
			t.Errorf("Lookup(%s) does not return the catalogue entry", f.Name)
		}
		if (f.Fill == nil) != (f.FillNote == "") {
			t.Errorf("%s: Fill and FillNote must come together", f.Name)
		}
	}
	ctx := Context{AsOf: at(30), WindowStart: at(0)}
	for name, want := range map[string]float64{"recency_days": 30, "mean_gap_days": 30, "gap_regularity": 1, "avg_order_value": 0} {
		if got := Lookup(name).Fill(&ctx); got != want {
			t.Errorf("%s Fill = %v, want %v", name, got, want)
		}
	}
}

func TestCouponRatioAbsentWithoutCouponOrDiscount(t *testing.T) {
	// The REES46 layout has neither column: coupon_ratio must be absent,
	// not 0 for every buyer.
	tab := run(t, 10, batchOf(allColumns&^(ColCoupon|ColDiscount), append(background(), buy(1, 10, 1, 0, 1))...))
	if col := tab.Column("coupon_ratio"); col != nil {
		t.Errorf("coupon_ratio computed without coupon or discount columns: %v", col)
	}
	var reason string
	for _, a := range tab.Absent {
		if a.Feature == "coupon_ratio" {
			reason = a.Reason
		}
	}
	if !strings.Contains(reason, "coupon_code") || !strings.Contains(reason, "discount") {
		t.Errorf("coupon_ratio absence reason %q should name both columns", reason)
	}
	for _, present := range []Columns{allColumns &^ ColCoupon, allColumns &^ ColDiscount} {
		tab := run(t, 10, batchOf(present, append(background(), buy(1, 10, 1, 0, 1))...))
		if tab.Column("coupon_ratio") == nil {
			t.Errorf("coupon_ratio absent with columns %v", present.Names())
		}
	}
}

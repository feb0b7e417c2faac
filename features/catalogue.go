package features

import (
	"fmt"
	"math"
	"strings"
)

// Feature is one engineered per-customer feature: its definition lives here
// and nowhere else. Value finalises it from a customer's accumulator;
// ok=false means the feature is undefined for that customer (written as
// null). Fill is the value used in its place when clustering, documented in
// FillNote.
type Feature struct {
	Name        string
	Unit        string
	Description string
	// Needs are the input columns the feature cannot be computed without.
	Needs Columns
	// NeedsAny, when not zero, requires at least one of these columns.
	NeedsAny Columns
	// NeedsEvents: the data must contain at least one event of one of
	// these types, or the feature is absent (a log without refund events
	// says nothing about refund rates).
	NeedsEvents []EventType
	Value       func(a *Acc, c *Context) (v float64, ok bool)
	Fill        func(c *Context) float64
	FillNote    string
	// NotClustered marks a feature that summarises a customer's purchases
	// for the predictive models (package clv) rather than describing a
	// behaviour: the clustering leaves it out (pipeline.FeatureMatrix), so
	// adding it moves no cluster. It is written and can be read by rules
	// like any other feature.
	NotClustered bool
}

// Unavailable returns why f cannot be computed on a data set described by c,
// or "" when it can.
func (f *Feature) Unavailable(c *Context) string {
	have := c.Stats.Present
	if have&ColAmount != 0 {
		have |= ColPrice // a line's total is the money of its row
	}
	if missing := f.Needs &^ have; missing != 0 {
		names := missing.Names()
		for i, n := range names {
			if n == "price" {
				names[i] = "price (or amount)"
			}
		}
		return "input has no " + strings.Join(names, ", ") + " column"
	}
	if f.NeedsAny != 0 && f.NeedsAny&c.Stats.Present == 0 {
		return "input has none of the " + strings.Join(f.NeedsAny.Names(), ", ") + " columns"
	}
	if len(f.NeedsEvents) > 0 {
		var n int64
		var names []string
		for _, t := range f.NeedsEvents {
			n += c.Stats.Seen(t)
			names = append(names, t.String())
		}
		if n == 0 {
			return "input has no " + strings.Join(names, " or ") + " events"
		}
	}
	return ""
}

func days(us int64) float64 { return float64(us) / MicrosPerDay }

// utcDay returns the UTC calendar day of a time in µs since the epoch, as
// a day number.
func utcDay(us int64) int64 {
	d := us / MicrosPerDay
	if us%MicrosPerDay < 0 {
		d--
	}
	return d
}

func ratio(num, den int64) (float64, bool) {
	if den <= 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

func fillConst(v float64) func(*Context) float64 { return func(*Context) float64 { return v } }

var purchases = []EventType{EventPurchase}

// catalogue is the ordered list of features; see Catalogue.
var catalogue = []*Feature{
	{
		Name: "total_spend", Unit: "currency",
		Description: "Sum of price × quantity (or of amount, a line's total, where the input has one) over the customer's purchase events.",
		Needs:       ColPrice, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) { return FromMoney(a.Spend), true },
	},
	{
		Name: "orders", Unit: "count",
		Description: "Distinct orders: order_id where present (in the transactions layout without one, the purchase day), else the session of the purchase, else the purchase minute.",
		NeedsEvents: purchases,
		Value:       func(a *Acc, _ *Context) (float64, bool) { return float64(a.Orders()), true },
	},
	{
		Name: "order_frequency", Unit: "orders per 30 days",
		Description: "Orders per 30 days of tenure (tenure floored at 30 days, so one order in a week is not 4 a month).",
		NeedsEvents: purchases,
		Value: func(a *Acc, c *Context) (float64, bool) {
			return float64(a.Orders()) * 30 / max(days(c.AsOf-a.FirstEvent), 30), true
		},
	},
	{
		Name: "recency_days", Unit: "days",
		Description: "Days from the as-of time back to the last purchase; null without purchases.",
		NeedsEvents: purchases,
		Value: func(a *Acc, c *Context) (float64, bool) {
			if a.PurchaseRows == 0 {
				return 0, false
			}
			return days(c.AsOf - a.LastPurchase), true
		},
		Fill: func(c *Context) float64 { return c.WindowDays() }, FillNote: "the window length (never bought in the window)",
	},
	{
		Name: "days_since_last_event", Unit: "days",
		Description: "Days from the as-of time back to the customer's last event of any type.",
		Value:       func(a *Acc, c *Context) (float64, bool) { return days(c.AsOf - a.LastEvent), true },
	},
	{
		Name: "tenure_days", Unit: "days",
		Description: "Days from the customer's first event to the as-of time.",
		Value:       func(a *Acc, c *Context) (float64, bool) { return days(c.AsOf - a.FirstEvent), true },
	},
	{
		Name: "avg_order_value", Unit: "currency",
		Description: "total_spend / orders; null without orders.",
		Needs:       ColPrice, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			if a.Orders() == 0 {
				return 0, false
			}
			return FromMoney(a.Spend) / float64(a.Orders()), true
		},
		Fill: fillConst(0), FillNote: "0 (no orders)",
	},
	{
		Name: "items_per_order", Unit: "units",
		Description: "Units purchased / orders; null without orders.",
		NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			if a.Orders() == 0 {
				return 0, false
			}
			return float64(a.Units) / float64(a.Orders()), true
		},
		Fill: fillConst(0), FillNote: "0 (no orders)",
	},
	{
		Name: "avg_item_price", Unit: "currency",
		Description: "total_spend / units purchased: the customer's price point; null without purchases.",
		Needs:       ColPrice, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			if a.Units <= 0 {
				return 0, false
			}
			return FromMoney(a.Spend) / float64(a.Units), true
		},
		Fill: fillConst(0), FillNote: "0 (no purchases)",
	},
	{
		Name: "coupon_ratio", Unit: "share",
		Description: "Share of purchase rows bought with a coupon code or a discount; null without purchases.",
		NeedsAny:    ColCoupon | ColDiscount, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			return ratio(a.CouponRows, a.PurchaseRows)
		},
		Fill: fillConst(0), FillNote: "0 (no purchases)",
	},
	{
		Name: "discount_share", Unit: "share",
		Description: "Money discounted / (total_spend + money discounted): the discount share of gross spend; null without purchases.",
		Needs:       ColDiscount | ColPrice, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			return ratio(a.Discount, a.Spend+a.Discount)
		},
		Fill: fillConst(0), FillNote: "0 (no purchases)",
	},
	{
		Name: "views", Unit: "count",
		Description: "Product views.",
		NeedsEvents: []EventType{EventView},
		Value:       func(a *Acc, _ *Context) (float64, bool) { return float64(a.Views), true },
	},
	{
		Name: "cart_adds", Unit: "count",
		Description: "Add-to-cart events.",
		NeedsEvents: []EventType{EventCart},
		Value:       func(a *Acc, _ *Context) (float64, bool) { return float64(a.CartAdds), true },
	},
	{
		Name: "sessions", Unit: "count",
		Description: "Distinct sessions (user_session).",
		Needs:       ColSession,
		Value:       func(a *Acc, _ *Context) (float64, bool) { return float64(a.Sessions()), true },
	},
	{
		Name: "browse_without_buy", Unit: "share",
		Description: "Share of the customer's sessions that have a view and no purchase; null without sessions.",
		Needs:       ColSession, NeedsEvents: []EventType{EventView},
		Value: func(a *Acc, c *Context) (float64, bool) {
			return ratio(int64(a.derive(c).browseNoBuy), int64(a.Sessions()))
		},
		Fill: fillConst(0), FillNote: "0 (no sessions)",
	},
	{
		Name: "cart_abandonment_rate", Unit: "share",
		Description: "Share of the customer's sessions with a cart add that end without a purchase; null without cart adds.",
		Needs:       ColSession, NeedsEvents: []EventType{EventCart},
		Value: func(a *Acc, c *Context) (float64, bool) {
			d := a.derive(c)
			return ratio(int64(d.cartNoBuy), int64(d.withCart))
		},
		Fill: fillConst(0), FillNote: "0 (never added to a cart)",
	},
	{
		Name: "abandoned_carts", Unit: "count",
		Description: "Sessions with a cart add and no purchase.",
		Needs:       ColSession, NeedsEvents: []EventType{EventCart},
		Value: func(a *Acc, c *Context) (float64, bool) {
			return float64(a.derive(c).cartNoBuy), true
		},
	},
	{
		Name: "trend_adoption", Unit: "share",
		Description: fmt.Sprintf("Share of purchase rows that are products bought within %d days of their launch (first appearance in the data; products first seen in the window's first %d days have no known launch); null without purchases.", DefaultTrendWindowDays, DefaultTrendWindowDays),
		Needs:       ColProduct, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			return ratio(a.TrendRows, a.PurchaseRows)
		},
		Fill: fillConst(0), FillNote: "0 (no purchases)",
	},
	{
		Name: "mean_gap_days", Unit: "days",
		Description: "Mean gap between consecutive orders; null with fewer than 2 orders.",
		NeedsEvents: purchases,
		Value: func(a *Acc, c *Context) (float64, bool) {
			d := a.derive(c)
			if d.gaps == 0 {
				return 0, false
			}
			return d.gapMean, true
		},
		Fill: func(c *Context) float64 { return c.WindowDays() }, FillNote: "the window length (no repeat order in the window)",
	},
	{
		Name: "gap_regularity", Unit: "coefficient of variation",
		Description: "Standard deviation / mean of the gaps between consecutive orders (0 = perfectly regular); null with fewer than 3 orders.",
		NeedsEvents: purchases,
		Value: func(a *Acc, c *Context) (float64, bool) {
			d := a.derive(c)
			if d.gaps < 2 || d.gapMean <= 0 {
				return 0, false
			}
			return d.gapSD / d.gapMean, true
		},
		Fill: fillConst(1), FillNote: "1 (the regularity of purchases at random times)",
	},
	{
		Name: "overdue_ratio", Unit: "ratio",
		Description: "recency_days / max(mean_gap_days, 1): how far past their own usual gap the customer is; null with fewer than 2 orders.",
		NeedsEvents: purchases,
		Value: func(a *Acc, c *Context) (float64, bool) {
			d := a.derive(c)
			if d.gaps == 0 {
				return 0, false
			}
			return days(c.AsOf-a.LastPurchase) / max(d.gapMean, 1), true
		},
		Fill: fillConst(0), FillNote: "0 (no rhythm to be overdue against)",
	},
	{
		Name: "distinct_categories", Unit: "count",
		Description: "Distinct categories among the customer's purchases.",
		Needs:       ColCategory, NeedsEvents: purchases,
		Value: func(a *Acc, _ *Context) (float64, bool) { return float64(a.categories.len()), true },
	},
	{
		Name: "refund_rate", Unit: "share",
		Description: "Refund events / purchase rows, at most 1 (refunds of purchases made before the window would otherwise push it above); null without purchases, so a customer with refunds and no purchase has a null refund_rate and 0 orders.",
		NeedsEvents: []EventType{EventRefund},
		Value: func(a *Acc, _ *Context) (float64, bool) {
			if a.PurchaseRows == 0 {
				return 0, false
			}
			return min(float64(a.RefundRows)/float64(a.PurchaseRows), 1), true
		},
		Fill: fillConst(0), FillNote: "0 (no purchases)",
	},
	{
		Name: "subscribed", Unit: "flag",
		Description: "1 if the customer has a subscribe (newsletter sign-up) event, else 0.",
		NeedsEvents: []EventType{EventSubscribe},
		Value: func(a *Acc, _ *Context) (float64, bool) {
			if a.Subscribes > 0 {
				return 1, true
			}
			return 0, true
		},
	},
	// The summary of the purchase models (package clv): x = orders − 1,
	// t_x, T and the mean repeat order value. Not clustered.
	{
		Name: "days_first_to_last_order", Unit: "days",
		Description: "Whole days (UTC calendar) from the customer's first order to the last, each order dated by its earliest row: the purchase models' t_x; null without orders. Not clustered.",
		NeedsEvents: purchases, NotClustered: true,
		Value: func(a *Acc, c *Context) (float64, bool) {
			if a.Orders() == 0 {
				return 0, false
			}
			d := a.derive(c)
			return float64(utcDay(d.lastOrder) - utcDay(d.firstOrder)), true
		},
	},
	{
		Name: "days_since_first_order", Unit: "days",
		Description: "Whole days (UTC calendar) from the customer's first order to the as-of day: the purchase models' T; null without orders. Not clustered.",
		NeedsEvents: purchases, NotClustered: true,
		Value: func(a *Acc, c *Context) (float64, bool) {
			if a.Orders() == 0 {
				return 0, false
			}
			return float64(utcDay(c.AsOf) - utcDay(a.derive(c).firstOrder)), true
		},
	},
	{
		Name: "repeat_order_value", Unit: "currency",
		Description: "Mean value of the orders after the first: (total_spend − the first order's spend) / (orders − 1), the spend model's m; the first order is the earliest (each dated by its earliest row; on equal times, the one of the smaller order key); null with fewer than 2 orders. Not clustered.",
		Needs:       ColPrice, NeedsEvents: purchases, NotClustered: true,
		Value: func(a *Acc, _ *Context) (float64, bool) {
			x := a.Orders() - 1
			if x < 1 {
				return 0, false
			}
			return FromMoney(a.Spend-a.orders.firstSpend()) / float64(x), true
		},
	},
}

// Catalogue returns every feature segmint knows, in output order. The slice
// and its features must not be modified.
func Catalogue() []*Feature { return catalogue }

// Lookup returns the feature with the given name, or nil.
func Lookup(name string) *Feature {
	for _, f := range catalogue {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)))
}

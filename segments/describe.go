package segments

import (
	"math"
	"strconv"
	"strings"
)

// phrasing puts one feature in words a marketer reads, in the feature's own
// unit.
type phrasing struct {
	// value formats a value of the feature with its unit ("26 days",
	// "1,240.00", "35%").
	value func(v float64) string
	// phrase describes a cluster whose mean of the feature is v against a
	// population mean of pop; dir is +1 when the cluster is clearly above
	// the population, -1 when clearly below, 0 when close (see direction):
	// "orders every 26 days", "cheap items at 4.10 (all customers: 23.50)".
	phrase func(v, pop float64, dir int) string
	// undefined describes a cluster for none of whose members the feature
	// is defined (its mean is NaN): "no orders". "" for a feature that is
	// always defined.
	undefined string
	// more and less name a difference between groups of customers
	// ("more orders", "fewer orders").
	more, less string
}

// phrasings holds the templates of the features of features.Catalogue; any
// other feature falls back to genericPhrasing.
var phrasings = map[string]phrasing{
	"total_spend": {value: money, more: "higher spend", less: "lower spend",
		phrase: func(v, pop float64, dir int) string {
			if v == 0 {
				return "no spend" + allCustomers(money(pop))
			}
			return mark(dir, "high spend", "low spend", "spend") + " of " + money(v) + allCustomers(money(pop))
		}},
	"orders": {value: number, more: "more orders", less: "fewer orders",
		phrase: func(v, _ float64, _ int) string { return counted(v, "order", "orders") }},
	"order_frequency": {value: func(v float64) string { return number(v) + " a month" }, more: "more frequent orders", less: "less frequent orders",
		phrase: func(v, _ float64, _ int) string { return counted(v, "order", "orders") + " a month" }},
	"recency_days": {undefined: "no orders", value: duration, more: "longer since the last order", less: "more recent orders",
		phrase: func(v, _ float64, _ int) string { return "last order " + duration(v) + " ago" }},
	"days_since_last_event": {value: duration, more: "longer since last seen", less: "seen more recently",
		phrase: func(v, _ float64, _ int) string { return "last seen " + duration(v) + " ago" }},
	"tenure_days": {value: duration, more: "longer tenure", less: "shorter tenure",
		phrase: func(v, _ float64, _ int) string { return "first seen " + duration(v) + " ago" }},
	"avg_order_value": {undefined: "no orders", value: money, more: "bigger baskets", less: "smaller baskets",
		phrase: func(v, pop float64, dir int) string {
			return mark(dir, "big baskets", "small baskets", "baskets") + " of " + money(v) + allCustomers(money(pop))
		}},
	"items_per_order": {undefined: "no orders", value: number, more: "more items per order", less: "fewer items per order",
		phrase: func(v, _ float64, _ int) string { return counted(v, "item", "items") + " an order" }},
	"avg_item_price": {undefined: "no orders", value: money, more: "pricier items", less: "cheaper items",
		phrase: func(v, pop float64, dir int) string {
			return mark(dir, "pricey items", "cheap items", "items") + " at " + money(v) + allCustomers(money(pop))
		}},
	"coupon_ratio": {undefined: "no orders", value: percent, more: "more coupon use", less: "less coupon use",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " of purchases with a coupon" }},
	"discount_share": {undefined: "no orders", value: percent, more: "deeper discounts", less: "smaller discounts",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " of spend discounted" }},
	"views": {value: number, more: "more views", less: "fewer views",
		phrase: func(v, _ float64, _ int) string { return counted(v, "view", "views") }},
	"cart_adds": {value: number, more: "more cart adds", less: "fewer cart adds",
		phrase: func(v, _ float64, _ int) string { return counted(v, "cart add", "cart adds") }},
	"sessions": {value: number, more: "more sessions", less: "fewer sessions",
		phrase: func(v, _ float64, _ int) string { return counted(v, "session", "sessions") }},
	"browse_without_buy": {undefined: "no sessions", value: percent, more: "more browsing without buying", less: "less browsing without buying",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " of visits browse without buying" }},
	"cart_abandonment_rate": {undefined: "no cart adds", value: percent, more: "more carts abandoned", less: "fewer carts abandoned",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " of carts abandoned" }},
	"abandoned_carts": {value: number, more: "more abandoned carts", less: "fewer abandoned carts",
		phrase: func(v, _ float64, _ int) string { return counted(v, "abandoned cart", "abandoned carts") }},
	"trend_adoption": {undefined: "no orders", value: percent, more: "more new launches", less: "fewer new launches",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " of purchases new launches" }},
	"mean_gap_days": {undefined: "no repeat orders", value: duration, more: "longer gaps between orders", less: "shorter gaps between orders",
		phrase: func(v, _ float64, _ int) string { return "orders every " + duration(v) }},
	"gap_regularity": {undefined: "fewer than 3 orders", value: spread, more: "less regular orders", less: "more regular orders",
		phrase: func(v, pop float64, dir int) string {
			return mark(dir, "irregular orders: gaps", "regular orders: gaps", "order gaps") + " vary by " + spread(v) + allCustomers(spread(pop))
		}},
	"overdue_ratio": {undefined: "no repeat orders", value: times, more: "more overdue", less: "less overdue",
		phrase: func(v, _ float64, _ int) string {
			return pick(v >= 1, "overdue", "not yet due") + ": last order " + times(v) + " their usual gap ago"
		}},
	"distinct_categories": {value: number, more: "more categories", less: "fewer categories",
		phrase: func(v, _ float64, _ int) string { return counted(v, "category", "categories") }},
	"refund_rate": {undefined: "no orders", value: percent, more: "more refunds", less: "fewer refunds",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " of purchases refunded" }},
	"subscribed": {value: percent, more: "more subscribers", less: "fewer subscribers",
		phrase: func(v, _ float64, _ int) string { return percent(v) + " newsletter subscribers" }},
}

// words turns a feature name into words: "cart_adds" → "cart adds".
func words(feature string) string { return strings.ReplaceAll(feature, "_", " ") }

// genericPhrasing is the phrasing of a feature without a template (a column
// of a user's own table): "high basket score", in plain numbers.
func genericPhrasing(feature string) phrasing {
	w := words(feature)
	return phrasing{value: number, more: "higher " + w, less: "lower " + w,
		phrase: func(_, _ float64, dir int) string { return pick(dir > 0, "high ", "low ") + w }}
}

// phrasingOf returns the template of a feature, or the generic one.
func phrasingOf(feature string) (phrasing, bool) {
	if ph, ok := phrasings[feature]; ok {
		return ph, true
	}
	return genericPhrasing(feature), false
}

// above says whether a cluster mean v is above the reference ref: by the
// means in the feature's unit when both are known and differ (the numbers
// shown next to the words must agree with them), else by the sign of the
// standardised difference z.
func above(v, ref, z float64) bool {
	if finite(v) && finite(ref) && v != ref {
		return v > ref
	}
	return z > 0
}

// direction is the dir of a phrase: +1 or -1 as above says, 0 when both
// means are positive and within a quarter of each other (a cluster at
// 181.13 against 191.23 has no "cheap items" to speak of, whatever its Z).
func direction(v, ref, z float64) int {
	if finite(v) && finite(ref) && v > 0 && ref > 0 && v < 1.25*ref && ref < 1.25*v {
		return 0
	}
	if above(v, ref, z) {
		return 1
	}
	return -1
}

// mark words a direction: up for +1, down for -1, neutral for 0.
func mark(dir int, up, down, neutral string) string {
	switch {
	case dir > 0:
		return up
	case dir < 0:
		return down
	}
	return neutral
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// phraseOf describes one piece of evidence for a label: the template's
// phrase in the feature's unit; the template's undefined phrase when the
// feature is defined for none of the cluster's members; "high <feature>"
// or "low <feature>" (by the sign of Z) for a feature without a template
// or a mean.
func phraseOf(e Evidence) string {
	ph, ok := phrasingOf(e.Feature)
	switch {
	case ok && finite(e.ClusterMean):
		return ph.phrase(e.ClusterMean, e.PopulationMean, direction(e.ClusterMean, e.PopulationMean, e.Z))
	case ok && math.IsNaN(e.ClusterMean) && ph.undefined != "":
		return ph.undefined
	}
	dir := -1
	if e.Z > 0 {
		dir = 1
	}
	return genericPhrasing(e.Feature).phrase(0, 0, dir)
}

// detailOf is one piece of evidence with the population's mean too, for
// Description: "orders every 26 days (all customers: 9 weeks)",
// "high basket score: 4.2 (all customers: 1.1)".
func detailOf(e Evidence) string {
	s := phraseOf(e)
	ph, ok := phrasingOf(e.Feature)
	switch {
	case !finite(e.ClusterMean):
		return s
	case !ok:
		return s + ": " + number(e.ClusterMean) + allCustomers(number(e.PopulationMean))
	case strings.Contains(s, allCustomersAt):
		return s
	}
	return s + allCustomers(ph.value(e.PopulationMean))
}

// contrast phrases a difference between this cluster's mean v and the
// others' mean ref of a feature, d being the difference of their
// standardised means: "more orders (9.1 vs 3.2)". short leaves the numbers
// out, for a label.
func contrast(feature string, v, ref, d float64, short bool) string {
	ph, _ := phrasingOf(feature)
	w := pick(above(v, ref, d), ph.more, ph.less)
	if short || !finite(v) || !finite(ref) {
		return w
	}
	return w + " (" + ph.value(v) + " vs " + ph.value(ref) + ")"
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// allCustomersAt opens the population's figure that some phrases carry.
const allCustomersAt = " (all customers: "

func allCustomers(s string) string { return allCustomersAt + s + ")" }

// counted is a count with its noun: "no orders", "1 order", "9.1 orders".
func counted(v float64, one, many string) string {
	if v == 0 {
		return "no " + many
	}
	s := number(v)
	if s == "1" {
		return "1 " + one
	}
	return s + " " + many
}

// number formats a plain number: two decimals below 1, one below 10, whole
// numbers with thousands separators above ("0.45", "9.1", "1,234");
// trailing zeros dropped.
func number(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 0) || a >= 1e15:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a >= 10:
		return thousands(strconv.FormatFloat(v, 'f', 0, 64))
	}
	prec := 1
	if a < 1 {
		prec = 2
	}
	s := trimZeros(strconv.FormatFloat(v, 'f', prec, 64))
	if (s == "0" || s == "-0") && v != 0 {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	return s
}

// money formats an amount of the input's currency with two decimals and
// thousands separators: "1,240.00".
func money(v float64) string {
	if !finite(v) || math.Abs(v) >= 1e15 {
		return number(v)
	}
	return thousands(strconv.FormatFloat(v, 'f', 2, 64))
}

// percent formats a share as a percentage: "35%", "4.5%", "0.3%".
func percent(v float64) string {
	if !finite(v) {
		return number(v)
	}
	p := 100 * v
	if math.Abs(p) >= 10 {
		return thousands(strconv.FormatFloat(p, 'f', 0, 64)) + "%"
	}
	return trimZeros(strconv.FormatFloat(p, 'f', 1, 64)) + "%"
}

// spread formats a coefficient of variation as the typical deviation from
// the mean: "±25%".
func spread(v float64) string { return "±" + percent(v) }

// times formats a ratio: "1.8×".
func times(v float64) string { return number(v) + "×" }

// duration formats a number of days: minutes below an hour, hours below a
// day, days below four weeks, then weeks, months (from 13 weeks) and years
// (from two).
func duration(d float64) string {
	switch {
	case !finite(d):
		return number(d)
	case d < 1:
		h := math.Round(d * 24)
		if h < 1 {
			if m := math.Round(d * 24 * 60); m >= 1 {
				return plural(m, "minute", "minutes")
			}
			return "under a minute"
		}
		return plural(h, "hour", "hours")
	case math.Round(d) < 28:
		return plural(math.Round(d), "day", "days")
	case d < 91:
		return plural(math.Round(d/7), "week", "weeks")
	case d < 730:
		return plural(math.Round(d/30.4375), "month", "months")
	}
	return trimZeros(strconv.FormatFloat(d/365.25, 'f', 1, 64)) + " years"
}

func plural(n float64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(strconv.FormatFloat(n, 'f', 0, 64)) + " " + many
}

// trimZeros drops trailing zeros after a decimal point: "4.50" → "4.5",
// "3.0" → "3".
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// thousands inserts separators into the integer part of a formatted
// number: "1240.00" → "1,240.00".
func thousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + frac
}

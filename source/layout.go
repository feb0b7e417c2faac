package source

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/segmint/segmint/features"
)

// Canonical event column names, as in the REES46 layout. A Layout maps each
// to the column of the input that carries it.
const (
	ColEventTime   = "event_time"
	ColEventType   = "event_type"
	ColProductID   = "product_id"
	ColCategoryID  = "category_id"
	ColCategory    = "category_code"
	ColBrand       = "brand"
	ColPrice       = "price"
	ColAmount      = "amount"
	ColUserID      = "user_id"
	ColUserSession = "user_session"
	ColOrderID     = "order_id"
	ColQuantity    = "quantity"
	ColCouponCode  = "coupon_code"
	ColDiscount    = "discount"
	ColCountry     = "country"
)

// required are the columns every input must have.
var required = []string{ColEventTime, ColEventType, ColUserID}

// canonical lists every column the source reads, required first. price is
// a unit price (spend is price x quantity); amount is a line's total
// (spend is amount): an input maps one or the other.
var canonical = []string{ColEventTime, ColEventType, ColUserID, ColProductID, ColCategoryID, ColCategory, ColPrice, ColAmount, ColUserSession, ColOrderID, ColQuantity, ColCouponCode, ColDiscount, ColCountry}

// Layout says where each canonical column lives in the input. The zero
// Layout is the REES46 layout: every column under its canonical name.
type Layout struct {
	// Name is shown in the manifest ("rees46" when empty).
	Name string
	// Columns maps a canonical column name to the input's column name
	// (a user's --map). It takes precedence over Alternatives.
	Columns map[string]string
	// Alternatives lists, per canonical column, the input names to look
	// for in order (a preset's knowledge of a layout's variants); the
	// canonical name itself is tried last.
	Alternatives map[string][]string
	// EpochUnit is the unit of an integer event_time column: "s", "ms",
	// "us" or "ns". Integer times are an error without it.
	EpochUnit string
	// FixedEventType, when set, is the event type of every row of an input
	// without an event_type column (transaction logs are all purchases).
	FixedEventType string
	// DayOrders: a purchase without an order id belongs to its customer's
	// order of the day (UTC), so orders count the days a customer bought
	// on (transaction tables with one row per purchase and no order id).
	DayOrders bool
	// KeepRepeats keeps rows that repeat another exactly, which are
	// otherwise dropped as exact duplicates: in a table of purchases (dated
	// by the day, often without an order id or a product) two equal rows
	// are two purchases as likely as a copied one.
	KeepRepeats bool
	// NonProductCodes lists product_id values that are not products
	// (postage, fees, manual adjustments, vouchers): their rows are
	// skipped and counted per code as SkipNonProduct. A code ending in
	// "*" matches every value starting with the rest. Matching is exact
	// otherwise (case and inner spaces count; surrounding spaces of the
	// input's values do not). An integer product_id column matches the
	// whole-number codes.
	NonProductCodes []string
	// CancelPrefix, when set, turns rows whose order_id starts with it into
	// refunds (Online Retail marks cancelled invoices with "C").
	CancelPrefix string
	// EventNames, when not nil, maps the input's event_type values to
	// segmint's event types (view, cart, remove_from_cart, purchase,
	// refund, subscribe). A value not in it is an other event when
	// OtherEvents is set, else read as ParseEventType reads it (unknown
	// event types are skipped). Keys that are decimal integers ("0")
	// let an integer event_type column be read: its values are looked up
	// as decimal strings.
	EventNames map[string]string
	// OtherEvents, with EventNames, says the layout's vocabulary is open:
	// a name not in EventNames is an event segmint does not read (a page
	// view, a session start, a search), skipped and counted as
	// SkipOtherEvent, not rejected as an unknown event type.
	OtherEvents bool
}

// candidates returns the input column names to try for canonical column c.
func (l Layout) candidates(c string) []string {
	if s, ok := l.Columns[c]; ok {
		return []string{s}
	}
	return append(append([]string(nil), l.Alternatives[c]...), c)
}

// Source returns the first input column name tried for canonical column c,
// for messages about a column that was not found.
func (l Layout) Source(c string) string {
	cands := l.candidates(c)
	if len(cands) > 1 {
		return strings.Join(cands, " or ")
	}
	return cands[0]
}

// Presets lists the named layouts Preset knows.
var Presets = []string{"rees46", "transactions", "online-retail", "retailrocket", "segment", "ga4"}

// OnlineRetailNonProductCodes are the stock codes of the UCI Online Retail
// (and Online Retail II) data that are not products, as the data's
// descriptions name them:
//
//	POST          POSTAGE (postage charged on an order)
//	DOT           DOTCOM POSTAGE (postage of web orders)
//	C2            CARRIAGE
//	M, m          Manual (manual price corrections, mostly cancelled)
//	D             Discount (always on a cancelled invoice)
//	S             SAMPLES
//	B             Adjust bad debt
//	PADS          PADS TO MATCH ALL CUSHIONS (a 0.001 placeholder)
//	BANK CHARGES  Bank Charges
//	AMAZONFEE     AMAZON FEE
//	CRUK          CRUK Commission (a charity's commission)
//	ADJUST        Adjustment by the accounts team (Online Retail II)
//	ADJUST2       Adjustment by the accounts team (Online Retail II)
//	gift_0001_*   Dotcomgiftshop Gift Voucher £10.00 to £50.00 (gift_0001_10 ...)
//
// Every other code of the data is five digits and optional letters
// (85123A), or DCGS followed by digits and letters (DCGS0003, DCGSSBOY:
// goods sold through another channel), all products.
var OnlineRetailNonProductCodes = []string{"POST", "DOT", "C2", "M", "m", "D", "S", "B", "PADS", "BANK CHARGES", "AMAZONFEE", "CRUK", "ADJUST", "ADJUST2", "gift_0001_*"}

// RetailRocketEventCodes is the integer coding of the Retail Rocket event
// column that copies of the data set use in place of its names: 0 view,
// 1 addtocart, 2 transaction (the order of the names in the published
// events.csv's documentation). It is the common encoding, not a published
// one; a copy coded otherwise is read with EventNames overridden
// (--event-names).
var RetailRocketEventCodes = map[string]string{"0": "view", "1": "cart", "2": "purchase"}

// Preset returns a named layout:
//
//   - rees46: the REES46 "eCommerce behavior data from multi category
//     store" dump, every column under its canonical name (the default).
//   - transactions: a table of purchases, one row per purchase or order
//     line, no event_type column (every row is a purchase). Columns under
//     their canonical names or mapped with --map: user_id, event_time (a
//     timestamp, a date or a string), amount (the line's total) or price
//     (a unit price, multiplied by quantity), optional quantity, order_id
//     and the other optional columns. Without an order id, a customer's
//     purchases of one day (UTC) are one order. Rows that repeat another
//     exactly are kept (two equal purchases on one day are two purchases).
//   - online-retail: the UCI Online Retail and Online Retail II
//     transactions (InvoiceNo/Invoice, StockCode, Quantity, InvoiceDate,
//     UnitPrice/Price, CustomerID/Customer ID, Country). Every row is a
//     purchase, except invoices starting with "C", which are
//     cancellations (refunds). Rows without a customer are counted and
//     skipped, and so are the rows whose stock code is not a product
//     (OnlineRetailNonProductCodes: postage, fees, adjustments,
//     vouchers), by code. InvoiceDate is local time as recorded; segmint reads it as
//     UTC.
//   - retailrocket: the Retail Rocket events (timestamp in epoch
//     milliseconds, visitorid, event view/addtocart/transaction, itemid,
//     transactionid). An integer event column is read with
//     RetailRocketEventCodes (0 view, 1 addtocart, 2 transaction).
//   - segment: Segment's e-commerce spec events as warehoused (one row
//     per track call, snake_case or camelCase columns): event_text or
//     event "Product Viewed" (or snake_cased, "product_viewed"), "Product Added", "Product Removed",
//     "Order Completed", "Order Refunded", "Signed Up"; customer user_id
//     (userId); rows without a user_id are skipped (anonymous_id is not
//     a fallback); timestamp, order_id, product_id, category, price,
//     quantity, coupon, discount; integer timestamps are epoch
//     milliseconds. Other track events ("Checkout Started", "Products
//     Searched", …) are counted as other events, not rejected.
//   - ga4: the Google Analytics 4 BigQuery export (events_* tables, one
//     row per event, items nested): event_name view_item, add_to_cart,
//     remove_from_cart, purchase, refund, sign_up (every other event name
//     is an other event); customer user_pseudo_id; event_timestamp in
//     epoch microseconds; the items list exploded to one row per item
//     (items.item_id, items.item_category, items.price, items.quantity,
//     items.coupon); ecommerce.transaction_id; the session from
//     event_params' ga_session_id; geo.country. Spend is each item's
//     price x quantity (ecommerce.purchase_revenue is the event's total
//     and would count an order once per item); a purchase or refund with
//     no items has no price and is skipped as such.
func Preset(name string) (Layout, error) {
	switch name {
	case "", "rees46":
		return Layout{Name: "rees46"}, nil
	case "transactions":
		return Layout{Name: "transactions", FixedEventType: "purchase", DayOrders: true, KeepRepeats: true}, nil
	case "online-retail":
		return Layout{
			Name: "online-retail",
			Alternatives: map[string][]string{
				ColOrderID:   {"InvoiceNo", "Invoice"},
				ColProductID: {"StockCode"},
				ColQuantity:  {"Quantity"},
				ColEventTime: {"InvoiceDate"},
				ColPrice:     {"UnitPrice", "Price"},
				ColUserID:    {"CustomerID", "Customer ID"},
				ColCountry:   {"Country"},
			},
			FixedEventType:  "purchase",
			CancelPrefix:    "C",
			NonProductCodes: slices.Clone(OnlineRetailNonProductCodes),
		}, nil
	case "retailrocket":
		return Layout{
			Name: "retailrocket",
			Alternatives: map[string][]string{
				ColEventTime: {"timestamp"},
				ColUserID:    {"visitorid"},
				ColEventType: {"event"},
				ColProductID: {"itemid"},
				ColOrderID:   {"transactionid"},
			},
			EpochUnit:  "ms",
			EventNames: maps.Clone(RetailRocketEventCodes),
		}, nil
	case "segment":
		return Layout{
			Name: "segment",
			Alternatives: map[string][]string{
				ColEventTime:   {"timestamp", "original_timestamp", "originalTimestamp"},
				ColEventType:   {"event_text", "event"},
				ColUserID:      {"user_id", "userId"},
				ColProductID:   {"product_id", "productId"},
				ColCategory:    {"category"},
				ColOrderID:     {"order_id", "orderId"},
				ColCouponCode:  {"coupon"},
				ColUserSession: {"context_session_id", "session_id", "sessionId"},
			},
			EpochUnit: "ms",
			EventNames: map[string]string{
				"Product Viewed":  "view",
				"Product Added":   "cart",
				"Product Removed": "remove_from_cart",
				"Order Completed": "purchase",
				"Order Refunded":  "refund",
				"Signed Up":       "subscribe",
				// A warehouse's tracks.event holds the name snake_cased.
				"product_viewed":  "view",
				"product_added":   "cart",
				"product_removed": "remove_from_cart",
				"order_completed": "purchase",
				"order_refunded":  "refund",
				"signed_up":       "subscribe",
			},
			OtherEvents: true,
		}, nil
	case "ga4":
		return Layout{
			Name: "ga4",
			Alternatives: map[string][]string{
				ColEventTime:   {"event_timestamp"},
				ColEventType:   {"event_name"},
				ColUserID:      {"user_pseudo_id"},
				ColProductID:   {"items.item_id"},
				ColCategory:    {"items.item_category"},
				ColPrice:       {"items.price", "items.price_in_usd"},
				ColQuantity:    {"items.quantity"},
				ColCouponCode:  {"items.coupon"},
				ColOrderID:     {"ecommerce.transaction_id"},
				ColUserSession: {"event_params[key=ga_session_id].value.int_value"},
				ColCountry:     {"geo.country"},
			},
			EpochUnit: "us",
			EventNames: map[string]string{
				"view_item":        "view",
				"add_to_cart":      "cart",
				"remove_from_cart": "remove_from_cart",
				"purchase":         "purchase",
				"refund":           "refund",
				"sign_up":          "subscribe",
			},
			OtherEvents: true,
		}, nil
	}
	return Layout{}, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(Presets, ", "))
}

// ParseMapping parses a column mapping of the form
// "event_time=InvoiceDate,user_id=CustomerID" into m (allocated when nil).
// Keys must be canonical column names; values are input column names. A
// key mapped to two different columns (in spec, or in m and spec) is an
// error.
func ParseMapping(spec string, m map[string]string) (map[string]string, error) {
	if m == nil {
		m = make(map[string]string)
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("column mapping %q: want canonical=source", part)
		}
		if !isCanonical(k) {
			return nil, fmt.Errorf("column mapping %q: %q is not a segmint column (one of %s)", part, k, strings.Join(canonicalSorted(), ", "))
		}
		if prev, ok := m[k]; ok && prev != v {
			return nil, fmt.Errorf("column mapping maps %s twice, to %q and to %q: keep one", k, prev, v)
		}
		m[k] = v
	}
	if p, a := m[ColPrice], m[ColAmount]; p != "" && a != "" {
		return nil, fmt.Errorf("column mapping maps both price=%s and amount=%s: amount is a line's total (spend = amount), price a unit price (spend = price x quantity); drop price=%s if %s holds the line's total, or amount=%s if %s is a unit price", p, a, p, p, a, a)
	}
	return m, nil
}

// ParseEventNames parses event values of the form
// "view=0,cart=1,purchase=2" (segmint event type = the input's
// event_type value, comma-separated; a type may be named several times,
// "purchase=buy,purchase=order") into m (allocated when nil), keyed by the
// input value as Layout.EventNames is. The types are view, cart,
// remove_from_cart, purchase, refund and subscribe (or an alias
// ParseEventType knows).
func ParseEventNames(spec string, m map[string]string) (map[string]string, error) {
	if m == nil {
		m = make(map[string]string)
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok {
			return nil, fmt.Errorf("event names %q: want type=value, for example view=0", part)
		}
		typ, known := features.ParseEventType(k)
		if !known {
			return nil, fmt.Errorf("event names %q: %q is not a segmint event type (one of %s)", part, k, eventTypeList())
		}
		if v == "" {
			return nil, fmt.Errorf("event names %q: the input value of %s is empty", part, typ)
		}
		if prev, dup := m[v]; dup && prev != typ.String() {
			return nil, fmt.Errorf("event names %q: the input value %q is already %s", part, v, prev)
		}
		m[v] = typ.String()
	}
	return m, nil
}

func eventTypeList() string {
	var names []string
	for _, t := range features.EventTypes() {
		names = append(names, t.String())
	}
	return strings.Join(names, ", ")
}

// WithEventNames returns l with names (input value -> segmint event type,
// as ParseEventNames gives them) laid over its EventNames: a value named
// in names is read as names says, any other as l reads it.
func (l Layout) WithEventNames(names map[string]string) Layout {
	if len(names) == 0 {
		return l
	}
	merged := maps.Clone(l.EventNames)
	if merged == nil {
		merged = make(map[string]string, len(names))
	}
	maps.Copy(merged, names)
	l.EventNames = merged
	return l
}

// integerEventCodes reports whether l names integer event_type values, so
// that an integer event_type column can be read.
func (l Layout) integerEventCodes() bool {
	for k := range l.EventNames {
		if _, err := strconv.ParseInt(k, 10, 64); err == nil {
			return true
		}
	}
	return false
}

// CheckNonProductCodes checks a list of non-product codes
// (Layout.NonProductCodes): no code may be empty or match every value.
func CheckNonProductCodes(codes []string) error {
	for _, c := range codes {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("non-product codes: a code is empty")
		}
		if strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c), "*")) == "" {
			return fmt.Errorf("non-product codes: %q would match every product", c)
		}
	}
	return nil
}

func isCanonical(c string) bool {
	for _, x := range canonical {
		if x == c {
			return true
		}
	}
	return c == ColBrand
}

func canonicalSorted() []string {
	out := append([]string(nil), canonical...)
	sort.Strings(out)
	return out
}

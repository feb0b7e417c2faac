package source

import (
	"fmt"
	"sort"
	"strings"
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

// canonical lists every column the source reads, required first.
var canonical = []string{ColEventTime, ColEventType, ColUserID, ColProductID, ColCategoryID, ColCategory, ColPrice, ColUserSession, ColOrderID, ColQuantity, ColCouponCode, ColDiscount, ColCountry}

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
	// CancelPrefix, when set, turns rows whose order_id starts with it into
	// refunds (Online Retail marks cancelled invoices with "C").
	CancelPrefix string
	// EventNames, when not nil, maps the input's event_type values to
	// segmint's event types (view, cart, remove_from_cart, purchase,
	// refund, subscribe); values not in it are unknown event types.
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
var Presets = []string{"rees46", "online-retail", "retailrocket", "segment", "ga4"}

// Preset returns a named layout:
//
//   - rees46: the REES46 "eCommerce behavior data from multi category
//     store" dump, every column under its canonical name (the default).
//   - online-retail: the UCI Online Retail and Online Retail II
//     transactions (InvoiceNo/Invoice, StockCode, Quantity, InvoiceDate,
//     UnitPrice/Price, CustomerID/Customer ID, Country). Every row is a
//     purchase, except invoices starting with "C", which are
//     cancellations (refunds). Rows without a customer are counted and
//     skipped. InvoiceDate is local time as recorded; segmint reads it as
//     UTC.
//   - retailrocket: the Retail Rocket events (timestamp in epoch
//     milliseconds, visitorid, event view/addtocart/transaction, itemid,
//     transactionid).
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
			FixedEventType: "purchase",
			CancelPrefix:   "C",
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
			EpochUnit: "ms",
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
// Keys must be canonical column names; values are input column names.
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
		m[k] = v
	}
	return m, nil
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

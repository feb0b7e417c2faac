package features

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// EventType is the kind of an event. The zero value is EventUnknown.
type EventType uint8

// The event types segmint understands. Their string forms are those of the
// REES46 layout plus refund and subscribe; ParseEventType also accepts the
// aliases of other common layouts.
const (
	EventUnknown EventType = iota
	EventView
	EventCart
	EventRemoveFromCart
	EventPurchase
	EventRefund
	EventSubscribe
	numEventTypes
)

var eventTypeNames = [numEventTypes]string{"unknown", "view", "cart", "remove_from_cart", "purchase", "refund", "subscribe"}

// String returns the canonical name of t.
func (t EventType) String() string {
	if t < numEventTypes {
		return eventTypeNames[t]
	}
	return "unknown"
}

// EventTypes lists the known event types in a fixed order.
func EventTypes() []EventType {
	return []EventType{EventView, EventCart, EventRemoveFromCart, EventPurchase, EventRefund, EventSubscribe}
}

// ParseEventType maps an event-type string to its EventType. Matching ignores
// case and surrounding white space. Besides the canonical names it accepts
// the aliases used by common public layouts: "addtocart" and "add_to_cart"
// (cart), "removefromcart" (remove_from_cart), "transaction" and "order"
// (purchase), "return", "cancel" and "cancellation" (refund), "signup",
// "newsletter" and "newsletter_signup" (subscribe). It reports false for
// anything else.
func ParseEventType(s string) (EventType, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "view", "page_view", "pageview", "product_view":
		return EventView, true
	case "cart", "addtocart", "add_to_cart":
		return EventCart, true
	case "remove_from_cart", "removefromcart":
		return EventRemoveFromCart, true
	case "purchase", "transaction", "order":
		return EventPurchase, true
	case "refund", "return", "cancel", "cancellation":
		return EventRefund, true
	case "subscribe", "signup", "newsletter", "newsletter_signup":
		return EventSubscribe, true
	}
	return EventUnknown, false
}

// Columns is a set of event columns, used to say which inputs a data set
// carries and which a feature needs.
type Columns uint32

// The event columns. Time, Type and Customer are required of every input;
// the others are optional.
const (
	ColTime Columns = 1 << iota
	ColType
	ColCustomer
	ColProduct
	ColCategory
	ColPrice
	ColSession
	ColOrder
	ColQuantity
	ColCoupon
	ColDiscount
	ColCountry
	// ColAmount is a line's total (the money of the row, price × quantity
	// already applied); where present it is the row's money and Price is
	// not read. It stands in for ColPrice in the features that need money.
	ColAmount
	numColumns = iota
)

var columnNames = [numColumns]string{"event_time", "event_type", "user_id", "product_id", "category_id", "price", "user_session", "order_id", "quantity", "coupon_code", "discount", "country", "amount"}

// Has reports whether every column of want is in c.
func (c Columns) Has(want Columns) bool { return c&want == want }

// Names lists the canonical column names in c, in a fixed order.
func (c Columns) Names() []string {
	var out []string
	for i := 0; i < numColumns; i++ {
		if c&(1<<i) != 0 {
			out = append(out, columnNames[i])
		}
	}
	return out
}

// MicrosPerDay is the number of microseconds in a day; event times are
// microseconds since the Unix epoch, UTC.
const MicrosPerDay = 86_400_000_000

// MoneyScale is the number of money units per currency unit: amounts are
// accumulated as int64 micro-units, so sums are exact and do not depend on
// the order in which events or partial aggregates are added.
const MoneyScale = 1_000_000

// ToMoney converts a currency amount to micro-units, rounding to the nearest.
// The caller rejects NaN, Inf and absurd amounts before calling.
func ToMoney(x float64) int64 { return int64(math.Round(x * MoneyScale)) }

// FromMoney converts micro-units back to currency units.
func FromMoney(m int64) float64 { return float64(m) / MoneyScale }

// Batch is a column-oriented run of events, the unit of work of the feature
// stage. Every slice holds Len values; a slice whose column is not in Present
// is ignored and may be nil. Absent values inside a present column use the
// zero value: Session and Order 0 mean "none", Product 0 means "no product",
// Category 0 "no category", Country "" "unknown". Quantity must be present
// (the source fills 1 where the input has no quantity column).
//
// Amount (ColAmount) is a line's total: where present, a purchase's spend
// is its Amount, not Price × Quantity, and a refund's amount its absolute
// value; Quantity still counts the units.
//
// Money columns (Price, Amount, Discount) are micro-units (MoneyScale per
// currency unit). Strings in Country must not alias memory the source will
// reuse.
type Batch struct {
	Len      int
	Present  Columns
	Customer []int64
	// CustomerID holds the customers' ids as the input spells them when
	// they are strings or bytes (nil for integer ids); Customer[i] is then
	// IDKey(CustomerID[i]). The strings may alias the source's memory: the
	// aggregators copy the one string per customer they keep.
	CustomerID []string
	Time       []int64 // microseconds since the Unix epoch, UTC
	Type       []EventType
	Product    []int64
	Category   []int64
	Price      []int64 // unit price, micro-units
	Amount     []int64 // the line's total, micro-units (see above)
	Quantity   []int64 // units; negative on cancellations is allowed for refunds
	Session    []uint64
	Order      []uint64
	Coupon     []bool
	Discount   []int64 // money discounted on the row, micro-units
	Country    []string
	// KeepRepeats says every row is an event of its own even when it
	// repeats another exactly: exact duplicates are not dropped (see
	// Dedup). A table of purchases dated by the day cannot tell a copied
	// row from a second purchase of the same value on the same day.
	KeepRepeats bool
}

// scatter sets b to the rows of src at rows, row rows[r] going to row
// to[r] (to a permutation of [0, len(rows))), reusing b's buffers. A column
// src lacks stays empty.
func (b *Batch) scatter(src *Batch, rows, to []int32) {
	b.Len, b.Present, b.KeepRepeats = len(rows), src.Present, src.KeepRepeats
	scatterColumn(&b.Customer, src.Customer, rows, to)
	scatterColumn(&b.CustomerID, src.CustomerID, rows, to)
	scatterColumn(&b.Time, src.Time, rows, to)
	scatterColumn(&b.Type, src.Type, rows, to)
	scatterColumn(&b.Product, src.Product, rows, to)
	scatterColumn(&b.Category, src.Category, rows, to)
	scatterColumn(&b.Price, src.Price, rows, to)
	scatterColumn(&b.Amount, src.Amount, rows, to)
	scatterColumn(&b.Quantity, src.Quantity, rows, to)
	scatterColumn(&b.Session, src.Session, rows, to)
	scatterColumn(&b.Order, src.Order, rows, to)
	scatterColumn(&b.Coupon, src.Coupon, rows, to)
	scatterColumn(&b.Discount, src.Discount, rows, to)
	scatterColumn(&b.Country, src.Country, rows, to)
}

func scatterColumn[T any](dst *[]T, src []T, rows, to []int32) {
	if len(src) == 0 {
		*dst = (*dst)[:0]
		if src == nil {
			*dst = nil
		}
		return
	}
	d := slices.Grow((*dst)[:0], len(rows))[:len(rows)]
	for r, i := range rows {
		d[to[r]] = src[i]
	}
	*dst = d
}

// slice sets dst to rows [lo, hi) of b, sharing b's memory.
func (b *Batch) slice(dst *Batch, lo, hi int) {
	*dst = Batch{Len: hi - lo, Present: b.Present, KeepRepeats: b.KeepRepeats,
		Customer: sliceColumn(b.Customer, lo, hi), CustomerID: sliceColumn(b.CustomerID, lo, hi),
		Time: sliceColumn(b.Time, lo, hi), Type: sliceColumn(b.Type, lo, hi),
		Product: sliceColumn(b.Product, lo, hi), Category: sliceColumn(b.Category, lo, hi),
		Price: sliceColumn(b.Price, lo, hi), Amount: sliceColumn(b.Amount, lo, hi),
		Quantity: sliceColumn(b.Quantity, lo, hi), Session: sliceColumn(b.Session, lo, hi),
		Order: sliceColumn(b.Order, lo, hi), Coupon: sliceColumn(b.Coupon, lo, hi),
		Discount: sliceColumn(b.Discount, lo, hi), Country: sliceColumn(b.Country, lo, hi)}
}

func sliceColumn[T any](col []T, lo, hi int) []T {
	if len(col) == 0 {
		return col
	}
	return col[lo:hi:hi]
}

// Reset empties b for reuse, keeping its buffers.
func (b *Batch) Reset(present Columns) {
	b.Len = 0
	b.Present = present
	b.Customer = b.Customer[:0]
	b.CustomerID = nil
	b.Time = b.Time[:0]
	b.Type = b.Type[:0]
	b.Product = b.Product[:0]
	b.Category = b.Category[:0]
	b.Price = b.Price[:0]
	b.Amount = b.Amount[:0]
	b.Quantity = b.Quantity[:0]
	b.Session = b.Session[:0]
	b.Order = b.Order[:0]
	b.Coupon = b.Coupon[:0]
	b.Discount = b.Discount[:0]
	b.Country = b.Country[:0]
	b.KeepRepeats = false
}

// IDKind is the type of an input's customer ids, which every output keeps.
type IDKind uint8

const (
	// IDInteger ids are 64-bit integers, held in Table.Customers.
	IDInteger IDKind = iota
	// IDString ids are UTF-8 strings (UUIDs, e-mail hashes, CRM keys),
	// held in Table.IDs.
	IDString
	// IDBinary ids are byte strings, held in Table.IDs.
	IDBinary
)

func (k IDKind) String() string {
	switch k {
	case IDString:
		return "string"
	case IDBinary:
		return "binary"
	}
	return "integer"
}

// IDKey is the accumulator key of a string or binary customer id: its
// Hash64. Two different ids with the same key are detected where the
// accumulators are kept (see IDCollisionError), never merged silently.
func IDKey(id string) int64 { return int64(Hash64(id)) }

// IDCollisionError reports two customer ids with the same 64-bit key. With
// n customers its chance is about n²/2⁶⁵ (one in 370,000 at 10 million
// customers); the run stops rather than merge two customers.
type IDCollisionError struct{ A, B string }

func (e *IDCollisionError) Error() string {
	return fmt.Sprintf("customer ids %q and %q have the same 64-bit key (%#x); segmint cannot tell them apart", e.A, e.B, uint64(IDKey(e.A)))
}

// Hash64 is the fixed, seedless 64-bit hash segmint uses for string keys
// (sessions, orders, category codes). It is stable across processes and
// machines, so partial aggregates computed anywhere can be merged. It never
// returns 0, which the Batch reserves for "none".
func Hash64(s string) uint64 {
	const (
		p1 = 0x9E3779B185EBCA87
		p2 = 0xC2B2AE3D27D4EB4F
	)
	h := uint64(len(s))*p1 ^ 0x27D4EB2F165667C5
	i := 0
	for ; i+8 <= len(s); i += 8 {
		k := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		k *= p2
		k = k<<31 | k>>33
		k *= p1
		h ^= k
		h = (h<<27 | h>>37) * p1
	}
	for ; i < len(s); i++ {
		h ^= uint64(s[i]) * p1
		h = (h<<11 | h>>53) * p2
	}
	h ^= h >> 33
	h *= p2
	h ^= h >> 29
	h *= p1
	h ^= h >> 32
	if h == 0 {
		h = 1
	}
	return h
}

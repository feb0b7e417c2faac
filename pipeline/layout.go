package pipeline

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
	// Columns maps a canonical column name to the input's column name.
	// Canonical names not in the map are looked up under their own name.
	Columns map[string]string
	// EpochUnit is the unit of an integer event_time column: "s", "ms",
	// "us" or "ns". Integer times are an error without it.
	EpochUnit string
}

// Source returns the input column name for the canonical column c.
func (l Layout) Source(c string) string {
	if s, ok := l.Columns[c]; ok {
		return s
	}
	return c
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

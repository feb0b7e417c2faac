package features

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestHash64Pinned(t *testing.T) {
	// Partial aggregates computed on different machines are merged by
	// these keys, so the values must never change.
	pinned := []struct {
		in   string
		want uint64
	}{
		{"", 0x82fcdac5888f4e97},
		{"a", 0x584273b17a4aa663},
		{"abc", 0x3ac9fed3889557c6},
		{"session-0001", 0x00c3761662a87e47},
		{"0123456789abcdef", 0x33d793477f5e97fd},
		{"주문", 0x995b0ebaad5d705e},
	}
	for _, p := range pinned {
		if got := Hash64(p.in); got != p.want {
			t.Errorf("Hash64(%q) = %#x, want %#x", p.in, got, p.want)
		}
	}
}

func TestHash64Distinct(t *testing.T) {
	seen := make(map[uint64]string)
	add := func(s string) {
		h := Hash64(s)
		if h == 0 {
			t.Fatalf("Hash64(%q) = 0", s)
		}
		if h != Hash64(s) {
			t.Fatalf("Hash64(%q) is not deterministic", s)
		}
		if prev, ok := seen[h]; ok && prev != s {
			t.Fatalf("Hash64(%q) = Hash64(%q) = %#x", s, prev, h)
		}
		seen[h] = s
	}
	for i := range 100_000 {
		add(fmt.Sprintf("%08x-4b1c-9e2f-%012d", i, i*7919)) // UUID-like session ids
		add(fmt.Sprint(i))
	}
	// Strings that differ only by length, trailing zero bytes or one bit.
	for n := range 40 {
		add(strings.Repeat("\x00", n))
		add(strings.Repeat("a", n))
		add(strings.Repeat("a", n) + "b")
	}
	if len(seen) < 200_000 {
		t.Fatalf("only %d distinct inputs", len(seen))
	}
}

func TestParseEventType(t *testing.T) {
	cases := []struct {
		in   string
		want EventType
		ok   bool
	}{
		{"view", EventView, true},
		{"page_view", EventView, true},
		{"pageview", EventView, true},
		{"product_view", EventView, true},
		{"cart", EventCart, true},
		{"addtocart", EventCart, true},
		{"add_to_cart", EventCart, true},
		{"remove_from_cart", EventRemoveFromCart, true},
		{"removefromcart", EventRemoveFromCart, true},
		{"purchase", EventPurchase, true},
		{"transaction", EventPurchase, true},
		{"order", EventPurchase, true},
		{"refund", EventRefund, true},
		{"return", EventRefund, true},
		{"cancel", EventRefund, true},
		{"cancellation", EventRefund, true},
		{"subscribe", EventSubscribe, true},
		{"signup", EventSubscribe, true},
		{"newsletter", EventSubscribe, true},
		{"newsletter_signup", EventSubscribe, true},
		{"  PURCHASE\t", EventPurchase, true},
		{"AddToCart", EventCart, true},
		{"\nView ", EventView, true},
		{"", EventUnknown, false},
		{"unknown", EventUnknown, false},
		{"click", EventUnknown, false},
		{"purchased", EventUnknown, false},
		{"add to cart", EventUnknown, false},
		{"view\x00", EventUnknown, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			got, ok := ParseEventType(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ParseEventType(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestEventTypeString(t *testing.T) {
	want := []string{"view", "cart", "remove_from_cart", "purchase", "refund", "subscribe"}
	var got []string
	for _, et := range EventTypes() {
		got = append(got, et.String())
		back, ok := ParseEventType(et.String())
		if !ok || back != et {
			t.Errorf("ParseEventType(%q) = %v, %v; want %v", et.String(), back, ok, et)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("EventTypes names = %v, want %v", got, want)
	}
	if s := EventUnknown.String(); s != "unknown" {
		t.Errorf("EventUnknown.String() = %q", s)
	}
	if s := EventType(200).String(); s != "unknown" {
		t.Errorf("EventType(200).String() = %q", s)
	}
}

func TestColumnsNames(t *testing.T) {
	if got := (ColTime | ColSession | ColCountry).Names(); !slices.Equal(got, []string{"event_time", "user_session", "country"}) {
		t.Errorf("Names = %v", got)
	}
	if got := (allColumns | ColAmount).Names(); len(got) != numColumns {
		t.Errorf("all columns: %d names, want %d", len(got), numColumns)
	}
	if Columns(0).Names() != nil {
		t.Error("no columns should have no names")
	}
	if !allColumns.Has(ColPrice|ColOrder) || (ColPrice).Has(ColPrice|ColOrder) {
		t.Error("Has is wrong")
	}
}

func TestMoney(t *testing.T) {
	cases := []struct {
		in   float64
		want int64
	}{{0, 0}, {1, 1_000_000}, {0.1, 100_000}, {19.99, 19_990_000}, {-2.5, -2_500_000}, {0.0000005, 1}, {1e9, 1e15}}
	for _, tc := range cases {
		if got := ToMoney(tc.in); got != tc.want {
			t.Errorf("ToMoney(%v) = %d, want %d", tc.in, got, tc.want)
		}
		if tc.in != 0.0000005 {
			if back := FromMoney(tc.want); back != tc.in {
				t.Errorf("FromMoney(%d) = %v, want %v", tc.want, back, tc.in)
			}
		}
	}
}

func FuzzParseEventType(f *testing.F) {
	for _, s := range []string{"view", "ADD_TO_CART", " order ", "", "unknown", "cancel\n", "\xff", "newsletter_signup"} {
		f.Add(s)
	}
	// Every string ParseEventType accepts, after trimming and lower-casing.
	accepted := map[string]bool{}
	for _, s := range strings.Fields(`view page_view pageview product_view cart addtocart add_to_cart
		remove_from_cart removefromcart purchase transaction order refund return cancel cancellation
		subscribe signup newsletter newsletter_signup`) {
		accepted[s] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		et, ok := ParseEventType(s)
		if !ok {
			if et != EventUnknown {
				t.Fatalf("ParseEventType(%q) = %v, false; want EventUnknown", s, et)
			}
			return
		}
		if et == EventUnknown || et >= numEventTypes {
			t.Fatalf("ParseEventType(%q) = %v, true", s, et)
		}
		// The canonical name round-trips.
		back, ok := ParseEventType(et.String())
		if !ok || back != et {
			t.Fatalf("ParseEventType(%q) = %v; its String %q parses to %v, %v", s, et, et.String(), back, ok)
		}
		// Surrounding space and case do not change the answer.
		again, ok := ParseEventType(" " + strings.ToUpper(s) + "\t")
		if strings.ToLower(strings.ToUpper(s)) == strings.ToLower(s) && (!ok || again != et) {
			t.Fatalf("ParseEventType of %q upper-cased and padded = %v, %v; want %v", s, again, ok, et)
		}
		// Accepted strings are a canonical name or a known alias.
		if k := strings.ToLower(strings.TrimSpace(s)); !accepted[k] {
			t.Fatalf("ParseEventType accepted an unexpected %q as %v", s, et)
		}
	})
}

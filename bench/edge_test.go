package bench

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"
)

// edgeRows are events that exercise the row filters and the definitions'
// corner cases: null ids and times, unknown and aliased event types, bad,
// null and boundary prices, rounded and absurd quantities, empty sessions
// and order ids, the purchase-minute order key, blank coupons, NaN and tiny
// discounts, padded and tied countries, products launched exactly at the
// trend window's edge.
const edgeRows = `
CREATE TABLE ev (user_id BIGINT, event_time TIMESTAMPTZ, event_type VARCHAR, product_id BIGINT,
  category_id BIGINT, price DOUBLE, user_session VARCHAR, order_id VARCHAR, quantity DOUBLE,
  coupon_code VARCHAR, discount DOUBLE, country VARCHAR);
INSERT INTO ev VALUES
  (9, '2025-01-01 00:00:00+00', 'view', 100, 1, 3.0, 's9', NULL, NULL, NULL, NULL, 'US'),
  -- product 300 first seen exactly 14 days after the window start
  (2, '2025-01-14 00:00:00+00', 'view', 300, 3, 5.005, 's20', NULL, NULL, NULL, NULL, 'PL'),
  (1, '2025-01-21 08:00:00+00', 'view', 200, 2, 19.99, 's1', NULL, NULL, NULL, NULL, ' DE '),
  (1, '2025-01-26 08:01:00+00', 'purchase', 200, 2, 19.99, 's1', 'o1', 2, '  ', 'NaN', ' DE '),
  (1, '2025-01-26 08:02:00+00', ' Purchase ', 300, 3, 5.005, 's1', 'o1', 2.5, NULL, 0.5, NULL),
  (1, '2025-02-10 09:00:00+00', 'transaction', 200, 2, 0.1, 's2', '', NULL, 'WELCOME', NULL, 'FR'),
  (1, '2025-02-10 09:00:00+00', 'view', 200, 2, NULL, 's2', NULL, NULL, NULL, NULL, 'AT'),
  (1, '2025-02-10 10:00:00+00', 'addtocart', 200, 2, 0.1, 's3', NULL, NULL, NULL, NULL, ''),
  (1, '2025-02-11 10:00:00+00', 'refund', 200, 2, 19.99, 's2', 'o1', -2, NULL, NULL, NULL),
  (1, '2025-02-12 10:00:00+00', ' Subscribe ', 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  -- no session and no order id: orders are purchase minutes
  (2, '2025-01-31 10:00:30+00', 'purchase', 300, 3, 1e9, NULL, NULL, 1, 'SAVE', 1e-7, 'PL'),
  (2, '2025-01-31 10:00:50+00', 'purchase', 300, 3, 2.5, NULL, NULL, 1, NULL, NULL, 'PL'),
  (2, '2025-02-01 10:00:00+00', 'purchase', 300, 3, 2.5, '', NULL, 1, NULL, 2.25, 'PL'),
  (2, '2025-02-01 11:00:00+00', 'purchase', 300, 3, 1000000000.5, 's21', NULL, 1, NULL, NULL, 'PL'),
  -- dropped: null price on a purchase, negative, NaN and absurd prices and quantities, unknown type
  (3, '2025-01-10 00:00:00+00', 'purchase', 100, 1, NULL, 's30', 'x1', 1, NULL, NULL, 'GB'),
  (3, '2025-01-10 00:01:00+00', 'purchase', 100, 1, -1, 's30', 'x2', 1, NULL, NULL, 'GB'),
  (3, '2025-01-10 00:02:00+00', 'purchase', 100, 1, 'NaN', 's30', 'x3', 1, NULL, NULL, 'GB'),
  (3, '2025-01-10 00:03:00+00', 'purchase', 100, 1, 1.0, 's30', 'x4', 'NaN', NULL, NULL, 'GB'),
  (3, '2025-01-10 00:04:00+00', 'purchase', 100, 1, 1.0, 's30', 'x5', 2e7, NULL, NULL, 'GB'),
  (3, '2025-01-10 00:05:00+00', 'unknown', 100, 1, 1.0, 's30', NULL, 1, NULL, NULL, 'GB'),
  (3, '2025-01-10 00:06:00+00', 'ADD_TO_CART', 100, 1, NULL, '', NULL, NULL, NULL, NULL, 'GB'),
  (3, '2025-01-10 00:07:00+00', 'view', 100, 1, NULL, 's31', NULL, NULL, NULL, NULL, 'GB'),
  -- dropped by the feature pass, but the launch pass sees every row with a
  -- time: the window starts on 2024-12-31 and product 200 launches on 2025-01-16
  (NULL, '2025-01-16 00:00:00+00', 'view', 200, 2, 1.0, 's0', NULL, NULL, NULL, NULL, 'GB'),
  (3, '2024-12-31 00:00:00+00', 'unknown', 400, 1, 1.0, 's30', NULL, 1, NULL, NULL, 'GB'),
  (3, NULL, 'view', 100, 1, 1.0, 's30', NULL, NULL, NULL, NULL, 'GB'),
  -- three orders for gap regularity; category 0 is no category
  (5, '2025-01-05 12:00:00+00', 'purchase', 100, 7, 10, 's50', 'a', 1, NULL, NULL, 'ES'),
  (5, '2025-01-15 12:00:00+00', 'purchase', 100, 7, 10, 's51', 'b', 1, NULL, NULL, 'ES'),
  (5, '2025-01-15 13:00:00+00', 'purchase', 100, 0, 10, 's51', 'b', 1, NULL, NULL, 'ES'),
  (5, '2025-02-14 12:00:00+00', 'purchase', 100, 7, 10, 's52', 'c', 1, NULL, NULL, 'ES'),
  (5, '2025-02-14 12:00:00+00', 'cart', 100, 7, 10, 's52', NULL, 1, NULL, NULL, 'ES'),
  -- negative units
  (6, '2025-01-20 00:00:00+00', 'purchase', 100, 1, 10, 's60', 'n1', -1.5, NULL, NULL, 'IT'),
  (4, '2025-03-01 00:00:00+00', 'view', 0, 0, NULL, 's40', NULL, NULL, NULL, NULL, NULL);
`

// TestEnginesAgreeOnEdgeCases checks both engines on hand-made rows that the
// generator never writes.
func TestEnginesAgreeOnEdgeCases(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "edge.parquet")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, edgeRows); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "COPY ev TO "+sqlString(file)+" (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	seg, err := RunSegmint(ctx, []string{file}, 1)
	if err != nil {
		t.Fatal(err)
	}
	duck, err := RunDuckDB(ctx, []string{file}, DuckDBSettings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 2, 3, 4, 5, 6, 9}; !equalInts(seg.Result.Customers, want) {
		t.Errorf("segmint customers %v, want %v", seg.Result.Customers, want)
	}
	cmp := Compare(seg.Result, duck.Result)
	if cmp.OnlyA != 0 || cmp.OnlyB != 0 {
		t.Errorf("customers only in segmint: %d, only in DuckDB: %d", cmp.OnlyA, cmp.OnlyB)
	}
	for _, m := range cmp.Columns {
		if m.Note != "" || m.Count != 0 {
			t.Errorf("%s: %d mismatches %s; customer %d: segmint %s, DuckDB %s", m.Feature, m.Count, m.Note, m.SampleCustomer, m.SampleA, m.SampleB)
		}
	}
	// A few values worked out by hand, so that agreement is not
	// agreement on something trivial.
	want := []struct {
		feature  string
		customer int64
		value    float64
	}{
		{"trend_adoption", 1, 2.0 / 3}, // products 200 and 300 within 14 days of launch, not the third purchase
		{"orders", 1, 2},               // o1, then the session s2 for the empty order id
		{"items_per_order", 1, 3},      // 2 + round(2.5) + 1 units over 2 orders
		{"coupon_ratio", 1, 2.0 / 3},   // the discount on the second row, the coupon on the third
		{"orders", 2, 2},               // two purchases in one minute, then a session-less one the next day
		{"coupon_ratio", 2, 2.0 / 3},   // a tiny discount falls back to the coupon code
		{"orders", 3, 0},
		{"cart_adds", 3, 1},
		{"sessions", 3, 1},
		{"gap_regularity", 5, 0.5}, // gaps of 10 and 30 days: sd 10, mean 20
		{"distinct_categories", 5, 1},
		{"avg_item_price", 6, math.NaN()},
	}
	for _, w := range want {
		got := seg.Result.value(w.feature, w.customer)
		if !Agree(got, w.value) {
			t.Errorf("segmint %s of customer %d = %v, want %v", w.feature, w.customer, got, w.value)
		}
	}
	countries := map[int64]string{1: "FR", 2: "PL", 3: "GB", 4: "", 5: "ES"}
	for c, want := range countries {
		for i, id := range seg.Result.Customers {
			if id == c && seg.Result.Country[i] != want {
				t.Errorf("segmint country of customer %d = %q, want %q", c, seg.Result.Country[i], want)
			}
		}
	}
}

func (r *Result) value(feature string, customer int64) float64 {
	for j, n := range r.Names {
		if n != feature {
			continue
		}
		for i, c := range r.Customers {
			if c == customer {
				return r.Columns[j][i]
			}
		}
	}
	return math.Inf(1)
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAgree(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		a, b float64
		want bool
	}{
		{"equal", 1.5, 1.5, true},
		{"null and null", nan, nan, true},
		{"null and zero", nan, 0, false},
		{"zero and null", 0, nan, false},
		{"within relative", 1e6, 1e6 * (1 + 5e-10), true},
		{"outside relative", 1e6, 1e6 * (1 + 1e-8), false},
		{"within absolute near zero", 0, 5e-10, true},
		{"outside absolute near zero", 0, 1e-8, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Agree(tc.a, tc.b); got != tc.want {
				t.Errorf("Agree(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestCompareCountsMismatches(t *testing.T) {
	a := &Result{Engine: "a", Customers: []int64{1, 2, 3}, Names: []string{"x", "only_a"},
		Columns: [][]float64{{1, 2, 3}, {0, 0, 0}}, Country: []string{"DE", "", "FR"}}
	b := &Result{Engine: "b", Customers: []int64{2, 3, 4}, Names: []string{"x"},
		Columns: [][]float64{{2, 3.5, 4}}, Country: []string{"", "GB", "US"}}
	aCopy := a.Columns[0][2]
	c := Compare(a, b)
	if c.OnlyA != 1 || c.OnlyB != 1 {
		t.Errorf("only in a %d, only in b %d; want 1 and 1", c.OnlyA, c.OnlyB)
	}
	got := map[string]Mismatch{}
	for _, m := range c.Columns {
		got[m.Feature] = m
	}
	if m := got["x"]; m.Compared != 2 || m.Count != 1 || m.SampleCustomer != 3 {
		t.Errorf("x: %+v, want 1 mismatch of 2 at customer 3", m)
	}
	if m := got["only_a"]; m.Note == "" {
		t.Errorf("only_a: want a note, got %+v", m)
	}
	if m := got["country"]; m.Count != 1 || m.SampleCustomer != 3 {
		t.Errorf("country: %+v, want 1 mismatch at customer 3", m)
	}
	if c.Total() != 4 {
		t.Errorf("Total() = %d, want 4", c.Total())
	}
	if a.Columns[0][2] != aCopy {
		t.Error("Compare modified its input")
	}
}

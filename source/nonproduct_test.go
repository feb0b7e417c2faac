package source_test

import (
	"context"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	pq "github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/source"
)

// writeInvoices writes Online Retail lines: one per stock code, customer
// 17850 (0 for none), invoice 536365 or, for a code in cancelled, C536365.
func writeInvoices(t *testing.T, path string, codes []string, customers []int64, cancelled map[string]bool) {
	t.Helper()
	n := len(codes)
	invoices, qty, prices, times := make([]string, n), make([]int32, n), make([]float64, n), make([]time.Time, n)
	valid := make([]bool, n)
	ids := make([]float64, n)
	for i, c := range codes {
		invoices[i], qty[i], prices[i] = "536365", 2, 1.5
		if cancelled[c] {
			invoices[i], qty[i] = "C536365", -1
		}
		times[i] = time.Date(2010, 12, 1, 8, i, 0, 0, time.UTC)
		ids[i], valid[i] = float64(customers[i]), customers[i] != 0
	}
	writeArrowColumns(t, path,
		arrowCol{"InvoiceNo", stringsOf(invoices...)},
		arrowCol{"StockCode", stringsOf(codes...)},
		arrowCol{"Quantity", int32s(qty...)},
		arrowCol{"InvoiceDate", timestamps(arrow.Microsecond, "", times...)},
		arrowCol{"UnitPrice", float64s(prices, nil)},
		arrowCol{"CustomerID", float64s(ids, valid)},
	)
}

// TestNonProductCodes: the online-retail preset skips the lines whose
// stock code is not a product and counts them by code, apart from the
// rejected rows; the list can be replaced or emptied.
func TestNonProductCodes(t *testing.T) {
	codes := []string{"85123A", "POST", " POST ", "gift_0001_20", "M", "m", "BANK CHARGES", "D", "22423", "POSTAGE", "POST", "DOT"}
	customers := []int64{17850, 17850, 17850, 17850, 17850, 17850, 17850, 17850, 17850, 17850, 0, 17850}
	path := filepath.Join(t.TempDir(), "online_retail.parquet")
	writeInvoices(t, path, codes, customers, map[string]bool{"D": true, "22423": true})
	preset, err := source.Preset("online-retail")
	if err != nil {
		t.Fatal(err)
	}
	only := func(codes ...string) source.Layout {
		l := preset
		l.NonProductCodes = codes
		return l
	}
	reason := func(code string) string { return source.SkipNonProduct + " " + code }
	cases := []struct {
		name     string
		layout   source.Layout
		skipped  map[string]int64
		products int
		refunds  int64
	}{
		{"the preset's list", preset, map[string]int64{
			reason("POST"): 2, reason("gift_0001_*"): 1, reason("M"): 1, reason("m"): 1, reason("BANK CHARGES"): 1, reason("D"): 1, reason("DOT"): 1,
			source.SkipNullCustomer: 1,
		}, 3, 1},
		{"POST only", only("POST"), map[string]int64{reason("POST"): 2, source.SkipNullCustomer: 1}, 9, 2},
		{"none", only(), map[string]int64{source.SkipNullCustomer: 1}, 11, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: tc.layout})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(rep.Skipped, tc.skipped) {
				t.Errorf("skipped %v, want %v", rep.Skipped, tc.skipped)
			}
			if rep.Rejected != 1 {
				t.Errorf("rejected %d, want 1 (the line without a customer; non-product lines are not rejections)", rep.Rejected)
			}
			if rep.Products != tc.products || rep.ByType["refund"] != tc.refunds {
				t.Errorf("products %d refunds %d, want %d and %d", rep.Products, rep.ByType["refund"], tc.products, tc.refunds)
			}
		})
	}
}

// TestNonProductIntegerCodes: on an integer product_id column the
// whole-number codes match.
func TestNonProductIntegerCodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.parquet")
	writeArrowColumns(t, path,
		arrowCol{"event_time", stringsOf("2024-03-01 10:00:00", "2024-03-01 10:01:00", "2024-03-01 10:02:00")},
		arrowCol{"event_type", stringsOf("purchase", "purchase", "purchase")},
		arrowCol{"user_id", int64s(1, 1, 1)},
		arrowCol{"product_id", int64s(10, 999, 11)},
		arrowCol{"price", float64s([]float64{5, 4, 3}, nil)},
	)
	layout := source.Layout{NonProductCodes: []string{"999", "POST"}}
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped[source.SkipNonProduct+" 999"] != 1 || rep.Events != 2 || rep.Products != 2 {
		t.Errorf("skipped %v events %d products %d: want product 999 skipped", rep.Skipped, rep.Events, rep.Products)
	}
	if got := customerValues(t, tbl, "total_spend")[1]; got != 8 {
		t.Errorf("spend %v, want 8", got)
	}
}

func TestCheckNonProductCodes(t *testing.T) {
	for _, tc := range []struct {
		codes []string
		ok    bool
	}{
		{source.OnlineRetailNonProductCodes, true},
		{nil, true},
		{[]string{"POST", " "}, false},
		{[]string{"*"}, false},
		{[]string{" * "}, false},
	} {
		if err := source.CheckNonProductCodes(tc.codes); (err == nil) != tc.ok {
			t.Errorf("%q: err = %v", tc.codes, err)
		}
	}
}

const onlineRetailData = "../../shared/data/online_retail.parquet"

// TestOnlineRetailNonProducts runs the real UCI Online Retail data through
// the online-retail preset: the non-product lines of customers are counted
// by code as an independent count (parquet-go, prefix matching by hand)
// finds them, and no refund rate exceeds 1; a customer with refunds and no
// purchase has a null refund rate and no orders.
func TestOnlineRetailNonProducts(t *testing.T) {
	if _, err := os.Stat(onlineRetailData); err != nil {
		t.Skipf("the Online Retail data set is not at %s (CI has it): %v", onlineRetailData, err)
	}
	type line struct {
		StockCode  string `parquet:"StockCode"`
		CustomerID *int64 `parquet:"CustomerID,optional"`
	}
	lines, err := pq.ReadFile[line](onlineRetailData)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]int64)
	for _, l := range lines {
		if l.CustomerID == nil {
			continue
		}
		for _, c := range source.OnlineRetailNonProductCodes {
			if p, ok := strings.CutSuffix(c, "*"); ok && strings.HasPrefix(l.StockCode, p) || l.StockCode == c {
				want[source.SkipNonProduct+" "+c]++
				break
			}
		}
	}
	layout, err := source.Preset("online-retail")
	if err != nil {
		t.Fatal(err)
	}
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{onlineRetailData}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]int64)
	for r, n := range rep.Skipped {
		if strings.HasPrefix(r, source.SkipNonProduct) {
			got[r] = n
		}
	}
	t.Logf("non-product lines of customers: %v", got)
	if !maps.Equal(got, want) || len(got) == 0 {
		t.Errorf("skipped non-product lines %v, want %v", got, want)
	}
	if rep.Rejected != rep.Skipped[source.SkipNullCustomer] {
		t.Errorf("rejected %d, want only the %d lines without a customer", rep.Rejected, rep.Skipped[source.SkipNullCustomer])
	}
	refunds, orders := tbl.Column("refund_rate"), tbl.Column("orders")
	refundOnly := 0
	for i, r := range refunds {
		if r > 1 {
			t.Errorf("customer %d refund rate %v > 1", tbl.Customers[i], r)
		}
		if math.IsNaN(r) {
			refundOnly++
			if orders[i] != 0 {
				t.Errorf("customer %d: null refund rate with %v orders", tbl.Customers[i], orders[i])
			}
		}
	}
	// Every customer of this log has a purchase or a refund, so the null
	// refund rates are the customers with refunds only.
	t.Logf("%d customers with refunds and no purchase", refundOnly)
	if refundOnly == 0 {
		t.Error("no customer with refunds only; the data set has some")
	}
}

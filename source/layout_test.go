package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

const onlineRetail = "../../shared/data/online_retail.parquet"

// TestOnlineRetailPreset runs the real UCI Online Retail transactions
// through the online-retail preset.
func TestOnlineRetailPreset(t *testing.T) {
	if _, err := os.Stat(onlineRetail); err != nil {
		t.Skipf("the Online Retail data set is not at %s (CI has it): %v", onlineRetail, err)
	}
	layout, err := Preset("online-retail")
	if err != nil {
		t.Fatal(err)
	}
	tbl, rep, err := ComputeFeatures(context.Background(), []string{onlineRetail}, ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	// The data set's README: 541,909 rows, 4,372 customers, 135,080 rows
	// without a customer; invoices starting with C are cancellations. 9 of
	// the customers have no product line (postage, manual corrections
	// and other non-product codes only).
	if rep.Rows != 541909 {
		t.Errorf("rows = %d, want 541909", rep.Rows)
	}
	if len(tbl.Customers) != 4372-9 {
		t.Errorf("customers = %d, want 4363", len(tbl.Customers))
	}
	if rep.Skipped[SkipNullCustomer] != 135080 {
		t.Errorf("rows without a customer = %d, want 135080", rep.Skipped[SkipNullCustomer])
	}
	if rep.ByType["refund"] == 0 || rep.ByType["purchase"] == 0 {
		t.Errorf("events by type %v: want purchases and refunds", rep.ByType)
	}
	var skipped int64
	for _, n := range rep.Skipped {
		skipped += n
	}
	// 5,268 rows of the data set repeat another row exactly; those with a
	// customer are dropped as duplicates.
	if d := rep.Skipped[SkipDuplicate]; d == 0 || d > 5268 {
		t.Errorf("exact duplicates dropped = %d, want between 1 and 5268", d)
	}
	if rep.Events+skipped != rep.Rows {
		t.Errorf("events %d + skipped %v != rows %d", rep.Events, rep.Skipped, rep.Rows)
	}
	// A purchases-only log: no views, carts or sessions, no coupons.
	absent := map[string]bool{}
	for _, a := range tbl.Absent {
		absent[a.Feature] = true
	}
	for _, f := range []string{"views", "sessions", "browse_without_buy", "cart_abandonment_rate", "coupon_ratio", "discount_share"} {
		if !absent[f] {
			t.Errorf("%s should be absent on a purchases-only log", f)
		}
	}
	for _, f := range []string{"total_spend", "orders", "recency_days", "refund_rate", "avg_order_value"} {
		if tbl.Column(f) == nil {
			t.Errorf("%s should be computed", f)
		}
	}
	// Customer 12346 bought 74,215 units at 1.04 in one invoice and
	// cancelled it (a well-known row of this data set).
	for i, id := range tbl.Customers {
		if id != 12346 {
			continue
		}
		if o := tbl.Column("orders")[i]; o != 1 {
			t.Errorf("customer 12346 orders = %v, want 1", o)
		}
		if s := tbl.Column("total_spend")[i]; s < 77183 || s > 77184 {
			t.Errorf("customer 12346 spend = %v, want 77183.6", s)
		}
		if r := tbl.Column("refund_rate")[i]; r != 1 {
			t.Errorf("customer 12346 refund rate = %v, want 1", r)
		}
	}
}

func TestRetailRocketPresetAndCSV(t *testing.T) {
	dir := t.TempDir()
	csvText := "timestamp,visitorid,event,itemid,transactionid\n" +
		"1433221332117,257597,view,355908,\n" +
		"1433224214164,992329,view,248676,\n" +
		"1433221999827,111016,addtocart,318965,\n" +
		"1433222147345,111016,transaction,318965,4000\n" +
		"1433222147345,111016,transaction,12345,4000\n" +
		"notatime,5,view,1,\n"
	plain := filepath.Join(dir, "events.csv")
	os.WriteFile(plain, []byte(csvText), 0o644)
	gz := filepath.Join(dir, "events2.csv.gz")
	f, _ := os.Create(gz)
	zw := gzip.NewWriter(f)
	zw.Write([]byte(csvText))
	zw.Close()
	f.Close()
	layout, _ := Preset("retailrocket")
	for _, path := range []string{plain, gz} {
		tbl, rep, err := ComputeFeatures(context.Background(), []string{path}, ScanOptions{Layout: layout})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(tbl.Customers) != 3 || rep.Events != 5 || rep.Skipped[SkipBadTime] != 1 {
			t.Errorf("%s: customers %v events %d skipped %v", path, tbl.Customers, rep.Events, rep.Skipped)
		}
		orders := tbl.Column("orders")
		for i, id := range tbl.Customers {
			want := 0.0
			if id == 111016 {
				want = 1 // two items of transaction 4000
			}
			if orders[i] != want {
				t.Errorf("%s: customer %d orders %v, want %v", path, id, orders[i], want)
			}
		}
	}
}

func TestMappingAndPresetErrors(t *testing.T) {
	if _, err := ParseMapping("user_id=CustomerID,bogus=x", nil); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown canonical column: %v", err)
	}
	if _, err := ParseMapping("user_id", nil); err == nil {
		t.Error("mapping without '=': want an error")
	}
	m, err := ParseMapping(" user_id = CustomerID , event_time=InvoiceDate", nil)
	if err != nil || m["user_id"] != "CustomerID" || m["event_time"] != "InvoiceDate" {
		t.Errorf("ParseMapping = %v, %v", m, err)
	}
	// A column mapped twice to different sources is an error naming both;
	// the same mapping given twice is not.
	if _, err := ParseMapping("user_id=CustomerID,event_time=date,user_id=client", nil); err == nil || !strings.Contains(err.Error(), `maps user_id twice, to "CustomerID" and to "client"`) {
		t.Errorf("user_id mapped twice: %v", err)
	}
	if m, err := ParseMapping("user_id=CustomerID,user_id=CustomerID", nil); err != nil || m["user_id"] != "CustomerID" {
		t.Errorf("the same mapping twice = %v, %v", m, err)
	}
	if _, err := Preset("nope"); err == nil {
		t.Error("unknown preset: want an error")
	}
}

func FuzzParseMapping(f *testing.F) {
	f.Add("user_id=CustomerID,event_time=InvoiceDate")
	f.Add("=,=,")
	f.Add("price=a=b")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMapping(s, nil)
		if err != nil {
			return
		}
		for k, v := range m {
			if !isCanonical(k) || v == "" {
				t.Errorf("%q gave %q=%q", s, k, v)
			}
		}
	})
}

// TestOnlineRetailIIColumns: Online Retail II names its columns Invoice,
// Price and "Customer ID"; the preset finds them, and its CSV dates
// (m/d/yyyy h:mm) and "C" cancellations are read.
func TestOnlineRetailIIColumns(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "online_retail_II.csv")
	os.WriteFile(path, []byte(`Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,12/1/2009 7:45,6.95,13085.0,United Kingdom
489434,79323P,PINK CHERRY LIGHTS,12,12/1/2009 7:45,6.75,13085.0,United Kingdom
489435,22350,CAT BOWL ,12,12/1/2009 7:46,2.55,13085.0,United Kingdom
C489449,22087,PAPER BUNTING WHITE LACE,-12,12/1/2009 10:33,2.95,16321.0,Australia
489450,22087,PAPER BUNTING WHITE LACE,12,12/1/2009 10:35,2.95,16321.0,Australia
489451,21232,STRAWBERRY CERAMIC TRINKET BOX,4,12/1/2009 10:40,1.25,,United Kingdom
`), 0o644)
	layout, _ := Preset("online-retail")
	tbl, rep, err := ComputeFeatures(context.Background(), []string{path}, ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Customers) != 2 || rep.Skipped[SkipNullCustomer] != 1 || rep.ByType["refund"] != 1 || rep.ByType["purchase"] != 4 {
		t.Fatalf("customers %v, skipped %v, by type %v", tbl.Customers, rep.Skipped, rep.ByType)
	}
	orders, spend, refunds := tbl.Column("orders"), tbl.Column("total_spend"), tbl.Column("refund_rate")
	if tbl.Customers[0] != 13085 || orders[0] != 2 || math.Abs(spend[0]-(12*6.95+12*6.75+12*2.55)) > 1e-9 {
		t.Errorf("customer %d: orders %v spend %v", tbl.Customers[0], orders[0], spend[0])
	}
	if tbl.Customers[1] != 16321 || refunds[1] != 1 || tbl.Country[1] != "Australia" {
		t.Errorf("customer %d: refund rate %v country %q", tbl.Customers[1], refunds[1], tbl.Country[1])
	}
}

// TestOnlineRetailDuplicates: the UCI file repeats invoice lines exactly.
// The run drops every repeat within a row group (a split), the same number
// on every run and with any number of workers; the count is checked against
// an independent count with parquet-go.
func TestOnlineRetailDuplicates(t *testing.T) {
	if _, err := os.Stat(onlineRetail); err != nil {
		t.Skipf("the Online Retail data set is not at %s (CI has it): %v", onlineRetail, err)
	}
	want := onlineRetailRepeats(t)
	if want < 5000 {
		t.Fatalf("independent count found %d repeated lines; the data set has about 5,200 with a customer", want)
	}
	layout, err := Preset("online-retail")
	if err != nil {
		t.Fatal(err)
	}
	var first *FeatureReport
	for _, workers := range []int{1, 2, 2, 4, 8} {
		_, rep, err := ComputeFeatures(context.Background(), []string{onlineRetail}, ScanOptions{Layout: layout, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Skipped[SkipDuplicate]; got != want {
			t.Errorf("%d workers: %d exact duplicates dropped, want %d", workers, got, want)
		}
		if first == nil {
			first = rep
		} else if rep.Events != first.Events || !maps.Equal(rep.ByType, first.ByType) {
			t.Errorf("%d workers: events %d %v, first run %d %v", workers, rep.Events, rep.ByType, first.Events, first.ByType)
		}
	}
}

// onlineRetailRepeats counts, row group by row group, the product rows
// with a customer that repeat an earlier row of the row group in every
// column the online-retail preset reads.
func onlineRetailRepeats(t *testing.T) int64 {
	t.Helper()
	type line struct {
		InvoiceNo   string  `parquet:"InvoiceNo"`
		StockCode   string  `parquet:"StockCode"`
		Quantity    int32   `parquet:"Quantity"`
		InvoiceDate int64   `parquet:"InvoiceDate"`
		UnitPrice   float64 `parquet:"UnitPrice"`
		CustomerID  *int64  `parquet:"CustomerID,optional"`
		Country     string  `parquet:"Country"`
	}
	data, err := os.ReadFile(onlineRetail)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var repeats int64
	for _, rg := range pf.RowGroups() {
		r := parquet.NewGenericRowGroupReader[line](rg)
		seen := make(map[line]bool)
		buf := make([]line, 4096)
		for {
			n, err := r.Read(buf)
			for _, l := range buf[:n] {
				if l.CustomerID == nil || isNonProduct(l.StockCode) {
					continue
				}
				key := l
				key.CustomerID = nil
				key.InvoiceNo += "|" + strconv.FormatInt(*l.CustomerID, 10)
				if seen[key] {
					repeats++
				}
				seen[key] = true
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		r.Close()
	}
	return repeats
}

// isNonProduct reports whether a stock code is one of
// OnlineRetailNonProductCodes, matched without the decoder's matcher.
func isNonProduct(code string) bool {
	for _, c := range OnlineRetailNonProductCodes {
		if p, ok := strings.CutSuffix(c, "*"); ok && strings.HasPrefix(code, p) || code == c {
			return true
		}
	}
	return false
}

package source_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	pq "github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
)

// arrowCol is one column of a test file written with Arrow's Parquet
// writer, for types output.WriteColumns does not write (dates, zoned
// timestamps, narrow integers).
type arrowCol struct {
	name string
	arr  arrow.Array
}

// writeArrowColumns writes cols as one row group, with the Arrow schema
// stored, and releases them.
func writeArrowColumns(t *testing.T, path string, cols ...arrowCol) {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: true}
		arrs[i] = c.arr
	}
	sch := arrow.NewSchema(fields, nil)
	rec := array.NewRecord(sch, arrs, int64(arrs[0].Len()))
	defer rec.Release()
	for _, a := range arrs {
		a.Release()
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// The Arrow schema is stored, as pyarrow stores it: date64 and zoned
	// timestamps are read back as written.
	w, err := pqarrow.NewFileWriter(sch, f, nil, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func int64s(v ...int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func int32s(v ...int32) arrow.Array {
	b := array.NewInt32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// float64s builds a float column; valid, when given, marks the nulls.
func float64s(v []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, valid)
	return b.NewArray()
}

// stringsOf builds a string column; "" is null.
func stringsOf(v ...string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for _, s := range v {
		if s == "" {
			b.AppendNull()
			continue
		}
		b.Append(s)
	}
	return b.NewArray()
}

// dates builds a DATE (date32) column from "2006-01-02" strings.
func dates(t *testing.T, v ...string) arrow.Array {
	b := array.NewDate32Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, s := range v {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		b.Append(arrow.Date32FromTime(d))
	}
	return b.NewArray()
}

// dates64 builds a date64 column (milliseconds of whole days) from
// "2006-01-02" strings; Arrow's Parquet writer stores it as a DATE.
func dates64(t *testing.T, v ...string) arrow.Array {
	b := array.NewDate64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, s := range v {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		b.Append(arrow.Date64FromTime(d))
	}
	return b.NewArray()
}

// timestamps builds a timestamp column of unit and zone from instants.
func timestamps(unit arrow.TimeUnit, zone string, v ...time.Time) arrow.Array {
	b := array.NewTimestampBuilder(memory.DefaultAllocator, &arrow.TimestampType{Unit: unit, TimeZone: zone})
	defer b.Release()
	for _, x := range v {
		ts, err := arrow.TimestampFromTime(x, unit)
		if err != nil {
			panic(err)
		}
		b.Append(ts)
	}
	return b.NewArray()
}

// cdnowLike is a purchases table in the CDNOW sample's layout: the total
// of each purchase in dollar_value, its units in number_of_cds, dates
// only, several rows a day, one of them repeated exactly.
var cdnowLike = struct {
	customer []int64
	date     []string
	cds      []int32
	dollars  []float64
}{
	customer: []int64{1, 1, 1, 1, 2, 3},
	date:     []string{"1997-01-01", "1997-01-01", "1997-01-01", "1997-02-03", "1997-01-05", "1997-03-30"},
	cds:      []int32{2, 1, 1, 3, 1, 5},
	dollars:  []float64{29.33, 11.77, 11.77, 40, 12, 77.45},
}

func writeCDNOWLike(t *testing.T, path string) {
	t.Helper()
	c := cdnowLike
	writeArrowColumns(t, path,
		arrowCol{"customer_id", int64s(c.customer...)},
		arrowCol{"date", dates(t, c.date...)},
		arrowCol{"number_of_cds", int32s(c.cds...)},
		arrowCol{"dollar_value", float64s(c.dollars, nil)},
	)
}

func writeCDNOWLikeCSV(t *testing.T, path string) {
	t.Helper()
	c := cdnowLike
	var b strings.Builder
	b.WriteString("customer_id,date,number_of_cds,dollar_value\n")
	for i := range c.customer {
		fmt.Fprintf(&b, "%d,%s,%d,%v\n", c.customer[i], c.date[i], c.cds[i], c.dollars[i])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// transactionsLayout is --preset transactions with the CDNOW columns
// mapped as the README says.
func transactionsLayout(t *testing.T, mapping string) source.Layout {
	t.Helper()
	layout, err := source.Preset("transactions")
	if err != nil {
		t.Fatal(err)
	}
	if layout.Columns, err = source.ParseMapping(mapping, nil); err != nil {
		t.Fatal(err)
	}
	return layout
}

const cdnowMapping = "user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds"

// customerValues returns feature name per customer id.
func customerValues(t *testing.T, tbl *features.Table, name string) map[int64]float64 {
	t.Helper()
	col := tbl.Column(name)
	if col == nil {
		t.Fatalf("%s not computed: %v", name, tbl.Absent)
	}
	out := make(map[int64]float64)
	for i, id := range tbl.Customers {
		out[id] = col[i]
	}
	return out
}

// TestTransactionsPreset reads a purchases-only table with dates and line
// totals: spend is the sum of the amounts (never amount x quantity),
// units the sum of the quantities, one order per customer and day, and a
// row repeated exactly is a second purchase, not a duplicate.
func TestTransactionsPreset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdnow.parquet")
	writeCDNOWLike(t, path)
	for _, arrowDecoder := range []bool{false, true} {
		t.Run(fmt.Sprintf("arrow decoder %v", arrowDecoder), func(t *testing.T) {
			tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: transactionsLayout(t, cdnowMapping), Workers: 1, ArrowDecoder: arrowDecoder})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Events != 6 || len(rep.Skipped) != 0 || rep.ByType["purchase"] != 6 {
				t.Errorf("events %d by type %v skipped %v: want 6 purchases, nothing skipped", rep.Events, rep.ByType, rep.Skipped)
			}
			if slices.Contains(rep.Columns, "order_id") || !slices.Contains(rep.Columns, "amount") || slices.Contains(rep.Columns, "price") {
				t.Errorf("columns %v: want amount, and no order_id or price (the input has neither)", rep.Columns)
			}
			want := map[string]map[int64]float64{
				"total_spend":     {1: 29.33 + 11.77 + 11.77 + 40, 2: 12, 3: 77.45},
				"orders":          {1: 2, 2: 1, 3: 1},
				"items_per_order": {1: 7.0 / 2, 2: 1, 3: 5},
				"avg_order_value": {1: (29.33 + 11.77 + 11.77 + 40) / 2, 2: 12, 3: 77.45},
				"avg_item_price":  {1: (29.33 + 11.77 + 11.77 + 40) / 7, 2: 12, 3: 77.45 / 5},
			}
			for name, byCustomer := range want {
				got := customerValues(t, tbl, name)
				for id, w := range byCustomer {
					if math.Abs(got[id]-w) > 1e-9 {
						t.Errorf("customer %d %s = %v, want %v", id, name, got[id], w)
					}
				}
			}
		})
	}
}

// TestTransactionsCSVMatchesParquet: the same purchases as CSV, dates
// written 1997-01-01, give the same feature table.
func TestTransactionsCSVMatchesParquet(t *testing.T) {
	dir := t.TempDir()
	pq, csv := filepath.Join(dir, "cdnow.parquet"), filepath.Join(dir, "cdnow.csv")
	writeCDNOWLike(t, pq)
	writeCDNOWLikeCSV(t, csv)
	layout := transactionsLayout(t, cdnowMapping)
	a, _, err := source.ComputeFeatures(context.Background(), []string{pq}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := source.ComputeFeatures(context.Background(), []string{csv}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	sameTables(t, a, b)
}

// sameTables fails unless a and b hold the same customers and the same
// value of every feature, null for null.
func sameTables(t *testing.T, a, b *features.Table) {
	t.Helper()
	if !slices.Equal(a.Customers, b.Customers) {
		t.Fatalf("customers %d and %d differ", len(a.Customers), len(b.Customers))
	}
	if len(a.Features) != len(b.Features) {
		t.Fatalf("features %d and %d differ", len(a.Features), len(b.Features))
	}
	for j, f := range a.Features {
		if b.Features[j].Name != f.Name {
			t.Fatalf("feature %d: %s and %s", j, f.Name, b.Features[j].Name)
		}
		for i := range a.Customers {
			x, y := a.Columns[j][i], b.Columns[j][i]
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				t.Errorf("customer %d %s: %v and %v", a.Customers[i], f.Name, x, y)
			}
		}
	}
}

// TestTransactionsOrderIDs: with an order id, a purchase's order is its
// order id; the rows without one fall back to their day.
func TestTransactionsOrderIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.parquet")
	writeArrowColumns(t, path,
		arrowCol{"customer", int64s(1, 1, 1, 1, 1, 1)},
		arrowCol{"day", dates(t, "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-02")},
		arrowCol{"order", stringsOf("A", "A", "B", "", "", "")},
		arrowCol{"total", float64s([]float64{1, 2, 3, 4, 5, 6}, nil)},
	)
	layout := transactionsLayout(t, "user_id=customer,event_time=day,order_id=order,amount=total")
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	// Orders A and B, the rest of 1 March, and 2 March.
	if got := customerValues(t, tbl, "orders")[1]; got != 4 {
		t.Errorf("orders = %v, want 4", got)
	}
	if !slices.Contains(rep.Columns, "order_id") {
		t.Errorf("columns %v: the input has an order_id", rep.Columns)
	}
}

// TestTransactionsEventTimes: event_time may be a DATE or a timestamp of
// any unit, with or without a zone; the day of an order is the UTC day.
func TestTransactionsEventTimes(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	// 23:30 and 01:00 New York time on two local days are 04:30 and 06:00
	// UTC of one day (2 March); 20:00 is 1 March, UTC.
	at := []time.Time{
		time.Date(2024, 3, 1, 23, 30, 0, 0, ny),
		time.Date(2024, 3, 2, 1, 0, 0, 0, ny),
		time.Date(2024, 3, 1, 15, 0, 0, 0, ny),
	}
	cases := []struct {
		name   string
		times  arrow.Array
		orders float64
	}{
		{"date", dates(t, "2024-03-01", "2024-03-02", "2024-03-02"), 2},
		{"date64", dates64(t, "2024-03-01", "2024-03-02", "2024-03-02"), 2},
		{"timestamp us no zone", timestamps(arrow.Microsecond, "", at...), 2},
		{"timestamp ms UTC", timestamps(arrow.Millisecond, "UTC", at...), 2},
		{"timestamp us America/New_York", timestamps(arrow.Microsecond, "America/New_York", at...), 2},
		{"timestamp ns +05:30", timestamps(arrow.Nanosecond, "+05:30", at...), 2},
		{"timestamp s Europe/Paris", timestamps(arrow.Second, "Europe/Paris", at...), 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.parquet")
			writeArrowColumns(t, path,
				arrowCol{"user_id", int64s(7, 7, 7)},
				arrowCol{"event_time", tc.times},
				arrowCol{"amount", float64s([]float64{1, 2, 3}, nil)},
			)
			layout, _ := source.Preset("transactions")
			for _, arrowDecoder := range []bool{false, true} {
				tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, ArrowDecoder: arrowDecoder})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Events != 3 {
					t.Errorf("arrow decoder %v: events %d, skipped %v", arrowDecoder, rep.Events, rep.Skipped)
				}
				if got := customerValues(t, tbl, "orders")[7]; got != tc.orders {
					t.Errorf("arrow decoder %v: orders %v, want %v", arrowDecoder, got, tc.orders)
				}
				if got := customerValues(t, tbl, "total_spend")[7]; got != 6 {
					t.Errorf("arrow decoder %v: spend %v, want 6", arrowDecoder, got)
				}
			}
		})
	}
	// The instants, not the zone's wall clock, are read: the last purchase
	// is 06:00 UTC on 2 March, so it is 18 hours before the as-of time.
	path := filepath.Join(t.TempDir(), "zoned.parquet")
	writeArrowColumns(t, path,
		arrowCol{"user_id", int64s(7, 7, 7)},
		arrowCol{"event_time", timestamps(arrow.Microsecond, "America/New_York", at...)},
		arrowCol{"amount", float64s([]float64{1, 2, 3}, nil)},
	)
	layout, _ := source.Preset("transactions")
	asOf := time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC).UnixMicro()
	tbl, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if got := customerValues(t, tbl, "recency_days")[7]; math.Abs(got-0.75) > 1e-12 {
		t.Errorf("recency %v days, want 0.75 (06:00 UTC to midnight)", got)
	}
}

// TestMissingEventTypeSuggestsTransactions: a purchases table read
// without the preset fails on event_type with an error that says what
// to do.
func TestMissingEventTypeSuggestsTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdnow.parquet")
	writeCDNOWLike(t, path)
	m, err := source.ParseMapping("user_id=customer_id,event_time=date,price=dollar_value", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: source.Layout{Columns: m}})
	var ce *source.ColumnError
	if !errors.As(err, &ce) || ce.Column != "event_type" || !strings.Contains(ce.Problem, "--preset transactions") {
		t.Fatalf("err = %v, want a ColumnError on event_type suggesting --preset transactions", err)
	}
}

// TestAmountAndPrice: amount and price are two ways of saying what a row
// cost, and one is read.
func TestAmountAndPrice(t *testing.T) {
	_, err := source.ParseMapping("user_id=customer_id,amount=dollar_value,price=dollar_value", nil)
	if err == nil || !strings.Contains(err.Error(), "drop price=dollar_value") || !strings.Contains(err.Error(), "amount=dollar_value") {
		t.Errorf("mapping both: err = %v, want one that says which to drop", err)
	}
	path := filepath.Join(t.TempDir(), "both.parquet")
	writeArrowColumns(t, path,
		arrowCol{"user_id", int64s(1, 1)},
		arrowCol{"event_time", dates(t, "2024-01-01", "2024-01-02")},
		arrowCol{"amount", float64s([]float64{30, 8}, nil)},
		arrowCol{"price", float64s([]float64{10, 4}, nil)},
		arrowCol{"quantity", int64s(3, 2)},
	)
	layout, _ := source.Preset("transactions")
	_, _, err = source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
	var ce *source.ColumnError
	if !errors.As(err, &ce) || ce.Column != "amount" || !strings.Contains(ce.Problem, "--map amount=amount") || !strings.Contains(ce.Problem, "--map price=price") {
		t.Fatalf("both columns by name: err = %v, want a ColumnError asking to map one", err)
	}
	for _, tc := range []struct {
		mapping string
		spend   float64
	}{
		{"amount=amount", 38},
		{"price=price", 10*3 + 4*2},
	} {
		layout := transactionsLayout(t, tc.mapping)
		tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
		if err != nil {
			t.Fatalf("%s: %v", tc.mapping, err)
		}
		if got := customerValues(t, tbl, "total_spend")[1]; got != tc.spend {
			t.Errorf("%s: spend %v, want %v", tc.mapping, got, tc.spend)
		}
		read, _, _ := strings.Cut(tc.mapping, "=")
		other := map[string]string{"amount": "price", "price": "amount"}[read]
		if !slices.Contains(rep.Columns, read) || slices.Contains(rep.Columns, other) {
			t.Errorf("%s: columns %v, want %s and not %s", tc.mapping, rep.Columns, read, other)
		}
	}
}

// TestQuantityNeverMultipliesAmount: with a purchase's total in amount,
// mapping its units as quantity does not multiply the money (mapped as a
// unit price, the same column would be multiplied: that is what price
// means).
func TestQuantityNeverMultipliesAmount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdnow.parquet")
	writeCDNOWLike(t, path)
	var total, multiplied float64
	for i, d := range cdnowLike.dollars {
		total += d
		multiplied += d * float64(cdnowLike.cds[i])
	}
	for _, tc := range []struct {
		mapping string
		want    float64
	}{
		{cdnowMapping, total},
		{"user_id=customer_id,event_time=date,amount=dollar_value", total},
		{"user_id=customer_id,event_time=date,price=dollar_value,quantity=number_of_cds", multiplied},
	} {
		tbl, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: transactionsLayout(t, tc.mapping)})
		if err != nil {
			t.Fatalf("%s: %v", tc.mapping, err)
		}
		var got float64
		for _, v := range tbl.Column("total_spend") {
			got += v
		}
		if math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: revenue %v, want %v", tc.mapping, got, tc.want)
		}
	}
}

// TestAmountFilters: a purchase without an amount, with a NaN or absurd
// one, or with a negative one is skipped and counted.
func TestAmountFilters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.parquet")
	writeArrowColumns(t, path,
		arrowCol{"user_id", int64s(1, 1, 1, 1, 1)},
		arrowCol{"event_time", dates(t, "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05")},
		arrowCol{"amount", float64s([]float64{5, 0, math.NaN(), -3, 2e9}, []bool{true, false, true, true, true})},
	)
	layout, _ := source.Preset("transactions")
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, MaxRejectedShare: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 1 || rep.Skipped[source.SkipNullAmount] != 1 || rep.Skipped[source.SkipBadAmount] != 3 {
		t.Errorf("events %d skipped %v: want 1 event, 1 without an amount, 3 bad", rep.Events, rep.Skipped)
	}
	if got := customerValues(t, tbl, "total_spend")[1]; got != 5 {
		t.Errorf("spend %v, want 5", got)
	}
}

const cdnowSample = "../../shared/data/cdnow_sample.parquet"

// cdnowRow is a row of the CDNOW sample, read with parquet-go, apart from
// the source's Arrow reader.
type cdnowRow struct {
	Customer int64   `parquet:"customer_id"`
	Date     int32   `parquet:"date"` // days since 1970-01-01
	CDs      int32   `parquet:"number_of_cds"`
	Dollars  float64 `parquet:"dollar_value"`
}

// TestCDNOWSample reads the real CDNOW sample (every purchase of 2,357
// customers, dates only, dollar_value the purchase's total) with the
// transactions preset as the README says: revenue is the input's total to
// the cent, orders the customers' purchase days, and the same rows as CSV
// give the same features.
func TestCDNOWSample(t *testing.T) {
	if _, err := os.Stat(cdnowSample); err != nil {
		t.Skipf("the CDNOW sample is not at %s (CI has it): %v", cdnowSample, err)
	}
	rows, err := pq.ReadFile[cdnowRow](cdnowSample)
	if err != nil {
		t.Fatal(err)
	}
	var inputTotal float64
	var units int64
	customers := make(map[int64]bool)
	days := make(map[[2]int64]bool)
	for _, r := range rows {
		inputTotal += r.Dollars
		units += int64(r.CDs)
		customers[r.Customer] = true
		days[[2]int64{r.Customer, int64(r.Date)}] = true
	}
	layout := transactionsLayout(t, cdnowMapping)
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{cdnowSample}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != int64(len(rows)) || len(rep.Skipped) != 0 || len(tbl.Customers) != len(customers) {
		t.Errorf("events %d skipped %v customers %d: want %d events, none skipped, %d customers", rep.Events, rep.Skipped, len(tbl.Customers), len(rows), len(customers))
	}
	var revenue, orders, itemUnits float64
	spend, ord, ipo := tbl.Column("total_spend"), tbl.Column("orders"), tbl.Column("items_per_order")
	for i := range tbl.Customers {
		revenue += spend[i]
		orders += ord[i]
		itemUnits += ipo[i] * ord[i]
	}
	t.Logf("revenue %.2f, input total %.2f; %v orders (customer-days), %d rows", revenue, inputTotal, orders, len(rows))
	if math.Round(revenue*100) != math.Round(inputTotal*100) {
		t.Errorf("revenue %.4f, want the input's total %.4f to the cent", revenue, inputTotal)
	}
	if orders != float64(len(days)) {
		t.Errorf("orders %v, want %d customer-days", orders, len(days))
	}
	if math.Abs(itemUnits-float64(units)) > 1e-6 {
		t.Errorf("units %v, want %d", itemUnits, units)
	}

	var b strings.Builder
	b.WriteString("customer_id,date,number_of_cds,dollar_value\n")
	for _, r := range rows {
		day := time.Unix(int64(r.Date)*86400, 0).UTC().Format(time.DateOnly)
		fmt.Fprintf(&b, "%d,%s,%d,%s\n", r.Customer, day, r.CDs, strconv.FormatFloat(r.Dollars, 'g', -1, 64))
	}
	csvPath := filepath.Join(t.TempDir(), "cdnow_sample.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fromCSV, _, err := source.ComputeFeatures(context.Background(), []string{csvPath}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	sameTables(t, tbl, fromCSV)
}

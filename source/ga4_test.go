package source_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// ga4Item and ga4Event are the parts of a GA4 BigQuery export row that
// the tests fill in; the writer adds the export's other columns.
type ga4Item struct {
	id, category, coupon string
	price                float64
	quantity             int64
}

type ga4Event struct {
	ts            int64 // µs
	name, user    string
	session       int64 // ga_session_id; 0 for none
	country, txn  string
	revenue       float64
	items         []ga4Item
	noEventParams bool
}

// ga4Schema is the GA4 BigQuery export's schema, cut to the fields a shop
// has in every export and a few it does not use, nested as BigQuery
// exports them.
func ga4Schema() *arrow.Schema {
	value := arrow.StructOf(
		arrow.Field{Name: "string_value", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "int_value", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "float_value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "double_value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	)
	param := arrow.StructOf(
		arrow.Field{Name: "key", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "value", Type: value, Nullable: true},
	)
	item := arrow.StructOf(
		arrow.Field{Name: "item_id", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "item_name", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "item_category", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "quantity", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "coupon", Type: arrow.BinaryTypes.String, Nullable: true},
	)
	return arrow.NewSchema([]arrow.Field{
		{Name: "event_date", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "event_timestamp", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "event_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "event_params", Type: arrow.ListOf(param), Nullable: true},
		{Name: "user_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "user_pseudo_id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "geo", Type: arrow.StructOf(
			arrow.Field{Name: "continent", Type: arrow.BinaryTypes.String, Nullable: true},
			arrow.Field{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
		), Nullable: true},
		{Name: "ecommerce", Type: arrow.StructOf(
			arrow.Field{Name: "total_item_quantity", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "purchase_revenue", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			arrow.Field{Name: "transaction_id", Type: arrow.BinaryTypes.String, Nullable: true},
		), Nullable: true},
		{Name: "items", Type: arrow.ListOf(item), Nullable: true},
	}, nil)
}

// ga4Record builds one record of events in the GA4 export schema.
func ga4Record(events []ga4Event) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, ga4Schema())
	defer b.Release()
	str := func(sb *array.StringBuilder, s string) {
		if s == "" {
			sb.AppendNull()
		} else {
			sb.Append(s)
		}
	}
	for _, e := range events {
		b.Field(0).(*array.StringBuilder).Append(time.UnixMicro(e.ts).UTC().Format("20060102"))
		b.Field(1).(*array.Int64Builder).Append(e.ts)
		b.Field(2).(*array.StringBuilder).Append(e.name)
		pb := b.Field(3).(*array.ListBuilder)
		if e.noEventParams {
			pb.AppendNull()
		} else {
			pb.Append(true)
			ps := pb.ValueBuilder().(*array.StructBuilder)
			param := func(key, sv string, iv int64) {
				ps.Append(true)
				ps.FieldBuilder(0).(*array.StringBuilder).Append(key)
				vb := ps.FieldBuilder(1).(*array.StructBuilder)
				vb.Append(true)
				str(vb.FieldBuilder(0).(*array.StringBuilder), sv)
				if sv == "" {
					vb.FieldBuilder(1).(*array.Int64Builder).Append(iv)
				} else {
					vb.FieldBuilder(1).(*array.Int64Builder).AppendNull()
				}
				vb.FieldBuilder(2).(*array.Float64Builder).AppendNull()
				vb.FieldBuilder(3).(*array.Float64Builder).AppendNull()
			}
			// The session is not the first parameter: it is found by key.
			param("page_location", "https://shop.example/p", 0)
			if e.session != 0 {
				param("ga_session_id", "", e.session)
			}
			param("engagement_time_msec", "", 1200)
		}
		b.Field(4).(*array.StringBuilder).AppendNull()
		b.Field(5).(*array.StringBuilder).Append(e.user)
		gb := b.Field(6).(*array.StructBuilder)
		gb.Append(true)
		gb.FieldBuilder(0).(*array.StringBuilder).Append("Europe")
		str(gb.FieldBuilder(1).(*array.StringBuilder), e.country)
		eb := b.Field(7).(*array.StructBuilder)
		if e.txn == "" && len(e.items) == 0 {
			eb.AppendNull() // also appends a null to every field
		} else {
			eb.Append(true)
			var q int64
			for _, it := range e.items {
				q += it.quantity
			}
			eb.FieldBuilder(0).(*array.Int64Builder).Append(q)
			eb.FieldBuilder(1).(*array.Float64Builder).Append(e.revenue)
			str(eb.FieldBuilder(2).(*array.StringBuilder), e.txn)
		}
		ib := b.Field(8).(*array.ListBuilder)
		if len(e.items) == 0 {
			ib.Append(true) // an empty list, as the export writes
		} else {
			ib.Append(true)
			is := ib.ValueBuilder().(*array.StructBuilder)
			for _, it := range e.items {
				is.Append(true)
				str(is.FieldBuilder(0).(*array.StringBuilder), it.id)
				is.FieldBuilder(1).(*array.StringBuilder).Append("name of " + it.id)
				str(is.FieldBuilder(2).(*array.StringBuilder), it.category)
				is.FieldBuilder(3).(*array.Float64Builder).Append(it.price)
				is.FieldBuilder(4).(*array.Int64Builder).Append(it.quantity)
				str(is.FieldBuilder(5).(*array.StringBuilder), it.coupon)
			}
		}
	}
	return b.NewRecord()
}

// writeGA4 writes groups of events, one row group per group.
func writeGA4(t *testing.T, path string, groups ...[]ga4Event) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
	w, err := pqarrow.NewFileWriter(ga4Schema(), f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		rec := ga4Record(g)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGA4Preset reads a small GA4 export with only the ga4 preset: the
// items list exploded into one row per item, the session found by key in
// event_params, the transaction id and country inside structs, and the
// export's other events counted as such, not rejected.
func TestGA4Preset(t *testing.T) {
	at := func(day, hour int) int64 {
		return time.Date(2024, 3, day, hour, 0, 0, 0, time.UTC).UnixMicro()
	}
	shoes := ga4Item{id: "sku-1", category: "Shoes", price: 40, quantity: 1}
	socks := ga4Item{id: "sku-2", category: "Socks", price: 5, quantity: 3, coupon: "SOCKS10"}
	events := []ga4Event{
		{ts: at(1, 9), name: "session_start", user: "1001.17", session: 11, country: "France"},
		{ts: at(1, 9), name: "page_view", user: "1001.17", session: 11, country: "France"},
		{ts: at(1, 10), name: "view_item", user: "1001.17", session: 11, country: "France", items: []ga4Item{shoes}},
		{ts: at(1, 11), name: "add_to_cart", user: "1001.17", session: 11, country: "France", items: []ga4Item{shoes}},
		{ts: at(1, 12), name: "purchase", user: "1001.17", session: 11, country: "France", txn: "T1", revenue: 55, items: []ga4Item{shoes, socks}},
		{ts: at(4, 12), name: "refund", user: "1001.17", session: 12, country: "France", txn: "T1", items: []ga4Item{socks}},
		{ts: at(2, 8), name: "view_item", user: "2002.33", session: 21, country: "Spain", items: []ga4Item{socks}},
		{ts: at(2, 9), name: "add_to_cart", user: "2002.33", session: 21, country: "Spain", items: []ga4Item{socks}},
		{ts: at(2, 10), name: "remove_from_cart", user: "2002.33", session: 21, country: "Spain", items: []ga4Item{socks}},
		{ts: at(3, 10), name: "sign_up", user: "2002.33", country: "Spain", noEventParams: true},
		{ts: at(3, 11), name: "scroll", user: "2002.33", session: 22, country: "Spain"},
	}
	path := filepath.Join(t.TempDir(), "events_20240301.parquet")
	writeGA4(t, path, events[:5], events[5:])
	layout, err := source.Preset("ga4")
	if err != nil {
		t.Fatal(err)
	}
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 11 events, the purchase exploded into 2 rows: 12 rows, 3 of them
	// other events (session_start, page_view, scroll).
	if rep.Rows != 12 || rep.Events != 9 || rep.Skipped[source.SkipOtherEvent] != 3 || rep.Rejected != 0 {
		t.Errorf("rows %d events %d skipped %v rejected %d: want 12 rows, 9 events, 3 other events, none rejected", rep.Rows, rep.Events, rep.Skipped, rep.Rejected)
	}
	if tbl.IDKind != features.IDString || !slices.Equal(tbl.IDs, []string{"1001.17", "2002.33"}) {
		t.Fatalf("ids %v %q, want the strings 1001.17 and 2002.33", tbl.IDKind, tbl.IDs)
	}
	want := []map[string]float64{
		// Order T1: 40 + 3 x 5 = 55 in two purchase rows, one with a
		// coupon; its socks refunded (one refund event per two rows).
		{"orders": 1, "total_spend": 55, "cart_adds": 1, "sessions": 2, "items_per_order": 4, "refund_rate": 0.5, "coupon_ratio": 0.5},
		// Views and a cart add removed again; a sign-up without a session.
		{"orders": 0, "total_spend": 0, "cart_adds": 1, "sessions": 1, "subscribed": 1},
	}
	for i, w := range want {
		for name, v := range w {
			col := tbl.Column(name)
			if col == nil {
				t.Errorf("%s not computed", name)
				continue
			}
			if math.Abs(col[i]-v) > 1e-9 {
				t.Errorf("customer %s %s = %v, want %v", tbl.IDs[i], name, col[i], v)
			}
		}
	}
	if rep.ByType["refund"] != 1 || rep.ByType["remove_from_cart"] != 1 || rep.ByType["purchase"] != 2 || rep.ByType["subscribe"] != 1 {
		t.Errorf("events by type %v: want 2 purchase rows, a refund, a removal and a sign-up", rep.ByType)
	}
}

// TestGA4PresetBadColumns: a nested column of the wrong type, or a file
// missing the export's required columns, names the file and the path.
func TestGA4PresetBadColumns(t *testing.T) {
	layout, _ := source.Preset("ga4")
	path := filepath.Join(t.TempDir(), "flat.parquet")
	// A file with neither event_timestamp nor the canonical event_time.
	writeTableFile(t, path)
	_, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
	var ce *source.ColumnError
	if !errors.As(err, &ce) || ce.File != path || ce.Column != "event_timestamp or event_time" {
		t.Errorf("file without a time column: err = %v, want a ColumnError naming event_timestamp", err)
	}

	// A --map onto a path that is not a field names the path and why.
	good := filepath.Join(t.TempDir(), "events.parquet")
	writeGA4(t, good, []ga4Event{{ts: 1_700_000_000_000_000, name: "view_item", user: "u", items: []ga4Item{{id: "a", price: 1, quantity: 1}}}})
	for _, tc := range []struct{ mapping, column, problem string }{
		{"price=items.cost", "items.cost", `no field "items.cost"`},
		{"product_id=items", "items", "name a field inside it, for example items.item_id"},
		{"country=geo", "geo", "name a field inside it, for example geo.continent"},
		{"product_id=items.item_id.x", "items.item_id.x", "not a struct"},
		{"country=geo[key=x].country", "geo[key=x].country", "not a list"},
		{"price=items.item_name", "items.item_name", "want a number"},
		{"user_session=event_params[name=ga_session_id].value.int_value", "event_params[name=ga_session_id].value.int_value", `no string field "name"`},
	} {
		l := layout
		l.Columns, err = source.ParseMapping(tc.mapping, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = source.ComputeFeatures(context.Background(), []string{good}, source.ScanOptions{Layout: l})
		if !errors.As(err, &ce) || ce.File != good || ce.Column != tc.column || !strings.Contains(ce.Problem, tc.problem) {
			t.Errorf("--map %s: err = %v, want a ColumnError on %s saying %q", tc.mapping, err, tc.column, tc.problem)
		}
	}
}

func writeTableFile(t *testing.T, path string) {
	t.Helper()
	writeEvents(t, path, []output.Column{
		{Name: "ts", Timestamp: []int64{1_700_000_000_000_000}},
		{Name: "event_name", String: []string{"view_item"}},
		{Name: "user_pseudo_id", String: []string{"u"}},
	})
}

// toGA4 rewrites a generated events file in the GA4 export layout, one
// row group per row group of src: each purchase or refund order line
// group (the lines of one order at one time) becomes one event with its
// lines as items, every other event one event with one item. Customer ids
// become strings, sessions integers, categories their ids spelled as
// names. GA4 has no discount column.
func toGA4(t *testing.T, src, dst string, spell func(int64) string) {
	t.Helper()
	rdr, err := source.OpenParquet(src)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 20}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	sessions := make(map[string]int64)
	var groups [][]ga4Event
	for rg := 0; rg < rdr.NumRowGroups(); rg++ {
		all := make([]int, rdr.MetaData().Schema.NumColumns())
		for i := range all {
			all[i] = i
		}
		tbl, err := fr.ReadRowGroups(context.Background(), all, []int{rg})
		if err != nil {
			t.Fatal(err)
		}
		tr := array.NewTableReader(tbl, tbl.NumRows())
		var events []ga4Event
		for tr.Next() {
			rec := tr.Record()
			col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
			ts := col("event_time").(*array.Timestamp)
			typ, user, sess := col("event_type").(*array.String), col("user_id").(*array.Int64), col("user_session").(*array.String)
			prod, cat, price := col("product_id").(*array.Int64), col("category_id").(*array.Int64), col("price").(*array.Float64)
			order, qty, coupon, country := col("order_id").(*array.String), col("quantity").(*array.Int32), col("coupon_code").(*array.String), col("country").(*array.String)
			name := map[string]string{"view": "view_item", "cart": "add_to_cart", "remove_from_cart": "remove_from_cart", "purchase": "purchase", "refund": "refund", "subscribe": "sign_up"}
			for i := 0; i < int(rec.NumRows()); i++ {
				s, ok := sessions[sess.Value(i)]
				if !ok {
					s = int64(len(sessions) + 1)
					sessions[sess.Value(i)] = s
				}
				e := ga4Event{ts: int64(ts.Value(i)), name: name[typ.Value(i)], user: spell(user.Value(i)), session: s, country: country.Value(i)}
				if order.IsValid(i) {
					e.txn = order.Value(i)
				}
				it := ga4Item{id: fmt.Sprint(prod.Value(i)), category: fmt.Sprintf("category %d", cat.Value(i)), price: price.Value(i), quantity: int64(qty.Value(i))}
				if coupon.IsValid(i) {
					it.coupon = coupon.Value(i)
				}
				if typ.Value(i) == "subscribe" {
					events = append(events, e)
					continue
				}
				if n := len(events); n > 0 && e.txn != "" {
					p := &events[n-1]
					if p.txn == e.txn && p.ts == e.ts && p.name == e.name && p.user == e.user && p.session == e.session {
						p.items = append(p.items, it)
						continue
					}
				}
				e.items = []ga4Item{it}
				events = append(events, e)
			}
		}
		tr.Release()
		tbl.Release()
		groups = append(groups, events)
	}
	writeGA4(t, dst, groups...)
}

// TestGA4MatchesFlat writes generated events in the GA4 layout and checks
// that the ga4 preset gives every customer the same features as the flat
// file, except those made from discounts, which GA4 does not export.
func TestGA4MatchesFlat(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: 600, Seed: 5, RowGroupSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	spell := func(id int64) string { return fmt.Sprintf("%d.%d", id*7919%100003, id) }
	var files []string
	for i, f := range sum.Files {
		dst := filepath.Join(dir, fmt.Sprintf("events_%d.parquet", i))
		toGA4(t, f, dst, spell)
		files = append(files, dst)
	}
	ctx := context.Background()
	flat, frep, err := source.ComputeFeatures(ctx, sum.Files, source.ScanOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	layout, _ := source.Preset("ga4")
	ga, grep, err := source.ComputeFeatures(ctx, files, source.ScanOptions{Layout: layout, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if grep.Events != frep.Events || grep.Rows != frep.Rows || len(ga.Customers) != len(flat.Customers) {
		t.Fatalf("ga4: %d rows, %d events, %d customers; flat: %d, %d, %d", grep.Rows, grep.Events, len(ga.Customers), frep.Rows, frep.Events, len(flat.Customers))
	}
	row := make(map[string]int, len(ga.IDs))
	for i, s := range ga.IDs {
		row[s] = i
	}
	compared := 0
	for _, f := range flat.Features {
		name := f.Name
		if strings.Contains(name, "discount") {
			continue
		}
		fc, gc := flat.Column(name), ga.Column(name)
		if gc == nil {
			t.Errorf("%s: computed from the flat file, not from the GA4 one", name)
			continue
		}
		compared++
		bad := 0
		for i, id := range flat.Customers {
			g, ok := row[spell(id)]
			if !ok {
				t.Fatalf("customer %d missing from the GA4 run", id)
			}
			a, b := fc[i], gc[g]
			if !(a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) || (math.IsNaN(a) && math.IsNaN(b))) {
				if bad == 0 {
					t.Errorf("%s: customer %d is %v from the flat file, %v from GA4", name, id, a, b)
				}
				bad++
			}
		}
		if bad > 1 {
			t.Errorf("%s: %d customers differ", name, bad)
		}
	}
	t.Logf("%d customers, %d events, %d features compared", len(flat.Customers), frep.Events, compared)
}

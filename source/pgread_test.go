package source

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	aparquet "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/synth"
)

// pgRow is an events row of a shape the generator does not write:
// millisecond times, optional string ids, optional prices and sessions with
// nulls, 32-bit quantities and a plain-encoded high-cardinality session.
type pgRow struct {
	EventTime   int64    `parquet:"event_time,timestamp(millisecond)"`
	EventType   string   `parquet:"event_type,dict"`
	ProductID   int64    `parquet:"product_id,optional"`
	CategoryID  int32    `parquet:"category_id,dict"`
	Price       *float64 `parquet:"price,optional"`
	Quantity    int32    `parquet:"quantity"`
	UserID      *string  `parquet:"user_id,optional,dict"`
	UserSession *string  `parquet:"user_session,optional"`
	OrderID     string   `parquet:"order_id,optional,dict"`
	Country     string   `parquet:"country,optional,dict"`
}

func writePGRows(t *testing.T, path string, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	types := []string{"view", "cart", "remove_from_cart", "purchase", "refund", "subscribe", "page_ping"}
	rows := make([]pgRow, n)
	for i := range rows {
		r := &rows[i]
		r.EventTime = 1_735_689_600_000 + int64(i)*37_000 + int64(rng.IntN(1000))
		r.EventType = types[rng.IntN(len(types))]
		if rng.IntN(10) > 0 {
			r.ProductID = int64(rng.IntN(300))
		}
		r.CategoryID = int32(rng.IntN(12))
		if rng.IntN(8) > 0 {
			p := math.Round(rng.Float64()*20000) / 100
			r.Price = &p
		}
		r.Quantity = int32(1 + rng.IntN(3))
		if rng.IntN(50) > 0 {
			id := fmt.Sprintf("u-%04d", rng.IntN(400))
			r.UserID = &id
		}
		if rng.IntN(6) > 0 {
			s := fmt.Sprintf("%s-%d", "sess", i/3+rng.IntN(2))
			r.UserSession = &s
		}
		if r.EventType == "purchase" || r.EventType == "refund" {
			r.OrderID = fmt.Sprintf("o%d", i/4)
		}
		if rng.IntN(3) > 0 {
			r.Country = []string{"US", "DE", "RO", "KR"}[rng.IntN(4)]
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[pgRow](f, parquet.MaxRowsPerRowGroup(1500), parquet.PageBufferSize(2048))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// writeArrowEvents writes events with Arrow's Parquet writer, which stores
// the Arrow schema (event_type a dictionary, event_time in nanoseconds).
func writeArrowEvents(t *testing.T, path string, n int) {
	t.Helper()
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "event_time", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}},
		{Name: "event_type", Type: dictType},
		{Name: "product_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "user_session", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < n; i++ {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(1_735_689_600_000_000_000 + int64(i)*61_000_000_123))
		b.Field(1).(*array.BinaryDictionaryBuilder).AppendString([]string{"view", "cart", "purchase"}[rng.IntN(3)])
		b.Field(2).(*array.Int64Builder).Append(int64(rng.IntN(50)))
		if rng.IntN(5) == 0 {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.Float64Builder).Append(float64(1 + rng.IntN(500)))
		}
		b.Field(4).(*array.Int64Builder).Append(int64(rng.IntN(200)))
		if rng.IntN(7) == 0 {
			b.Field(5).AppendNull()
		} else {
			b.Field(5).(*array.StringBuilder).Append(fmt.Sprint("s", i/2))
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := aparquet.NewWriterProperties(aparquet.WithMaxRowGroupLength(700), aparquet.WithDataPageSize(1024))
	w, err := pqarrow.NewFileWriter(sch, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
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

// TestParquetGoPathMatchesArrow: the fast path (parquet-go's typed pages
// into Arrow arrays) and pqarrow's record reader give the same feature
// table, counts and rejections on inputs of many shapes: the generator's
// full and REES46 layouts (dictionary-encoded numbers and strings), its
// noise rows, parquet-go rows with nulls in optional columns, string ids,
// millisecond times, 32-bit integers and small pages, and Arrow-written
// files with a stored dictionary schema and nanosecond times.
func TestParquetGoPathMatchesArrow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	type input struct {
		name   string
		paths  []string
		layout Layout
	}
	var inputs []input
	for _, g := range []struct {
		name string
		set  synth.Settings
	}{
		{"full", synth.Settings{Customers: 300, Seed: 1, RowGroupSize: 4000}},
		{"rees46", synth.Settings{Customers: 300, Seed: 2, Layout: synth.LayoutREES46, RowGroupSize: 4000}},
		{"noise", synth.Settings{Customers: 200, Seed: 3, NoiseShare: 0.2, QuantityMax: 4}},
	} {
		sum, err := synth.Generate(ctx, filepath.Join(dir, g.name), g.set)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{name: "generator " + g.name, paths: sum.Files})
	}
	pg := filepath.Join(dir, "pg.parquet")
	writePGRows(t, pg, 9000)
	inputs = append(inputs, input{name: "parquet-go nulls", paths: []string{pg}})
	ar := filepath.Join(dir, "arrow.parquet")
	writeArrowEvents(t, ar, 3000)
	inputs = append(inputs, input{name: "arrow writer", paths: []string{ar}})

	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			before := pgDecoded.Load()
			fast, rf, err := ComputeFeatures(ctx, in.paths, ScanOptions{Layout: in.layout, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if pgDecoded.Load() == before {
				t.Error("no row group took the parquet-go path")
			}
			slow, rs, err := ComputeFeatures(ctx, in.paths, ScanOptions{Layout: in.layout, Workers: 2, ArrowDecoder: true})
			if err != nil {
				t.Fatal(err)
			}
			if rf.Rows != rs.Rows || rf.Events != rs.Events || !reflect.DeepEqual(rf.Skipped, rs.Skipped) || !reflect.DeepEqual(rf.ByType, rs.ByType) {
				t.Errorf("fast path: %d rows, %d events, skipped %v, by type %v; pqarrow: %d, %d, %v, %v", rf.Rows, rf.Events, rf.Skipped, rf.ByType, rs.Rows, rs.Events, rs.Skipped, rs.ByType)
			}
			if rf.Events == 0 {
				t.Fatal("no events")
			}
			if !reflect.DeepEqual(fast.Customers, slow.Customers) || !reflect.DeepEqual(fast.IDs, slow.IDs) || !reflect.DeepEqual(fast.Abandoned, slow.Abandoned) || !reflect.DeepEqual(fast.Absent, slow.Absent) || !reflect.DeepEqual(fast.Country, slow.Country) || len(fast.Features) != len(slow.Features) {
				t.Fatalf("fast path: %d customers × %d features; pqarrow: %d × %d (or ids, names, countries differ)", len(fast.Customers), len(fast.Features), len(slow.Customers), len(slow.Features))
			}
			for j := range fast.Features {
				if fast.Features[j].Name != slow.Features[j].Name {
					t.Fatalf("feature %d: %s against %s", j, fast.Features[j].Name, slow.Features[j].Name)
				}
				for i := range fast.Customers {
					x, y := fast.Columns[j][i], slow.Columns[j][i]
					if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
						t.Fatalf("customer %s %s: fast path %v, pqarrow %v", fast.ID(i), fast.Features[j].Name, x, y)
					}
				}
			}
		})
	}
}

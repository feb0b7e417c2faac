package source_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
)

// epochRow is an event whose event_time is an integer epoch.
type epochRow struct {
	EventTime int64  `parquet:"event_time"`
	EventType string `parquet:"event_type"`
	UserID    int64  `parquet:"user_id"`
}

// writeRowGroups writes groups of rows, one row group per group.
func writeRowGroups[T any](t *testing.T, path string, groups ...[]T) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	for _, g := range groups {
		if _, err := w.Write(g); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestColumnErrorNamesRowGroupAndWrapsCause: a column that cannot be
// decoded (integer times without an epoch unit) is a ColumnError that
// names the file, the row group and the column, and wraps its cause.
func TestColumnErrorNamesRowGroupAndWrapsCause(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epochs.parquet")
	writeRowGroups(t, path,
		[]epochRow{{1_700_000_000, "view", 1}, {1_700_000_100, "purchase", 1}},
		[]epochRow{{1_700_000_200, "view", 2}, {1_700_000_300, "cart", 2}})
	splits, err := source.Splits([]string{path}, source.Layout{})
	if err != nil {
		t.Fatal(err)
	}
	if len(splits) != 2 {
		t.Fatalf("%d splits, want 2 row groups", len(splits))
	}
	for _, sp := range splits {
		t.Run(fmt.Sprintf("row group %d", sp.RowGroup), func(t *testing.T) {
			_, err := source.ReadSplit(context.Background(), sp, source.Layout{}, 0, source.PassEvents, func(*features.Batch) {})
			var ce *source.ColumnError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ColumnError", err)
			}
			if ce.File != path || ce.Column != "event_time" || !ce.HasRowGroup || ce.RowGroup != sp.RowGroup || ce.Err == nil {
				t.Errorf("ColumnError{File %q, Column %q, RowGroup %d (%v), Err %v}; want %s, event_time, row group %d and a cause", ce.File, ce.Column, ce.RowGroup, ce.HasRowGroup, ce.Err, path, sp.RowGroup)
			}
			want := fmt.Sprintf("%s: row group %d: column \"event_time\": ", path, sp.RowGroup)
			if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, "--epoch-unit") {
				t.Errorf("message %q: want it to begin %q and name --epoch-unit", msg, want)
			}
		})
	}
	// The whole-file scan reports the same kind of error.
	_, _, err = source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Workers: 1})
	var ce *source.ColumnError
	if !errors.As(err, &ce) || !ce.HasRowGroup || !strings.Contains(err.Error(), "row group") {
		t.Errorf("ComputeFeatures: err = %v, want a ColumnError naming a row group", err)
	}
}

// TestPositionedErrorsUnwrap: errors.Is and errors.As see the cause
// through InputError and ColumnError; a problem with no row group names
// none.
func TestPositionedErrorsUnwrap(t *testing.T) {
	cause := fmt.Errorf("decoding: %w", io.ErrUnexpectedEOF)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"column in a row group", &source.ColumnError{File: "a.parquet", Column: "price", RowGroup: 3, HasRowGroup: true, Problem: cause.Error(), Err: cause},
			`a.parquet: row group 3: column "price": decoding: unexpected EOF`},
		{"whole column", &source.ColumnError{File: "a.parquet", Column: "price", Problem: cause.Error(), Err: cause},
			`a.parquet: column "price": decoding: unexpected EOF`},
		{"row group", &source.InputError{File: "a.parquet", RowGroup: 0, HasRowGroup: true, Err: cause},
			`a.parquet: row group 0: decoding: unexpected EOF`},
		{"whole file", &source.InputError{File: "a.parquet", Err: cause},
			`a.parquet: decoding: unexpected EOF`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := fmt.Errorf("run: %w", tc.err)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = false", err)
			}
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("message %q, want %q", got, tc.want)
			}
		})
	}
}

// TestScanHonoursMem: every Arrow buffer of a scan comes from
// ScanOptions.Mem (Parquet, CSV, nested columns flattened, the category
// names looked up) and is given back to it.
func TestScanHonoursMem(t *testing.T) {
	dir := t.TempDir()
	flat := filepath.Join(dir, "events.parquet")
	writeEvents(t, flat, rees46Columns())
	csv := filepath.Join(dir, "events.csv")
	writeFile(t, csv, "event_time,event_type,product_id,category_id,price,user_id\n"+
		"2019-10-01 00:00:00 UTC,view,10,100,9.5,1\n2019-10-02 00:00:00 UTC,purchase,10,100,9.5,1\n2019-10-03 00:00:00 UTC,view,11,101,3,2\n")
	ga4 := filepath.Join(dir, "events_20240301.parquet")
	at := func(hour int) int64 { return time.Date(2024, 3, 1, hour, 0, 0, 0, time.UTC).UnixMicro() }
	shoes := ga4Item{id: "sku-1", category: "Shoes", price: 40, quantity: 1}
	writeGA4(t, ga4, []ga4Event{
		{ts: at(9), name: "view_item", user: "1.1", session: 11, country: "France", items: []ga4Item{shoes}},
		{ts: at(10), name: "purchase", user: "1.1", session: 11, country: "France", txn: "T1", revenue: 40, items: []ga4Item{shoes}},
		{ts: at(11), name: "view_item", user: "2.2", session: 21, country: "Spain", items: []ga4Item{shoes}},
	})
	ga4Layout, err := source.Preset("ga4")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		layout source.Layout
	}{
		{"parquet", flat, source.Layout{}},
		{"arrow decoder", flat, source.Layout{}},
		{"csv", csv, source.Layout{}},
		{"nested", ga4, ga4Layout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			o := source.ScanOptions{Layout: tc.layout, Workers: 2, Mem: mem, ArrowDecoder: tc.name == "arrow decoder"}
			_, rep, err := source.ComputeFeatures(context.Background(), []string{tc.path}, o)
			if err != nil {
				t.Fatal(err)
			}
			if tc.path == flat {
				if names := rep.CategoryNames(context.Background(), []int64{100}); names[100] != "electronics.smartphone" {
					t.Errorf("category names %v, want 100: electronics.smartphone", names)
				}
			}
			mem.AssertSize(t, 0)
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// catRow is an event with its category's code.
type catRow struct {
	EventTime    string  `parquet:"event_time"`
	EventType    string  `parquet:"event_type"`
	ProductID    int64   `parquet:"product_id"`
	CategoryID   int64   `parquet:"category_id"`
	CategoryCode string  `parquet:"category_code"`
	Price        float64 `parquet:"price"`
	UserID       int64   `parquet:"user_id"`
}

// TestCategoryNamesFirstInInputOrder: a category's name is its first
// non-empty code in input order (files, then row groups), an id that is
// never named is left out, and the number of row groups read at once
// changes nothing.
func TestCategoryNamesFirstInInputOrder(t *testing.T) {
	dir := t.TempDir()
	ev := func(cat int64, code string, user int64) catRow {
		return catRow{"2019-10-01 00:00:00 UTC", "view", 10, cat, code, 5, user}
	}
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	writeRowGroups(t, a,
		[]catRow{ev(1, "", 1), ev(2, "two.first", 2)},
		[]catRow{ev(1, "one.late", 3), ev(3, "", 4)},
		[]catRow{ev(2, "two.second", 5)})
	writeRowGroups(t, b,
		[]catRow{ev(1, "one.other", 6), ev(3, "three.b", 7), ev(4, "", 8)},
		[]catRow{ev(3, "three.later", 9)})
	want := map[int64]string{1: "one.late", 2: "two.first", 3: "three.b"}
	for _, workers := range []int{1, 2, 3, 8} {
		_, rep, err := source.ComputeFeatures(context.Background(), []string{a, b}, source.ScanOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.CategoryNames(context.Background(), []int64{1, 2, 3, 4}); !maps.Equal(got, want) {
			t.Errorf("%d workers: %v, want %v", workers, got, want)
		}
		if got := rep.CategoryNames(context.Background(), []int64{2}); !maps.Equal(got, map[int64]string{2: "two.first"}) {
			t.Errorf("%d workers, id 2 alone: %v", workers, got)
		}
	}
}

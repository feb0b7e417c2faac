package source

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/synth"
)

// TestAsOfSkipsLaterRowGroups: on a time-sorted file, the row groups whose
// statistics put every event after --as-of are not read (rowGroupAfterAsOf
// proves it for exactly those), and the run's features, counts and rows
// equal those of the same events in customer order, where no row group
// can be skipped.
func TestAsOfSkipsLaterRowGroups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sum, err := synth.Generate(ctx, filepath.Join(dir, "gen"), synth.Settings{Customers: 500, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var rows []synth.EventRow
	for _, f := range sum.Files {
		rs, err := parquet.ReadFile[synth.EventRow](f)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rs...)
	}
	slices.SortStableFunc(rows, func(a, b synth.EventRow) int { return int(a.EventTime - b.EventTime) })
	sorted := filepath.Join(dir, "sorted.parquet")
	f, err := os.Create(sorted)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[synth.EventRow](f, parquet.MaxRowsPerRowGroup(2000))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// As of 60 % into the window.
	first, last := rows[0].EventTime, rows[len(rows)-1].EventTime
	asOf := first + (last-first)*6/10
	ins, err := OpenInputs([]string{sorted}, Layout{})
	if err != nil {
		t.Fatal(err)
	}
	in := ins.files[0]
	rdr, err := OpenParquet(sorted)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for rg := 0; rg < in.RowGroups; rg++ {
		lo, hi := rg*2000, min((rg+1)*2000, len(rows))
		n, ok := rowGroupAfterAsOf(fr, in, rg, asOf)
		want := rows[lo].EventTime > asOf
		if ok != want || ok && n != int64(hi-lo) {
			t.Errorf("row group %d (first event %d, as-of %d): skip %v (%d rows), want %v", rg, rows[lo].EventTime, asOf, ok, n, want)
		}
		if ok {
			skipped++
		}
		if _, ok := rowGroupAfterAsOf(fr, in, rg, 0); ok {
			t.Errorf("row group %d skipped without an as-of time", rg)
		}
	}
	if skipped == 0 || skipped == in.RowGroups {
		t.Fatalf("%d of %d row groups after the as-of time: the test needs some of each", skipped, in.RowGroups)
	}

	o := ScanOptions{AsOf: asOf}
	a, ra, err := ComputeFeatures(ctx, []string{sorted}, o)
	if err != nil {
		t.Fatal(err)
	}
	b, rb, err := ComputeFeatures(ctx, sum.Files, o)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Rows != rb.Rows || ra.Events != rb.Events || !reflect.DeepEqual(ra.Skipped, rb.Skipped) {
		t.Errorf("sorted: %d rows, %d events, skipped %v; customer order: %d, %d, %v", ra.Rows, ra.Events, ra.Skipped, rb.Rows, rb.Events, rb.Skipped)
	}
	if ra.Skipped[SkipAfterAsOf] == 0 {
		t.Error("no event after the as-of time")
	}
	if !slices.Equal(a.Customers, b.Customers) || len(a.Features) != len(b.Features) {
		t.Fatalf("sorted: %d customers × %d features; customer order: %d × %d", len(a.Customers), len(a.Features), len(b.Customers), len(b.Features))
	}
	for j := range a.Features {
		for i := range a.Customers {
			x, y := a.Columns[j][i], b.Columns[j][i]
			if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
				t.Fatalf("customer %d %s: %v from the sorted file, %v in customer order", a.Customers[i], a.Features[j].Name, x, y)
			}
		}
	}
}

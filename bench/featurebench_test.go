package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/segmint/segmint/synth"
)

// TestEnginesAgree generates ~20k events and checks that DuckDB's SQL
// computes the same features as segmint for every customer.
func TestEnginesAgree(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "events")
	sum, err := synth.Generate(ctx, dir, synth.Settings{Customers: 400, Seed: 7, EventsPerFile: 8000, RowGroupSize: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Events < 15_000 {
		t.Fatalf("generated %d events, want about 20k", sum.Events)
	}
	seg, err := RunSegmint(ctx, sum.Files, 2)
	if err != nil {
		t.Fatal(err)
	}
	duck, err := RunDuckDB(ctx, sum.Files, DuckDBSettings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(seg.Result.Customers) != sum.Customers {
		t.Errorf("segmint found %d customers, generated %d", len(seg.Result.Customers), sum.Customers)
	}
	cmp := Compare(seg.Result, duck.Result)
	if cmp.OnlyA != 0 || cmp.OnlyB != 0 {
		t.Errorf("customers only in segmint: %d, only in DuckDB: %d", cmp.OnlyA, cmp.OnlyB)
	}
	for _, m := range cmp.Columns {
		t.Run(m.Feature, func(t *testing.T) {
			if m.Note != "" {
				t.Fatalf("%s: %s", m.Feature, m.Note)
			}
			if m.Compared != sum.Customers {
				t.Errorf("compared %d customers, want %d", m.Compared, sum.Customers)
			}
			if m.Count != 0 {
				t.Errorf("%d of %d customers disagree; customer %d: segmint %s, DuckDB %s", m.Count, m.Compared, m.SampleCustomer, m.SampleA, m.SampleB)
			}
		})
	}
}

// TestDuckDBWrittenFiles: the generator's rows rewritten by DuckDB's COPY
// (another writer: snappy, its own row groups and encodings) give segmint
// the same features, value for value, as the generator's files.
func TestDuckDBWrittenFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "events")
	sum, err := synth.Generate(ctx, dir, synth.Settings{Customers: 400, Seed: 9, EventsPerFile: 8000, RowGroupSize: 2000})
	if err != nil {
		t.Fatal(err)
	}
	gen := &Dataset{Customers: sum.Customers, Scale: 1, Dir: dir, Files: sum.Files, Events: sum.Events, Writer: WriterSegmint}
	copied, err := EnsureDuckDBCopy(ctx, gen, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if copied.Writer != WriterDuckDB || len(copied.Files) != len(sum.Files) || copied.Events != sum.Events {
		t.Fatalf("copy %+v of %d files, %d events", copied, len(sum.Files), sum.Events)
	}
	a, err := RunSegmint(ctx, sum.Files, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RunSegmint(ctx, copied.Files, 2)
	if err != nil {
		t.Fatal(err)
	}
	if b.Events != a.Events {
		t.Errorf("segmint read %d events from DuckDB's files, %d from the generator's", b.Events, a.Events)
	}
	cmp := Compare(a.Result, b.Result)
	if cmp.OnlyA+cmp.OnlyB != 0 || cmp.Total() != 0 || len(cmp.Columns) == 0 {
		t.Errorf("generator's files against DuckDB's: %d + %d customers in one only, %d mismatches over %d features", cmp.OnlyA, cmp.OnlyB, cmp.Total(), len(cmp.Columns))
	}
	// A second call reuses the copy.
	again, err := EnsureDuckDBCopy(ctx, gen, t.Logf)
	if err != nil || again.Dir != copied.Dir {
		t.Errorf("cached copy: %v, %v", again, err)
	}
}

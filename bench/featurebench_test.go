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

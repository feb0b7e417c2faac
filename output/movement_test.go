package output_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// movementRow is one row of movement.parquet with integer customer ids.
type movementRow struct {
	CustomerID    int64     `parquet:"customer_id"`
	SegmentBefore *string   `parquet:"segment_before,optional"`
	SegmentAfter  *string   `parquet:"segment_after,optional"`
	RunID         string    `parquet:"run_id"`
	AsOf          time.Time `parquet:"as_of,timestamp(microsecond)"`
}

func TestPreviousRunMovement(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: 1500, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	// The same log seen 30 days earlier, then in full.
	earlier := sum.AsOf.Add(-30 * 24 * time.Hour).UnixMicro()
	first := filepath.Join(dir, "first")
	m1, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: first, Scan: source.ScanOptions{AsOf: earlier}, Cluster: pipeline.ClusterOptions{StabilityBoots: -1, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second")
	m2, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: second, Previous: first, Cluster: pipeline.ClusterOptions{StabilityBoots: -1, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	mv := m2.Movement
	if mv == nil {
		t.Fatal("no movement in the manifest")
	}
	n1, n2 := int64(m1.Input.Customers), int64(m2.Input.Customers)
	if mv.Stayed+mv.Moved+mv.Gone != n1 || mv.Stayed+mv.Moved+mv.New != n2 {
		t.Errorf("stayed %d moved %d new %d gone %d do not add up to %d then %d customers", mv.Stayed, mv.Moved, mv.New, mv.Gone, n1, n2)
	}
	if mv.New == 0 || mv.Gone != 0 {
		t.Errorf("customers first seen in the last 30 days must be new (%d), none gone (%d)", mv.New, mv.Gone)
	}
	if mv.Stayed == 0 || mv.Moved == 0 {
		t.Errorf("30 more days should leave some customers in their segment and move others: stayed %d moved %d", mv.Stayed, mv.Moved)
	}
	matched := 0
	for _, p := range mv.ClusterMatch {
		if p >= 0 {
			matched++
		}
	}
	if matched == 0 {
		t.Error("no cluster matched a previous cluster")
	}
	rows, err := parquet.ReadFile[movementRow](filepath.Join(second, "movement.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != n2+mv.Gone {
		t.Errorf("movement.parquet has %d rows, want %d", len(rows), n2+mv.Gone)
	}
	var newRows int64
	for _, r := range rows {
		if r.SegmentBefore == nil {
			newRows++
		}
		if r.SegmentAfter == nil {
			t.Errorf("customer %d has no segment after", r.CustomerID)
		}
	}
	if newRows != mv.New {
		t.Errorf("%d rows without a segment before, want %d", newRows, mv.New)
	}
	// A previous directory without customers.parquet is bad input.
	if _, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: filepath.Join(dir, "third"), Previous: dir}); err == nil {
		t.Error("a previous run without customers.parquet: want an error")
	}
	if _, err := os.Stat(filepath.Join(dir, "third")); !os.IsNotExist(err) {
		t.Error("output written despite a bad --previous")
	}
}

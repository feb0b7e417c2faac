package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// TestSameInputSameSegments: the same input, configuration and seed give
// the same features, clusters and segments, whatever the number of workers
// reading the input or clustering.
func TestSameInputSameSegments(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: 1200, Seed: 21, RowGroupSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID       int64   `parquet:"customer_id"`
		Spend    float64 `parquet:"total_spend,optional"`
		Sessions float64 `parquet:"sessions,optional"`
		Cluster  int32   `parquet:"cluster"`
		Distance float64 `parquet:"distance,optional"`
		Segment  string  `parquet:"segment,optional"`
		Primary  string  `parquet:"primary_segment"`
		Stage    string  `parquet:"lifecycle_stage"`
	}
	var runs [][]row
	for i, workers := range []int{1, 2, 5} {
		out := filepath.Join(dir, "out", string(rune('a'+i)))
		if _, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: out, Scan: source.ScanOptions{Workers: workers}, Cluster: pipeline.ClusterOptions{Seed: 3, Threads: workers, StabilityBoots: 2}}); err != nil {
			t.Fatal(err)
		}
		rows, err := parquet.ReadFile[row](filepath.Join(out, "customers.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, rows)
	}
	for r := 1; r < len(runs); r++ {
		if len(runs[r]) != len(runs[0]) {
			t.Fatalf("run %d: %d customers, run 0: %d", r, len(runs[r]), len(runs[0]))
		}
		for i := range runs[0] {
			if runs[r][i] != runs[0][i] {
				t.Fatalf("run %d differs at customer %d:\n%+v\n%+v", r, runs[0][i].ID, runs[r][i], runs[0][i])
			}
		}
	}
}

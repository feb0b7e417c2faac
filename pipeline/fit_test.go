package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// TestFitThenWriteTwice: the fitting stage modifies none of its inputs,
// and the output stage takes no decision: writing one Fitted twice gives
// byte-identical tables and reports.
func TestFitThenWriteTwice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sum, err := synth.Generate(ctx, filepath.Join(dir, "data"), synth.Settings{Customers: 600, Seed: 13})
	if err != nil {
		t.Fatal(err)
	}
	table, rep, err := source.ComputeFeatures(ctx, sum.Files, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cat := segments.Default()
	mem, err := segments.Evaluate(cat, table, 0)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := pipeline.Cluster(ctx, table, pipeline.ClusterOptions{K: 5, Seed: 1, StabilityBoots: -1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := pipeline.Predict(ctx, table, pipeline.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	primary, distance, assign := slices.Clone(mem.Primary), slices.Clone(cs.Result.Distance), slices.Clone(cs.Result.Assign)
	fit, err := pipeline.Settle(table, pred, cs, mem, cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mem.Primary, primary) || mem.Basis != nil || !slices.Equal(cs.Result.Distance, distance) || !slices.Equal(cs.Result.Assign, assign) {
		t.Error("Settle modified its arguments")
	}
	if fit.Memberships.Basis == nil || len(fit.Memberships.Primary) != len(primary) {
		t.Errorf("Settle did not settle the primary segments")
	}
	var outs []string
	for _, name := range []string{"a", "b"} {
		out := filepath.Join(dir, name)
		m := &output.Manifest{RunID: "run-1", SchemaVersion: output.SchemaVersion, Tool: "segmint", Input: rep, AsOf: time.UnixMicro(table.AsOf).UTC(), WindowStart: time.UnixMicro(table.WindowStart).UTC()}
		if err := pipeline.WriteOutputSet(out, false, output.LayoutFlat, m, fit); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	entries, err := os.ReadDir(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, e := range entries {
		if e.Name() == "manifest.json" { // holds the write's own timing
			continue
		}
		a, errA := os.ReadFile(filepath.Join(outs[0], e.Name()))
		b, errB := os.ReadFile(filepath.Join(outs[1], e.Name()))
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes of one fit", e.Name())
		}
		compared++
	}
	if compared < 7 {
		t.Errorf("compared %d files, want every table and both reports", compared)
	}
}

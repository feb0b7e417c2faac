package output_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

func TestOutputNotOverwrittenWithoutForce(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: 200, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	os.MkdirAll(out, 0o755)
	keep := filepath.Join(out, "mine.txt")
	os.WriteFile(keep, []byte("precious"), 0o644)
	_, err = pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: out, Cluster: pipeline.ClusterOptions{K: 2, StabilityBoots: -1}})
	if !errors.Is(err, output.ErrExists) {
		t.Fatalf("err = %v, want output.ErrExists", err)
	}
	if data, _ := os.ReadFile(keep); string(data) != "precious" {
		t.Error("the user's file was touched")
	}
	// --force replaces segmint's own output only: not a directory holding
	// a user's file.
	_, err = pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: out, Force: true, Cluster: pipeline.ClusterOptions{K: 2, StabilityBoots: -1}})
	var fe *outdir.ForeignError
	if !errors.As(err, &fe) || !errors.Is(err, output.ErrExists) || fe.Foreign[0] != "mine.txt" {
		t.Fatalf("err = %v, want a ForeignError naming mine.txt", err)
	}
	if data, _ := os.ReadFile(keep); string(data) != "precious" {
		t.Error("the user's file was touched by --force")
	}
	os.Remove(keep)
	for range 2 { // into the emptied directory, then over the first run
		if _, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: out, Force: true, Cluster: pipeline.ClusterOptions{K: 2, StabilityBoots: -1}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "customers.parquet")); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("leftovers beside the output: %d entries", len(entries))
	}
}

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// TestGenerateKnobUsageErrors: out-of-range --gap-scale and --noise-share
// values, negative ones first, are usage errors.
func TestGenerateKnobUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--gap-scale", "-1"},
		{"--gap-scale", "0"},
		{"--gap-scale", "0.1"},
		{"--gap-scale", "5"},
		{"--gap-scale", "NaN"},
		{"--noise-share", "-0.1"},
		{"--noise-share", "2"},
		{"--noise-share", "NaN"},
		{"--price-scale", "-2"},
		{"--mix", "no_such=3"},
		{"--mix", "dormant=-1"},
		{"--mix", "dormant"},
	} {
		out := filepath.Join(t.TempDir(), "data")
		code, _, stderr := runCLI(t, append([]string{"generate", "--customers", "10", "--out", out}, args...)...)
		if code != ExitUsage || !strings.Contains(stderr, strings.TrimPrefix(args[0], "--")) {
			t.Errorf("%v: exit %d, want %d; stderr %s", args, code, ExitUsage, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: output written after a usage error", args)
		}
	}
}

// TestGenerateNoiseRejected: generate --noise-share writes page_view rows
// that segmint run counts as rejected for their unknown event_type, and
// --gap-scale data run through the pipeline.
func TestGenerateNoiseRejected(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "400", "--seed", "8", "--out", data,
		"--gap-scale", "1.5", "--noise-share", "0.2", "--quiet"); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	files, err := filepath.Glob(filepath.Join(data, "events-*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events files: %v", err)
	}
	var rows, unknown int64
	for _, f := range files {
		rs, err := parquet.ReadFile[synth.EventRow](f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			rows++
			if r.EventType == synth.NoiseEventType {
				unknown++
			}
		}
	}
	if unknown == 0 {
		t.Fatalf("no %s rows in %d rows", synth.NoiseEventType, rows)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "run", "--events", data, "--out", out, "--k", "6", "--quiet"); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	var m struct {
		Input struct {
			Rows     int64            `json:"rows"`
			Rejected int64            `json:"rejected"`
			Skipped  map[string]int64 `json:"skipped"`
		} `json:"input"`
	}
	readJSON(t, filepath.Join(out, "manifest.json"), &m)
	if m.Input.Rows != rows || m.Input.Skipped[source.SkipUnknownType] != unknown || m.Input.Rejected != unknown {
		t.Errorf("manifest: %d rows, %d rejected, skipped %v; want %d rows, %d rejected for %q",
			m.Input.Rows, m.Input.Rejected, m.Input.Skipped, rows, unknown, source.SkipUnknownType)
	}
}

// TestGenerateMix: --mix changes the weights it names and keeps the others;
// the unlisted archetype appears in the labels only when given weight.
func TestGenerateMix(t *testing.T) {
	out := filepath.Join(t.TempDir(), "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "2000", "--seed", "3", "--out", out,
		"--mix", synth.ComparisonShoppers+"=20,"+synth.Dormant+"=0", "--quiet"); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	labels, err := parquet.ReadFile[synth.LabelRow](filepath.Join(out, "labels.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, l := range labels {
		n[l.Archetype]++
	}
	// Weights sum to 100 - 7 + 20 = 113: comparison shoppers 20/113 of
	// the customers (about 354), no dormant, loyal about 6/113 (106).
	if c := n[synth.ComparisonShoppers]; c < 280 || c > 430 {
		t.Errorf("%d comparison shoppers of 2000, want about 354", c)
	}
	if n[synth.Dormant] != 0 {
		t.Errorf("%d dormant customers with weight 0", n[synth.Dormant])
	}
	if c := n[synth.Loyal]; c < 60 || c > 160 {
		t.Errorf("%d loyal customers of 2000, want about 106 (default weight kept)", c)
	}
}

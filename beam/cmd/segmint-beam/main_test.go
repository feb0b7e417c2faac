package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A catalogue file is read and checked at submission: a bad rule is a
// configuration error naming the file and the segment (exit 5), a good
// one travels with the job.
func TestSegmentsFlag(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("segments:\n  - id: big_baskets\n    rule: items_per_order >= 2\n"), 0o644)
	os.WriteFile(bad, []byte("segments:\n  - id: broken\n    rule: orders >=\n"), 0o644)

	o := options{Events: listFlag{"events.parquet"}, Out: "out", Preset: "rees46", NInit: 10, KMax: 20, KMin: 2, Segments: good, SegMode: "replace"}
	so, err := segbeamOptions(&o)
	if err != nil {
		t.Fatal(err)
	}
	if so.Segments.Source != good || so.Segments.Extend || len(so.Segments.YAML) == 0 {
		t.Errorf("segments spec %+v", so.Segments)
	}
	cat, err := so.Segments.Load()
	if err != nil || len(cat.Segments) != 1 || cat.Segments[0].ID != "big_baskets" {
		t.Errorf("replace mode: catalogue %v, %v", cat, err)
	}

	o.Segments = bad
	_, err = segbeamOptions(&o)
	var ce *configError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), "broken") {
		t.Errorf("bad catalogue: %v, want a configuration error naming the file and the segment", err)
	}
	if code := exitCode(err, new(strings.Builder)); code != exitConfig {
		t.Errorf("exit code %d, want %d", code, exitConfig)
	}

	o.Segments, o.SegMode = good, "merge"
	if _, err := segbeamOptions(&o); err == nil || exitCode(err, new(strings.Builder)) != exitUsage {
		t.Errorf("--segments-mode merge: %v, want a usage error", err)
	}
}

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmint/segmint/output"
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

// The output layout and the rejected share are checked as segmint run
// checks them: a bad value is a usage error.
func TestOutputFlags(t *testing.T) {
	base := options{Events: listFlag{"events.parquet"}, Out: "out", Preset: "rees46", NInit: 10, KMax: 20, KMin: 2, Layout: "flat", MaxReject: 0.5}
	o := base
	o.Layout, o.Previous = "hive", "earlier"
	so, err := segbeamOptions(&o)
	if err != nil || so.OutputLayout != output.LayoutHive || so.Previous != "earlier" || so.MaxRejectedShare != 0.5 {
		t.Errorf("hive, previous: %+v, %v", so, err)
	}
	o = base
	o.MaxReject = 0
	if so, err := segbeamOptions(&o); err != nil || so.MaxRejectedShare <= 0 || so.MaxRejectedShare > 1e-300 {
		t.Errorf("--max-rejected-share 0: %v, %v; want the smallest share", so.MaxRejectedShare, err)
	}
	for _, bad := range []func(*options){
		func(o *options) { o.Layout = "nested" },
		func(o *options) { o.MaxReject = 1.5 },
		func(o *options) { o.MaxReject = -0.1 },
		func(o *options) { o.Sample = 1 },
	} {
		o := base
		bad(&o)
		if _, err := segbeamOptions(&o); err == nil || exitCode(err, new(strings.Builder)) != exitUsage {
			t.Errorf("%+v: %v, want a usage error", o, err)
		}
	}
}

package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmint/segmint/beam/segbeam"
	"github.com/segmint/segmint/internal/jobflags"
	"github.com/segmint/segmint/internal/layoutflags"
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

	o := options{Events: listFlag{"events.parquet"}, Out: "out", Input: layoutflags.Flags{Preset: "rees46"}, Cluster: fitFlags, Predict: predictFlags, Segments: good, SegMode: "replace"}
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

// fitFlags and predictFlags are the fitting flags' defaults.
var (
	fitFlags     = jobflags.Cluster{NInit: 10, KMin: 2, KMax: 20, KStrategy: "seeded"}
	predictFlags = jobflags.Predict{Model: "bgnbd", Horizon: 365, Discount: 0.1}
)

// The fitting flags are segmint run's (internal/jobflags): --k-strategy
// reaches the job, and a value segmint run refuses is a usage error here
// too (--horizon 0 included).
func TestFitFlags(t *testing.T) {
	parse := func(args ...string) (segbeam.Options, error) {
		var o options
		fs := flag.NewFlagSet("segmint-beam", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		registerFlags(fs, &o)
		if err := fs.Parse(append([]string{"--events", "events.parquet", "--out", "out"}, args...)); err != nil {
			t.Fatal(err)
		}
		return segbeamOptions(&o)
	}
	so, err := parse("--k-strategy", "discover", "--k-max", "12", "--clv-model", "pnbd")
	if err != nil || so.Cluster.KStrategy != "discover" || so.Cluster.KMax != 12 || so.Predict.Model != "pnbd" {
		t.Errorf("discover, k-max 12, pnbd: %+v, %v", so.Cluster, err)
	}
	for _, bad := range [][]string{{"--k-strategy", "largest"}, {"--horizon", "0"}, {"--k-min", "9", "--k-max", "3"}, {"--n-init", "-1"}} {
		if _, err := parse(bad...); err == nil || exitCode(err, new(strings.Builder)) != exitUsage {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}

// The output layout and the rejected share are checked as segmint run
// checks them: a bad value is a usage error.
func TestOutputFlags(t *testing.T) {
	base := options{Events: listFlag{"events.parquet"}, Out: "out", Input: layoutflags.Flags{Preset: "rees46"}, Cluster: fitFlags, Predict: predictFlags, Layout: "flat", MaxReject: 0.5}
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

// The input layout flags are segmint's: --event-names and
// --non-product-codes reach the job's layout, and a bad value is an error
// of the kind segmint gives it.
func TestInputLayoutFlags(t *testing.T) {
	parse := func(t *testing.T, args ...string) (*options, error) {
		t.Helper()
		var o options
		fs := flag.NewFlagSet("segmint-beam", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		registerFlags(fs, &o)
		return &o, fs.Parse(append([]string{"--events", "events.parquet", "--out", "out"}, args...))
	}
	tests := []struct {
		name string
		args []string
		code int // exitOK: accepted
	}{
		{"event names and codes", []string{"--event-names", "view=0,cart=1", "--event-names", "purchase=2", "--non-product-codes", "POST,M*"}, exitOK},
		{"no codes", []string{"--preset", "online-retail", "--map", "user_id=CustomerID,event_time=InvoiceDate,product_id=StockCode,price=UnitPrice,quantity=Quantity,order_id=InvoiceNo", "--non-product-codes", "none"}, exitOK},
		{"bad event names", []string{"--event-names", "teleport=9"}, exitConfig},
		{"bad epoch unit", []string{"--epoch-unit", "days"}, exitUsage},
		{"bad preset", []string{"--preset", "nosuch"}, exitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(t, tc.args...)
			if err != nil {
				t.Fatalf("%v: %v", tc.args, err)
			}
			so, err := segbeamOptions(o)
			if tc.code != exitOK {
				if code := exitCode(err, io.Discard); code != tc.code {
					t.Errorf("%v: %v, exit %d; want exit %d", tc.args, err, code, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %v", tc.args, err)
			}
			switch tc.name {
			case "event names and codes":
				if got := so.Layout.EventNames; got["0"] != "view" || got["1"] != "cart" || got["2"] != "purchase" {
					t.Errorf("event names %v, want 0=view, 1=cart, 2=purchase", got)
				}
				if got := so.Layout.NonProductCodes; strings.Join(got, ",") != "POST,M*" {
					t.Errorf("non-product codes %q, want POST and M*", got)
				}
			case "no codes":
				if got := so.Layout.NonProductCodes; len(got) != 0 {
					t.Errorf("--non-product-codes none: codes %q, want none", got)
				}
			}
		})
	}
}

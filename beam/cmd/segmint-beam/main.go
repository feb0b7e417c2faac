// Command segmint-beam runs segmint's features and segments on Apache
// Beam: the same feature definitions, clustering and segment rules as
// `segmint run`, spread over a Beam runner's workers.
//
//	segmint-beam --events 'dump/*.parquet' --out out --runner=prism
//
// Flags (besides Beam's own, which pass through: --runner, --endpoint,
// --environment_type, --project, --region, --staging_location,
// --temp_location, ...):
//
//	--events PATH     event Parquet files, directories or globs, local or on
//	                  one of Beam's file systems (gs://, s3://: a file, "dir/"
//	                  or a glob); repeatable, comma-separated
//	--preset NAME     input layout: rees46 (default), online-retail, retailrocket, ...
//	--map MAPPING     column mapping canonical=source,... (overrides the preset);
//	                  repeatable
//	--epoch-unit U    unit of an integer event_time: s, ms, us or ns
//	--event-names V   the input's event_type values, type=value,... (e.g.
//	                  view=0,cart=1,purchase=2), laid over the preset's
//	--non-product-codes C  product_id codes that are not products, skipped
//	                  and counted by code; replaces the preset's; none for none
//	--as-of TIME      measure recency from TIME and drop later events
//	                  (default: the latest event)
//	--out DIR         output directory or URL: the output set of segmint run
//	                  (customers, clusters, memberships, segments,
//	                  k_selection and with --previous movement tables,
//	                  report.html, report.md, manifest.json)
//	--force           replace a non-empty local --out
//	--layout L        flat (default) or hive, as segmint run
//	--previous DIR    an earlier run's output: the movement of customers
//	                  between segments since then (movement table, report)
//	--max-rejected-share S  warn when the filters reject more than this
//	                  share of the input rows (default 0.5)
//	--seed N          random seed of the sample and of k-means (default 1)
//	--k N             number of clusters; 0 = chosen by --k-strategy
//	--k-strategy S    discover (default), seeded, stability or indices
//	--k-min, --k-max  range of k tried when --k is 0
//	--n-init N        k-means restarts (default 10)
//	--sample N        customers the clusters are fitted on (default
//	                  1000000; 0 = all): the N customers with the smallest
//	                  hash of (id, seed), a uniform sample
//	--shards N        Parquet files of features/ with --features-only (default 16)
//	--features-only   stop after the feature table (features/)
//	--segments FILE   segment catalogue (YAML) extending or replacing the
//	                  built-in one, as segmint run; read at submission and
//	                  carried to the workers
//	--segments-mode M extend (default) or replace
//	--clv-model M     purchase model of the lifetime-value predictions:
//	                  bgnbd (default), pnbd or none, as segmint run; the
//	                  models are fitted on the sample and predict every
//	                  customer
//	--horizon DAYS    horizon of churn_probability, expected_orders and
//	                  predicted_clv (default 365)
//	--discount-rate R annual discount rate of predicted_clv (default 0.10;
//	                  0 for none)
//
// The input flags (--preset, --map, --epoch-unit, --event-names,
// --non-product-codes) are segmint's, from internal/layoutflags.
//
// Exit codes: 0 success, 1 failure, 2 usage error, 3 bad input, 4 output
// exists, 5 bad segment catalogue or column mapping (as segmint), 130
// interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/segmint/segmint/beam/segbeam"
	"github.com/segmint/segmint/internal/exitcode"
	"github.com/segmint/segmint/internal/jobflags"
	"github.com/segmint/segmint/internal/layoutflags"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/source"
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Exit codes: segmint's (package exitcode).
const (
	exitOK    = exitcode.OK
	exitUsage = exitcode.Usage
	// exitConfig is for this command's own configuration errors.
	exitConfig = exitcode.Config
)

// options are the command's flags.
type options struct {
	Events listFlag
	// Input are the flags of the input's layout, as segmint's.
	Input layoutflags.Flags
	AsOf  string
	Out   string
	Force bool
	Seed  uint64
	// Cluster and Predict are the flags of the fitting stages, as
	// segmint run's.
	Cluster   jobflags.Cluster
	Predict   jobflags.Predict
	Sample    int
	Shards    int
	Features  bool
	Segments  string
	SegMode   string
	Layout    string
	Previous  string
	MaxReject float64
}

// listFlag collects repeatable, comma-separated values.
type listFlag = layoutflags.List

// registerFlags adds the command's flags to fs, which must be the global
// flag set: Beam's runners read their own flags from it.
func registerFlags(fs *flag.FlagSet, o *options) {
	fs.Var(&o.Events, "events", "event `PATH`s: Parquet files, directories or globs, local or URLs of Beam's file systems (gs://, s3://; a file, \"dir/\" or a glob); repeatable, comma-separated")
	o.Input.Register(fs)
	fs.StringVar(&o.AsOf, "as-of", "", "measure recency from this `TIME` (RFC 3339 or YYYY-MM-DD) and drop later events; default: the latest event")
	fs.StringVar(&o.Out, "out", "", "output `DIR` or URL (gs://...): the output set of segmint run (tables, report.html, report.md, manifest.json), or features/ with --features-only (required)")
	fs.StringVar(&o.Layout, "layout", "flat", "output layout: flat or hive, as segmint run")
	fs.StringVar(&o.Previous, "previous", "", "an earlier run's output `DIR`: report the movement of customers between segments since then, as segmint run")
	fs.Float64Var(&o.MaxReject, "max-rejected-share", source.DefaultMaxRejectedShare, "warn (report, manifest) when the row filters reject more than this `SHARE` of the input rows (0 warns on any, 1 never)")
	fs.BoolVar(&o.Force, "force", false, "replace a non-empty local --out")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed of the sample and of k-means")
	o.Cluster.Register(fs)
	fs.IntVar(&o.Sample, "sample", 1_000_000, "customers the clusters are fitted on, drawn uniformly by a seeded hash of the id (0 = all)")
	fs.IntVar(&o.Shards, "shards", segbeam.DefaultShards, "Parquet files of features/ (--features-only)")
	fs.BoolVar(&o.Features, "features-only", false, "write the feature table (features/) only, as segmint features")
	fs.StringVar(&o.Segments, "segments", "", "segment catalogue `FILE` (YAML) replacing or extending the built-in one, as segmint run")
	fs.StringVar(&o.SegMode, "segments-mode", "extend", "how --segments combines with the built-in catalogue: extend or replace")
	o.Predict.Register(fs)
}

// usageError is a problem with the flags.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// configError is a bad segment catalogue, column mapping, event names or
// non-product codes.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }

// segbeamOptions checks the flags and turns them into the job's options.
func segbeamOptions(o *options) (segbeam.Options, error) {
	var so segbeam.Options
	if len(o.Events) == 0 {
		return so, usagef("--events is required")
	}
	if o.Out == "" {
		return so, usagef("--out is required")
	}
	if o.Sample < 0 || o.Shards < 0 {
		return so, usagef("--sample and --shards must not be negative")
	}
	if o.Sample == 1 {
		return so, usagef("--sample 1: want 0 (every customer) or at least 2")
	}
	cluster, err := o.Cluster.Options(o.Seed, 0)
	if err != nil {
		return so, err
	}
	layout, err := o.Input.Layout()
	if err != nil {
		return so, err
	}
	outLayout, err := output.ParseLayout(o.Layout)
	if err != nil {
		return so, usagef("--layout: %v", err)
	}
	maxReject, err := layoutflags.MaxRejectedShare(o.MaxReject)
	if err != nil {
		return so, err
	}
	predict, err := o.Predict.Options()
	if err != nil {
		return so, err
	}
	so = segbeam.Options{Events: o.Events, Layout: layout, Out: o.Out, Force: o.Force, Sample: o.Sample, Shards: o.Shards, FeaturesOnly: o.Features, Predict: predict,
		OutputLayout: outLayout, Previous: o.Previous, MaxRejectedShare: maxReject,
		Cluster: cluster}
	if !strings.Contains(o.Out, "://") {
		if err := outdir.CheckDisjoint(o.Out, []outdir.Input{{Flag: "--segments", Path: o.Segments}}); err != nil {
			return so, err
		}
	}
	if o.Segments != "" {
		if o.SegMode != "extend" && o.SegMode != "replace" {
			return so, usagef("--segments-mode %q: want extend or replace", o.SegMode)
		}
		data, err := os.ReadFile(o.Segments)
		if err != nil {
			return so, &configError{err}
		}
		so.Segments = segbeam.CatalogueSpec{YAML: data, Source: o.Segments, Extend: o.SegMode == "extend"}
		if _, err := so.Segments.Load(); err != nil {
			return so, &configError{err}
		}
	}
	if so.AsOf, err = layoutflags.AsOf(o.AsOf); err != nil {
		return so, err
	}
	return so, nil
}

// Main runs the command with args (without the program name) and returns
// the exit code. On a Beam worker, beam.Init takes over and never returns.
func Main(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.CommandLine
	fs.SetOutput(stderr)
	registerFlags(fs, &o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	beam.Init()
	so, err := segbeamOptions(&o)
	if err != nil {
		return exitCode(err, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	counters, err := segbeam.Run(ctx, so, beamx.RunWithMetrics)
	if err != nil {
		return exitCode(err, stderr)
	}
	fmt.Fprintf(stdout, "segmint-beam: %d events in %.1fs; wrote %s\n", counters["events"], time.Since(start).Seconds(), so.Out)
	for name, n := range counters {
		if strings.HasPrefix(name, "skipped_") && n > 0 {
			fmt.Fprintf(stdout, "  skipped (%s): %d\n", strings.TrimPrefix(name, "skipped_"), n)
		}
	}
	return exitOK
}

func exitCode(err error, stderr io.Writer) int {
	fmt.Fprintln(stderr, "segmint-beam:", err)
	var (
		ue *usageError
		ce *configError
	)
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ce):
		return exitConfig
	}
	return exitcode.Of(err)
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/segmint/segmint/demo"
	"github.com/segmint/segmint/internal/jobflags"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
)

type runOptions struct {
	Config       string
	input        inputOptions
	log          logOptions
	Out          string
	Force        bool
	cluster      jobflags.Cluster
	Seed         uint64
	Boots        int
	Segments     string
	SegmentsMode string
	Previous     string
	Layout       string
	predict      jobflags.Predict
}

func runFlags(o *runOptions, stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("run", `segmint run [--events PATH...] [--out DIR] [flags]

Runs the whole job: reads the events, engineers per-customer features,
clusters the customers with k-means, maps the clusters onto the named
segments of the catalogue, and writes customers.parquet, clusters.parquet,
memberships.parquet, report.html and manifest.json into --out. With no
--events, runs on the embedded demo data set. The outputs are staged and
moved into place at the end: a failed run writes nothing.`, stderr)
	o.input.register(fs)
	o.log.register(fs)
	fs.StringVar(&o.Out, "out", "segmint-out", "output `DIR`ectory; must not exist or be empty unless --force, and must not be, contain or lie inside an input")
	fs.BoolVar(&o.Force, "force", false, "replace an earlier run's output in --out: only a directory holding a segmint manifest.json and nothing but the files it lists (with --layout hive, the partitions of the run's as-of date, each holding only segmint's files); anything else is refused with exit 4. The old output is removed only after the new one is complete")
	o.cluster.Register(fs)
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same input, flags and seed give the same segments")
	fs.IntVar(&o.Boots, "stability-boots", 10, "bootstrap refits for cluster stability (0 disables)")
	fs.StringVar(&o.Segments, "segments", "", "segment catalogue `FILE` (YAML) replacing or extending the built-in one")
	fs.StringVar(&o.Previous, "previous", "", "an earlier run's output `DIR` (it may be --out itself: it is read before anything is replaced): report the movement of customers between segments since then (movement.parquet, and a transition matrix in the report)")
	fs.StringVar(&o.Layout, "layout", "flat", "output layout: flat (every file in --out) or hive (TABLE/as_of_date=YYYY-MM-DD/part-00000.parquet partitions for external tables; a run replaces the partitions of its as-of date and leaves the others)")
	fs.StringVar(&o.SegmentsMode, "segments-mode", "extend", "how --segments combines with the built-in catalogue: extend or replace")
	o.predict.Register(fs)
	registerConfig(fs, &o.Config)
	return fs
}

func init() {
	commandFlags["run"] = func() *flag.FlagSet {
		var o runOptions
		return runFlags(&o, io.Discard)
	}
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o runOptions
	fs := runFlags(&o, stderr)
	if err := parseCommand(fs, "run", args, &o.Config); err != nil {
		return err
	}
	o.input.Events = append(o.input.Events, fs.Args()...)
	return run(ctx, o, stdout, stderr)
}

func run(ctx context.Context, o runOptions, stdout, stderr io.Writer) error {
	log, so, done, err := o.input.prepare(&o.log, stderr)
	if err != nil {
		return err
	}
	defer done()
	boots := o.Boots
	if boots == 0 {
		boots = -1
	}
	co, err := o.cluster.Options(o.Seed, boots)
	if err != nil {
		return err
	}
	layout, err := output.ParseLayout(o.Layout)
	if err != nil {
		return usagef("--layout: %v", err)
	}
	po, err := o.predict.Options()
	if err != nil {
		return err
	}
	if err := checkOutput(o.Out, o.input.Events, o.Config, o.Segments); err != nil {
		return err
	}
	cat := segments.Default()
	if o.Segments != "" {
		if o.SegmentsMode != "extend" && o.SegmentsMode != "replace" {
			return usagef("--segments-mode %q: want extend or replace", o.SegmentsMode)
		}
		cat, err = segments.Load(o.Segments, o.SegmentsMode == "extend")
		if err != nil {
			return &configError{err}
		}
	}
	ro := pipeline.RunOptions{Events: o.input.Events, Out: o.Out, Force: o.Force, Previous: o.Previous, Layout: layout, Scan: so, Catalogue: cat, Logger: log, Predict: po,
		Cluster: co}
	if len(ro.Events) == 0 {
		path, cleanup, err := demo.File()
		if err != nil {
			return err
		}
		defer cleanup()
		ro.Events = []string{path}
		ro.InputLabel = demo.Label
		log.Info("no --events given: running on the embedded demo data set", "description", demo.Label)
	}
	m, err := pipeline.Run(ctx, ro)
	if err != nil {
		return err
	}
	if !o.log.Quiet {
		fmt.Fprintf(stdout, "segmint: %d events, %d customers -> %d clusters; wrote %s\n", m.Input.Events, m.Input.Customers, m.K, o.Out)
		for _, c := range m.Mapping.Clusters {
			seg := c.Segment
			if seg == "" {
				seg = "(" + c.Label + ")"
			}
			fmt.Fprintf(stdout, "  cluster %2d  %7d customers (%5.1f%%)  %s\n", c.Cluster, c.Size, 100*c.Share, seg)
		}
		report := filepath.Join(o.Out, "report.html")
		if layout == output.LayoutHive {
			report = filepath.Join(o.Out, "_runs", "as_of_date="+m.AsOf.Format("2006-01-02"), "report.html")
		}
		fmt.Fprintf(stdout, "report: %s\n", report)
	}
	return nil
}

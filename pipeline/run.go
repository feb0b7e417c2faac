package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// RunOptions configure a whole segmint run.
type RunOptions struct {
	// Events are the input paths (files, directories, globs).
	Events []string
	// InputLabel replaces the input paths in the report (for the embedded
	// demo data set).
	InputLabel string
	Out        string
	// Force replaces an existing non-empty Out.
	Force bool
	// Layout is how the files are laid out under Out.
	Layout output.Layout
	// Previous is an earlier run's output directory; when set, the run
	// reports the movement of customers between segments since then.
	Previous  string
	Scan      source.ScanOptions
	Cluster   ClusterOptions
	Predict   PredictOptions
	Catalogue *segments.Catalogue
	Logger    *slog.Logger
}

// Version is the version of segmint, from the build information.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Run executes the whole job: features, clustering, segments, outputs. Every
// output is staged and moved into place at the end; on error nothing is
// written to Out.
func Run(ctx context.Context, o RunOptions) (*output.Manifest, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &output.Manifest{RunID: output.NewRunID(), SchemaVersion: output.SchemaVersion, Tool: "segmint", Version: Version(), GoVersion: runtime.Version(), Started: time.Now().UTC(), Timings: map[string]float64{}, Outputs: map[string]int64{}, InputLabel: o.InputLabel}
	cat := o.Catalogue
	if cat == nil {
		cat = segments.Default()
	}
	// Validate inputs and claim the output before any heavy work.
	if err := outdir.CheckDisjoint(o.Out, EventInputs(o.Events)); err != nil {
		return nil, err
	}
	inputs, err := source.OpenInputs(o.Events, o.Scan.Layout)
	if err != nil {
		return nil, err
	}
	var prev *output.PreviousRun
	if o.Previous != "" {
		if prev, err = output.ReadPreviousRun(o.Previous); err != nil {
			return nil, err
		}
	}
	stage, err := output.Stage(o.Out, o.Force, o.Layout)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			stage.Abort()
		}
	}()

	t0 := time.Now()
	log.Info("computing features", "files", inputs.Len())
	for _, f := range inputs.Skipped {
		log.Info("file skipped", "file", f.Path, "reason", f.Reason)
	}
	table, frep, err := source.ComputeFeaturesOf(ctx, inputs, o.Scan, t0)
	if err != nil {
		return nil, err
	}
	m.Timings["features"] = time.Since(t0).Seconds()
	m.Input = frep
	m.AsOf = time.UnixMicro(table.AsOf).UTC()
	m.WindowStart = time.UnixMicro(table.WindowStart).UTC()
	log.Info("features computed", "events", frep.Events, "customers", frep.Customers, "seconds", m.Timings["features"])
	// A window shorter than the history a segment needs.
	if w := cat.HistoryWarning(table.WindowDays()); w != "" {
		frep.Warnings = append(frep.Warnings, w)
	}
	for _, w := range frep.Warnings {
		log.Warn(w)
	}
	if len(table.Customers) < 2 {
		return nil, &source.RejectedError{Rows: frep.Rows, Skipped: frep.Skipped, Customers: len(table.Customers), Need: 2}
	}

	t1 := time.Now()
	fit, err := Fit(ctx, table, cat, FitOptions{Cluster: o.Cluster, Predict: o.Predict, Previous: prev})
	if err != nil {
		return nil, err
	}
	m.Timings["predictions"] = fit.Predictions.Seconds
	m.Timings["clustering"] = time.Since(t1).Seconds() - fit.Predictions.Seconds
	if r := fit.Predictions.Fit; r.Reason != "" {
		log.Info("no predictions", "reason", r.Reason, "detail", r.Detail)
	} else {
		log.Info("predicted", "model", r.ModelName(), "customers", r.Customers, "seconds", fit.Predictions.Seconds)
	}
	cs := fit.Clusters
	log.Info("clustered", "k", cs.Result.K, "inertia", cs.Result.Inertia, "seconds", m.Timings["clustering"], "strategy", cs.Strategy)

	m.Parameters = output.ManifestParams{K: o.Cluster.K, KMin: o.Cluster.KMin, KMax: o.Cluster.KMax, NInit: o.Cluster.NInit, Seed: o.Cluster.Seed, StabilityBoots: o.Cluster.StabilityBoots, Transform: "auto", Workers: o.Scan.Workers}
	// The manifest's account of the run and every output file, by the
	// code a distributed run writes its output set with.
	if err := write(stage, m, fit); err != nil {
		return nil, err
	}
	if err := stage.Commit(); err != nil {
		return nil, fmt.Errorf("moving the output into %s: %w", o.Out, err)
	}
	committed = true
	return m, nil
}

// EventInputs names event paths as the inputs of --events, for
// outdir.CheckDisjoint.
func EventInputs(paths []string) []outdir.Input {
	inputs := make([]outdir.Input, len(paths))
	for i, p := range paths {
		inputs[i] = outdir.Input{Flag: "--events", Path: p}
	}
	return inputs
}

// summariseSegments is the manifest's account of every catalogue segment.
func summariseSegments(cat *segments.Catalogue, mem *segments.Memberships, mp *segments.Mapping, t *features.Table) []output.SegmentSummary {
	spend := t.Column("total_spend")
	out := make([]output.SegmentSummary, len(cat.Segments))
	for s, seg := range cat.Segments {
		ss := output.SegmentSummary{ID: seg.ID, Name: seg.Name, Evaluated: mem.Evaluated(s), Reason: mem.Reason[s], Members: mem.Sizes[s], Clusters: []int{}}
		for i, in := range mem.Member[s] {
			if in && spend != nil && !math.IsNaN(spend[i]) {
				ss.Revenue += spend[i]
			}
		}
		for i := range mem.Primary {
			if mem.Primary[i] == s {
				ss.Primary++
			}
		}
		for _, c := range mp.Clusters {
			if c.Segment == seg.ID {
				ss.Clusters = append(ss.Clusters, c.Cluster)
			}
		}
		out[s] = ss
	}
	return out
}

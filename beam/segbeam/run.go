package segbeam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// Options configure a segmint job on Beam.
type Options struct {
	// Events are the input paths (files, directories, globs) or URLs of
	// Beam's file systems (gs://, s3://, ...: files, "dir/" or globs),
	// resolved and validated at submission as `segmint run` validates its
	// inputs.
	Events []string
	Layout source.Layout
	// AsOf, when not zero, drops later events and measures recency from
	// it (µs since the epoch); zero means the latest event.
	AsOf int64
	// Out receives the output set of `segmint run` (the tables of
	// docs/outputs.md, report.html, report.md, manifest.json), or with
	// FeaturesOnly features/ (Parquet shards). A local Out is staged
	// beside it and moved into place; a URL (gs://...) is written in
	// place.
	Out   string
	Force bool
	// OutputLayout is flat (TABLE.parquet) or hive, as `segmint run
	// --layout`.
	OutputLayout output.Layout
	// Previous is an earlier run's output directory (of `segmint run` or
	// of this job): the output set then includes the movement of customers
	// between segments since then. The worker that writes the output set
	// reads it at the same path.
	Previous string
	// Cluster configures the fit on the sample, as for `segmint run`.
	// Stability figures are not computed (StabilityBoots < 0) unless
	// asked for.
	Cluster pipeline.ClusterOptions
	// Predict configures the lifetime-value predictions, as for `segmint
	// run` (--clv-model, --horizon, --discount-rate). The models are
	// fitted on the sample, with the clusters, and predict every
	// customer.
	Predict pipeline.PredictOptions
	// Sample is the number of customers the clusters are fitted on: the
	// Sample customers with the smallest seeded hash of their id (see
	// sampleKey). 0 means every customer.
	Sample int
	// Shards is the number of Parquet files of features/ (FeaturesOnly);
	// 0 means 16.
	Shards int
	// RunID identifies the run in the outputs; empty means a new one.
	RunID string
	// FeaturesOnly stops after the feature table (features/), as
	// `segmint features` does.
	FeaturesOnly bool
	// Segments, when its YAML is not empty, is a segment catalogue file
	// extending or replacing the built-in one, as `segmint run --segments`.
	Segments CatalogueSpec
	// MaxRejectedShare is the share of rejected input rows above which the
	// manifest and report warn (0 means source.DefaultMaxRejectedShare).
	MaxRejectedShare float64

	files   []string  // the input files, resolved at submission
	started time.Time // submission
}

// CatalogueSpec is a segment catalogue file's content, carried to the
// workers with the job (they need not see the file).
type CatalogueSpec struct {
	YAML []byte
	// Source names the file in errors.
	Source string
	// Extend adds the file's segments to the built-in catalogue (replacing
	// those of the same id) instead of replacing the whole catalogue.
	Extend bool
}

// Load parses the catalogue: the built-in one when YAML is empty.
func (c CatalogueSpec) Load() (*segments.Catalogue, error) {
	if len(c.YAML) == 0 {
		return segments.Default(), nil
	}
	return segments.LoadBytes(c.YAML, c.Source, c.Extend)
}

// DefaultShards is the number of Parquet shards per output table when
// Options.Shards is 0.
const DefaultShards = 16

// NewRunID returns a run identifier in the form segmint uses: the UTC
// start time and 6 random bytes.
func NewRunID() string {
	var b [6]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Build adds the whole job to the scope, reading splits and writing into
// out:
//
//	splits ─ ReadSplit(PassProducts) ─ Combine(Launches) ─┬─ side input ─┐
//	                                                      └─ window      │
//	splits ─ ReadSplit(PassEvents) + Aggregator per split ◄──────────────┘
//	       ├ (customer, partial Acc) ─ GroupByKey ─ Acc.Merge ───┐
//	       ├ Stats per split ─ Combine(Stats) ─ side input ──────┤
//	       └ rows read and skipped ─ Combine ─ side input        │
//	finalise (Acc.Values) ─ feature rows ─┬─ (features-only: features/ shards)
//	                                      ├─ sample ─ GBK(1 key) ─ fit ─ model
//	                                      └─ assign (model side input)
//	                                          ─ GBK(1 key) ─ write the output set
//	files ─ SHA-256 ─ side input ──────────────────────────────┘
func Build(s beam.Scope, o Options, splits []source.Split, out string) {
	shards := o.Shards
	if shards <= 0 {
		shards = DefaultShards
	}
	s = s.Scope("segmint")
	items := make([]any, len(splits))
	for i, sp := range splits {
		items[i] = sp
	}
	splitCol := beam.Reshuffle(s, beam.Create(s, items...))

	// Pass 1: product launches and the time window.
	partLaunch := beam.ParDo(s.Scope("ReadProducts"), &readProductsFn{Layout: o.Layout, AsOf: o.AsOf}, splitCol)
	launches := beam.Combine(s.Scope("CombineLaunches"), &launchCombineFn{}, partLaunch)
	win := beam.ParDo(s.Scope("Window"), &windowFn{AsOf: o.AsOf}, launches)

	// Pass 2: one partial accumulator per customer and split, merged per
	// customer; the data set's statistics and row counts.
	partial, partStats, partCounts := beam.ParDo3(s.Scope("ReadEvents"), &readEventsFn{Layout: o.Layout, AsOf: o.AsOf}, splitCol, beam.SideInput{Input: launches})
	stats := beam.Combine(s.Scope("CombineStats"), &statsCombineFn{}, partStats)
	rows := beam.ParDo(s.Scope("Finalise"), &finaliseFn{}, beam.GroupByKey(s.Scope("GroupCustomers"), partial), beam.SideInput{Input: win}, beam.SideInput{Input: stats})
	if o.FeaturesOnly {
		fs := s.Scope("WriteFeatures")
		beam.ParDo0(fs, &writeFeaturesFn{Out: out, Shards: shards}, beam.GroupByKey(fs, beam.ParDo(fs, &shardFeaturesFn{Shards: shards}, rows)), beam.SideInput{Input: win}, beam.SideInput{Input: stats})
		return
	}
	counts := beam.Combine(s.Scope("CombineCounts"), &countsCombineFn{}, partCounts)

	// The sample, fitted on one worker.
	seed := o.Cluster.Seed
	sample := rows
	if o.Sample > 0 {
		keys := beam.ParDo(s.Scope("SampleKeys"), &sampleKeyFn{Seed: seed}, rows)
		threshold := beam.Combine(s.Scope("SampleThreshold"), &bottomKFn{K: o.Sample}, keys)
		sample = beam.ParDo(s.Scope("Sample"), &sampleFilterFn{Seed: seed}, rows, beam.SideInput{Input: threshold})
	}
	gathered := beam.GroupByKey(s.Scope("Gather"), beam.AddFixedKey(s, sample))
	model := beam.ParDo(s.Scope("Fit"), &fitFn{Cluster: o.Cluster, Predict: o.Predict, Segments: o.Segments}, gathered, beam.SideInput{Input: win}, beam.SideInput{Input: stats})

	// Every customer.
	customers := beam.ParDo(s.Scope("Assign"), &assignFn{}, rows, beam.SideInput{Input: model})

	// The input files' checksums, for the manifest.
	fileItems := make([]any, len(o.files))
	for i, f := range o.files {
		fileItems[i] = f
	}
	sums := beam.ParDo(s.Scope("Checksums"), &checksumFn{}, beam.Reshuffle(s, beam.Create(s, fileItems...)))

	// The output set, written on one worker by segmint's own writer.
	params := output.ManifestParams{K: o.Cluster.K, KMin: o.Cluster.KMin, KMax: o.Cluster.KMax, NInit: o.Cluster.NInit, Seed: seed, StabilityBoots: o.Cluster.StabilityBoots, Transform: "auto"}
	ws := s.Scope("WriteOutputSet")
	beam.ParDo0(ws, &writeOutputSetFn{O: outputSetOptions{Out: out, Layout: o.OutputLayout, Files: o.files, InputLayout: o.Layout, Previous: o.Previous, RunID: o.RunID, Started: o.started, Params: params, MaxRejected: o.MaxRejectedShare, Segments: o.Segments}},
		beam.GroupByKey(ws, beam.AddFixedKey(ws, customers)),
		beam.SideInput{Input: model}, beam.SideInput{Input: win}, beam.SideInput{Input: stats}, beam.SideInput{Input: counts}, beam.SideInput{Input: sums})
}

// Runner runs a pipeline: beam.Run with a runner's name, or a runner's
// Execute.
type Runner func(context.Context, *beam.Pipeline) (beam.PipelineResult, error)

// Counters are the job's counters (events, skipped rows by reason).
type Counters map[string]int64

// Run validates the inputs, builds the job, runs it with run and, for
// the feature table alone, moves a local output into place (the output
// set is staged and moved into place by the worker that writes it). It
// returns the job's segmint counters.
func Run(ctx context.Context, o Options, run Runner) (Counters, error) {
	if o.RunID == "" {
		o.RunID = NewRunID()
	}
	o.started = time.Now().UTC()
	if o.Cluster.StabilityBoots == 0 {
		o.Cluster.StabilityBoots = -1
	}
	if o.Sample == 1 {
		return nil, fmt.Errorf("a sample of 1 customer: want 0 (every customer) or at least 2")
	}
	if _, err := o.Segments.Load(); err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	if err := o.Predict.Check(); err != nil {
		return nil, fmt.Errorf("predictions: %w", err)
	}
	events, err := expandEvents(ctx, o.Events)
	if err != nil {
		return nil, err
	}
	rep, err := inputReport(ctx, events, o.Layout)
	if err != nil {
		return nil, err
	}
	if kind, column := rep.IDKind(); kind != features.IDInteger {
		return nil, &source.ColumnError{File: rep.Files[0].Path, Column: column, Problem: fmt.Sprintf("holds %s customer ids: segmint-beam keys customers by integer id only (segmint run keeps %s ids)", kind, kind)}
	}
	for _, f := range rep.Files {
		o.files = append(o.files, f.Path)
	}
	splits, err := inputSplits(ctx, o.files, o.Layout)
	if err != nil {
		return nil, err
	}
	if o.Previous != "" {
		if _, err := output.ReadPreviousRun(o.Previous); err != nil {
			return nil, err
		}
	}
	local := !isURL(o.Out)
	if local {
		if err := outdir.CheckDisjoint(o.Out, pipeline.EventInputs(o.Events)); err != nil {
			return nil, err
		}
	}
	stage := o.Out
	if local && o.FeaturesOnly {
		if stage, err = newStaging(o.Out, o.Force, o.RunID); err != nil {
			return nil, err
		}
		defer os.RemoveAll(stage)
	} else if local && o.OutputLayout == output.LayoutFlat {
		if err := checkOut(o.Out, o.Force); err != nil {
			return nil, err
		}
	}
	p, s := beam.NewPipelineWithRoot()
	Build(s, o, splits, stage)
	res, err := run(ctx, p)
	if err != nil {
		return nil, err
	}
	counters := Counters{}
	if res != nil {
		for _, c := range res.Metrics().AllMetrics().Counters() {
			if c.Key.Namespace == metricNamespace {
				counters[c.Key.Name] += c.Result()
			}
		}
	}
	if err := counters.rejected(o.FeaturesOnly); err != nil {
		return counters, err
	}
	if local && o.FeaturesOnly {
		if err := commit(stage, o.Out); err != nil {
			return nil, fmt.Errorf("moving the output into %s: %w", o.Out, err)
		}
	}
	return counters, nil
}

// rejected returns segmint run's error for an input whose rows the filters
// rejected, every one or all but one customer (fewer than two customers
// cannot be segmented; the feature table needs one): no output is written
// then.
func (c Counters) rejected(featuresOnly bool) error {
	need := 2
	if featuresOnly || c["customers"] == 0 {
		need = 1
	}
	if c["customers"] >= int64(need) {
		return nil
	}
	skipped := map[string]int64{}
	for name, n := range c {
		if reason, ok := strings.CutPrefix(name, "skipped_"); ok && n > 0 {
			skipped[reason] = n
		}
	}
	return &source.RejectedError{Rows: c["rows"], Skipped: skipped, Customers: int(c["customers"]), Need: need}
}

// checkOut checks that out may be written: it does not exist, or is empty,
// or (with force) holds nothing but an earlier output of segmint's:
// the files its manifest lists, or a features-only run's feature shards.
func checkOut(out string, force bool) error {
	return outdir.CheckDir(filepath.Clean(out), force, owned)
}

// owned is the rule of an earlier local output: the files of its
// manifest, or, for a features-only output (which has no manifest), the
// Parquet shards under features/ that segmint wrote.
func owned(dir string) (outdir.Owned, error) {
	if outdir.Exists(filepath.Join(dir, outdir.ManifestName)) {
		return outdir.ManifestOwned(dir)
	}
	shard := outdir.ParquetOwned("segmint.schema_version")
	return func(rel, path string) bool {
		return strings.HasPrefix(rel, "features"+string(filepath.Separator)) && shard(rel, path)
	}, nil
}

// newStaging checks that out may be written and makes the staging
// directory beside it.
func newStaging(out string, force bool, runID string) (string, error) {
	if err := checkOut(out, force); err != nil {
		return "", err
	}
	out = filepath.Clean(out)
	dir := filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".staging-"+runID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// commit replaces out by the staged directory; the old output is removed
// only once the new one is in place.
func commit(stage, out string) error { return outdir.Exchange(stage, filepath.Clean(out)) }

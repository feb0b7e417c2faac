package segbeam

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
)

// Options configure a segmint job on Beam.
type Options struct {
	// Events are the input paths (files, directories, globs), resolved
	// and validated at submission by pipeline.Splits. Workers read them by
	// path, so they must see the same file system.
	Events []string
	Layout pipeline.Layout
	// AsOf, when not zero, drops later events and measures recency from
	// it (µs since the epoch); zero means the latest event.
	AsOf int64
	// Out receives features/, customers/ and memberships/ (Parquet shards)
	// and fit.json. A local Out is staged beside it and moved into place
	// when the job succeeds; a URL (gs://...) is written in place.
	Out   string
	Force bool
	// Cluster configures the fit on the sample, as for `segmint run`.
	// Stability figures are not computed (StabilityBoots < 0) unless
	// asked for: they only feed the single-node report.
	Cluster pipeline.ClusterOptions
	// Sample is the number of customers the clusters are fitted on: the
	// Sample customers with the smallest seeded hash of their id (see
	// sampleKey). 0 means every customer.
	Sample int
	// Shards is the number of Parquet files per table; 0 means 16.
	Shards int
	// RunID identifies the run in the outputs; empty means a new one.
	RunID string
	// FeaturesOnly stops after the feature table (features/), as
	// `segmint features` does.
	FeaturesOnly bool
	// Segments, when its YAML is not empty, is a segment catalogue file
	// extending or replacing the built-in one, as `segmint run --segments`.
	Segments CatalogueSpec
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
//	       ─ (customer, partial Acc) ─ CombinePerKey(Acc.Merge) ─┐
//	       └─ Stats per split ─ Combine(Stats) ─ side input ─────┤
//	finalise (Acc.Values) ─ feature rows ─┬─ features/ shards
//	                                      ├─ sample ─ GBK(1 key) ─ fit ─ model
//	                                      └─ assign (model side input)
//	                                          ─ customers/, memberships/ shards
func Build(s beam.Scope, o Options, splits []pipeline.Split, out string) {
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
	// customer; the data set's statistics.
	partial, partStats := beam.ParDo2(s.Scope("ReadEvents"), &readEventsFn{Layout: o.Layout, AsOf: o.AsOf}, splitCol, beam.SideInput{Input: launches})
	accs := beam.CombinePerKey(s.Scope("MergeCustomers"), &accCombineFn{}, partial)
	stats := beam.Combine(s.Scope("CombineStats"), &statsCombineFn{}, partStats)
	rows := beam.ParDo(s.Scope("Finalise"), &finaliseFn{}, accs, beam.SideInput{Input: win}, beam.SideInput{Input: stats})
	fs := s.Scope("WriteFeatures")
	beam.ParDo0(fs, &writeFeaturesFn{Out: out, Shards: shards}, beam.GroupByKey(fs, beam.ParDo(fs, &shardFeaturesFn{Shards: shards}, rows)), beam.SideInput{Input: win}, beam.SideInput{Input: stats})
	if o.FeaturesOnly {
		return
	}

	// The sample, fitted on one worker.
	seed := o.Cluster.Seed
	sample := rows
	if o.Sample > 0 {
		keys := beam.ParDo(s.Scope("SampleKeys"), &sampleKeyFn{Seed: seed}, rows)
		threshold := beam.Combine(s.Scope("SampleThreshold"), &bottomKFn{K: o.Sample}, keys)
		sample = beam.ParDo(s.Scope("Sample"), &sampleFilterFn{Seed: seed}, rows, beam.SideInput{Input: threshold})
	}
	gathered := beam.GroupByKey(s.Scope("Gather"), beam.AddFixedKey(s, sample))
	params := pipeline.ManifestParams{K: o.Cluster.K, KMin: o.Cluster.KMin, KMax: o.Cluster.KMax, NInit: o.Cluster.NInit, Seed: seed, StabilityBoots: o.Cluster.StabilityBoots, Transform: "auto"}
	model := beam.ParDo(s.Scope("Fit"), &fitFn{Cluster: o.Cluster, RunID: o.RunID, Params: params, Out: out, SampleMax: o.Sample, Segments: o.Segments}, gathered, beam.SideInput{Input: win}, beam.SideInput{Input: stats})

	// Every customer.
	customers, members := beam.ParDo2(s.Scope("Assign"), &assignFn{}, rows, beam.SideInput{Input: model})

	// Outputs.
	cs := s.Scope("WriteCustomers")
	beam.ParDo0(cs, &writeCustomersFn{Out: out, Shards: shards}, beam.GroupByKey(cs, beam.ParDo(cs, &shardCustomersFn{Shards: shards}, customers)), beam.SideInput{Input: model})
	ms := s.Scope("WriteMemberships")
	beam.ParDo0(ms, &writeMembershipsFn{Out: out, Shards: shards}, beam.GroupByKey(ms, beam.ParDo(ms, &shardMembersFn{Shards: shards}, members)), beam.SideInput{Input: model})
}

// Runner runs a pipeline: beam.Run with a runner's name, or a runner's
// Execute.
type Runner func(context.Context, *beam.Pipeline) (beam.PipelineResult, error)

// Counters are the job's counters (events, skipped rows by reason).
type Counters map[string]int64

// Run validates the inputs, builds the job, runs it with run and moves a
// local output into place. It returns the job's segmint counters.
func Run(ctx context.Context, o Options, run Runner) (Counters, error) {
	if o.RunID == "" {
		o.RunID = NewRunID()
	}
	if o.Cluster.StabilityBoots == 0 {
		o.Cluster.StabilityBoots = -1
	}
	if _, err := o.Segments.Load(); err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	splits, err := pipeline.Splits(o.Events, o.Layout)
	if err != nil {
		return nil, err
	}
	local := !strings.Contains(o.Out, "://")
	stage := o.Out
	if local {
		if stage, err = newStaging(o.Out, o.Force, o.RunID); err != nil {
			return nil, err
		}
		defer os.RemoveAll(stage)
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
	if local {
		if err := commit(stage, o.Out); err != nil {
			return nil, fmt.Errorf("moving the output into %s: %w", o.Out, err)
		}
	}
	return counters, nil
}

// newStaging checks that out may be written and makes the staging
// directory beside it.
func newStaging(out string, force bool, runID string) (string, error) {
	out = filepath.Clean(out)
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return "", fmt.Errorf("%s: exists and is not a directory", out)
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 && !force {
		return "", fmt.Errorf("%s: %w", out, pipeline.ErrOutputExists)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".staging-"+runID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// commit replaces out by the staged directory; the old output is removed
// only once the new one is in place.
func commit(stage, out string) error {
	out = filepath.Clean(out)
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		return os.Rename(stage, out)
	}
	old := stage + ".old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(stage, out); err != nil {
		os.Rename(old, out)
		return err
	}
	return os.RemoveAll(old)
}

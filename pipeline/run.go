package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// SchemaVersion is the version of the output contract, written into every
// output file's key-value metadata and the manifest.
const SchemaVersion = "1"

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
	Layout OutputLayout
	// Previous is an earlier run's output directory; when set, the run
	// reports the movement of customers between segments since then.
	Previous  string
	Scan      source.ScanOptions
	Cluster   ClusterOptions
	Predict   PredictOptions
	Catalogue *segments.Catalogue
	Logger    *slog.Logger
}

// Manifest records what a run read, how it was configured and what it
// wrote; it is written as manifest.json.
type Manifest struct {
	RunID         string                `json:"run_id"`
	SchemaVersion string                `json:"schema_version"`
	Tool          string                `json:"tool"`
	Version       string                `json:"version"`
	GoVersion     string                `json:"go_version"`
	Started       time.Time             `json:"started"`
	Finished      time.Time             `json:"finished"`
	Input         *source.FeatureReport `json:"input"`
	InputLabel    string                `json:"input_label,omitempty"`
	AsOf          time.Time             `json:"as_of"`
	WindowStart   time.Time             `json:"window_start"`
	Parameters    ManifestParams        `json:"parameters"`
	Features      ManifestFeatures      `json:"features"`
	K             int                   `json:"k"`
	Strategy      string                `json:"k_strategy"`
	Seeds         []string              `json:"seed_groups,omitempty"`
	Inertia       float64               `json:"inertia"`
	Iterations    int                   `json:"iterations"`
	KSelection    *KSelection           `json:"k_selection,omitempty"`
	Stability     *Stability            `json:"stability,omitempty"`
	Mapping       *segments.Mapping     `json:"mapping"`
	Segments      []SegmentSummary      `json:"segments"`
	CLV           *ManifestCLV          `json:"clv"`
	// Reconciled counts the customers who meet several rules and whose
	// primary segment is not the first of them in catalogue order
	// (segments.Memberships.Settle); FromCluster counts the customers
	// who meet no rule and take their cluster's segment.
	Reconciled  int              `json:"primary_reconciled"`
	FromCluster int              `json:"primary_from_cluster"`
	Movement    *MovementSummary `json:"movement,omitempty"`
	Outputs     map[string]int64 `json:"outputs"` // file -> rows
	// Files lists every file of the output's run directory but the
	// manifest itself (a flat --out; a hive run's _runs partition),
	// relative to it: a later --force replaces these and nothing else.
	Files   []string           `json:"files"`
	Timings map[string]float64 `json:"timings_seconds"`
}

// MovementSummary is the manifest's account of movement since a previous run.
type MovementSummary struct {
	PreviousRun  string `json:"previous_run"`
	Stayed       int64  `json:"stayed"`
	Moved        int64  `json:"moved"`
	New          int64  `json:"new"`
	Gone         int64  `json:"gone"`
	ClusterMatch []int  `json:"cluster_match"` // previous cluster of each cluster, -1 for none
}

// ManifestParams are the run's parameters.
type ManifestParams struct {
	K              int    `json:"k"`
	KMin           int    `json:"k_min"`
	KMax           int    `json:"k_max"`
	NInit          int    `json:"n_init"`
	Seed           uint64 `json:"seed"`
	StabilityBoots int    `json:"stability_boots"`
	Transform      string `json:"transform"`
	Workers        int    `json:"workers"`
}

// ManifestFeatures says which features were computed, clustered and left out.
type ManifestFeatures struct {
	Computed  []string           `json:"computed"`
	Clustered []string           `json:"clustered"`
	Absent    []features.Absence `json:"absent"`
	Excluded  []features.Absence `json:"excluded_from_clustering"`
	Log       []string           `json:"log_transformed"`
}

// KSelection holds the curves of the k choice.
type KSelection struct {
	Ks               []int     `json:"ks"`
	Inertia          []float64 `json:"inertia"`
	Silhouette       []float64 `json:"silhouette"`
	CalinskiHarabasz []float64 `json:"calinski_harabasz"`
	DaviesBouldin    []float64 `json:"davies_bouldin"`
	Knee             int       `json:"knee"`
	Chosen           int       `json:"chosen"`
	Rule             string    `json:"rule"`
	SilhouetteSample int       `json:"silhouette_sample"`
	// The stability scan (absent without it): per k the size-weighted mean
	// bootstrap Jaccard and the share of customers in dissolved clusters;
	// the k the stability rule chooses and why.
	StabilityJaccard []float64 `json:"stability_jaccard,omitempty"`
	DissolvedShare   []float64 `json:"dissolved_share,omitempty"`
	StabilityChosen  int       `json:"stability_chosen,omitempty"`
	StabilityRule    string    `json:"stability_rule,omitempty"`
	StabilityBoots   int       `json:"stability_boots,omitempty"`
	StabilitySample  int       `json:"stability_sample,omitempty"`
	// StabilityRangeLimited: the stability rule chose the largest k tried.
	StabilityRangeLimited bool `json:"stability_range_limited,omitempty"`
}

// manifestKSelection is the manifest's record of a k selection.
func manifestKSelection(s *cluster.Selection) *KSelection {
	k := &KSelection{Ks: s.Ks, Inertia: s.Inertia, Silhouette: s.Silhouette, CalinskiHarabasz: s.CalinskiHarabasz, DaviesBouldin: s.DaviesBouldin, Knee: s.Knee, Chosen: s.IndexChoice, Rule: s.IndexRule, SilhouetteSample: s.SilhouetteSample}
	if s.Stability != nil {
		k.StabilityChosen, k.StabilityRule, k.StabilityBoots, k.StabilitySample = s.Chosen, s.Rule, s.StabilityBoots, s.StabilitySample
		k.StabilityRangeLimited = s.RangeLimited
		for _, st := range s.Stability {
			k.StabilityJaccard = append(k.StabilityJaccard, st.MeanJaccard)
			k.DissolvedShare = append(k.DissolvedShare, st.DissolvedShare)
		}
	}
	return k
}

// Stability holds the bootstrap stability figures.
type Stability struct {
	Boots    int       `json:"boots"`
	Jaccard  []float64 `json:"jaccard"`
	Unstable []bool    `json:"unstable"`
	MeanARI  float64   `json:"mean_ari"`
}

// SegmentSummary is one catalogue segment's outcome.
type SegmentSummary struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Evaluated bool    `json:"evaluated"`
	Reason    string  `json:"reason,omitempty"`
	Members   int     `json:"members"`
	Primary   int     `json:"primary"`
	Clusters  []int   `json:"clusters"`
	Revenue   float64 `json:"revenue"`
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
func Run(ctx context.Context, o RunOptions) (*Manifest, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manifest{RunID: newRunID(), SchemaVersion: SchemaVersion, Tool: "segmint", Version: Version(), GoVersion: runtime.Version(), Started: time.Now().UTC(), Timings: map[string]float64{}, Outputs: map[string]int64{}, InputLabel: o.InputLabel}
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
	var prev *PreviousRun
	if o.Previous != "" {
		if prev, err = ReadPreviousRun(o.Previous); err != nil {
			return nil, err
		}
	}
	stage, err := newStaging(o.Out, o.Force, o.Layout)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			stage.abort()
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
	stage.date = m.AsOf.Format("2006-01-02")
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

	m.Parameters = ManifestParams{K: o.Cluster.K, KMin: o.Cluster.KMin, KMax: o.Cluster.KMax, NInit: o.Cluster.NInit, Seed: o.Cluster.Seed, StabilityBoots: o.Cluster.StabilityBoots, Transform: "auto", Workers: o.Scan.Workers}
	// The manifest's account of the run and every output file, by the
	// code a distributed run writes its output set with.
	if err := write(stage, m, fit); err != nil {
		return nil, err
	}
	if err := stage.commit(); err != nil {
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

func summariseSegments(cat *segments.Catalogue, mem *segments.Memberships, mp *segments.Mapping, t *features.Table) []SegmentSummary {
	spend := t.Column("total_spend")
	out := make([]SegmentSummary, len(cat.Segments))
	for s, seg := range cat.Segments {
		ss := SegmentSummary{ID: seg.ID, Name: seg.Name, Evaluated: mem.Evaluated(s), Reason: mem.Reason[s], Members: mem.Sizes[s], Clusters: []int{}}
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

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(JSONSafe(v), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

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

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/report"
	"github.com/segmint/segmint/segments"
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
	// Previous is an earlier run's output directory; when set, the run
	// reports the movement of customers between segments since then.
	Previous  string
	Scan      ScanOptions
	Cluster   ClusterOptions
	Catalogue *segments.Catalogue
	Logger    *slog.Logger
}

// Manifest records what a run read, how it was configured and what it
// wrote; it is written as manifest.json.
type Manifest struct {
	SchemaVersion string             `json:"schema_version"`
	Tool          string             `json:"tool"`
	Version       string             `json:"version"`
	GoVersion     string             `json:"go_version"`
	Started       time.Time          `json:"started"`
	Finished      time.Time          `json:"finished"`
	Input         *FeatureReport     `json:"input"`
	InputLabel    string             `json:"input_label,omitempty"`
	AsOf          time.Time          `json:"as_of"`
	WindowStart   time.Time          `json:"window_start"`
	Parameters    ManifestParams     `json:"parameters"`
	Features      ManifestFeatures   `json:"features"`
	K             int                `json:"k"`
	Strategy      string             `json:"k_strategy"`
	Seeds         []string           `json:"seed_groups,omitempty"`
	Inertia       float64            `json:"inertia"`
	Iterations    int                `json:"iterations"`
	KSelection    *KSelection        `json:"k_selection,omitempty"`
	Stability     *Stability         `json:"stability,omitempty"`
	Mapping       *segments.Mapping  `json:"mapping"`
	Segments      []SegmentSummary   `json:"segments"`
	Movement      *MovementSummary   `json:"movement,omitempty"`
	Outputs       map[string]int64   `json:"outputs"` // file -> rows
	Timings       map[string]float64 `json:"timings_seconds"`
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
	m := &Manifest{SchemaVersion: SchemaVersion, Tool: "segmint", Version: Version(), GoVersion: runtime.Version(), Started: time.Now().UTC(), Timings: map[string]float64{}, Outputs: map[string]int64{}, InputLabel: o.InputLabel}
	cat := o.Catalogue
	if cat == nil {
		cat = segments.Default()
	}
	// Validate inputs and claim the output before any heavy work.
	inputs, err := OpenInputs(o.Events, o.Scan.Layout)
	if err != nil {
		return nil, err
	}
	var prev *previousRun
	if o.Previous != "" {
		if prev, err = readPrevious(o.Previous); err != nil {
			return nil, err
		}
	}
	stage, err := newStaging(o.Out, o.Force)
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
	log.Info("computing features", "files", len(inputs))
	table, frep, err := computeFeatures(ctx, inputs, o.Scan, t0)
	if err != nil {
		return nil, err
	}
	m.Timings["features"] = time.Since(t0).Seconds()
	m.Input = frep
	m.AsOf = time.UnixMicro(table.AsOf).UTC()
	m.WindowStart = time.UnixMicro(table.WindowStart).UTC()
	log.Info("features computed", "events", frep.Events, "customers", frep.Customers, "seconds", m.Timings["features"])
	if len(table.Customers) < 2 {
		return nil, fmt.Errorf("only %d customer(s) in the input: nothing to segment", len(table.Customers))
	}

	t1 := time.Now()
	mem, err := segments.Evaluate(cat, table, o.Cluster.Threads)
	if err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	m.Timings["segments"] = time.Since(t1).Seconds()

	t2 := time.Now()
	cs, err := Cluster(ctx, table, o.Cluster, mem.Primary, func(s int) string { return cat.Segments[s].ID })
	if err != nil {
		return nil, fmt.Errorf("clustering: %w", err)
	}
	m.Timings["clustering"] = time.Since(t2).Seconds()
	log.Info("clustered", "k", cs.Result.K, "inertia", cs.Result.Inertia, "seconds", m.Timings["clustering"], "strategy", cs.Strategy)

	profile := cs.Profile(table)
	mapping := segments.MapClusters(cs.Result.Assign, cs.Result.K, mem, profile)

	// Manifest fields.
	m.Parameters = ManifestParams{K: o.Cluster.K, KMin: o.Cluster.KMin, KMax: o.Cluster.KMax, NInit: o.Cluster.NInit, Seed: o.Cluster.Seed, StabilityBoots: o.Cluster.StabilityBoots, Transform: "auto", Workers: o.Scan.Workers}
	for _, f := range table.Features {
		m.Features.Computed = append(m.Features.Computed, f.Name)
	}
	m.Features.Clustered = cs.Features
	m.Features.Absent = table.Absent
	m.Features.Excluded = cs.Excluded
	for j, l := range cs.Transform.Log {
		if l {
			m.Features.Log = append(m.Features.Log, cs.Features[j])
		}
	}
	m.K, m.Inertia, m.Iterations = cs.Result.K, cs.Result.Inertia, cs.Result.Iterations
	m.Strategy, m.Seeds = cs.Strategy, cs.Seeds
	if s := cs.Selection; s != nil {
		m.KSelection = &KSelection{Ks: s.Ks, Inertia: s.Inertia, Silhouette: s.Silhouette, CalinskiHarabasz: s.CalinskiHarabasz, DaviesBouldin: s.DaviesBouldin, Knee: s.Knee, Chosen: s.Chosen, Rule: s.Rule, SilhouetteSample: s.SilhouetteSample}
	}
	if s := cs.Stability; s != nil {
		m.Stability = &Stability{Boots: s.Boots, Jaccard: s.Jaccard, Unstable: s.Unstable, MeanARI: s.MeanARI}
	}
	m.Mapping = mapping
	m.Segments = summariseSegments(cat, mem, mapping, table)

	var mv *report.Movement
	var mvRows []MovementRow
	if prev != nil {
		mv, mvRows = movement(prev, table.Customers, cs.Result.Assign, func(i int) string { return mapping.Clusters[cs.Result.Assign[i]].Segment }, cs.Result.K)
		m.Movement = &MovementSummary{PreviousRun: prev.Dir, Stayed: mv.Stayed, Moved: mv.Moved, New: mv.New, Gone: mv.Gone, ClusterMatch: mv.ClusterMatch}
	}

	t3 := time.Now()
	if err := writeOutputs(stage, m, table, cs, mem, mapping, mv); err != nil {
		return nil, err
	}
	if prev != nil {
		if err := writeMovement(stage.path("movement.parquet"), mvRows, outputMeta(m)); err != nil {
			return nil, err
		}
		m.Outputs["movement.parquet"] = int64(len(mvRows))
	}
	rd := buildReport(m, table, cs, mem, mapping, cat)
	rd.Movement = mv
	if err := report.WriteHTML(stage.path("report.html"), rd); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	m.Timings["outputs"] = time.Since(t3).Seconds()
	m.Finished = time.Now().UTC()
	if err := writeJSON(stage.path("manifest.json"), m); err != nil {
		return nil, err
	}
	if err := stage.commit(); err != nil {
		return nil, fmt.Errorf("moving the output into %s: %w", o.Out, err)
	}
	committed = true
	return m, nil
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
	data, err := json.MarshalIndent(jsonSafe(v), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// MembershipRow is one row of memberships.parquet.
type MembershipRow struct {
	CustomerID int64  `parquet:"customer_id"`
	Segment    string `parquet:"segment"`
}

func outputMeta(m *Manifest) map[string]string {
	return map[string]string{"segmint.schema_version": SchemaVersion, "segmint.seed": fmt.Sprint(m.Parameters.Seed), "segmint.k": fmt.Sprint(m.K), "segmint.as_of": m.AsOf.Format(time.RFC3339)}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func writeOutputs(stage *staging, m *Manifest, t *features.Table, cs *ClusterStage, mem *segments.Memberships, mp *segments.Mapping, mv *report.Movement) error {
	meta := outputMeta(m)
	n := len(t.Customers)
	// customers.parquet
	cols := []column{{Name: "customer_id", Int64: t.Customers}}
	if t.Country != nil {
		cols = append(cols, column{Name: "country", String: t.Country, NullEmpty: true})
	}
	for j, f := range t.Features {
		cols = append(cols, column{Name: f.Name, Float64: t.Columns[j]})
	}
	clusterCol := make([]int32, n)
	segCol := make([]string, n)
	labelCol := make([]string, n)
	primary := make([]string, n)
	stage_ := make([]string, n)
	for i, c := range cs.Result.Assign {
		clusterCol[i] = int32(c)
		segCol[i] = mp.Clusters[c].Segment
		labelCol[i] = mp.Clusters[c].Label
		primary[i] = mem.PrimaryID(i)
		stage_[i] = mem.StageName(i)
	}
	cols = append(cols,
		column{Name: "cluster", Int32: clusterCol},
		column{Name: "distance", Float64: cs.Result.Distance},
		column{Name: "segment", String: segCol, NullEmpty: true},
		column{Name: "cluster_label", String: labelCol},
		column{Name: "primary_segment", String: primary},
		column{Name: "lifecycle_stage", String: stage_},
	)
	if err := writeTable(stage.path("customers.parquet"), cols, meta); err != nil {
		return err
	}
	m.Outputs["customers.parquet"] = int64(n)

	// clusters.parquet
	k := cs.Result.K
	ids := make([]int32, k)
	size := make([]int64, k)
	share := make([]float64, k)
	seg := make([]string, k)
	label := make([]string, k)
	conf := make([]float64, k)
	lift := make([]float64, k)
	f1 := make([]float64, k)
	jac := make([]float64, k)
	for c, cm := range mp.Clusters {
		ids[c], size[c], share[c], seg[c], label[c], conf[c] = int32(c), int64(cm.Size), cm.Share, cm.Segment, cm.Label, cm.Confidence
		lift[c], f1[c], jac[c] = math.NaN(), math.NaN(), math.NaN()
		if cm.Best != nil {
			lift[c], f1[c] = cm.Best.Lift, cm.Best.F1
		}
		if cs.Stability != nil {
			jac[c] = cs.Stability.Jaccard[c]
		}
	}
	ccols := []column{{Name: "cluster", Int32: ids}, {Name: "size", Int64: size}, {Name: "share", Float64: share}, {Name: "segment", String: seg, NullEmpty: true}, {Name: "label", String: label}, {Name: "confidence", Float64: conf}, {Name: "lift", Float64: lift}, {Name: "f1", Float64: f1}, {Name: "stability_jaccard", Float64: jac}}
	if mv != nil {
		prevCol := make([]int32, k)
		for c, p := range mv.ClusterMatch {
			prevCol[c] = int32(p)
		}
		ccols = append(ccols, column{Name: "previous_cluster", Int32: prevCol})
	}
	for j, f := range t.Features {
		means := make([]float64, k)
		cnt := make([]float64, k)
		for i, v := range t.Columns[j] {
			if !math.IsNaN(v) {
				means[cs.Result.Assign[i]] += v
				cnt[cs.Result.Assign[i]]++
			}
		}
		for c := range means {
			means[c] /= cnt[c] // NaN (null) when no member has the feature
		}
		ccols = append(ccols, column{Name: "mean_" + f.Name, Float64: means})
	}
	if err := writeTable(stage.path("clusters.parquet"), ccols, meta); err != nil {
		return err
	}
	m.Outputs["clusters.parquet"] = int64(k)

	// memberships.parquet (long form), with parquet-go's typed writer.
	rows, err := writeMemberships(stage.path("memberships.parquet"), t, mem, meta)
	if err != nil {
		return err
	}
	m.Outputs["memberships.parquet"] = rows
	return nil
}

func writeMemberships(path string, t *features.Table, mem *segments.Memberships, meta map[string]string) (int64, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
	for k, v := range meta {
		opts = append(opts, parquet.KeyValueMetadata(k, v))
	}
	w := parquet.NewGenericWriter[MembershipRow](f, opts...)
	buf := make([]MembershipRow, 0, 4096)
	var rows int64
	flush := func() error {
		_, err := w.Write(buf)
		rows += int64(len(buf))
		buf = buf[:0]
		return err
	}
	for i, id := range t.Customers {
		for s, seg := range mem.Catalogue.Segments {
			if mem.Member[s][i] {
				buf = append(buf, MembershipRow{CustomerID: id, Segment: seg.ID})
				if len(buf) == cap(buf) {
					if err := flush(); err != nil {
						f.Close()
						return 0, fmt.Errorf("%s: %w", path, err)
					}
				}
			}
		}
	}
	if err := flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Close(); err != nil {
		f.Close()
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := (syncFile{f}).Close(); err != nil {
		return 0, err
	}
	return rows, nil
}

var _ = cluster.AdjustedRand

package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/source"
)

// ClusterFileOptions configure "segmint cluster" on a feature table.
type ClusterFileOptions struct {
	Features string   // the Parquet feature table
	ID       string   // the id column (integer or string)
	Columns  []string // the columns to cluster; empty = every numeric column but the id and the purchase summaries (features.Feature.NotClustered)
	Out      string
	Force    bool
	// Transform is cluster.TransformAuto or cluster.TransformNone.
	Transform cluster.TransformMode
	Cluster   ClusterOptions
}

// ClusterFileManifest is manifest.json of "segmint cluster".
type ClusterFileManifest struct {
	SchemaVersion string             `json:"schema_version"`
	Version       string             `json:"version"`
	Input         string             `json:"input"`
	Rows          int                `json:"rows"`
	Columns       []string           `json:"columns"`
	Transform     string             `json:"transform"`
	LogColumns    []string           `json:"log_transformed"`
	K             int                `json:"k"`
	NInit         int                `json:"n_init"`
	Seed          uint64             `json:"seed"`
	Inertia       float64            `json:"inertia"`
	Iterations    int                `json:"iterations"`
	Converged     bool               `json:"converged"`
	Sizes         []int              `json:"sizes"`
	KSelection    *KSelection        `json:"k_selection,omitempty"`
	Stability     *Stability         `json:"stability,omitempty"`
	Filled        map[string]int     `json:"nulls_filled"`
	Timings       map[string]float64 `json:"timings_seconds"`
	// Files lists the output's other files (a later --force replaces
	// these and nothing else).
	Files []string `json:"files"`
}

type idColumn struct {
	ints   []int64
	strs   []string
	binary bool // strs hold bytes
}

// readFeatureFile reads the id column and the numeric columns of a feature
// table (source.ReadFeatureTable). Nulls in a column named after a segmint
// feature are replaced by the feature's documented fill; nulls elsewhere
// are an error.
func readFeatureFile(ctx context.Context, path, idName string, want []string) (id idColumn, names []string, data []float64, filled map[string]int, err error) {
	t, err := source.ReadFeatureTable(ctx, path, idName, want)
	if err != nil {
		return id, nil, nil, nil, err
	}
	return idColumn{ints: t.IDs, strs: t.Keys, binary: t.Binary}, t.Columns, t.Data, t.Filled, nil
}

// ClusterFile clusters the rows of a feature table and writes
// assignments.parquet (id, cluster, distance), centroids.parquet (one row
// per cluster, centroids in the input's units) and manifest.json into
// o.Out, staged and moved into place at the end.
func ClusterFile(ctx context.Context, o ClusterFileOptions) (*ClusterFileManifest, error) {
	start := time.Now()
	id, names, raw, filled, err := readFeatureFile(ctx, o.Features, o.ID, o.Columns)
	if err != nil {
		return nil, err
	}
	rows, cols := len(raw)/len(names), len(names)
	if rows < 2 {
		return nil, &source.InputError{File: o.Features, Err: fmt.Errorf("%d row(s): nothing to cluster", rows)}
	}
	if err := outdir.CheckDisjoint(o.Out, []outdir.Input{{Flag: "--features", Path: o.Features}}); err != nil {
		return nil, err
	}
	stage, err := newStaging(o.Out, o.Force, LayoutFlat)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			stage.abort()
		}
	}()
	tr, data, err := cluster.FitTransform(raw, rows, cols, o.Transform)
	if err != nil {
		return nil, &source.InputError{File: o.Features, Err: err}
	}
	m := &ClusterFileManifest{SchemaVersion: SchemaVersion, Version: Version(), Input: o.Features, Rows: rows, Columns: names, Transform: "auto", NInit: o.Cluster.NInit, Seed: o.Cluster.Seed, Filled: filled, Timings: map[string]float64{}}
	if o.Transform == cluster.TransformNone {
		m.Transform = "none"
	}
	for j, l := range tr.Log {
		if l {
			m.LogColumns = append(m.LogColumns, names[j])
		}
	}
	if m.NInit == 0 {
		m.NInit = 10
	}
	m.Timings["read"] = time.Since(start).Seconds()
	t1 := time.Now()
	base := cluster.Settings{K: o.Cluster.K, NInit: o.Cluster.NInit, Seed: o.Cluster.Seed, Threads: o.Cluster.Threads}
	var res *cluster.Result
	if o.Cluster.K > 0 {
		if o.Cluster.K > rows {
			return nil, fmt.Errorf("--k %d is more than the %d rows", o.Cluster.K, rows)
		}
		res, err = cluster.KMeans(ctx, data, rows, cols, base)
	} else {
		var sel *cluster.Selection
		kmax := min(max(o.Cluster.KMax, 2), rows-1)
		kmin := min(max(o.Cluster.KMin, 2), kmax)
		ss := cluster.SelectSettings{KMin: kmin, KMax: kmax, Base: base}
		if o.Cluster.KStrategy == KStability {
			ss.StabilityBoots = DefaultSelectionBoots
		}
		sel, err = cluster.SelectK(ctx, data, rows, cols, ss)
		if err == nil {
			// Without the stability scan Chosen is the indices' choice.
			res = sel.Results[slices.Index(sel.Ks, sel.Chosen)]
			m.KSelection = manifestKSelection(sel)
		}
	}
	if err != nil {
		return nil, err
	}
	if o.Cluster.StabilityBoots > 0 && res.K > 1 {
		base.K = res.K
		st, err := cluster.Stability(ctx, data, rows, cols, res, base, o.Cluster.StabilityBoots)
		if err != nil {
			return nil, err
		}
		m.Stability = &Stability{Boots: st.Boots, Jaccard: st.Jaccard, Unstable: st.Unstable, MeanARI: st.MeanARI}
	}
	m.Timings["cluster"] = time.Since(t1).Seconds()
	m.K, m.Inertia, m.Iterations, m.Converged, m.Sizes = res.K, res.Inertia, res.Iterations, res.Converged, res.Sizes

	meta := map[string]string{"segmint.schema_version": SchemaVersion, "segmint.seed": fmt.Sprint(o.Cluster.Seed), "segmint.k": fmt.Sprint(res.K)}
	assign := make([]int32, rows)
	for i, c := range res.Assign {
		assign[i] = int32(c)
	}
	idc := Column{Name: o.ID, Int64: id.ints}
	if id.binary {
		idc = Column{Name: o.ID, Binary: id.strs}
	} else if id.strs != nil {
		idc = Column{Name: o.ID, String: id.strs}
	}
	if err := writeTable(stage.path("assignments.parquet"), []Column{idc, {Name: "cluster", Int32: assign}, {Name: "distance", Float64: res.Distance}}, meta); err != nil {
		return nil, err
	}
	// Centroids in the input's units.
	orig := make([]float64, len(res.Centroids))
	tr.Inverse(orig, res.Centroids)
	ccols := []Column{{Name: "cluster", Int32: make([]int32, res.K)}, {Name: "size", Int64: make([]int64, res.K)}}
	for c := 0; c < res.K; c++ {
		ccols[0].Int32[c] = int32(c)
		ccols[1].Int64[c] = int64(res.Sizes[c])
	}
	for j, name := range names {
		col := make([]float64, res.K)
		for c := range col {
			col[c] = orig[c*cols+j]
		}
		ccols = append(ccols, Column{Name: name, Float64: col})
	}
	if err := writeTable(stage.path("centroids.parquet"), ccols, meta); err != nil {
		return nil, err
	}
	if m.Files, err = stage.files(); err != nil {
		return nil, err
	}
	if err := writeJSON(stage.path("manifest.json"), m); err != nil {
		return nil, err
	}
	if err := stage.commit(); err != nil {
		return nil, err
	}
	committed = true
	return m, nil
}

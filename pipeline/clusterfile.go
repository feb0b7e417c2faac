package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
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

// ClusterFile clusters the rows of a feature table and writes
// assignments.parquet (id, cluster, distance), centroids.parquet (one row
// per cluster, centroids in the input's units) and manifest.json into
// o.Out, staged and moved into place at the end.
func ClusterFile(ctx context.Context, o ClusterFileOptions) (*output.ClusterFileManifest, error) {
	start := time.Now()
	ft, err := source.ReadFeatureTable(ctx, o.Features, o.ID, o.Columns)
	if err != nil {
		return nil, err
	}
	names, raw := ft.Columns, ft.Data
	rows, cols := ft.Rows(), len(names)
	if rows < 2 {
		return nil, &source.InputError{File: o.Features, Err: fmt.Errorf("%d row(s): nothing to cluster", rows)}
	}
	if err := outdir.CheckDisjoint(o.Out, []outdir.Input{{Flag: "--features", Path: o.Features}}); err != nil {
		return nil, err
	}
	stage, err := output.Stage(o.Out, o.Force, output.LayoutFlat)
	if err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed {
			stage.Abort()
		}
	}()
	tr, data, err := cluster.FitTransform(raw, rows, cols, o.Transform)
	if err != nil {
		return nil, &source.InputError{File: o.Features, Err: err}
	}
	m := &output.ClusterFileManifest{SchemaVersion: output.SchemaVersion, Version: Version(), Input: o.Features, Rows: rows, Columns: names, Transform: "auto", NInit: o.Cluster.NInit, Seed: o.Cluster.Seed, Filled: ft.Filled, Timings: map[string]float64{}}
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
			ss.IndicesOnScan = true
		}
		sel, err = cluster.SelectK(ctx, data, rows, cols, ss)
		if err == nil {
			// Without the stability scan Chosen is the indices' choice.
			res = sel.Results[slices.Index(sel.Ks, sel.Chosen)]
			m.KSelection = output.NewKSelection(sel)
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
		m.Stability = output.NewStability(st)
	}
	m.Timings["cluster"] = time.Since(t1).Seconds()
	m.K, m.Inertia, m.Iterations, m.Converged, m.Sizes = res.K, res.Inertia, res.Iterations, res.Converged, res.Sizes

	// Centroids in the input's units.
	orig := make([]float64, len(res.Centroids))
	tr.Inverse(orig, res.Centroids)
	if err := output.WriteClusterFile(stage, m, &output.ClusterFileTables{Input: ft, IDName: o.ID, Result: res, Centroids: orig}); err != nil {
		return nil, err
	}
	if err := stage.Commit(); err != nil {
		return nil, err
	}
	committed = true
	return m, nil
}

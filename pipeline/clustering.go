package pipeline

import (
	"context"
	"fmt"
	"math"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/segments"
)

// ClusterOptions configure the clustering stage of a run.
type ClusterOptions struct {
	// K is the number of clusters; 0 chooses k in [KMin, KMax] by
	// cluster.SelectK's rule.
	K          int
	KMin, KMax int
	NInit      int
	Seed       uint64
	Threads    int
	// StabilityBoots is the number of bootstrap fits for the stability
	// figures; 0 means the default (10), negative disables them.
	StabilityBoots int
}

// Default k range when K is 0.
const (
	DefaultKMin = 2
	DefaultKMax = 20
)

// ClusterStage is the outcome of clustering a feature table.
type ClusterStage struct {
	// Features are the names of the matrix columns.
	Features []string
	// Excluded lists available features left out of the matrix, with why.
	Excluded  []features.Absence
	Rows      int
	Matrix    []float64 // transformed, standardised, row-major
	Transform *cluster.Transform
	Selection *cluster.Selection // nil when K was given
	Result    *cluster.Result
	Stability *cluster.StabilityResult // nil when disabled
}

// FeatureMatrix builds the clustering matrix from a feature table: every
// available feature that varies across customers, with undefined values
// replaced by the feature's documented Fill. It returns the row-major raw
// matrix (before transformation) and the names of its columns.
func FeatureMatrix(t *features.Table) (data []float64, names []string, excluded []features.Absence) {
	n := len(t.Customers)
	var cols [][]float64
	for j, f := range t.Features {
		src := t.Columns[j]
		fill := math.NaN()
		if f.Fill != nil {
			fill = f.Fill(&t.Context)
		}
		col := make([]float64, n)
		lo, hi := math.Inf(1), math.Inf(-1)
		ok := true
		for i, v := range src {
			if math.IsNaN(v) {
				if math.IsNaN(fill) {
					ok = false
					break
				}
				v = fill
			}
			col[i] = v
			lo, hi = min(lo, v), max(hi, v)
		}
		if !ok {
			excluded = append(excluded, features.Absence{Feature: f.Name, Reason: "undefined for some customers and has no fill value"})
			continue
		}
		if !(hi > lo) {
			excluded = append(excluded, features.Absence{Feature: f.Name, Reason: fmt.Sprintf("the same value (%g) for every customer", lo)})
			continue
		}
		cols = append(cols, col)
		names = append(names, f.Name)
	}
	data = make([]float64, n*len(cols))
	for j, col := range cols {
		for i, v := range col {
			data[i*len(cols)+j] = v
		}
	}
	return data, names, excluded
}

// Cluster runs the clustering stage on a feature table.
func Cluster(ctx context.Context, t *features.Table, o ClusterOptions) (*ClusterStage, error) {
	raw, names, excluded := FeatureMatrix(t)
	rows, cols := len(t.Customers), len(names)
	if cols == 0 {
		return nil, fmt.Errorf("no feature varies across customers: nothing to cluster")
	}
	tr, data, err := cluster.FitTransform(raw, rows, cols, cluster.TransformAuto)
	if err != nil {
		return nil, err
	}
	st := &ClusterStage{Features: names, Excluded: excluded, Rows: rows, Matrix: data, Transform: tr}
	base := cluster.Settings{NInit: o.NInit, Seed: o.Seed, Threads: o.Threads}
	if o.K > 0 {
		if o.K > rows {
			return nil, fmt.Errorf("--k %d is more than the %d customers", o.K, rows)
		}
		base.K = o.K
		st.Result, err = cluster.KMeans(ctx, data, rows, cols, base)
		if err != nil {
			return nil, err
		}
	} else {
		kmin, kmax := o.KMin, o.KMax
		if kmin <= 0 {
			kmin = DefaultKMin
		}
		if kmax <= 0 {
			kmax = DefaultKMax
		}
		kmax = min(kmax, rows-1)
		kmin = min(kmin, kmax)
		if kmax < 1 {
			return nil, fmt.Errorf("too few customers (%d) to cluster", rows)
		}
		st.Selection, err = cluster.SelectK(ctx, data, rows, cols, cluster.SelectSettings{KMin: kmin, KMax: kmax, Base: base})
		if err != nil {
			return nil, err
		}
		for i, k := range st.Selection.Ks {
			if k == st.Selection.Chosen {
				st.Result = st.Selection.Results[i]
			}
		}
	}
	boots := o.StabilityBoots
	if boots == 0 {
		boots = 10
	}
	if boots > 0 && st.Result.K > 1 {
		base.K = st.Result.K
		st.Stability, err = cluster.Stability(ctx, data, rows, cols, st.Result, base, boots)
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

// Profile summarises the clusters feature by feature for the mapping's
// evidence: means in the clustering space and in each feature's own unit.
func (st *ClusterStage) Profile(t *features.Table) *segments.Profile {
	k, cols := st.Result.K, len(st.Features)
	p := &segments.Profile{Features: st.Features, Z: make([][]float64, k), ClusterMean: make([][]float64, k), PopulationMean: make([]float64, cols)}
	for c := 0; c < k; c++ {
		p.Z[c] = make([]float64, cols)
		copy(p.Z[c], st.Result.Centroid(c))
		p.ClusterMean[c] = make([]float64, cols)
	}
	sum := make([]float64, k)
	cnt := make([]float64, k)
	for j, name := range st.Features {
		col := t.Column(name)
		clear(sum)
		clear(cnt)
		var all, nall float64
		for i, v := range col {
			if math.IsNaN(v) {
				continue
			}
			c := st.Result.Assign[i]
			sum[c] += v
			cnt[c]++
			all += v
			nall++
		}
		for c := 0; c < k; c++ {
			p.ClusterMean[c][j] = sum[c] / cnt[c]
		}
		p.PopulationMean[j] = all / nall
	}
	return p
}

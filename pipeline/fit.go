package pipeline

import (
	"context"
	"fmt"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/segments"
)

// Fitted is the fitting stage's outcome: everything a run's output set is
// written from. The writers (WriteOutputSet) take no decision of their own:
// writing one Fitted twice gives the same files.
type Fitted struct {
	// Table is the feature table of every customer, rows in ascending id
	// order.
	Table *features.Table
	// Clusters is the clustering stage: Result.Assign and Result.Distance
	// hold every customer of Table (Distance by cluster.Distance, one
	// formula on every path), Matrix the customers' rows in the clustering
	// space.
	Clusters *ClusterStage
	// Memberships are the customers' segment memberships with every
	// customer's primary segment settled (Basis says how).
	Memberships *segments.Memberships
	Catalogue   *segments.Catalogue
	// Predictions are every customer's lifetime-value predictions, made
	// from Table before the rules ran (the rules can read them).
	Predictions *Predictions
	// Mapping maps the clusters onto the segments, with the evidence.
	Mapping *segments.Mapping
	// Reconciliation counts the primary segments by how they were settled.
	Reconciliation segments.Reconciliation
	// Movement, with a previous run, compares it with this one.
	Movement *output.Movement
}

// FitOptions configure the fitting stage.
type FitOptions struct {
	Cluster ClusterOptions
	Predict PredictOptions
	// Previous, when not nil, is an earlier run to compare with.
	Previous *output.PreviousRun
}

// Fit runs the fitting stage on a feature table: the lifetime-value
// predictions (Predict, from the table alone), the segment rules (which
// may read the predictions), the clusters, the mapping of the clusters
// onto the segments and every customer's primary segment. It returns new
// values and modifies none of its arguments.
//
// The part of the clustering that needs no segment groups (the matrix and
// the scan of every k) runs while the predictions and the rules are
// computed; the outcome is the same as one after the other, and so is the
// error reported when several parts fail (predictions, then segments, then
// clustering).
func Fit(ctx context.Context, t *features.Table, cat *segments.Catalogue, o FitOptions) (*Fitted, error) {
	type scanned struct {
		sc  *clusterScan
		err error
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan scanned, 1)
	go func() {
		sc, err := scanClusters(sctx, t, o.Cluster)
		done <- scanned{sc, err}
	}()
	mem, pred, err := evaluateRules(ctx, t, cat, o)
	if err != nil {
		cancel()
		<-done
		return nil, err
	}
	scan := <-done
	if scan.err != nil {
		return nil, fmt.Errorf("clustering: %w", scan.err)
	}
	cs, err := scan.sc.finish(ctx, o.Cluster, mem.Primary, func(s int) string { return cat.Segments[s].ID })
	if err != nil {
		return nil, fmt.Errorf("clustering: %w", err)
	}
	return Settle(t, pred, cs, mem, cat, o.Previous)
}

// evaluateRules predicts (Predict) and evaluates the segment rules, which
// may read the predictions.
func evaluateRules(ctx context.Context, t *features.Table, cat *segments.Catalogue, o FitOptions) (*segments.Memberships, *Predictions, error) {
	pred, err := Predict(ctx, t, o.Predict)
	if err != nil {
		return nil, nil, fmt.Errorf("predictions: %w", err)
	}
	mem, err := segments.Evaluate(cat, RuleTable(t, pred, cat), o.Cluster.Threads)
	if err != nil {
		return nil, nil, fmt.Errorf("segments: %w", err)
	}
	return mem, pred, nil
}

// Settle is the part of the fitting stage after the clustering, shared by
// segmint run and a distributed run (which predicts and clusters on its
// workers): it maps the clusters onto the segments, settles every
// customer's primary segment (segments.Memberships.Settle) and, with prev,
// compares the run with an earlier one. pred are the predictions of t's
// customers the rules read (Predict, or a distributed run's
// CLVFit.Predict). cs and mem are not modified: the distances and the
// settled primary segments are new slices in the result.
func Settle(t *features.Table, pred *Predictions, cs *ClusterStage, mem *segments.Memberships, cat *segments.Catalogue, prev *output.PreviousRun) (*Fitted, error) {
	// Every customer's distance to its centroid by one formula: the fit's
	// vector kernels and a distributed assignment's loop may differ in the
	// last bits, the output set may not.
	res := *cs.Result
	res.Distance = make([]float64, len(res.Assign))
	for i, c := range res.Assign {
		res.Distance[i] = cluster.Distance(cs.Matrix[i*res.Cols:(i+1)*res.Cols], res.Centroid(c))
	}
	stage := *cs
	stage.Result = &res

	profile := stage.Profile(t)
	mapping := segments.MapClusters(res.Assign, res.K, mem, profile)
	settled := *mem
	rec := settled.Settle(stage.Matrix, res.Cols, res.Assign, mapping)
	f := &Fitted{Table: t, Clusters: &stage, Memberships: &settled, Catalogue: cat, Predictions: pred, Mapping: mapping, Reconciliation: rec}
	if prev != nil {
		mv, err := prev.Compare(t, res.Assign, func(i int) string { return mapping.Clusters[res.Assign[i]].Segment }, res.K)
		if err != nil {
			return nil, err
		}
		f.Movement = mv
	}
	return f, nil
}

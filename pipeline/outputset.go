package pipeline

import (
	"fmt"
	"time"

	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/report"
)

// WriteOutputSet writes the whole output set of f (every table of
// docs/outputs.md, report.html, report.md and manifest.json) into out in
// layout, staged and moved into place as Run does, and fills in m: m must
// already hold the run's identity (RunID, Version, ...), Input, AsOf,
// WindowStart and Parameters; WriteOutputSet adds the features, the
// clustering, the mapping, the segments, the movement and the outputs
// written. It takes no decision: f holds them all (Fit, Settle).
func WriteOutputSet(out string, force bool, layout output.Layout, m *output.Manifest, f *Fitted) error {
	stage, err := output.Stage(out, force, layout)
	if err != nil {
		return err
	}
	if err := write(stage, m, f); err != nil {
		stage.Abort()
		return err
	}
	if err := stage.Commit(); err != nil {
		stage.Abort()
		return fmt.Errorf("moving the output into %s: %w", out, err)
	}
	return nil
}

// write fills in m's account of f, gathers the report's data and writes
// every output file of f into stage (output.Write).
func write(stage *output.Staging, m *output.Manifest, f *Fitted) error {
	table, cs, mem, cat, mapping := f.Table, f.Clusters, f.Memberships, f.Catalogue, f.Mapping
	m.Reconciled, m.FromProfile = f.Reconciliation.Moved, f.Reconciliation.FromProfile

	m.Features = output.ManifestFeatures{}
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
	if sel := cs.Selection; sel != nil {
		m.KSelection = output.NewKSelection(sel)
	}
	if st := cs.Stability; st != nil {
		m.Stability = output.NewStability(st)
	}
	m.Mapping = mapping
	m.Segments = summariseSegments(cat, mem, mapping, table)
	m.CLV = manifestCLV(f.Predictions)

	var mv *report.Movement
	if f.Movement != nil {
		mv = f.Movement.Report
		m.Movement = &output.MovementSummary{PreviousRun: f.Movement.Previous, Stayed: mv.Stayed, Moved: mv.Moved, New: mv.New, Gone: mv.Gone, ClusterMatch: mv.ClusterMatch}
	}

	// The outputs' time: the report's data, then the files (output.Write
	// adds its own).
	start := time.Now()
	rd := buildReport(m, table, cs, mem, mapping, cat)
	rd.Movement = mv
	addPredictions(rd, f.Predictions, mem, cat, cs.Result.Assign)
	if m.Timings == nil {
		m.Timings = map[string]float64{}
	}
	m.Timings["outputs"] = time.Since(start).Seconds()
	tables := &output.Tables{Features: table, Result: cs.Result, Stability: cs.Stability, Selection: cs.Selection, Memberships: mem, Mapping: mapping,
		Predictions: predictionTableColumns(f.Predictions, table.AsOf), Movement: f.Movement}
	return output.Write(stage, m, tables, rd)
}

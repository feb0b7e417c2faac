package pipeline

import (
	"fmt"
	"time"

	"github.com/segmint/segmint/report"
)

// PreviousRun is an earlier run's output, read for the movement of
// customers between segments (--previous).
type PreviousRun struct{ p *previousRun }

// ReadPreviousRun reads the customers table (and the manifest, if any) of
// an earlier run's output directory, with the errors of `segmint run
// --previous`.
func ReadPreviousRun(dir string) (*PreviousRun, error) {
	p, err := readPrevious(dir)
	if err != nil {
		return nil, err
	}
	return &PreviousRun{p}, nil
}

// WriteOutputSet writes the whole output set of f (every table of
// docs/outputs.md, report.html, report.md and manifest.json) into out in
// layout, staged and moved into place as Run does, and fills in m: m must
// already hold the run's identity (RunID, Version, ...), Input, AsOf,
// WindowStart and Parameters; WriteOutputSet adds the features, the
// clustering, the mapping, the segments, the movement and the outputs
// written. It takes no decision: f holds them all (Fit, Settle).
func WriteOutputSet(out string, force bool, layout OutputLayout, m *Manifest, f *Fitted) error {
	stage, err := newStaging(out, force, layout)
	if err != nil {
		return err
	}
	if err := write(stage, m, f); err != nil {
		stage.abort()
		return err
	}
	if err := stage.commit(); err != nil {
		stage.abort()
		return fmt.Errorf("moving the output into %s: %w", out, err)
	}
	return nil
}

// write fills in m and writes every output file of f into stage.
func write(stage *staging, m *Manifest, f *Fitted) error {
	table, cs, mem, cat, mapping := f.Table, f.Clusters, f.Memberships, f.Catalogue, f.Mapping
	if m.Timings == nil {
		m.Timings = map[string]float64{}
	}
	if m.Outputs == nil {
		m.Outputs = map[string]int64{}
	}
	stage.date = m.AsOf.Format("2006-01-02")
	m.Reconciled, m.FromCluster = f.Reconciliation.Moved, f.Reconciliation.FromCluster

	m.Features = ManifestFeatures{}
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
		m.KSelection = manifestKSelection(sel)
	}
	if st := cs.Stability; st != nil {
		m.Stability = &Stability{Boots: st.Boots, Jaccard: st.Jaccard, Unstable: st.Unstable, MeanARI: st.MeanARI}
	}
	m.Mapping = mapping
	m.Segments = summariseSegments(cat, mem, mapping, table)
	m.CLV = manifestCLV(f.Predictions)

	var mv *report.Movement
	var mvRows movementRows
	if f.Movement != nil {
		mv, mvRows = f.Movement.Report, f.Movement.rows
		m.Movement = &MovementSummary{PreviousRun: f.Movement.Previous, Stayed: mv.Stayed, Moved: mv.Moved, New: mv.New, Gone: mv.Gone, ClusterMatch: mv.ClusterMatch}
	}

	t3 := time.Now()
	if err := writeOutputs(stage, m, table, f.Predictions, cs, mem, mapping, mv, mvRows); err != nil {
		return err
	}
	rd := buildReport(m, table, cs, mem, mapping, cat)
	rd.Movement = mv
	addPredictions(rd, f.Predictions, mem, cat, cs.Result.Assign)
	htmlPath, err := stage.file("report.html")
	if err != nil {
		return err
	}
	if err := report.WriteHTML(htmlPath, rd); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	mdPath, err := stage.file("report.md")
	if err != nil {
		return err
	}
	if err := report.WriteMarkdown(mdPath, rd); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	m.Timings["outputs"] = time.Since(t3).Seconds()
	m.Finished = time.Now().UTC()
	manPath, err := stage.file("manifest.json")
	if err != nil {
		return err
	}
	if m.Files, err = stage.files(); err != nil {
		return err
	}
	return writeJSON(manPath, m)
}

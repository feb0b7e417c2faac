package pipeline

import (
	"fmt"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/report"
	"github.com/segmint/segmint/segments"
)

// OutputSet is what a run's whole output set is written from: every table
// of docs/outputs.md, report.html, report.md and manifest.json. Run builds
// one from its feature table, clustering stage and segment memberships; a
// distributed run (the Beam job) builds one from the same pieces computed
// on its workers, and both write it with the same code.
type OutputSet struct {
	// Table is the feature table of every customer, rows in ascending id
	// order.
	Table *features.Table
	// Clusters is the clustering stage: Result.Assign and Result.Distance
	// hold every customer of Table, Matrix the customers' rows in the
	// clustering space.
	Clusters *ClusterStage
	// Memberships are the customers' segment memberships as
	// segments.Evaluate returns them (primary segments by the catalogue's
	// precedence); writing maps the clusters onto the segments and
	// reconciles the primary segments with them.
	Memberships *segments.Memberships
	Catalogue   *segments.Catalogue
	// Previous, when not nil, is an earlier run's output: the set then
	// includes the movement table.
	Previous *PreviousRun
}

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

// WriteOutputSet writes the whole output set of s into out in layout,
// staged and moved into place as Run does, and fills in m: m must already
// hold the run's identity (RunID, Version, ...), Input, AsOf, WindowStart
// and Parameters; WriteOutputSet adds the features, the clustering, the
// mapping, the segments, the movement and the outputs written.
func WriteOutputSet(out string, force bool, layout OutputLayout, m *Manifest, s *OutputSet) error {
	stage, err := newStaging(out, force, layout)
	if err != nil {
		return err
	}
	if err := s.write(stage, m); err != nil {
		stage.abort()
		return err
	}
	if err := stage.commit(); err != nil {
		stage.abort()
		return fmt.Errorf("moving the output into %s: %w", out, err)
	}
	return nil
}

// write maps the clusters onto the segments, fills in m and writes every
// output file into stage.
func (s *OutputSet) write(stage *staging, m *Manifest) error {
	table, cs, mem, cat := s.Table, s.Clusters, s.Memberships, s.Catalogue
	if m.Timings == nil {
		m.Timings = map[string]float64{}
	}
	if m.Outputs == nil {
		m.Outputs = map[string]int64{}
	}
	stage.date = m.AsOf.Format("2006-01-02")

	// Every customer's distance to its centroid by one formula: the fit's
	// vector kernels and a distributed assignment's loop may differ in
	// the last bits, the output set may not.
	res := cs.Result
	for i, c := range res.Assign {
		res.Distance[i] = cluster.Distance(cs.Matrix[i*res.Cols:(i+1)*res.Cols], res.Centroid(c))
	}

	profile := cs.Profile(table)
	mapping := segments.MapClusters(cs.Result.Assign, cs.Result.K, mem, profile)
	rec := mem.Reconcile(cs.Result.Assign, mapping)
	m.Reconciled, m.FromCluster = rec.Moved, rec.FromCluster

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

	var mv *report.Movement
	var mvRows movementRows
	if s.Previous != nil {
		prev := s.Previous.p
		var err error
		mv, mvRows, err = compareMovement(prev, table, cs.Result.Assign, func(i int) string { return mapping.Clusters[cs.Result.Assign[i]].Segment }, cs.Result.K)
		if err != nil {
			return err
		}
		m.Movement = &MovementSummary{PreviousRun: prev.Dir, Stayed: mv.Stayed, Moved: mv.Moved, New: mv.New, Gone: mv.Gone, ClusterMatch: mv.ClusterMatch}
	}

	t3 := time.Now()
	if err := writeOutputs(stage, m, table, cs, mem, mapping, mv, mvRows); err != nil {
		return err
	}
	rd := buildReport(m, table, cs, mem, mapping, cat)
	rd.Movement = mv
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

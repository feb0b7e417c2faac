package output

import (
	"fmt"
	"time"

	"github.com/segmint/segmint/report"
)

// Write writes a run's output set into s: every table of t
// (docs/outputs.md), report.html and report.md of rd, and manifest.json of
// m. m must hold the run's identity, its as-of time, its parameters and
// its segments; Write adds the rows of every table (Outputs), its own time
// to Timings["outputs"], the time it finished and the files written. The
// caller commits s (Staging.Commit).
func Write(s *Staging, m *Manifest, t *Tables, rd *report.Data) error {
	start := time.Now()
	if m.Timings == nil {
		m.Timings = map[string]float64{}
	}
	if m.Outputs == nil {
		m.Outputs = map[string]int64{}
	}
	s.date = m.AsOf.Format("2006-01-02")
	if err := writeTables(s, m, t); err != nil {
		return err
	}
	htmlPath, err := s.File("report.html")
	if err != nil {
		return err
	}
	if err := report.WriteHTML(htmlPath, rd); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	mdPath, err := s.File("report.md")
	if err != nil {
		return err
	}
	if err := report.WriteMarkdown(mdPath, rd); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	m.Timings["outputs"] += time.Since(start).Seconds()
	m.Finished = time.Now().UTC()
	manPath, err := s.File("manifest.json")
	if err != nil {
		return err
	}
	if m.Files, err = s.Files(); err != nil {
		return err
	}
	return WriteJSON(manPath, m)
}

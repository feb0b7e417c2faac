package output

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/segmint/segmint/outdir"
)

// ErrExists is returned (wrapped) when the output exists and may not be
// replaced: it is not empty and the caller did not ask to replace it, or it
// holds files segmint did not write (an *outdir.ForeignError).
var ErrExists = outdir.ErrExists

// Layout is how a run's files are laid out under --out.
type Layout int

const (
	// LayoutFlat writes every file directly into --out:
	// customers.parquet, clusters.parquet, ..., report.html, manifest.json.
	LayoutFlat Layout = iota
	// LayoutHive writes each table as a partition of an external table,
	// TABLE/as_of_date=YYYY-MM-DD/part-00000.parquet, and the report and
	// manifest under _runs/as_of_date=YYYY-MM-DD/. --out is a data set root that
	// accumulates partitions: a run replaces the partitions of its own
	// as-of date and leaves the others untouched.
	LayoutHive
)

// ParseLayout parses "flat" or "hive".
func ParseLayout(s string) (Layout, error) {
	switch s {
	case "", "flat":
		return LayoutFlat, nil
	case "hive":
		return LayoutHive, nil
	}
	return 0, fmt.Errorf("unknown output layout %q: want flat or hive", s)
}

// Staging is a directory beside (flat) or inside (hive) the final output
// into which every output file is written; Commit moves it into place, so
// readers see either the previous complete output or the new complete
// output, never a mix.
type Staging struct {
	dir    string
	final  string
	layout Layout
	date   string // the as-of date of hive partitions, YYYY-MM-DD
}

// Stage checks that out may be written and makes its staging directory,
// before any heavy work. A flat out is replaced only with force and only
// when it holds an earlier segmint output and nothing else
// (outdir.CheckDir); a hive root accumulates partitions, each checked when
// it is replaced (Commit). The caller calls Commit, or Abort on any error.
func Stage(out string, force bool, layout Layout) (*Staging, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s: exists and is not a directory: %w", out, ErrExists)
	}
	if layout == LayoutFlat {
		if err := outdir.CheckDir(out, force, outdir.ManifestOwned); err != nil {
			return nil, err
		}
	}
	parent := filepath.Dir(out)
	if layout == LayoutHive {
		parent = out
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".staging-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Staging{dir: dir, final: out, layout: layout}, nil
}

// Table returns the path to write table name (e.g. "customers") to: a
// file of the staging directory (flat), or the table's partition of the
// as-of date (hive; Write sets the date).
func (s *Staging) Table(name string) (string, error) {
	if s.layout == LayoutFlat {
		return filepath.Join(s.dir, name+".parquet"), nil
	}
	dir := filepath.Join(s.dir, name, "as_of_date="+s.date)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, "part-00000.parquet"), nil
}

// File returns the path to write a run file (report.html, manifest.json).
func (s *Staging) File(name string) (string, error) {
	if s.layout == LayoutFlat {
		return filepath.Join(s.dir, name), nil
	}
	dir := filepath.Join(s.dir, runsDir, "as_of_date="+s.date)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// Abort removes the staged files.
func (s *Staging) Abort() { os.RemoveAll(s.dir) }

// Commit moves the staged output into place. Flat: the staging directory
// replaces --out in one atomic exchange. Hive: each staged partition
// replaces the partition of the same table and date the same way; other
// partitions are untouched.
func (s *Staging) Commit() error {
	if s.layout == LayoutFlat {
		if err := outdir.Exchange(s.dir, s.final); err != nil {
			return err
		}
		return nil
	}
	tables, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	var names []string
	for _, t := range tables {
		names = append(names, t.Name())
	}
	sort.Strings(names)
	part := "as_of_date=" + s.date
	for _, t := range names {
		if err := checkPartition(filepath.Join(s.final, t, part), t == runsDir); err != nil {
			return err
		}
	}
	for _, t := range names {
		src := filepath.Join(s.dir, t, part)
		dst := filepath.Join(s.final, t, part)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := outdir.Exchange(src, dst); err != nil {
			return err
		}
	}
	return os.RemoveAll(s.dir)
}

// runsDir is the hive layout's directory of the run files (report.html,
// report.md, manifest.json), one partition per as-of date.
const runsDir = "_runs"

// checkPartition checks that an existing hive partition may be replaced:
// the run files' partition holds only what its manifest lists, a table's
// partition only Parquet files that segmint wrote (a segmint run id in
// their metadata).
func checkPartition(dir string, runs bool) error {
	if !outdir.Exists(dir) {
		return nil
	}
	owned := func(string) (outdir.Owned, error) { return outdir.ParquetOwned("segmint.run_id"), nil }
	if runs {
		owned = outdir.ManifestOwned
	}
	return outdir.CheckDir(dir, true, owned)
}

// Files lists the files staged in the directory of the run files (every
// file of a flat output; a hive run's report and manifest), relative to it,
// for the manifest: they are what a later --force may replace.
func (s *Staging) Files() ([]string, error) {
	dir := s.dir
	if s.layout == LayoutHive {
		dir = filepath.Join(s.dir, runsDir, "as_of_date="+s.date)
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(files)
	return files, err
}

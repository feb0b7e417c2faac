package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"
)

// ErrOutputExists is returned when the output directory exists and is not
// empty and the caller did not ask to replace it.
var ErrOutputExists = errors.New("output directory exists and is not empty (use --force to replace it)")

// OutputLayout is how a run's files are laid out under --out.
type OutputLayout int

const (
	// LayoutFlat writes every file directly into --out:
	// customers.parquet, clusters.parquet, ..., report.html, manifest.json.
	LayoutFlat OutputLayout = iota
	// LayoutHive writes each table as a partition of an external table,
	// TABLE/as_of_date=YYYY-MM-DD/part-00000.parquet, and the report and
	// manifest under _runs/as_of_date=YYYY-MM-DD/. --out is a data set root that
	// accumulates partitions: a run replaces the partitions of its own
	// as-of date and leaves the others untouched.
	LayoutHive
)

// ParseOutputLayout parses "flat" or "hive".
func ParseOutputLayout(s string) (OutputLayout, error) {
	switch s {
	case "", "flat":
		return LayoutFlat, nil
	case "hive":
		return LayoutHive, nil
	}
	return 0, fmt.Errorf("unknown output layout %q: want flat or hive", s)
}

// staging is a directory beside (flat) or inside (hive) the final output
// into which every output file is written; commit moves it into place, so
// readers see either the previous complete output or the new complete
// output, never a mix.
type staging struct {
	dir    string
	final  string
	layout OutputLayout
	date   string // the as-of date of hive partitions, YYYY-MM-DD
}

func newStaging(out string, force bool, layout OutputLayout) (*staging, error) {
	out = filepath.Clean(out)
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s: exists and is not a directory", out)
	}
	if layout == LayoutFlat {
		if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 && !force {
			return nil, fmt.Errorf("%s: %w", out, ErrOutputExists)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
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
	return &staging{dir: dir, final: out, layout: layout}, nil
}

// table returns the path to write table name (e.g. "customers") to.
func (s *staging) table(name string) (string, error) {
	if s.layout == LayoutFlat {
		return filepath.Join(s.dir, name+".parquet"), nil
	}
	dir := filepath.Join(s.dir, name, "as_of_date="+s.date)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, "part-00000.parquet"), nil
}

// file returns the path to write a run file (report.html, manifest.json).
func (s *staging) file(name string) (string, error) {
	if s.layout == LayoutFlat {
		return filepath.Join(s.dir, name), nil
	}
	dir := filepath.Join(s.dir, "_runs", "as_of_date="+s.date)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// path is the staged path of a flat file name (tests and the flat layout).
func (s *staging) path(name string) string { return filepath.Join(s.dir, name) }

// abort removes the staged files.
func (s *staging) abort() { os.RemoveAll(s.dir) }

// commit moves the staged output into place. Flat: the staging directory
// replaces --out in one atomic exchange. Hive: each staged partition
// replaces the partition of the same table and date the same way; other
// partitions are untouched.
func (s *staging) commit() error {
	if s.layout == LayoutFlat {
		if err := swapInto(s.dir, s.final); err != nil {
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
	for _, t := range names {
		part := "as_of_date=" + s.date
		src := filepath.Join(s.dir, t, part)
		dst := filepath.Join(s.final, t, part)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := swapInto(src, dst); err != nil {
			return err
		}
	}
	return os.RemoveAll(s.dir)
}

// swapInto moves directory src to dst. When dst exists, the two are
// exchanged atomically (renameat2 RENAME_EXCHANGE) and the old content,
// now at src, is removed: a reader or a crash sees dst either wholly old or
// wholly new. Where the exchange is not supported, dst is first renamed
// aside, then src renamed into place.
func swapInto(src, dst string) error {
	if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
		return os.Rename(src, dst)
	}
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE)
	if err == nil {
		return os.RemoveAll(src)
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EXDEV) {
		return err
	}
	old := src + ".old"
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		os.Rename(old, dst)
		return err
	}
	return os.RemoveAll(old)
}

package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Input is a path a command reads, named by the flag that gave it.
type Input struct {
	Flag string // e.g. "--events"
	Path string // a file, a directory or a glob
}

// OverlapError is returned when an output is, contains or lies inside one
// of the command's inputs: replacing the output could destroy the input.
type OverlapError struct {
	Output   string // the output as given
	Input    Input  // the input as given
	Relation string // "is", "contains" or "lies inside"
}

func (e *OverlapError) Error() string {
	return fmt.Sprintf("--out %s %s the input %s %s: choose an output outside every input", e.Output, e.Relation, e.Input.Flag, e.Input.Path)
}

// CheckDisjoint returns an *OverlapError when out is, contains or lies
// inside any of inputs, after resolving symbolic links on both sides. A
// glob stands for its root, the directory above its first wildcard, and for
// every file it matches. out need not exist.
func CheckDisjoint(out string, inputs []Input) error {
	o, err := resolve(out)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in.Path == "" {
			continue
		}
		paths := []string{in.Path}
		if hasMeta(in.Path) {
			paths = []string{globRoot(in.Path)}
			matches, err := filepath.Glob(in.Path)
			if err != nil {
				return fmt.Errorf("%s %s: %w", in.Flag, in.Path, err)
			}
			paths = append(paths, matches...)
		}
		for _, p := range paths {
			r, err := resolve(p)
			if err != nil {
				return err
			}
			if rel := relation(o, r); rel != "" {
				return &OverlapError{Output: out, Input: in, Relation: rel}
			}
		}
	}
	return nil
}

// relation says how the resolved output o stands to the resolved input in:
// "is", "contains", "lies inside" or "" when they are disjoint.
func relation(o, in string) string {
	switch {
	case o == in:
		return "is"
	case within(in, o):
		return "contains"
	case within(o, in):
		return "lies inside"
	}
	return ""
}

// within reports whether path lies strictly inside dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// resolve returns the absolute path of p with every symbolic link of its
// longest existing prefix resolved; the part that does not exist yet is
// appended as written.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// globRoot is the directory above a glob's first wildcard.
func globRoot(p string) string {
	i := strings.IndexAny(p, "*?[")
	dir := filepath.Dir(p[:i+1])
	if dir == "" {
		return "."
	}
	return dir
}

// Exists reports whether p exists (without following a final symbolic
// link).
func Exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

package outdir

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeParquet writes a one-row Parquet file with the key-value metadata
// meta.
func writeParquet(t *testing.T, path string, meta map[string]string) {
	t.Helper()
	type row struct{ X int64 }
	var opts []parquet.WriterOption
	for k, v := range meta {
		opts = append(opts, parquet.KeyValueMetadata(k, v))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := parquet.WriteFile(path, []row{{1}}, opts...); err != nil {
		t.Fatal(err)
	}
}

const runManifest = `{"run_id": "r1", "schema_version": "3", "tool": "segmint", "files": ["customers.parquet", "report.html"]}`

func TestCheckDir(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string // path -> content
		force   bool
		foreign []string // nil: the check passes
		exists  bool     // the error is ErrExists without foreign files
	}{
		{name: "absent", files: nil, force: false},
		{name: "empty", files: map[string]string{}, force: false},
		{name: "earlier output without force", files: map[string]string{"manifest.json": runManifest, "customers.parquet": "x"}, exists: true},
		{name: "earlier output with force", files: map[string]string{"manifest.json": runManifest, "customers.parquet": "x", "report.html": "x"}, force: true},
		{name: "staging leftovers", files: map[string]string{"manifest.json": runManifest, ".out.staging-123/customers.parquet": "x", ".labels.parquet.77.tmp": "x"}, force: true},
		{name: "a user's files", files: map[string]string{"thesis.txt": "x", "sub/data.csv": "x"}, force: true, foreign: []string{"sub/data.csv", "thesis.txt"}},
		{name: "output plus a user's file", files: map[string]string{"manifest.json": runManifest, "customers.parquet": "x", "notes.md": "x"}, force: true, foreign: []string{"notes.md"}},
		{name: "a file the manifest does not list", files: map[string]string{"manifest.json": runManifest, "clusters.parquet": "x"}, force: true, foreign: []string{"clusters.parquet"}},
		{name: "someone else's manifest", files: map[string]string{"manifest.json": `{"name": "my-project"}`}, force: true, foreign: []string{"manifest.json"}},
		{name: "legacy manifest", files: map[string]string{"manifest.json": `{"schema_version": "2", "tool": "segmint"}`, "customers.parquet": "x", "movement.parquet": "x"}, force: true},
		{name: "legacy manifest and a user's file", files: map[string]string{"manifest.json": `{"schema_version": "2", "tool": "segmint"}`, "data.parquet": "x"}, force: true, foreign: []string{"data.parquet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			if tc.files != nil {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for p, c := range tc.files {
				write(t, filepath.Join(dir, p), c)
			}
			err := CheckDir(dir, tc.force, ManifestOwned)
			var fe *ForeignError
			switch {
			case tc.foreign != nil:
				if !errors.As(err, &fe) || !errors.Is(err, ErrExists) {
					t.Fatalf("err = %v, want a ForeignError", err)
				}
				if fmt.Sprint(fe.Foreign) != fmt.Sprint(filepathsOf(tc.foreign)) || fe.Count != len(tc.foreign) {
					t.Errorf("foreign %v (%d), want %v", fe.Foreign, fe.Count, tc.foreign)
				}
				for _, f := range tc.foreign {
					if !strings.Contains(err.Error(), filepath.FromSlash(f)) {
						t.Errorf("%q does not name %s", err, f)
					}
				}
			case tc.exists:
				if !errors.Is(err, ErrExists) || errors.As(err, &fe) {
					t.Errorf("err = %v, want ErrExists", err)
				}
			case err != nil:
				t.Errorf("err = %v, want nil", err)
			}
			for p, c := range tc.files {
				got, err := os.ReadFile(filepath.Join(dir, p))
				if err != nil || string(got) != c {
					t.Errorf("%s changed: %q, %v", p, got, err)
				}
			}
		})
	}
}

func filepathsOf(s []string) []string {
	out := make([]string, len(s))
	for i, p := range s {
		out[i] = filepath.FromSlash(p)
	}
	return out
}

func TestForeignErrorNamesTheFirstFew(t *testing.T) {
	dir := t.TempDir()
	for i := range 12 {
		write(t, filepath.Join(dir, fmt.Sprintf("f%02d.csv", i)), "x")
	}
	err := CheckDir(dir, true, ManifestOwned)
	var fe *ForeignError
	if !errors.As(err, &fe) || fe.Count != 12 || len(fe.Foreign) != MaxNamed {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "12 file(s)") || !strings.Contains(err.Error(), "and 7 more") || !strings.Contains(err.Error(), "f00.csv") {
		t.Errorf("message %q", err)
	}
}

func TestSymlinksAreForeign(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "manifest.json"), runManifest)
	target := filepath.Join(t.TempDir(), "precious.csv")
	write(t, target, "keep")
	if err := os.Symlink(target, filepath.Join(dir, "customers.parquet")); err != nil {
		t.Fatal(err)
	}
	var fe *ForeignError
	if err := CheckDir(dir, true, ManifestOwned); !errors.As(err, &fe) || fe.Foreign[0] != "customers.parquet" {
		t.Errorf("a symbolic link the manifest lists: err = %v, want foreign", err)
	}
}

func TestCheckFileByParquetMetadata(t *testing.T) {
	dir := t.TempDir()
	ours := filepath.Join(dir, "features.parquet")
	writeParquet(t, ours, map[string]string{"segmint.schema_version": "3", "segmint.window_days": "30"})
	theirs := filepath.Join(dir, "events.parquet")
	writeParquet(t, theirs, map[string]string{"writer": "duckdb"})
	text := filepath.Join(dir, "notes.txt")
	write(t, text, "x")
	owned := ParquetOwned("segmint.schema_version", "segmint.window_days")
	for _, tc := range []struct {
		path    string
		force   bool
		wantErr bool
		foreign bool
	}{
		{filepath.Join(dir, "new.parquet"), false, false, false},
		{ours, false, true, false},
		{ours, true, false, false},
		{theirs, true, true, true},
		{text, true, true, true},
		{dir, true, true, false},
	} {
		err := CheckFile(tc.path, tc.force, owned)
		var fe *ForeignError
		if (err != nil) != tc.wantErr || errors.As(err, &fe) != tc.foreign || (err != nil && !errors.Is(err, ErrExists)) {
			t.Errorf("CheckFile(%s, force=%v) = %v", filepath.Base(tc.path), tc.force, err)
		}
	}
}

func TestCheckDisjoint(t *testing.T) {
	root := t.TempDir()
	events := filepath.Join(root, "data", "events")
	write(t, filepath.Join(events, "ev-1.parquet"), "x")
	write(t, filepath.Join(root, "cfg", "segmint.toml"), "x")
	if err := os.Symlink(events, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "data"), filepath.Join(root, "datalink")); err != nil {
		t.Fatal(err)
	}
	ev := func(p string) []Input { return []Input{{Flag: "--events", Path: p}} }
	for _, tc := range []struct {
		name   string
		out    string
		inputs []Input
		rel    string // "" = disjoint
	}{
		{"sibling", filepath.Join(root, "data", "out"), ev(events), ""},
		{"same directory", events, ev(events), "is"},
		{"output inside the events", filepath.Join(events, "out"), ev(events), "lies inside"},
		{"output contains the events", filepath.Join(root, "data"), ev(events), "contains"},
		{"file is the output", filepath.Join(events, "ev-1.parquet"), ev(filepath.Join(events, "ev-1.parquet")), "is"},
		{"output contains the file", root, ev(filepath.Join(events, "ev-1.parquet")), "contains"},
		{"beside the file", filepath.Join(events, "..", "out"), ev(filepath.Join(events, "ev-1.parquet")), ""},
		{"glob root", filepath.Join(events, "out"), ev(filepath.Join(events, "*.parquet")), "lies inside"},
		{"glob root's sibling", filepath.Join(root, "data", "out"), ev(filepath.Join(events, "*.parquet")), ""},
		{"output through a symlink", filepath.Join(root, "link"), ev(events), "is"},
		{"input through a symlink", filepath.Join(root, "data"), ev(filepath.Join(root, "link")), "contains"},
		{"not yet existing, under a symlink", filepath.Join(root, "datalink", "events", "new", "out"), ev(events), "lies inside"},
		{"relative dot dot", filepath.Join(events, "sub", "..", "..", "x"), ev(events), ""},
		{"config file", filepath.Join(root, "cfg"), []Input{{Flag: "--config", Path: filepath.Join(root, "cfg", "segmint.toml")}}, "contains"},
		{"empty input skipped", filepath.Join(root, "cfg"), []Input{{Flag: "--segments", Path: ""}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDisjoint(tc.out, tc.inputs)
			var oe *OverlapError
			if tc.rel == "" {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if !errors.As(err, &oe) || oe.Relation != tc.rel {
				t.Fatalf("err = %v, want the output to %s the input", err, tc.rel)
			}
			if !strings.Contains(err.Error(), tc.out) || !strings.Contains(err.Error(), tc.inputs[0].Path) {
				t.Errorf("%q does not name both paths", err)
			}
		})
	}
}

// TestCheckDisjointProperty generates output and input paths in every
// relation (same, parent, child, sibling, through symbolic links on either
// side) and checks CheckDisjoint against the relation of the real paths.
func TestCheckDisjointProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	seen := map[string]int{}
	defer func() {
		for _, rel := range []string{"", "is", "contains", "lies inside"} {
			if seen[rel] == 0 {
				t.Errorf("no trial had relation %q: %v", rel, seen)
			}
		}
	}()
	for trial := range 200 {
		root := t.TempDir()
		// A tree of directories d0/d1/... two to four deep, a file in the
		// deepest, and a symlink to a random directory of the tree.
		depth := 2 + rng.IntN(3)
		dirs := []string{root}
		for i := range depth {
			dirs = append(dirs, filepath.Join(dirs[i], fmt.Sprintf("d%d", i)))
		}
		file := filepath.Join(dirs[depth], "ev.parquet")
		write(t, file, "x")
		target := dirs[1+rng.IntN(depth)]
		link := filepath.Join(root, "link")
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		real := append(append([]string{}, dirs[1:]...), file, filepath.Join(dirs[1+rng.IntN(depth)], "new"), filepath.Join(root, "sibling"))
		pick := func() (written, actual string) {
			actual = real[rng.IntN(len(real))]
			written = actual
			if rel, err := filepath.Rel(target, actual); err == nil && !strings.HasPrefix(rel, "..") && rng.IntN(2) == 0 {
				written = filepath.Join(link, rel) // the same path through the link
			}
			return written, actual
		}
		out, outReal := pick()
		in, inReal := pick()
		if !Exists(inReal) {
			continue // an input exists
		}
		want := ""
		switch {
		case outReal == inReal:
			want = "is"
		case strings.HasPrefix(inReal, outReal+string(filepath.Separator)):
			want = "contains"
		case strings.HasPrefix(outReal, inReal+string(filepath.Separator)):
			want = "lies inside"
		}
		err := CheckDisjoint(out, []Input{{Flag: "--events", Path: in}})
		var oe *OverlapError
		got := ""
		if errors.As(err, &oe) {
			got = oe.Relation
		} else if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		seen[want]++
		if got != want {
			t.Errorf("trial %d: out %s, input %s: relation %q, want %q", trial, out, in, got, want)
		}
	}
}

func TestExchangeKeepsTheOldUntilTheNewIsInPlace(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	write(t, filepath.Join(out, "manifest.json"), "old")
	stage, err := Stage(out)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(stage) != root || !strings.HasPrefix(filepath.Base(stage), ".out.staging-") {
		t.Errorf("stage %s is not beside %s", stage, out)
	}
	write(t, filepath.Join(stage, "manifest.json"), "new")
	if err := Exchange(stage, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	entries, _ := os.ReadDir(root)
	if string(got) != "new" || len(entries) != 1 {
		t.Errorf("after the exchange: manifest %q, %d entries in the parent", got, len(entries))
	}
}

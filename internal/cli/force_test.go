package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshot returns every regular file under root with its content, and
// every symbolic link with its target.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			files[path] = "-> " + target
			return err
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			files[path] = string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameFiles fails unless root holds exactly the files of before.
func sameFiles(t *testing.T, root string, before map[string]string) {
	t.Helper()
	after := snapshot(t, root)
	for p, c := range before {
		if got, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if got != c {
			t.Errorf("%s was changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was added", p)
		}
	}
}

// generated writes a small generated data set once per test.
func generated(t *testing.T, dir string) string {
	t.Helper()
	if code, _, stderr := runCLI(t, "generate", "--customers", "300", "--seed", "9", "--out", dir, "--quiet"); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	return dir
}

var fastRun = []string{"--k", "4", "--stability-boots", "0", "--quiet"}

func runArgs(args ...string) []string { return append(append([]string{"run"}, args...), fastRun...) }

// TestForceNeverRemovesAUsersFiles is every case where --force used to
// delete files segmint did not write: each exits non-zero with a message
// naming the problem and leaves every file as it was.
func TestForceNeverRemovesAUsersFiles(t *testing.T) {
	root := t.TempDir()
	data := generated(t, filepath.Join(root, "data"))
	events := filepath.Join(data, "events-00000.parquet")

	t.Run("a directory of a user's files", func(t *testing.T) {
		dir := filepath.Join(root, "thesis")
		write(t, filepath.Join(dir, "thesis.txt"), "chapter one")
		write(t, filepath.Join(dir, "sub", "data.csv"), "a,b\n1,2\n")
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, runArgs("--events", events, "--out", dir, "--force")...)
		if code != ExitOutput || !strings.Contains(stderr, "thesis.txt") || !strings.Contains(stderr, "2 file(s) segmint did not write") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("events inside the output directory", func(t *testing.T) {
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, runArgs("--events", data, "--out", data, "--force")...)
		if code != ExitUsage || !strings.Contains(stderr, "--out "+data+" is the input --events "+data) {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("output contains the events' folder", func(t *testing.T) {
		parent := filepath.Join(root, "parent")
		ev := filepath.Join(parent, "out", "ev.parquet")
		copyFile(t, events, ev)
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, runArgs("--events", ev, "--out", parent, "--force")...)
		if code != ExitUsage || !strings.Contains(stderr, "contains the input --events "+ev) {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("features over its own input", func(t *testing.T) {
		f := filepath.Join(root, "f.parquet")
		copyFile(t, events, f)
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, "features", "--events", f, "--out", f, "--force", "--quiet")
		if code != ExitUsage || !strings.Contains(stderr, "is the input --events") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("features over a file segmint did not write", func(t *testing.T) {
		f := filepath.Join(root, "other.parquet")
		copyFile(t, events, f) // the generator's events, not a feature table
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, "features", "--events", events, "--out", f, "--force", "--quiet")
		if code != ExitOutput || !strings.Contains(stderr, "segmint did not write this file") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("output through a symbolic link to the events", func(t *testing.T) {
		link := filepath.Join(root, "link")
		if err := os.Symlink(data, link); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(link)
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, runArgs("--events", events, "--out", link, "--force")...)
		if code != ExitUsage || !strings.Contains(stderr, "contains the input") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("output holds the config file", func(t *testing.T) {
		dir := filepath.Join(root, "cfgdir")
		cfg := filepath.Join(dir, "segmint.toml")
		write(t, cfg, "[run]\nk = 4\n")
		before := snapshot(t, root)
		code, _, stderr := runCLI(t, runArgs("--events", events, "--config", cfg, "--out", dir, "--force")...)
		if code != ExitUsage || !strings.Contains(stderr, "--config "+cfg) {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
	t.Run("cluster output holding a user's file", func(t *testing.T) {
		feat := filepath.Join(root, "feat.parquet")
		if code, _, stderr := runCLI(t, "features", "--events", events, "--out", feat, "--quiet"); code != ExitOK {
			t.Fatal(stderr)
		}
		cl := filepath.Join(root, "cl")
		if code, _, stderr := runCLI(t, "cluster", "--features", feat, "--k", "3", "--out", cl, "--quiet"); code != ExitOK {
			t.Fatal(stderr)
		}
		// An earlier output alone is replaced ...
		if code, _, stderr := runCLI(t, "cluster", "--features", feat, "--k", "3", "--out", cl, "--quiet", "--force"); code != ExitOK {
			t.Fatalf("replacing an earlier cluster output: %s", stderr)
		}
		// ... one with a user's file beside it is not.
		write(t, filepath.Join(cl, "notes.md"), "mine")
		before := snapshot(t, root)
		if code, _, stderr := runCLI(t, "cluster", "--features", feat, "--k", "3", "--out", cl, "--quiet", "--force"); code != ExitOutput || !strings.Contains(stderr, "notes.md") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
		// features --force replaces its own earlier table.
		if code, _, stderr := runCLI(t, "features", "--events", events, "--out", feat, "--quiet", "--force"); code != ExitOK {
			t.Errorf("replacing an earlier feature table: %s", stderr)
		}
	})
	t.Run("generate over a user's files", func(t *testing.T) {
		dir := filepath.Join(root, "gen")
		generated(t, dir)
		if code, _, stderr := runCLI(t, "generate", "--customers", "200", "--out", dir, "--force", "--quiet"); code != ExitOK {
			t.Fatalf("replacing an earlier generated set: %s", stderr)
		}
		write(t, filepath.Join(dir, "README.txt"), "mine")
		before := snapshot(t, root)
		if code, _, stderr := runCLI(t, "generate", "--customers", "200", "--out", dir, "--force", "--quiet"); code != ExitOutput || !strings.Contains(stderr, "README.txt") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		sameFiles(t, root, before)
	})
}

// TestForceReplacesAnEarlierRun: --force replaces segmint's own output, flat
// and hive, and a hive partition holding a user's file is refused.
func TestForceReplacesAnEarlierRun(t *testing.T) {
	root := t.TempDir()
	events := filepath.Join(generated(t, filepath.Join(root, "data")), "events-00000.parquet")
	out := filepath.Join(root, "out")
	runID := func(dir string) string {
		var m struct {
			RunID string   `json:"run_id"`
			Files []string `json:"files"`
		}
		readJSON(t, filepath.Join(dir, "manifest.json"), &m)
		if len(m.Files) < 5 {
			t.Errorf("manifest lists %v", m.Files)
		}
		return m.RunID
	}
	for i := range 2 {
		if code, _, stderr := runCLI(t, runArgs("--events", events, "--out", out, "--force")...); code != ExitOK {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr)
		}
	}
	first := runID(out)
	if code, _, stderr := runCLI(t, runArgs("--events", events, "--out", out, "--force")...); code != ExitOK {
		t.Fatalf("third run: %s", stderr)
	}
	if runID(out) == first {
		t.Error("--force did not replace the earlier run")
	}
	if entries, _ := os.ReadDir(root); len(entries) != 2 {
		t.Errorf("the parent holds %d entries (staging left behind?)", len(entries))
	}

	hive := filepath.Join(root, "hive")
	args := runArgs("--events", events, "--out", hive, "--layout", "hive")
	for i := range 2 {
		if code, _, stderr := runCLI(t, args...); code != ExitOK {
			t.Fatalf("hive run %d: %s", i, stderr)
		}
	}
	parts, _ := filepath.Glob(filepath.Join(hive, "customers", "as_of_date=*"))
	if len(parts) != 1 {
		t.Fatalf("partitions %v", parts)
	}
	write(t, filepath.Join(parts[0], "export.csv"), "mine")
	before := snapshot(t, root)
	if code, _, stderr := runCLI(t, args...); code != ExitOutput || !strings.Contains(stderr, "export.csv") {
		t.Errorf("hive partition with a user's file: exit %d: %s", code, stderr)
	}
	sameFiles(t, root, before)
}

// TestRollingRunWithItselfAsPrevious: --out current --previous current
// --force reads the previous run completely before replacing it, and the
// movement table compares the two runs.
func TestRollingRunWithItselfAsPrevious(t *testing.T) {
	root := t.TempDir()
	data := generated(t, filepath.Join(root, "data"))
	cur := filepath.Join(root, "current")
	// The first run sees a week less, so customers move.
	if code, _, stderr := runCLI(t, runArgs("--events", data, "--out", cur, "--as-of", "2025-06-01")...); code != ExitOK {
		t.Fatalf("first run: %s", stderr)
	}
	var m1 struct {
		RunID   string           `json:"run_id"`
		Outputs map[string]int64 `json:"outputs"`
	}
	readJSON(t, filepath.Join(cur, "manifest.json"), &m1)
	if code, _, stderr := runCLI(t, runArgs("--events", data, "--out", cur, "--previous", cur, "--force")...); code != ExitOK {
		t.Fatalf("rolling run: %s", stderr)
	}
	var m2 struct {
		Movement struct {
			PreviousRun              string `json:"previous_run"`
			Stayed, Moved, New, Gone int64
		} `json:"movement"`
		Outputs map[string]int64 `json:"outputs"`
	}
	raw, err := os.ReadFile(filepath.Join(cur, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m2); err != nil {
		t.Fatal(err)
	}
	mv := m2.Movement
	if mv.Stayed+mv.Moved == 0 || mv.PreviousRun == "" {
		t.Errorf("movement %+v: no customer of the previous run was matched", mv)
	}
	if mv.Stayed+mv.Moved+mv.New != m2.Outputs["customers"] || mv.Stayed+mv.Moved+mv.Gone != m1.Outputs["customers"] {
		t.Errorf("movement %+v does not account for %d previous and %d current customers", mv, m1.Outputs["customers"], m2.Outputs["customers"])
	}
	if m2.Outputs["movement"] != mv.Stayed+mv.Moved+mv.New+mv.Gone {
		t.Errorf("movement table has %d rows, want %d", m2.Outputs["movement"], mv.Stayed+mv.Moved+mv.New+mv.Gone)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dst, string(data))
}

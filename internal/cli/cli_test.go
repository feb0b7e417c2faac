package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, cmd := range []string{"run", "features", "cluster", "generate", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, stderr := runCLI(t, cmd, "--help")
			if code != ExitOK {
				t.Errorf("exit %d, want 0", code)
			}
			if !strings.Contains(stderr, "segmint "+cmd) || !strings.Contains(stderr, "Flags:") {
				t.Errorf("help text missing synopsis or flags:\n%s", stderr)
			}
		})
	}
	if code, stdout, _ := runCLI(t, "help"); code != ExitOK || !strings.Contains(stdout, "Exit codes") {
		t.Errorf("help: exit %d, %q", code, stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"frobnicate"},
		{"run", "--no-such-flag"},
		{"run", "--k", "-3"},
		{"run", "--log-format", "xml"},
		{"generate"},
		{"generate", "--out", "x", "--customers", "0"},
		{"cluster", "--features", "f.parquet"},
		{"features", "--events", "x.parquet"},
		{"run", "--k-strategy", "largest"},
		{"generate", "--out", "x", "--price-scale", "0"},
		{"generate", "--out", "x", "--quantity-max", "-1"},
		{"cluster", "--features", "f.parquet", "--out", "o", "--k-strategy", "seeded"},
	}
	for _, args := range cases {
		if code, _, _ := runCLI(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

func TestGenerateRunFeaturesCluster(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "600", "--seed", "3", "--out", data, "--quiet"); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	// generate refuses a non-empty directory.
	if code, _, _ := runCLI(t, "generate", "--customers", "10", "--out", data); code != ExitOutput {
		t.Errorf("generate into non-empty dir: exit %d, want %d", code, ExitOutput)
	}
	events := filepath.Join(data, "events-*.parquet")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCLI(t, "run", "--events", events, "--out", out, "--k", "8", "--stability-boots", "2", "--log-format", "json")
	if code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "600 customers") {
		t.Errorf("run summary: %s", stdout)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
	var m struct {
		K       int              `json:"k"`
		Outputs map[string]int64 `json:"outputs"`
		Params  struct {
			Seed uint64 `json:"seed"`
		} `json:"parameters"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.K != 8 || m.Outputs["customers"] != 600 || m.Params.Seed != 1 {
		t.Errorf("manifest k=%d customers=%d seed=%d", m.K, m.Outputs["customers"], m.Params.Seed)
	}
	// A second run into the same directory needs --force.
	if code, _, _ := runCLI(t, "run", "--events", events, "--out", out, "--k", "8"); code != ExitOutput {
		t.Errorf("second run: exit %d, want %d", code, ExitOutput)
	}

	feat := filepath.Join(dir, "features.parquet")
	code, stdout, stderr = runCLI(t, "features", "--events", events, "--out", feat)
	if code != ExitOK {
		t.Fatalf("features: exit %d: %s", code, stderr)
	}
	// The one-line summary: events, customers, events/s and, on Linux,
	// the peak resident memory.
	summary := regexp.MustCompile(`^segmint: \d+ events -> 600 customers x \d+ features in [0-9.]+s \(\d+ events/s(, peak RSS [1-9]\d* MiB)?\); wrote `)
	if !summary.MatchString(stdout) || runtime.GOOS == "linux" && !strings.Contains(stdout, "peak RSS") {
		t.Errorf("features summary %q", stdout)
	}
	cl := filepath.Join(dir, "clusters")
	if code, _, stderr := runCLI(t, "cluster", "--features", feat, "--k", "5", "--out", cl, "--quiet"); code != ExitOK {
		t.Fatalf("cluster: exit %d: %s", code, stderr)
	}
	var cm struct {
		Inertia    float64 `json:"inertia"`
		K          int     `json:"k"`
		NInit      int     `json:"n_init"`
		Seed       uint64  `json:"seed"`
		Iterations int     `json:"iterations"`
	}
	raw, err = os.ReadFile(filepath.Join(cl, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &cm); err != nil {
		t.Fatal(err)
	}
	if cm.K != 5 || cm.NInit != 10 || cm.Inertia <= 0 || cm.Iterations < 1 {
		t.Errorf("cluster manifest: %+v", cm)
	}
	for _, f := range []string{"assignments.parquet", "centroids.parquet"} {
		if _, err := os.Stat(filepath.Join(cl, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestBadInputExitCode(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.parquet")
	os.WriteFile(bad, []byte("not parquet at all"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "run", "--events", bad, "--out", out)
	if code != ExitInput {
		t.Errorf("exit %d, want %d", code, ExitInput)
	}
	if !strings.Contains(stderr, bad) {
		t.Errorf("stderr does not name the file: %s", stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output directory exists after a failed run")
	}
	seg := filepath.Join(dir, "seg.yaml")
	os.WriteFile(seg, []byte("segments:\n  - id: broken\n    rule: orders >>> 2\n"), 0o644)
	code, _, stderr = runCLI(t, "run", "--segments", seg, "--out", out)
	if code != ExitConfig || !strings.Contains(stderr, "broken") {
		t.Errorf("bad catalogue: exit %d, stderr %s", code, stderr)
	}
}

func TestConfigFileAndValidate(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "300", "--seed", "4", "--out", data, "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "out")
	cfg := filepath.Join(dir, "segmint.toml")
	os.WriteFile(cfg, []byte(`events = ["`+filepath.Join(data, "events-*.parquet")+`"]
seed = 5
customers = 10 # a generate option: ignored by run

[run]
out = "`+out+`"
k = 4
stability-boots = 0
quiet = true
`), 0o644)
	if code, _, stderr := runCLI(t, "run", "--config", cfg); code != ExitOK {
		t.Fatalf("run --config: exit %d: %s", code, stderr)
	}
	var m struct {
		K      int `json:"k"`
		Params struct {
			Seed uint64 `json:"seed"`
		} `json:"parameters"`
	}
	raw, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	json.Unmarshal(raw, &m)
	if m.K != 4 || m.Params.Seed != 5 {
		t.Errorf("config not applied: k=%d seed=%d", m.K, m.Params.Seed)
	}
	// A flag overrides the file.
	out2 := filepath.Join(dir, "out2")
	if code, _, stderr := runCLI(t, "run", "--config", cfg, "--out", out2, "--k", "3"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, _ = os.ReadFile(filepath.Join(out2, "manifest.json"))
	json.Unmarshal(raw, &m)
	if m.K != 3 {
		t.Errorf("flag did not override the file: k=%d", m.K)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("no_such_option = 1\n"), 0o644)
	if code, _, stderr := runCLI(t, "run", "--config", bad); code != ExitConfig || !strings.Contains(stderr, "no_such_option") {
		t.Errorf("unknown key: exit %d, %s", code, stderr)
	}
	os.WriteFile(bad, []byte("[run]\ncustomers = 5\n"), 0o644)
	if code, _, stderr := runCLI(t, "run", "--config", bad); code != ExitConfig || !strings.Contains(stderr, "customers") {
		t.Errorf("another command's key in [run]: exit %d, %s", code, stderr)
	}

	code, stdout, stderr := runCLI(t, "validate", "--events", filepath.Join(data, "events-*.parquet"))
	if code != ExitOK || !strings.Contains(stdout, "inputs valid") {
		t.Errorf("validate: exit %d: %s %s", code, stdout, stderr)
	}
	notParquet := filepath.Join(dir, "x.parquet")
	os.WriteFile(notParquet, []byte("hello"), 0o644)
	if code, _, stderr := runCLI(t, "validate", "--events", notParquet); code != ExitInput || !strings.Contains(stderr, notParquet) {
		t.Errorf("validate bad file: exit %d: %s", code, stderr)
	}
}

func TestClusterTransformNoneUsesTheMatrixAsGiven(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "400", "--seed", "6", "--out", data, "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	feat := filepath.Join(dir, "f.parquet")
	if code, _, stderr := runCLI(t, "features", "--events", filepath.Join(data, "events-*.parquet"), "--out", feat, "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "c")
	if code, _, stderr := runCLI(t, "cluster", "--features", feat, "--columns", "tenure_days,views", "--k", "3", "--transform", "none", "--out", out, "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	type row struct {
		ID     int64   `parquet:"customer_id"`
		Tenure float64 `parquet:"tenure_days,optional"`
		Views  float64 `parquet:"views,optional"`
	}
	type asg struct {
		ID      int64 `parquet:"customer_id"`
		Cluster int32 `parquet:"cluster"`
	}
	type cen struct {
		Cluster int32   `parquet:"cluster"`
		Tenure  float64 `parquet:"tenure_days,optional"`
		Views   float64 `parquet:"views,optional"`
	}
	rows, err := parquet.ReadFile[row](feat)
	if err != nil {
		t.Fatal(err)
	}
	as, err := parquet.ReadFile[asg](filepath.Join(out, "assignments.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := parquet.ReadFile[cen](filepath.Join(out, "centroids.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != len(rows) || len(cs) != 3 {
		t.Fatalf("%d assignments for %d rows, %d centroids", len(as), len(rows), len(cs))
	}
	// Untransformed: each centroid is the plain mean of its members.
	var sum [3][2]float64
	var n [3]float64
	for i, r := range rows {
		if as[i].ID != r.ID {
			t.Fatalf("row %d: id %d vs %d", i, as[i].ID, r.ID)
		}
		c := as[i].Cluster
		sum[c][0] += r.Tenure
		sum[c][1] += r.Views
		n[c]++
	}
	for _, c := range cs {
		mt, mv := sum[c.Cluster][0]/n[c.Cluster], sum[c.Cluster][1]/n[c.Cluster]
		if math.Abs(mt-c.Tenure) > 1e-6*max(1, math.Abs(mt)) || math.Abs(mv-c.Views) > 1e-6*max(1, math.Abs(mv)) {
			t.Errorf("cluster %d centroid (%v, %v), members' mean (%v, %v)", c.Cluster, c.Tenure, c.Views, mt, mv)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	var m struct {
		Transform string   `json:"transform"`
		Log       []string `json:"log_transformed"`
	}
	json.Unmarshal(raw, &m)
	if m.Transform != "none" || len(m.Log) != 0 {
		t.Errorf("manifest transform %q, log %v", m.Transform, m.Log)
	}
}

// TestAddASegmentByEditingTheCatalogue: a user adds a segment with a
// catalogue file alone; it is evaluated, written and reported.
func TestAddASegmentByEditingTheCatalogue(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "mine.yaml")
	os.WriteFile(cat, []byte(`segments:
  - id: big_baskets
    name: Big baskets
    description: Customers who buy several items per order.
    rule: orders >= 2 && items_per_order >= 2.5
    actions:
      - "Bundle offers."
`), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "run", "--segments", cat, "--out", out, "--quiet", "--stability-boots", "0"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type seg struct {
		Segment   string `parquet:"segment"`
		Evaluated bool   `parquet:"evaluated"`
		Members   int64  `parquet:"members"`
	}
	rows, err := parquet.ReadFile[seg](filepath.Join(out, "segments.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.Segment == "big_baskets" {
			found = true
			if !r.Evaluated || r.Members == 0 {
				t.Errorf("big_baskets: evaluated %v, members %d", r.Evaluated, r.Members)
			}
		}
	}
	if !found || len(rows) != 19 {
		t.Errorf("segments.parquet has %d rows, big_baskets found %v (want the 18 built in plus it)", len(rows), found)
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(html), "Big baskets") {
		t.Error("the report has no card for the new segment")
	}
}

// TestRunOnGenerateOutputDirectory: "segmint generate --out DIR" then
// "segmint run --events DIR" works: the planted-truth labels.parquet in the
// directory has no event columns, so it is left out and the manifest names
// it with the reason.
func TestRunOnGenerateOutputDirectory(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "300", "--out", data, "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, "run", "--events", data, "--out", filepath.Join(dir, "out"), "--quiet", "--stability-boots", "0"); code != ExitOK {
		t.Fatalf("run on the directory: exit %d: %s", code, stderr)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "out", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Input struct {
			SkippedFiles []struct{ Path, Reason string } `json:"skipped_files"`
		} `json:"input"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	if s := m.Input.SkippedFiles; len(s) != 1 || filepath.Base(s[0].Path) != "labels.parquet" || !strings.Contains(s[0].Reason, "not an event file") {
		t.Errorf("manifest's skipped files %+v, want labels.parquet, not an event file", s)
	}
	// Named explicitly, the labels file is not an event file.
	if code, _, stderr := runCLI(t, "run", "--events", filepath.Join(data, "labels.parquet"), "--out", filepath.Join(dir, "out2")); code != ExitInput || !strings.Contains(stderr, "event_time") {
		t.Errorf("labels named explicitly: exit %d: %s", code, stderr)
	}
}

// TestKStrategyStability: with --k-strategy stability, run and cluster use
// the k that the stability scan chooses, and the manifest records both
// rules' choices.
func TestKStrategyStability(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "800", "--seed", "5", "--out", data, "--quiet"); code != ExitOK {
		t.Fatalf("generate: exit %d: %s", code, stderr)
	}
	events := filepath.Join(data, "events-*.parquet")
	type kman struct {
		K          int    `json:"k"`
		Strategy   string `json:"k_strategy"`
		KSelection struct {
			Ks              []int     `json:"ks"`
			Chosen          int       `json:"chosen"`
			StabilityChosen int       `json:"stability_chosen"`
			Jaccard         []float64 `json:"stability_jaccard"`
		} `json:"k_selection"`
	}
	read := func(path string) kman {
		var m kman
		readJSON(t, path, &m)
		return m
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI(t, "run", "--events", events, "--out", out, "--k-strategy", "stability", "--k-max", "10", "--quiet"); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	m := read(filepath.Join(out, "manifest.json"))
	ks := m.KSelection
	if m.K != ks.StabilityChosen || len(ks.Jaccard) != len(ks.Ks) || len(ks.Ks) != 9 || ks.Chosen < 2 || !strings.Contains(m.Strategy, "bootstrap stability") {
		t.Errorf("run: k %d, k_selection %+v, strategy %q", m.K, ks, m.Strategy)
	}
	feat := filepath.Join(dir, "features.parquet")
	if code, _, stderr := runCLI(t, "features", "--events", events, "--out", feat, "--quiet"); code != ExitOK {
		t.Fatalf("features: exit %d: %s", code, stderr)
	}
	cl := filepath.Join(dir, "clusters")
	if code, _, stderr := runCLI(t, "cluster", "--features", feat, "--k-strategy", "stability", "--k-max", "10", "--out", cl, "--quiet"); code != ExitOK {
		t.Fatalf("cluster: exit %d: %s", code, stderr)
	}
	if c := read(filepath.Join(cl, "manifest.json")); c.K != c.KSelection.StabilityChosen || len(c.KSelection.Jaccard) != 9 {
		t.Errorf("cluster: k %d, k_selection %+v", c.K, c.KSelection)
	}
}

// readJSON decodes the JSON file path (a run's manifest) into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

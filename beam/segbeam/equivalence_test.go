package segbeam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/beam/segbeam"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

func runPrism(ctx context.Context, p *beam.Pipeline) (beam.PipelineResult, error) {
	return prism.Execute(ctx, p)
}

// table is a Parquet table read back: its schema, its key-value metadata
// and its rows by key.
type table struct {
	fields []string // "name type optional", in file order
	names  []string
	meta   map[string]string
	rows   map[string][]parquet.Value
}

func fieldDesc(f parquet.Field) string {
	return fmt.Sprintf("%s %s optional=%v", f.Name(), f.Type(), f.Optional())
}

// keyOf returns a row's key: the values of the key columns.
func keyOf(names []string, row parquet.Row, key []string) string {
	var parts []string
	for _, k := range key {
		parts = append(parts, row[slices.Index(names, k)].String())
	}
	return strings.Join(parts, "/")
}

// readTable reads the Parquet files matching pattern into one table keyed
// by the key columns, checking that every file has the same schema and no
// key repeats.
func readTable(t *testing.T, pattern string, key ...string) *table {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	out := &table{rows: make(map[string][]parquet.Value), meta: map[string]string{}}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var fields, names []string
		for _, fl := range pf.Schema().Fields() {
			fields = append(fields, fieldDesc(fl))
			names = append(names, fl.Name())
		}
		if out.fields == nil {
			out.fields, out.names = fields, names
		} else if !slices.Equal(out.fields, fields) {
			t.Fatalf("%s: schema %v, want %v", path, fields, out.fields)
		}
		for _, kv := range pf.Metadata().KeyValueMetadata {
			out.meta[kv.Key] = kv.Value
		}
		r := parquet.NewReader(pf)
		buf := make([]parquet.Row, 256)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				k := keyOf(names, row, key)
				if _, dup := out.rows[k]; dup {
					t.Fatalf("%s: row %s twice", path, k)
				}
				out.rows[k] = slices.Clone(row)
			}
			if err != nil {
				break
			}
		}
		r.Close()
		f.Close()
	}
	return out
}

// sameValue compares one cell: doubles within 1e-9 (relative above 1),
// everything else exactly; nulls must match.
func sameValue(a, b parquet.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() == b.IsNull()
	}
	if a.Kind() == parquet.Double && b.Kind() == parquet.Double {
		x, y := a.Double(), b.Double()
		return math.Abs(x-y) <= 1e-9*max(1, math.Abs(x))
	}
	return a.Kind() == b.Kind() && parquet.Equal(a, b)
}

// tableDiffs lists how got differs from want: schema, key-value metadata
// (but the keys in skipMeta), row keys, and every cell of the columns not
// in skip.
func tableDiffs(want, got *table, skip, skipMeta []string) []string {
	var diffs []string
	if !slices.Equal(want.fields, got.fields) {
		return []string{fmt.Sprintf("schema\n got %v\nwant %v", got.fields, want.fields)}
	}
	for k, w := range want.meta {
		if g, ok := got.meta[k]; !slices.Contains(skipMeta, k) && (!ok || g != w) {
			diffs = append(diffs, fmt.Sprintf("metadata %s = %q, want %q", k, g, w))
		}
	}
	for k := range got.meta {
		if _, ok := want.meta[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("metadata %s not expected", k))
		}
	}
	for k := range got.rows {
		if _, ok := want.rows[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("row %s not expected", k))
		}
	}
	for k, w := range want.rows {
		g, ok := got.rows[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("row %s missing", k))
			continue
		}
		for j, col := range want.names {
			if !slices.Contains(skip, col) && !sameValue(w[j], g[j]) {
				diffs = append(diffs, fmt.Sprintf("row %s column %s = %v, want %v", k, col, g[j], w[j]))
			}
		}
	}
	slices.Sort(diffs)
	return diffs
}

// The tables of docs/outputs.md and the columns that identify their rows.
var tableKeys = map[string][]string{
	output.TableCustomers:   {"customer_id"},
	output.TableClusters:    {"cluster"},
	output.TableMemberships: {"customer_id", "segment"},
	output.TableSegments:    {"segment"},
	output.TableKSelection:  {"k"},
	output.TableMovement:    {"customer_id"},
}

// tablePath is where a table of an output set lies in layout.
func tablePath(dir, name string, layout output.Layout) string {
	if layout == output.LayoutHive {
		return filepath.Join(dir, name, "as_of_date=*", "part-00000.parquet")
	}
	return filepath.Join(dir, name+".parquet")
}

func runFilePath(dir, name string, layout output.Layout) string {
	if layout == output.LayoutHive {
		m, _ := filepath.Glob(filepath.Join(dir, "_runs", "as_of_date=*", name))
		if len(m) == 1 {
			return m[0]
		}
		return filepath.Join(dir, "_runs", "missing", name)
	}
	return filepath.Join(dir, name)
}

// outputFiles lists the files of an output set, relative to dir.
func outputFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// generated is the report's line of when it was generated (report.md and
// report.html), the one part of the reports that differs between runs.
var generated = regexp.MustCompile(`generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC`)

// manifestJSON reads manifest.json without the fields that differ between
// two runs of the same job: the run's id, its start and end, its timings
// (timings_seconds, input.seconds), and what drop removes.
func manifestJSON(t *testing.T, path string, drop func(m map[string]any)) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"run_id", "started", "finished", "timings_seconds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: no %s", path, k)
		}
		delete(m, k)
	}
	delete(m["input"].(map[string]any), "seconds")
	if drop != nil {
		drop(m)
	}
	return m
}

// compareOutputSets checks that the Beam job's output set in got equals
// segmint run's in want: the same files; every table's schema, key-value
// metadata (but segmint.run_id) and every cell of every row (but run_id),
// bit for bit; manifest.json but the
// run's id and timings; report.md and report.html but the generated
// line. relabel rewrites got's input names (its paths) into want's.
func compareOutputSets(t *testing.T, want, got string, layout output.Layout, relabel func(string) string, dropManifest func(map[string]any)) {
	t.Helper()
	if w, g := outputFiles(t, want), outputFiles(t, got); !slices.Equal(w, g) {
		t.Errorf("files\n got %v\nwant %v", g, w)
	}
	for name, key := range tableKeys {
		path := tablePath(want, name, layout)
		if m, _ := filepath.Glob(path); len(m) == 0 {
			if name != output.TableMovement {
				t.Errorf("segmint run wrote no %s table", name)
			}
			continue
		}
		w := readTable(t, path, key...)
		g := readTable(t, tablePath(got, name, layout), key...)
		if len(w.rows) == 0 && name != output.TableKSelection {
			t.Errorf("%s: no rows", name)
		}
		if w.meta["segmint.run_id"] == "" || w.meta["segmint.run_id"] == g.meta["segmint.run_id"] {
			t.Errorf("%s: run ids %q and %q: want two distinct runs", name, w.meta["segmint.run_id"], g.meta["segmint.run_id"])
		}
		// Not compared: the run_id column and segmint.run_id (two runs
		// have two ids), and ARROW:schema, the Arrow schema that the
		// writer serialises with the file's key-value metadata, run id
		// included (the schema itself is compared field by field).
		diffs := tableDiffs(w, g, []string{"run_id"}, []string{"segmint.run_id", "ARROW:schema"})
		for _, d := range diffs[:min(len(diffs), 10)] {
			t.Errorf("%s: %.300s", name, d)
		}
		switch in := inexact(w, g); {
		case len(diffs) > 0:
			t.Errorf("%s: %d differences", name, len(diffs))
		case in != " (bit for bit)":
			// The output set is computed by the same code on both
			// paths, distances to the centroids included: any double
			// that is not bit-identical is a defect, however close.
			t.Errorf("%s: %d rows × %d columns equal%s", name, len(w.rows), len(w.names), in)
		default:
			t.Logf("%s: %d rows × %d columns equal%s", name, len(w.rows), len(w.names), in)
		}
	}
	wm := manifestJSON(t, runFilePath(want, "manifest.json", layout), dropManifest)
	gm := manifestJSON(t, runFilePath(got, "manifest.json", layout), dropManifest)
	if !reflect.DeepEqual(wm, gm) {
		wb, _ := json.MarshalIndent(wm, "", " ")
		gb, _ := json.MarshalIndent(gm, "", " ")
		t.Errorf("manifest.json differs:\n%s", lineDiff(string(wb), string(gb)))
	}
	for _, name := range []string{"report.md", "report.html"} {
		wb, err1 := os.ReadFile(runFilePath(want, name, layout))
		gb, err2 := os.ReadFile(runFilePath(got, name, layout))
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v, %v", name, err1, err2)
			continue
		}
		if n := len(generated.FindAll(wb, -1)); n != 1 {
			t.Errorf("%s: %d generated lines, want 1", name, n)
		}
		w := generated.ReplaceAllString(string(wb), "generated (time)")
		g := generated.ReplaceAllString(relabel(string(gb)), "generated (time)")
		if w != g {
			t.Errorf("%s differs:\n%s", name, lineDiff(w, g))
		}
	}
}

// inexact says which double columns of two equal tables are not
// bit-identical, and in how many rows.
func inexact(want, got *table) string {
	var out []string
	for j, col := range want.names {
		n := 0
		for k, w := range want.rows {
			if g := got.rows[k]; w[j].Kind() == parquet.Double && !w[j].IsNull() && w[j].Double() != g[j].Double() {
				n++
			}
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("%s in %d rows", col, n))
		}
	}
	if len(out) == 0 {
		return " (bit for bit)"
	}
	return " (doubles within 1e-9 but not bit-identical: " + strings.Join(out, ", ") + ")"
}

// lineDiff shows the first lines that differ.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(wl), len(gl)) && n < 8; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d\n want %.300s\n  got %.300s\n", i+1, w, g)
			n++
		}
	}
	return b.String()
}

// TestTableDiffsFindsDifferences: the comparison the equivalence test
// relies on reports a changed cell, a changed double beyond the
// tolerance, a null for a value, a missing and an extra row, and changed
// metadata, and nothing for a copy.
func TestTableDiffsFindsDifferences(t *testing.T) {
	want := &table{fields: []string{"customer_id int64", "x double"}, names: []string{"customer_id", "x"}, meta: map[string]string{"segmint.k": "3", "segmint.run_id": "a"},
		rows: map[string][]parquet.Value{"1": {parquet.Int64Value(1), parquet.DoubleValue(0.5)}, "2": {parquet.Int64Value(2), parquet.DoubleValue(1e6)}}}
	clone := func() *table {
		c := &table{fields: want.fields, names: want.names, meta: map[string]string{}, rows: map[string][]parquet.Value{}}
		for k, v := range want.meta {
			c.meta[k] = v
		}
		for k, r := range want.rows {
			c.rows[k] = slices.Clone(r)
		}
		return c
	}
	same := clone()
	same.meta["segmint.run_id"] = "b"
	same.rows["2"][1] = parquet.DoubleValue(1e6 * (1 + 1e-12))
	if d := tableDiffs(want, same, nil, []string{"segmint.run_id"}); len(d) != 0 {
		t.Errorf("a copy (other run id, a double within 1e-9): %v", d)
	}
	for name, change := range map[string]func(*table){
		"cell":     func(g *table) { g.rows["1"][1] = parquet.DoubleValue(0.5000001) },
		"null":     func(g *table) { g.rows["1"][1] = parquet.NullValue() },
		"missing":  func(g *table) { delete(g.rows, "2") },
		"extra":    func(g *table) { g.rows["3"] = g.rows["1"] },
		"metadata": func(g *table) { g.meta["segmint.k"] = "4" },
		"schema":   func(g *table) { g.fields = []string{"customer_id int64", "x float"} },
	} {
		g := clone()
		change(g)
		if d := tableDiffs(want, g, nil, []string{"segmint.run_id"}); len(d) != 1 {
			t.Errorf("%s: %d differences %v, want 1", name, len(d), d)
		}
	}
}

// TestSameOutputSetAsSingleNode runs `segmint run` (pipeline.Run) and the
// Beam job on Prism over the same generated events, with the same seed and
// a sample of every customer, and compares the whole output set (see
// compareOutputSets): with the as-of instant at the latest event and at
// 2025-05-15, with a previous run (movement), with a catalogue file that
// adds a segment and changes a rule (in the hive layout), and with the
// events read and the output set written through Beam's file systems
// (memfs://).
func TestSameOutputSetAsSingleNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two pipelines per case")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, filepath.Join(dir, "events"), synth.Settings{Customers: 3000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	events := []string{filepath.Join(dir, "events", "events-*.parquet")}
	asOf, err := source.ParseTimestamp("2025-05-15")
	if err != nil {
		t.Fatal(err)
	}
	// The events again, on Beam's in-memory file system (shared by the
	// test and Prism's in-process workers).
	files, _ := filepath.Glob(events[0])
	var memEvents []string
	for _, f := range files {
		url := "memfs://segmint-test/events/" + filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeMemfs(t, url, data)
		memEvents = append(memEvents, url)
	}
	// A catalogue file extending the built-in one with a segment of its
	// own, one that reads the predictions, and a changed rule, carried to
	// the workers with the job.
	extra := segbeam.CatalogueSpec{Source: "extra.yaml", Extend: true, YAML: []byte(`
segments:
  - id: big_baskets
    name: Big baskets
    rule: orders >= 1 && items_per_order >= 2
  - id: likely_back
    name: Likely back
    rule: p_alive >= 0.8 && churn_probability < 0.5 && pct.predicted_clv >= 0.5
  - id: thrifty
    name: Thrifty customers
    rule: orders >= 2 && pct.avg_order_value <= 0.2
`)}
	// The as-of case's single-node output, the previous run of the next
	// case (which therefore needs the first).
	previous := filepath.Join(dir, "previous")
	for _, tc := range []struct {
		name     string
		asOf     int64
		segments segbeam.CatalogueSpec
		previous string
		layout   output.Layout
		memfs    bool
		// featuresOnly also compares --features-only with segmint features.
		featuresOnly bool
	}{
		{name: "as-of 2025-05-15", asOf: asOf, featuresOnly: true},
		{name: "latest event, previous run", previous: previous, featuresOnly: true},
		{name: "extended catalogue, hive layout", segments: extra, layout: output.LayoutHive},
		{name: "events on memfs", memfs: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := pipeline.ClusterOptions{KMin: pipeline.DefaultKMin, KMax: pipeline.DefaultKMax, NInit: 10, Seed: 1}
			scan := source.ScanOptions{AsOf: tc.asOf}

			start := time.Now()
			single := filepath.Join(dir, "single")
			if tc.asOf != 0 {
				single = previous
			}
			cat, err := tc.segments.Load()
			if err != nil {
				t.Fatal(err)
			}
			runOpts := pipeline.RunOptions{Events: events, Out: single, Cluster: opts, Scan: scan, Catalogue: cat, Previous: tc.previous, Layout: tc.layout}
			runOpts.Cluster.StabilityBoots = -1
			if _, err := pipeline.Run(ctx, runOpts); err != nil {
				t.Fatal(err)
			}
			t.Logf("single node: %v", time.Since(start))

			start = time.Now()
			out := filepath.Join(dir, "beam")
			in, target := events, out
			if tc.memfs {
				// Events read from and the output set written to memfs://,
				// as to gs:// or s3://; copied back here to compare.
				in, target = memEvents, "memfs://segmint-test/out-"+fmt.Sprint(time.Now().UnixNano())
			}
			counters, err := segbeam.Run(ctx, segbeam.Options{Events: in, AsOf: tc.asOf, Out: target, Cluster: opts, Sample: 0, Segments: tc.segments, Previous: tc.previous, OutputLayout: tc.layout}, runPrism)
			if err != nil {
				t.Fatal(err)
			}
			if tc.memfs {
				n := copyFromMemfs(t, target, out)
				t.Logf("%d files written to %s", n, target)
			}
			t.Logf("beam on prism: %v, counters %v", time.Since(start), counters)

			relabel := func(s string) string { return s }
			var drop func(map[string]any)
			if tc.memfs {
				// The input files are named by their URLs: the same
				// files under other names.
				relabel = func(s string) string {
					for i, url := range memEvents {
						s = strings.ReplaceAll(s, url, files[i])
					}
					return s
				}
				drop = func(m map[string]any) {
					for _, f := range m["input"].(map[string]any)["files"].([]any) {
						p := f.(map[string]any)["path"].(string)
						f.(map[string]any)["path"] = relabel(p)
					}
				}
			}
			compareOutputSets(t, single, out, tc.layout, relabel, drop)

			if tc.featuresOnly {
				// The feature table alone: features/ shards against
				// `segmint features`, every cell and the metadata.
				want := filepath.Join(dir, "features.parquet")
				if _, _, err := pipeline.FeaturesToFile(ctx, events, scan, want, false); err != nil {
					t.Fatal(err)
				}
				got := filepath.Join(dir, "beam-features")
				if _, err := segbeam.Run(ctx, segbeam.Options{Events: events, AsOf: tc.asOf, Out: got, FeaturesOnly: true, Shards: 4}, runPrism); err != nil {
					t.Fatal(err)
				}
				w := readTable(t, want, "customer_id")
				g := readTable(t, filepath.Join(got, "features", "part-*-of-00004.parquet"), "customer_id")
				if diffs := tableDiffs(w, g, nil, []string{"ARROW:schema"}); len(diffs) > 0 {
					t.Errorf("features: %d differences, first %.300s", len(diffs), diffs[0])
				} else if len(w.rows) < 2000 {
					t.Errorf("features: %d rows", len(w.rows))
				} else {
					t.Logf("features: %d rows × %d columns equal%s", len(w.rows), len(w.names), inexact(w, g))
				}
			}

			if tc.previous != "" {
				mv := readTable(t, tablePath(out, output.TableMovement, tc.layout), "customer_id")
				if len(mv.rows) < 2000 {
					t.Errorf("movement: %d rows", len(mv.rows))
				}
			}
			if len(tc.segments.YAML) > 0 {
				mem := readTable(t, tablePath(out, output.TableMemberships, tc.layout), "customer_id", "segment")
				n := 0
				for k := range mem.rows {
					if strings.HasSuffix(k, "/big_baskets") {
						n++
					}
				}
				if n == 0 {
					t.Error("no memberships of the catalogue file's own segment big_baskets")
				}
				t.Logf("big_baskets members: %d", n)
				back := 0
				for k := range mem.rows {
					if strings.HasSuffix(k, "/likely_back") {
						back++
					}
				}
				if back == 0 {
					t.Error("no memberships of likely_back, which reads the predictions")
				}
				t.Logf("likely_back members: %d", back)
			}
			if counters["events"] == 0 {
				t.Errorf("no events counted: %v", counters)
			}
			// The predictions are among the cells compared: they must be
			// there to compare.
			cust := readTable(t, tablePath(out, output.TableCustomers, tc.layout), "customer_id")
			if col := slices.Index(cust.names, "predicted_clv"); col < 0 {
				t.Error("customers has no predicted_clv column")
			} else {
				n := 0
				for _, row := range cust.rows {
					if !row[col].IsNull() {
						n++
					}
				}
				if n < 1000 {
					t.Errorf("%d customers with a predicted_clv, want most", n)
				}
			}
		})
	}
}

// copyFromMemfs copies every file under the memfs:// URL dir into the
// local directory local and returns how many there were.
func copyFromMemfs(t *testing.T, dir, local string) int {
	t.Helper()
	ctx := context.Background()
	fsys, err := filesystem.New(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	names, err := fsys.List(ctx, dir+"/*")
	if err != nil || len(names) == 0 {
		t.Fatalf("nothing under %s (%v)", dir, err)
	}
	for _, name := range names {
		r, err := fsys.OpenRead(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(local, filepath.FromSlash(strings.TrimPrefix(name, dir+"/")))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return len(names)
}

func writeMemfs(t *testing.T, url string, data []byte) {
	t.Helper()
	ctx := context.Background()
	fsys, err := filesystem.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	w, err := fsys.OpenWrite(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestBadInputSameErrors: a file that is not Parquet, a file without the
// customer column and a missing file give the job the errors a
// single-node run gives, at submission, whether the file is local or on
// another of Beam's file systems (memfs://), naming the file as given.
func TestBadInputSameErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, filepath.Join(dir, "events"), synth.Settings{Customers: 50, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	good, _ := filepath.Glob(filepath.Join(dir, "events", "events-*.parquet"))
	garbage := filepath.Join(dir, "garbage.parquet")
	os.WriteFile(garbage, []byte("this is not a parquet file"), 0o644)
	noUser := filepath.Join(dir, "labels-only.parquet")
	labels, err := os.ReadFile(filepath.Join(dir, "events", "labels.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(noUser, labels, 0o644)
	for _, tc := range []struct{ name, local string }{
		{"not parquet", garbage},
		{"no event columns", noUser},
		{"missing", filepath.Join(dir, "absent.parquet")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, want := pipeline.Run(ctx, pipeline.RunOptions{Events: []string{tc.local}, Out: filepath.Join(dir, "out-single")})
			if want == nil {
				t.Fatal("segmint run accepted the file")
			}
			var ie *source.InputError
			var ce *source.ColumnError
			inputErr := func(err error) bool { return errors.As(err, &ie) || errors.As(err, &ce) }
			if !inputErr(want) {
				t.Fatalf("segmint run: %v is not an input error", want)
			}
			_, got := segbeam.Run(ctx, segbeam.Options{Events: []string{tc.local}, Out: filepath.Join(dir, "out-beam")}, runPrism)
			if got == nil || got.Error() != want.Error() || !inputErr(got) {
				t.Errorf("local file: %v, want %v", got, want)
			}
			url := "memfs://segmint-bad/" + filepath.Base(tc.local)
			if data, err := os.ReadFile(tc.local); err == nil {
				writeMemfs(t, url, data)
			}
			_, got = segbeam.Run(ctx, segbeam.Options{Events: []string{good[0], url}, Out: filepath.Join(dir, "out-beam")}, runPrism)
			switch {
			case got == nil || !inputErr(got):
				t.Errorf("memfs: %v, want an input error", got)
			case errors.Is(want, os.ErrNotExist):
				// The file systems word a missing file each their own way.
				if !errors.Is(got, os.ErrNotExist) || !strings.HasPrefix(got.Error(), url+": ") {
					t.Errorf("memfs: %v, want a missing file error naming %s", got, url)
				}
			case strings.ReplaceAll(got.Error(), url, tc.local) != want.Error():
				t.Errorf("memfs: %v, want %v with %s for %s", got, want, url, tc.local)
			}
		})
	}
}

// TestCompareOutputDirs compares two output sets already written, with
// the equivalence test's comparison: $SEGBEAM_COMPARE is "WANT,GOT", the
// output directories of `segmint run` and of segmint-beam (flat layout,
// inputs named alike). It is how a run on another runner is checked
// (docs/scale-out.md); skipped without the variable.
func TestCompareOutputDirs(t *testing.T) {
	dirs := strings.Split(os.Getenv("SEGBEAM_COMPARE"), ",")
	if len(dirs) != 2 {
		t.Skip("set SEGBEAM_COMPARE=WANT,GOT")
	}
	compareOutputSets(t, dirs[0], dirs[1], output.LayoutFlat, func(s string) string { return s }, nil)
}

// TestRejectedInputSameErrors: when the filters leave no event, or one
// customer only, the job fails with segmint run's error (a
// source.RejectedError with the rows skipped by reason, exit 3) and
// writes nothing; the feature table alone needs one customer.
func TestRejectedInputSameErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, filepath.Join(dir, "one"), synth.Settings{Customers: 1, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(ctx, filepath.Join(dir, "few"), synth.Settings{Customers: 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	early, err := source.ParseTimestamp("2001-01-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		events string
		asOf   int64
	}{
		{"every event after the as-of time", filepath.Join(dir, "few", "events-*.parquet"), early},
		{"one customer", filepath.Join(dir, "one", "events-*.parquet"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, want := pipeline.Run(ctx, pipeline.RunOptions{Events: []string{tc.events}, Out: filepath.Join(dir, "out-single"), Scan: source.ScanOptions{AsOf: tc.asOf}})
			var rej *source.RejectedError
			if !errors.As(want, &rej) {
				t.Fatalf("segmint run: %v, want a RejectedError", want)
			}
			out := filepath.Join(dir, "out-beam")
			_, got := segbeam.Run(ctx, segbeam.Options{Events: []string{tc.events}, AsOf: tc.asOf, Out: out}, runPrism)
			if !errors.As(got, &rej) || got.Error() != want.Error() {
				t.Errorf("segmint-beam: %v\nwant %v", got, want)
			}
			t.Logf("both: %v", got)
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written (%v)", out, err)
			}
		})
	}
}

// TestStringIDsRejectedAtSubmission: inputs with string customer ids, which
// segmint run keeps, are refused before the job runs, naming the file and
// the column (exit 3), since the job keys customers by integer id.
func TestStringIDsRejectedAtSubmission(t *testing.T) {
	type event struct {
		EventTime   time.Time `parquet:"event_time,timestamp(microsecond)"`
		EventType   string    `parquet:"event_type"`
		ProductID   int64     `parquet:"product_id"`
		Price       float64   `parquet:"price"`
		UserID      string    `parquet:"user_id"`
		UserSession string    `parquet:"user_session"`
	}
	path := filepath.Join(t.TempDir(), "string-ids.parquet")
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	rows := []event{{at, "view", 1, 9.5, "c-1", "s1"}, {at.Add(time.Minute), "purchase", 1, 9.5, "c-1", "s1"}, {at, "view", 2, 3, "c-2", "s2"}}
	if err := parquet.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := source.NewInputReport([]string{path}, source.Layout{}); err != nil {
		t.Fatalf("segmint run's validation refuses the file: %v", err)
	}
	_, err := segbeam.Run(context.Background(), segbeam.Options{Events: []string{path}, Out: filepath.Join(t.TempDir(), "out")}, runPrism)
	var ce *source.ColumnError
	if !errors.As(err, &ce) || ce.File != path || ce.Column != "user_id" || !strings.Contains(err.Error(), "string customer ids") {
		t.Errorf("got %v, want a column error naming %s, user_id and string ids", err, path)
	}
	t.Log(err)
}

// TestForceReplacesOnlySegmintsOutput: the job's local --out follows
// segmint run's rule: --force replaces an earlier output, never a directory
// holding a file segmint did not write, and an output that is or contains
// the events is refused before any work; every file is left as it was.
func TestForceReplacesOnlySegmintsOutput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	events := filepath.Join(dir, "events")
	if _, err := synth.Generate(ctx, events, synth.Settings{Customers: 50, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "out", "thesis.txt")
	os.MkdirAll(filepath.Dir(mine), 0o755)
	os.WriteFile(mine, []byte("chapter one"), 0o644)
	for _, tc := range []struct {
		name string
		out  string
		want func(error) bool
	}{
		{"a user's file", filepath.Join(dir, "out"), func(err error) bool {
			var fe *outdir.ForeignError
			return errors.As(err, &fe) && errors.Is(err, output.ErrExists) && fe.Foreign[0] == "thesis.txt"
		}},
		{"the events' folder", events, func(err error) bool {
			var oe *outdir.OverlapError
			return errors.As(err, &oe) && oe.Relation == "is"
		}},
		{"the events' parent", dir, func(err error) bool {
			var oe *outdir.OverlapError
			return errors.As(err, &oe) && oe.Relation == "contains"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
			_, err := segbeam.Run(ctx, segbeam.Options{Events: []string{events}, Out: tc.out, Force: true}, runPrism)
			if !tc.want(err) {
				t.Errorf("err = %v", err)
			}
			after, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
			if strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("files changed: %v -> %v", before, after)
			}
		})
	}
	if data, _ := os.ReadFile(mine); string(data) != "chapter one" {
		t.Error("the user's file was touched")
	}
}

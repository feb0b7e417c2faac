package warehouse

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"github.com/segmint/segmint/demo"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
)

// allTables are the output tables, in the contract's order.
var allTables = []string{"customers", "clusters", "memberships", "segments", "k_selection", "movement"}

// manifest is the part of a run's manifest.json the checks use. It is
// decoded from the file, not taken from pipeline.Run's return value, so
// that the test reads what a warehouse loader would read.
type manifest struct {
	Path          string           `json:"-"`
	RunID         string           `json:"run_id"`
	SchemaVersion string           `json:"schema_version"`
	Version       string           `json:"version"`
	AsOf          time.Time        `json:"as_of"`
	K             int              `json:"k"`
	Parameters    json.RawMessage  `json:"parameters"`
	Outputs       map[string]int64 `json:"outputs"`
	Movement      *struct {
		Stayed int64 `json:"stayed"`
		Moved  int64 `json:"moved"`
		New    int64 `json:"new"`
		Gone   int64 `json:"gone"`
	} `json:"movement"`
}

func readManifest(t testing.TB, path string) *manifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	m := &manifest{Path: path}
	if err := json.Unmarshal(b, m); err != nil {
		t.Fatalf("manifest %s: %v", path, err)
	}
	if m.RunID == "" || m.AsOf.IsZero() || m.Outputs == nil {
		t.Fatalf("manifest %s: run_id %q, as_of %v, outputs %v: want all three set", path, m.RunID, m.AsOf, m.Outputs)
	}
	return m
}

// tables are the manifest's output tables, in allTables order.
func (m *manifest) tables() []string {
	var names []string
	for _, table := range allTables {
		if _, ok := m.Outputs[table]; ok {
			names = append(names, table)
		}
	}
	return names
}

// run is one run's output as the test reads it.
type run struct {
	label  string            // in failure messages: "flat run 1", "hive as_of_date=2025-05-30"
	schema string            // the DuckDB schema holding a view per table
	man    *manifest         // its manifest.json
	files  map[string]string // table -> its Parquet file
	// idType is the contract type of its customer ids ("id" columns):
	// int64 when empty.
	idType string
}

func TestEveryTableReadsBack(t *testing.T) {
	start := time.Now()
	ctx := t.Context()
	c, db, events := demoSetup(t)
	var endUS int64
	db.scan(t, "the demo's last event time", "SELECT epoch_us(max(event_time)) FROM "+readParquet(events), &endUS)
	const dayUS = 86_400_000_000
	dir := t.TempDir()

	// The runs. The first flat run stops 30 days before the end of the
	// data, so the second has new customers and movement has rows of
	// customers in only one run.
	first, second, root := filepath.Join(dir, "flat-1"), filepath.Join(dir, "flat-2"), filepath.Join(dir, "warehouse")
	hiveAsOf := []int64{endUS - 60*dayUS, endUS - 30*dayUS}
	pipelineStart := time.Now()
	runPipeline(ctx, t, pipeline.RunOptions{Events: []string{events}, Out: first, Scan: source.ScanOptions{AsOf: endUS - 30*dayUS}})
	runPipeline(ctx, t, pipeline.RunOptions{Events: []string{events}, Out: second, Previous: first})
	for _, asOf := range hiveAsOf {
		runPipeline(ctx, t, pipeline.RunOptions{Events: []string{events}, Out: root, Layout: output.LayoutHive, Scan: source.ScanOptions{AsOf: asOf}})
	}
	t.Logf("4 pipeline runs in %.1fs", time.Since(pipelineStart).Seconds())

	flat1 := flatRun(t, db, "flat run 1", "flat_1", first)
	flat2 := flatRun(t, db, "flat run 2 (previous: run 1)", "flat_2", second)
	for _, r := range []*run{flat1, flat2} {
		t.Run(r.schema, func(t *testing.T) {
			for _, table := range r.man.tables() {
				t.Run(table, func(t *testing.T) { checkFile(t, db, c, r, table, r.files[table]) })
			}
			t.Run("values", func(t *testing.T) { checkValues(t, db, r) })
		})
	}
	t.Run("flat_2/movement_values", func(t *testing.T) { checkMovement(t, db, flat1, flat2) })
	t.Run("previous_only_columns", func(t *testing.T) {
		for _, r := range []*run{flat1, flat2} {
			withPrevious := r == flat2
			if _, ok := r.man.Outputs["movement"]; ok != withPrevious {
				t.Errorf("%s: movement table written: %v, want %v (only with a previous run)", r.label, ok, withPrevious)
			}
			if has := db.hasColumn(t, r.files["clusters"], "previous_cluster"); has != withPrevious {
				t.Errorf("%s: table clusters: column previous_cluster present: %v, want %v (only with a previous run)", r.label, has, withPrevious)
			}
		}
	})
	t.Run("hive", func(t *testing.T) { checkHive(t, db, c, root, hiveAsOf) })
	t.Run("broken_copies_are_caught", func(t *testing.T) { checkBrokenCopies(t, db, c, flat1, flat2) })
	t.Logf("total %.1fs", time.Since(start).Seconds())
}

// TestStringAndBinaryIDsReadBack: the demo's events rewritten by DuckDB
// (its own Parquet writer, defaults) with string ids and with byte ids. Each
// runs twice, the second with the first as --previous; every table keeps
// the input's id type (VARCHAR, BLOB) and passes the contract, the value
// relations between tables and the movement checks, joining on those ids.
func TestStringAndBinaryIDsReadBack(t *testing.T) {
	ctx := t.Context()
	c, db, events := demoSetup(t)
	var endUS int64
	db.scan(t, "the demo's last event time", "SELECT epoch_us(max(event_time)) FROM "+readParquet(events), &endUS)
	const dayUS = 86_400_000_000
	dir := t.TempDir()
	for _, v := range []struct{ idType, expr string }{
		{"string", "'cust-' || md5(CAST(user_id AS VARCHAR))"},
		{"binary", "unhex(md5(CAST(user_id AS VARCHAR)))"},
	} {
		t.Run(v.idType, func(t *testing.T) {
			file := filepath.Join(dir, v.idType+".parquet")
			db.exec(t, fmt.Sprintf("COPY (SELECT * REPLACE (%s AS user_id) FROM %s) TO %s (FORMAT parquet)", v.expr, readParquet(events), sqlString(file)))
			first, second := filepath.Join(dir, v.idType+"-1"), filepath.Join(dir, v.idType+"-2")
			runPipeline(ctx, t, pipeline.RunOptions{Events: []string{file}, Out: first, Scan: source.ScanOptions{AsOf: endUS - 30*dayUS}})
			runPipeline(ctx, t, pipeline.RunOptions{Events: []string{file}, Out: second, Previous: first})
			r1 := flatRun(t, db, v.idType+" ids run 1", v.idType+"_1", first)
			r2 := flatRun(t, db, v.idType+" ids run 2 (previous: run 1)", v.idType+"_2", second)
			for _, r := range []*run{r1, r2} {
				r.idType = v.idType
				for _, table := range r.man.tables() {
					t.Run(r.schema+"/"+table, func(t *testing.T) { checkFile(t, db, c, r, table, r.files[table]) })
				}
				t.Run(r.schema+"/values", func(t *testing.T) { checkValues(t, db, r) })
			}
			t.Run("movement_values", func(t *testing.T) { checkMovement(t, db, r1, r2) })
			// The ids are the input's, spelled as it spells them.
			db.expectNone(t, r2.label, valueCheck{"input_ids", "every customers.customer_id is a user_id of the input",
				fmt.Sprintf(`SELECT c.customer_id FROM {s}.customers c WHERE NOT EXISTS (SELECT 1 FROM %s e WHERE e.user_id = c.customer_id) LIMIT 5`, readParquet(file))}, r2.schema)
		})
	}
}

// demoSetup reads the output contract, opens DuckDB and writes the
// embedded demo events to a file removed with the test.
func demoSetup(t *testing.T) (*contract, *duckDB, string) {
	t.Helper()
	c := readContract(t)
	db := openDuckDB(t)
	events, cleanup, err := demo.File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return c, db, events
}

func runPipeline(ctx context.Context, t testing.TB, o pipeline.RunOptions) {
	t.Helper()
	if _, err := pipeline.Run(ctx, o); err != nil {
		t.Fatalf("pipeline.Run into %s: %v", o.Out, err)
	}
}

// flatRun reads a flat run's manifest, checks that the Parquet files in
// dir are the tables the manifest lists, and makes a view of each.
func flatRun(t testing.TB, db *duckDB, label, schema, dir string) *run {
	t.Helper()
	r := &run{label: label, schema: schema, man: readManifest(t, filepath.Join(dir, "manifest.json")), files: make(map[string]string)}
	paths, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range paths {
		found = append(found, strings.TrimSuffix(filepath.Base(p), ".parquet"))
	}
	slices.Sort(found)
	listed := slices.Sorted(func(yield func(string) bool) {
		for table := range r.man.Outputs {
			if !yield(table) {
				return
			}
		}
	})
	if !slices.Equal(found, listed) {
		t.Errorf("%s: %s holds the tables %v, manifest.json's outputs lists %v", label, dir, found, listed)
	}
	db.exec(t, "CREATE SCHEMA "+schema)
	for _, table := range r.man.tables() {
		r.files[table] = filepath.Join(dir, table+".parquet")
		db.exec(t, fmt.Sprintf("CREATE VIEW %s.%s AS SELECT * FROM %s", schema, table, readParquet(r.files[table])))
	}
	return r
}

// column is a column as DuckDB describes it.
type column struct{ Name, Type string }

// checkFile checks one Parquet file of table against the contract and the
// run's manifest: rows, columns, run_id and as_of, key-value metadata.
func checkFile(t testing.TB, db *duckDB, c *contract, r *run, table, file string) {
	where := fmt.Sprintf("%s, table %s (%s)", r.label, table, filepath.Base(file))
	src := readParquet(file)

	var rows int64
	db.scan(t, where+": row count", "SELECT count(*) FROM "+src, &rows)
	if want := r.man.Outputs[table]; rows != want {
		t.Errorf("%s: DuckDB reads %d rows, manifest.json's outputs says %d", where, rows, want)
	}

	cols := db.describe(t, where, "SELECT * FROM "+src)
	repetition := make(map[string]string)
	for _, row := range db.rows(t, where+": parquet_schema", fmt.Sprintf("SELECT name, repetition_type FROM parquet_schema(%s) WHERE coalesce(num_children, 0) = 0", sqlString(file))) {
		repetition[row[0].(string)] = row[1].(string)
	}
	checkColumns(t, c, where, table, cols, repetition, r.idType)

	// run_id and as_of in every row.
	if has(cols, "run_id") && has(cols, "as_of") {
		bad := db.rows(t, where+": run_id and as_of",
			"SELECT run_id, epoch_us(as_of) AS as_of_us, count(*) AS n FROM "+src+
				" WHERE run_id IS DISTINCT FROM ? OR epoch_us(as_of) IS DISTINCT FROM ? GROUP BY ALL ORDER BY n DESC LIMIT 3",
			r.man.RunID, r.man.AsOf.UnixMicro())
		for _, b := range bad {
			asOf := "null"
			if us, ok := b[1].(int64); ok {
				asOf = time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
			}
			t.Errorf("%s: %d rows have run_id %v, as_of %s; manifest.json says run_id %s, as_of %s",
				where, b[2], b[0], asOf, r.man.RunID, r.man.AsOf.UTC().Format(time.RFC3339Nano))
		}
	}

	checkMetadata(t, db, c, where, r.man, file)
	t.Logf("%-30s %-11s %6d rows  %2d columns", r.label, table, rows, len(cols))
}

func has(cols []column, name string) bool {
	return slices.ContainsFunc(cols, func(c column) bool { return c.Name == name })
}

// checkColumns compares the columns DuckDB reads (names, types and the
// Parquet repetition of each) with the contract's columns of table.
func checkColumns(t testing.TB, c *contract, where, table string, cols []column, repetition map[string]string, idType string) {
	t.Helper()
	documented := make(map[string]bool)
	for _, col := range cols {
		doc, ok := c.lookup(table, col.Name)
		if !ok {
			t.Errorf("%s: column %s (%s) is in the file but not documented in %s", where, col.Name, col.Type, contractPath)
			continue
		}
		documented[doc.Name] = true
		docType := doc.Type
		if docType == "id" {
			docType = cmp.Or(idType, "int64")
		}
		if want := duckDBType[docType]; col.Type != want {
			t.Errorf("%s: column %s: DuckDB reads type %s, the contract (%s:%d) says %s, which DuckDB reads as %s",
				where, col.Name, col.Type, contractPath, doc.Line, doc.Type, want)
		}
		want := "REQUIRED"
		if doc.Nullable {
			want = "OPTIONAL"
		}
		if got := repetition[col.Name]; got != want {
			t.Errorf("%s: column %s: Parquet repetition %q, the contract (%s:%d) says nullable %s, so want %s",
				where, col.Name, got, contractPath, doc.Line, map[bool]string{true: "yes", false: "no"}[doc.Nullable], want)
		}
	}
	for _, doc := range c.Tables[table] {
		if !doc.Optional && !documented[doc.Name] {
			t.Errorf("%s: column %s is documented (%s:%d) and not optional, but missing from the file", where, doc.Name, contractPath, doc.Line)
		}
	}
	if n := len(cols); n < 2 || cols[n-2].Name != "run_id" || cols[n-1].Name != "as_of" {
		var last []string
		for _, col := range cols[max(0, n-2):] {
			last = append(last, col.Name)
		}
		t.Errorf("%s: the last columns are %v; the contract says every table ends with run_id, as_of", where, last)
	}
}

// checkMetadata checks a file's segmint.* key-value metadata against the
// contract's list of keys and the run's manifest.
func checkMetadata(t testing.TB, db *duckDB, c *contract, where string, man *manifest, file string) {
	t.Helper()
	kv := make(map[string]string)
	for _, row := range db.rows(t, where+": parquet_kv_metadata",
		fmt.Sprintf("SELECT decode(key), decode(value) FROM parquet_kv_metadata(%s) WHERE starts_with(decode(key), 'segmint.')", sqlString(file))) {
		kv[row[0].(string)] = row[1].(string)
	}
	for _, key := range c.MetadataKeys {
		if _, ok := kv[key]; !ok {
			t.Errorf("%s: key-value metadata lacks %s (the contract lists it for every file)", where, key)
		}
	}
	want := map[string]string{
		"segmint.schema_version": c.SchemaVersion,
		"segmint.run_id":         man.RunID,
		"segmint.version":        man.Version,
		"segmint.k":              fmt.Sprint(man.K),
	}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	}) {
		if got, ok := kv[key]; ok && got != want[key] {
			t.Errorf("%s: key-value metadata %s = %q, want %q (manifest.json / the contract)", where, key, got, want[key])
		}
	}
	if man.SchemaVersion != c.SchemaVersion {
		t.Errorf("%s: manifest.json schema_version %q, the contract says %q", man.Path, man.SchemaVersion, c.SchemaVersion)
	}
	if got, ok := kv["segmint.as_of"]; ok {
		// RFC 3339 to the second, as the contract says.
		asOf, err := time.Parse(time.RFC3339, got)
		if err != nil {
			t.Errorf("%s: key-value metadata segmint.as_of = %q is not RFC 3339: %v", where, got, err)
		} else if wantAsOf := man.AsOf.Truncate(time.Second); !asOf.Equal(wantAsOf) {
			t.Errorf("%s: key-value metadata segmint.as_of = %q, manifest.json's as_of is %s", where, got, man.AsOf.UTC().Format(time.RFC3339Nano))
		}
	}
	if got, ok := kv["segmint.parameters"]; ok {
		var fromFile, fromManifest any
		if err := json.Unmarshal([]byte(got), &fromFile); err != nil {
			t.Errorf("%s: key-value metadata segmint.parameters = %q is not JSON: %v", where, got, err)
		} else if err := json.Unmarshal(man.Parameters, &fromManifest); err != nil {
			t.Errorf("%s: parameters: %v", man.Path, err)
		} else if !reflect.DeepEqual(fromFile, fromManifest) {
			t.Errorf("%s: key-value metadata segmint.parameters = %s, manifest.json's parameters are %s", where, got, man.Parameters)
		}
	}
	if got, ok := kv["segmint.seed"]; ok {
		var p struct {
			Seed json.Number `json:"seed"`
		}
		if err := json.Unmarshal(man.Parameters, &p); err == nil && got != p.Seed.String() {
			t.Errorf("%s: key-value metadata segmint.seed = %q, manifest.json's parameters.seed is %s", where, got, p.Seed)
		}
	}
}

// A valueCheck is a query that returns the rows that break a rule of the
// output contract (at most a few, as examples), and the rule.
type valueCheck struct {
	name, rule, query string
}

// checkValues checks the relations between the tables of one run. The
// queries name the tables as SCHEMA.table; {s} stands for the schema.
func checkValues(t testing.TB, db *duckDB, r *run) {
	checks := []valueCheck{
		{"customers_unique", "customers has exactly one row per distinct customer_id",
			`SELECT customer_id, count(*) AS rows FROM {s}.customers GROUP BY customer_id HAVING count(*) <> 1 ORDER BY customer_id LIMIT 5`},
		{"cluster_sizes_total", "sum(clusters.size) equals the customers row count",
			`SELECT sum_size, customers_rows FROM (SELECT (SELECT CAST(sum(size) AS BIGINT) FROM {s}.clusters) AS sum_size, (SELECT count(*) FROM {s}.customers) AS customers_rows) WHERE sum_size IS DISTINCT FROM customers_rows`},
		{"cluster_sizes", "clusters.size is the customers counted per cluster, and every customers.cluster is a cluster",
			`SELECT coalesce(k.cluster, c.cluster) AS cluster, k.size AS clusters_size, coalesce(c.n, 0) AS customers_rows
			 FROM {s}.clusters k FULL JOIN (SELECT cluster, count(*) AS n FROM {s}.customers GROUP BY cluster) c ON k.cluster = c.cluster
			 WHERE k.size IS DISTINCT FROM coalesce(c.n, 0) ORDER BY 1 LIMIT 5`},
		{"customer_segments", "every customers.segment is null or a segment of the segments table",
			`SELECT c.segment, count(*) AS customers FROM {s}.customers c
			 WHERE c.segment IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {s}.segments g WHERE g.segment = c.segment)
			 GROUP BY c.segment ORDER BY c.segment LIMIT 5`},
		{"primary_segments", "every customers.primary_segment is a segment of the segments table or none",
			`SELECT c.primary_segment, count(*) AS customers FROM {s}.customers c
			 WHERE c.primary_segment <> 'none' AND NOT EXISTS (SELECT 1 FROM {s}.segments g WHERE g.segment = c.primary_segment)
			 GROUP BY c.primary_segment ORDER BY 1 LIMIT 5`},
		{"memberships_unique", "memberships' (customer_id, segment) pairs are distinct",
			`SELECT customer_id, segment, count(*) AS rows FROM {s}.memberships GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 5`},
		{"membership_customers", "every memberships.customer_id is a customer of the customers table",
			`SELECT m.customer_id, count(*) AS memberships FROM {s}.memberships m
			 WHERE NOT EXISTS (SELECT 1 FROM {s}.customers c WHERE c.customer_id = m.customer_id)
			 GROUP BY m.customer_id ORDER BY 1 LIMIT 5`},
		{"membership_segments", "every memberships.segment is a segment of the segments table",
			`SELECT m.segment, count(*) AS memberships FROM {s}.memberships m
			 WHERE NOT EXISTS (SELECT 1 FROM {s}.segments g WHERE g.segment = m.segment)
			 GROUP BY m.segment ORDER BY 1 LIMIT 5`},
		{"segment_members", "segments.members is the memberships rows counted per segment",
			`SELECT coalesce(g.segment, m.segment) AS segment, g.members AS segments_members, coalesce(m.n, 0) AS memberships_rows
			 FROM {s}.segments g FULL JOIN (SELECT segment, count(*) AS n FROM {s}.memberships GROUP BY segment) m ON g.segment = m.segment
			 WHERE g.members IS DISTINCT FROM coalesce(m.n, 0) ORDER BY 1 LIMIT 5`},
		{"segment_primary_members", "segments.primary_members is the customers counted per primary_segment",
			`SELECT g.segment, g.primary_members AS segments_primary_members, coalesce(c.n, 0) AS customers_rows
			 FROM {s}.segments g LEFT JOIN (SELECT primary_segment, count(*) AS n FROM {s}.customers GROUP BY primary_segment) c ON g.segment = c.primary_segment
			 WHERE g.primary_members IS DISTINCT FROM coalesce(c.n, 0) ORDER BY 1 LIMIT 5`},
	}
	for _, check := range checks {
		db.expectNone(t, r.label, check, r.schema)
	}
}

// checkMovement checks the movement table of the second flat run against
// the customers tables of both runs and the second run's manifest.
func checkMovement(t testing.TB, db *duckDB, before, after *run) {
	if _, ok := after.man.Outputs["movement"]; !ok {
		t.Fatalf("%s: no movement table", after.label)
	}
	where := after.label + ", table movement"
	// What movement should hold: one row per customer of either run, with
	// each run's segment ("(unmatched)" for null), null when absent.
	expected := fmt.Sprintf(`SELECT coalesce(a.customer_id, b.customer_id) AS customer_id,
			CASE WHEN b.customer_id IS NOT NULL THEN coalesce(b.segment, '(unmatched)') END AS segment_before,
			CASE WHEN a.customer_id IS NOT NULL THEN coalesce(a.segment, '(unmatched)') END AS segment_after
		FROM %s.customers b FULL JOIN %s.customers a ON a.customer_id = b.customer_id`, before.schema, after.schema)

	var rows, either int64
	db.scan(t, where, "SELECT count(*) FROM "+after.schema+".movement", &rows)
	db.scan(t, where, "SELECT count(*) FROM ("+expected+")", &either)
	if rows != either {
		t.Errorf("%s: %d rows; the customers of either run (%s, %s) are %d", where, rows, before.label, after.label, either)
	}
	db.expectNone(t, after.label, valueCheck{"movement_unique", "movement has one row per customer_id",
		`SELECT customer_id, count(*) AS rows FROM {s}.movement GROUP BY customer_id HAVING count(*) <> 1 ORDER BY 1 LIMIT 5`}, after.schema)
	db.expectNone(t, after.label, valueCheck{"movement_rows", "movement has a row for each customer of either run, with segment_before and segment_after the runs' customers.segment ('(unmatched)' for null, null when not in that run)",
		`WITH want AS (` + expected + `)
		 SELECT coalesce(w.customer_id, m.customer_id) AS customer_id,
			w.customer_id IS NOT NULL AS in_either_run, m.customer_id IS NOT NULL AS in_movement,
			w.segment_before AS want_before, m.segment_before AS got_before,
			w.segment_after AS want_after, m.segment_after AS got_after
		 FROM want w FULL JOIN {s}.movement m ON w.customer_id = m.customer_id
		 WHERE w.customer_id IS NULL OR m.customer_id IS NULL
			OR w.segment_before IS DISTINCT FROM m.segment_before OR w.segment_after IS DISTINCT FROM m.segment_after
		 ORDER BY 1 LIMIT 5`}, after.schema)

	mv := after.man.Movement
	if mv == nil {
		t.Fatalf("%s: manifest.json has no movement summary", after.label)
	}
	var stayed, moved, added, gone int64
	db.scan(t, where, `SELECT
			count(*) FILTER (WHERE segment_before = segment_after),
			count(*) FILTER (WHERE segment_before <> segment_after),
			count(*) FILTER (WHERE segment_before IS NULL),
			count(*) FILTER (WHERE segment_after IS NULL)
		FROM `+after.schema+`.movement`, &stayed, &moved, &added, &gone)
	got := [4]int64{stayed, moved, added, gone}
	want := [4]int64{mv.Stayed, mv.Moved, mv.New, mv.Gone}
	if got != want {
		t.Errorf("%s: stayed, moved, new, gone = %v; manifest.json's movement says %v", where, got, want)
	}
	if added == 0 {
		t.Errorf("%s: no new customers; the first run stops 30 days earlier, so some are expected (is the first run's as-of ignored?)", where)
	}
	t.Logf("%-30s %-11s %6d rows = customers of either run; stayed %d, moved %d, new %d, gone %d", after.label, "movement", rows, stayed, moved, added, gone)
}

// checkHive reads the hive data set root written by runs at the as-of
// instants asOf (µs): each partition file on its own, then every table as
// DuckDB reads a partitioned table.
func checkHive(t *testing.T, db *duckDB, c *contract, root string, asOf []int64) {
	var runs []*run
	var dates []string
	for _, us := range asOf {
		date := time.UnixMicro(us).UTC().Format(time.DateOnly)
		dates = append(dates, date)
		r := &run{
			label:  "hive as_of_date=" + date,
			schema: "hive_" + strings.ReplaceAll(date, "-", ""),
			man:    readManifest(t, filepath.Join(root, "_runs", "as_of_date="+date, "manifest.json")),
			files:  make(map[string]string),
		}
		if got := r.man.AsOf.UnixMicro(); got != us {
			t.Errorf("%s: manifest.json's as_of is %s, the run was given %s", r.label, r.man.AsOf.UTC().Format(time.RFC3339Nano), time.UnixMicro(us).UTC().Format(time.RFC3339Nano))
		}
		for _, table := range r.man.tables() {
			r.files[table] = filepath.Join(root, table, "as_of_date="+date, "part-00000.parquet")
		}
		runs = append(runs, r)
	}

	// The tables of the root are those the manifests list.
	var tables []string
	for _, table := range allTables {
		in := 0
		for _, r := range runs {
			if _, ok := r.man.Outputs[table]; ok {
				in++
			}
		}
		_, err := os.Stat(filepath.Join(root, table))
		switch {
		case in == len(runs) && err == nil:
			tables = append(tables, table)
		case in > 0 || err == nil:
			t.Errorf("hive root %s: table %s: directory present %v, in %d of %d manifests; want it in all of them and on disk, or in none", root, table, err == nil, in, len(runs))
		}
	}

	db.exec(t, "CREATE SCHEMA hive")
	for _, r := range runs {
		db.exec(t, "CREATE SCHEMA "+r.schema)
	}
	for _, table := range tables {
		glob := filepath.Join(root, table, "*", "*.parquet")
		hiveRead := fmt.Sprintf("read_parquet(%s, hive_partitioning = true)", sqlString(glob))
		db.exec(t, fmt.Sprintf("CREATE VIEW hive.%s AS SELECT * FROM %s", table, hiveRead))
		for i, r := range runs {
			// Each partition through the partition column, as a warehouse
			// query would select it.
			db.exec(t, fmt.Sprintf("CREATE VIEW %s.%s AS SELECT * EXCLUDE (as_of_date) FROM hive.%s WHERE as_of_date = DATE '%s'", r.schema, table, table, dates[i]))
		}
		t.Run(table, func(t *testing.T) {
			where := "hive root, table " + table
			// Both partitions are there (also when one is empty).
			var partitions []string
			for _, row := range db.rows(t, where+": glob", fmt.Sprintf("SELECT file FROM glob(%s) ORDER BY file", sqlString(glob))) {
				partitions = append(partitions, filepath.Base(filepath.Dir(row[0].(string))))
			}
			var want []string
			for _, d := range dates {
				want = append(want, "as_of_date="+d)
			}
			if !slices.Equal(partitions, want) {
				t.Errorf("%s: partitions %v, want %v", where, partitions, want)
			}
			// Each partition's rows, through the partition column.
			counts := make(map[string]int64)
			for _, row := range db.rows(t, where+": rows per partition", "SELECT strftime(as_of_date, '%Y-%m-%d'), count(*) FROM hive."+table+" GROUP BY ALL") {
				counts[row[0].(string)] = row[1].(int64)
			}
			var total int64
			for i, r := range runs {
				total += counts[dates[i]]
				if got, want := counts[dates[i]], r.man.Outputs[table]; got != want {
					t.Errorf("%s: partition as_of_date=%s has %d rows through hive partitioning, %s says %d", where, dates[i], got, r.man.Path, want)
				}
				delete(counts, dates[i])
			}
			for date, n := range counts {
				t.Errorf("%s: %d rows in an unexpected partition as_of_date=%s", where, n, date)
			}
			// The partition column DuckDB derives from the path is the UTC
			// date of the file's as_of column, which a hive read keeps (the
			// partition key is named as_of_date so that it does not
			// replace the as_of column).
			db.expectNone(t, where, valueCheck{"partition_date", "the as_of_date partition of each row is the UTC date of its as_of column",
				fmt.Sprintf(`SELECT as_of_date, as_of, count(*) FROM hive.%s WHERE as_of_date IS DISTINCT FROM CAST(as_of AS DATE) GROUP BY ALL ORDER BY 1 LIMIT 5`, table)}, "")
			// The columns a hive read shows: the files' columns, then the
			// partition column.
			cols := db.describe(t, where, "SELECT * FROM hive."+table)
			fileCols := db.describe(t, where, "SELECT * FROM "+readParquet(runs[0].files[table]))
			var asOfType string
			if len(cols) != len(fileCols)+1 || cols[len(cols)-1].Name != "as_of_date" {
				t.Errorf("%s: through hive partitioning DuckDB reads the columns %v, want the files' %v and as_of_date", where, cols, fileCols)
			} else {
				asOfType = cols[len(cols)-1].Type
				for i := range fileCols {
					if cols[i] != fileCols[i] {
						t.Errorf("%s: through hive partitioning column %d is %v, the files hold %v", where, i, cols[i], fileCols[i])
					}
				}
			}
			t.Logf("%-30s %-11s %6d rows  %2d columns  partitions %s (as_of_date read as %s from the path)", "hive (2 partitions)", table, total, len(cols), strings.Join(dates, ", "), asOfType)
		})
	}
	for _, r := range runs {
		t.Run(r.schema, func(t *testing.T) {
			for _, table := range tables {
				t.Run(table, func(t *testing.T) { checkFile(t, db, c, r, table, r.files[table]) })
			}
			t.Run("values", func(t *testing.T) { checkValues(t, db, r) })
		})
	}
}

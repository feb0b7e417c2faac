package warehouse

import (
	"fmt"
	"maps"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing, so
// that the checks can be run on tables broken on purpose. Only the methods
// below may be called (the embedded TB is nil).
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Errorf(f string, a ...any) {
	r.failures = append(r.failures, fmt.Sprintf(f, a...))
}
func (r *recorder) Fatalf(f string, a ...any) {
	r.Errorf(f, a...)
	runtime.Goexit()
}

// record runs check with a recorder, in a goroutine of its own (Fatalf
// ends it), and returns the failures it reported.
func record(check func(tb testing.TB)) []string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.failures
}

// checkBrokenCopies rewrites one table of a good run at a time with a
// defect, through DuckDB, and checks that the checks report it, naming the
// table, column or value that is wrong. previous is the run good was
// compared with for movement.
func checkBrokenCopies(t *testing.T, db *duckDB, c *contract, previous, good *run) {
	// {src} is the good table. DuckDB writes every column as OPTIONAL and
	// no segmint.* metadata unless told, so most copies also break those
	// rules; each case looks only for the failure of its own defect.
	const kv = "KV_METADATA {'segmint.schema_version': '1'}"
	customers := good.man.Outputs["customers"]
	tests := []struct {
		name, table, query, options string
		want                        []string
	}{
		{"duplicate customer", "customers",
			"SELECT * FROM {src} UNION ALL (SELECT * FROM {src} ORDER BY customer_id LIMIT 1)", "",
			[]string{"customers_unique", "rows=2", fmt.Sprintf("DuckDB reads %d rows, manifest.json's outputs says %d", customers+1, customers)}},
		{"unknown segment", "customers",
			"SELECT * REPLACE (CASE WHEN customer_id = (SELECT min(customer_id) FROM {src}) THEN 'no_such_segment' ELSE segment END AS segment) FROM {src}", "",
			[]string{`customer_segments: the rule "every customers.segment is null or a segment of the segments table" fails`, `segment="no_such_segment", customers=1`}},
		{"cluster size off by one", "clusters",
			"SELECT * REPLACE (CASE WHEN cluster = 0 THEN size + 1 ELSE size END AS size) FROM {src}", "",
			[]string{"cluster_sizes_total", "cluster_sizes: ", "cluster=0, clusters_size="}},
		{"membership of an unknown customer", "memberships",
			"SELECT * FROM {src} UNION ALL SELECT -1 AS customer_id, segment, run_id, as_of FROM (SELECT * FROM {src} LIMIT 1)", "",
			[]string{"membership_customers", "customer_id=-1, memberships=1", "segment_members"}},
		{"as_of a second late", "memberships",
			"SELECT * REPLACE (as_of + INTERVAL 1 SECOND AS as_of) FROM {src}", "",
			[]string{fmt.Sprintf("table memberships (memberships.parquet): %d rows have run_id %s, as_of", good.man.Outputs["memberships"], good.man.RunID)}},
		{"another run's run_id in the metadata", "segments",
			"SELECT * FROM {src}", "KV_METADATA {'segmint.schema_version': '1', 'segmint.run_id': 'not-this-run'}",
			[]string{`key-value metadata segmint.run_id = "not-this-run", want`, "key-value metadata lacks segmint.as_of"}},
		{"nullable columns", "segments",
			"SELECT * FROM {src}", kv,
			[]string{`table segments (segments.parquet): column segment: Parquet repetition "OPTIONAL", the contract`}},
		{"cluster as BIGINT", "customers",
			"SELECT * REPLACE (CAST(cluster AS BIGINT) AS cluster) FROM {src}", kv,
			[]string{"column cluster: DuckDB reads type BIGINT, the contract (../../docs/outputs.md:"}},
		{"missing column", "k_selection",
			"SELECT * EXCLUDE (chosen) FROM {src}", kv,
			[]string{"column chosen is documented"}},
		{"undocumented column", "customers",
			"SELECT * EXCLUDE (run_id, as_of), CAST(1 AS DOUBLE) AS loyalty_score, run_id, as_of FROM {src}", kv,
			[]string{"column loyalty_score (DOUBLE) is in the file but not documented"}},
		{"run_id not last but one", "clusters",
			"SELECT * EXCLUDE (run_id, as_of), as_of, run_id FROM {src}", kv,
			[]string{"the last columns are [as_of run_id]"}},
		{"wrong segment_after", "movement",
			"SELECT * REPLACE (CASE WHEN customer_id = (SELECT min(customer_id) FROM {src}) THEN 'moved_elsewhere' ELSE segment_after END AS segment_after) FROM {src}", "",
			[]string{"movement_rows", `got_after="moved_elsewhere"`, "stayed, moved, new, gone"}},
	}
	for i, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			broken := &run{label: good.label + " broken: " + tt.name, schema: fmt.Sprintf("broken_%d", i), man: good.man, files: maps.Clone(good.files)}
			broken.files[tt.table] = filepath.Join(t.TempDir(), tt.table+".parquet")
			query := strings.ReplaceAll(tt.query, "{src}", readParquet(good.files[tt.table]))
			options := "FORMAT parquet"
			if tt.options != "" {
				options += ", " + tt.options
			}
			db.exec(t, fmt.Sprintf("COPY (%s) TO %s (%s)", query, sqlString(broken.files[tt.table]), options))
			db.exec(t, "CREATE SCHEMA "+broken.schema)
			for table, file := range broken.files {
				db.exec(t, fmt.Sprintf("CREATE VIEW %s.%s AS SELECT * FROM %s", broken.schema, table, readParquet(file)))
			}
			failures := record(func(tb testing.TB) {
				checkFile(tb, db, c, broken, tt.table, broken.files[tt.table])
				checkValues(tb, db, broken)
				if tt.table == "movement" {
					checkMovement(tb, db, previous, broken)
				}
			})
			all := strings.Join(failures, "\n")
			for _, want := range tt.want {
				if !strings.Contains(all, want) {
					t.Errorf("no failure says %q; the failures:\n%s", want, all)
				}
			}
		})
	}
}

package warehouse

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// duckDB is an in-memory DuckDB database with one connection, so that
// session settings hold for every query. Every query reads its rows to the
// end before the next one starts.
type duckDB struct{ db *sql.DB }

func openDuckDB(t testing.TB) *duckDB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("duckdb: %v", err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("duckdb: close: %v", err)
		}
	})
	d := &duckDB{db: db}
	// Dates of TIMESTAMP WITH TIME ZONE values are UTC dates.
	d.exec(t, "SET TimeZone = 'UTC'")
	return d
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// readParquet is the table function reading one Parquet file as it was
// written. Hive partitioning is turned off: DuckDB detects key=value
// directories in the path by default, and the hive layout's as_of=DATE
// directory would then replace the file's as_of column (a TIMESTAMP WITH
// TIME ZONE) by the partition's DATE.
func readParquet(path string) string {
	return "read_parquet(" + sqlString(path) + ", hive_partitioning = false)"
}

func (d *duckDB) exec(t testing.TB, query string) {
	t.Helper()
	if _, err := d.db.Exec(query); err != nil {
		t.Fatalf("duckdb: %v\nquery: %s", err, query)
	}
}

// rows runs query and returns its rows, each value as the driver gives it;
// what says what the query is for, in the failure message.
func (d *duckDB) rows(t testing.TB, what, query string, args ...any) [][]any {
	t.Helper()
	_, rows := d.query(t, what, query, args...)
	return rows
}

func (d *duckDB) query(t testing.TB, what, query string, args ...any) ([]string, [][]any) {
	t.Helper()
	rs, err := d.db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: duckdb: %v\nquery: %s", what, err, query)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatalf("%s: duckdb: %v", what, err)
	}
	var out [][]any
	for rs.Next() {
		row := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatalf("%s: duckdb: %v\nquery: %s", what, err, query)
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: duckdb: %v\nquery: %s", what, err, query)
	}
	return cols, out
}

// scan runs a query of one row into dst.
func (d *duckDB) scan(t testing.TB, what, query string, dst ...any) {
	t.Helper()
	if err := d.db.QueryRow(query).Scan(dst...); err != nil {
		t.Fatalf("%s: duckdb: %v\nquery: %s", what, err, query)
	}
}

// describe returns the columns DuckDB reads from query.
func (d *duckDB) describe(t testing.TB, what, query string) []column {
	t.Helper()
	var cols []column
	for _, row := range d.rows(t, what+": DESCRIBE", "DESCRIBE "+query) {
		cols = append(cols, column{Name: row[0].(string), Type: row[1].(string)})
	}
	return cols
}

// hasColumn reports whether the Parquet file holds a column name.
func (d *duckDB) hasColumn(t testing.TB, file, name string) bool {
	t.Helper()
	var n int64
	d.scan(t, file, fmt.Sprintf("SELECT count(*) FROM parquet_schema(%s) WHERE name = %s", sqlString(file), sqlString(name)), &n)
	return n > 0
}

// expectNone runs a valueCheck with {s} replaced by schema and reports the
// rows it returns, the rule they break, column by column.
func (d *duckDB) expectNone(t testing.TB, where string, check valueCheck, schema string) {
	t.Helper()
	query := strings.ReplaceAll(check.query, "{s}", schema)
	cols, rows := d.query(t, where+": "+check.name, query)
	if len(rows) == 0 {
		return
	}
	var b strings.Builder
	for _, row := range rows {
		b.WriteString("\n\t")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s=%s", cols[i], formatValue(v))
		}
	}
	t.Errorf("%s: %s: the rule %q fails; rows (at most 5):%s", where, check.name, check.rule, b.String())
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return fmt.Sprintf("%q", v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

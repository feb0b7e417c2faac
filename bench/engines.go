package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"github.com/segmint/segmint/source"
)

// The engines compared.
const (
	EngineSegmint = "segmint"
	EngineDuckDB  = "duckdb"
)

// Timed is what one engine run returns: its per-customer results and the
// wall time of the timed phase (see the package documentation).
type Timed struct {
	Result  *Result
	Seconds float64
	Events  int64 // events the engine counted after filtering; 0 if unknown
}

// RunSegmint times source.ComputeFeatures over files with threads workers.
func RunSegmint(ctx context.Context, files []string, threads int) (*Timed, error) {
	start := time.Now()
	table, rep, err := source.ComputeFeatures(ctx, files, source.ScanOptions{Workers: threads})
	if err != nil {
		return nil, fmt.Errorf("bench: segmint: %w", err)
	}
	secs := time.Since(start).Seconds()
	return &Timed{Result: FromTable(table), Seconds: secs, Events: rep.Events}, nil
}

// DuckDBSettings configure a DuckDB run.
type DuckDBSettings struct {
	// Threads is DuckDB's thread count (SET threads); 0 keeps DuckDB's
	// default (all cores).
	Threads int
	// TempDir is where DuckDB spills; "" keeps DuckDB's default.
	TempDir string
	// MemoryLimit, when not "", is passed to SET memory_limit (DuckDB's
	// default is 80% of the machine's memory).
	MemoryLimit string
	// AfterQuery, when set, is called right after the timed phase, before
	// the results are read back (the child measures peak memory there).
	AfterQuery func()
}

// RunDuckDB times DuckDB computing FeatureSQL into a temporary table, then
// reads the table back (untimed).
func RunDuckDB(ctx context.Context, files []string, s DuckDBSettings) (*Timed, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	defer db.Close()
	// One connection, so the SET statements and the temporary table are
	// seen by every statement.
	db.SetMaxOpenConns(1)
	var setup []string
	if s.Threads > 0 {
		setup = append(setup, fmt.Sprintf("SET threads = %d", s.Threads))
	}
	if s.TempDir != "" {
		setup = append(setup, "SET temp_directory = "+sqlString(s.TempDir))
	}
	if s.MemoryLimit != "" {
		setup = append(setup, "SET memory_limit = "+sqlString(s.MemoryLimit))
	}
	for _, q := range setup {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("bench: duckdb: %s: %w", q, err)
		}
	}
	start := time.Now()
	if _, err := db.ExecContext(ctx, "CREATE TEMP TABLE features AS "+FeatureSQL(files)); err != nil {
		return nil, fmt.Errorf("bench: duckdb: feature query: %w", err)
	}
	secs := time.Since(start).Seconds()
	if s.AfterQuery != nil {
		s.AfterQuery()
	}
	res, err := readDuckDBResult(ctx, db)
	if err != nil {
		return nil, err
	}
	return &Timed{Result: res, Seconds: secs}, nil
}

func readDuckDBResult(ctx context.Context, db *sql.DB) (*Result, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM features").Scan(&n); err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	r := &Result{Engine: EngineDuckDB, Names: FeatureColumns, Customers: make([]int64, 0, n), Country: make([]string, 0, n)}
	r.Columns = make([][]float64, len(FeatureColumns))
	for j := range r.Columns {
		r.Columns[j] = make([]float64, 0, n)
	}
	rows, err := db.QueryContext(ctx, "SELECT * FROM features ORDER BY customer")
	if err != nil {
		return nil, fmt.Errorf("bench: duckdb: %w", err)
	}
	defer rows.Close()
	vals := make([]sql.NullFloat64, len(FeatureColumns))
	dst := make([]any, 0, len(FeatureColumns)+2)
	var customer int64
	var country sql.NullString
	dst = append(dst, &customer)
	for j := range vals {
		dst = append(dst, &vals[j])
	}
	dst = append(dst, &country)
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("bench: duckdb: read results: %w", err)
		}
		r.Customers = append(r.Customers, customer)
		for j, v := range vals {
			x := math.NaN()
			if v.Valid {
				x = v.Float64
			}
			r.Columns[j] = append(r.Columns[j], x)
		}
		r.Country = append(r.Country, country.String)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bench: duckdb: read results: %w", err)
	}
	return r, nil
}

// DuckDBVersion is the version of the bundled DuckDB library.
func DuckDBVersion() string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// DuckDBCopy rewrites the Parquet file src as dst with DuckDB's COPY and its
// default options, keeping the rows in their order, and returns the rows
// written.
func DuckDBCopy(ctx context.Context, src, dst string) (int64, error) {
	return duckDBCopy(ctx, fmt.Sprintf("read_parquet(%s)", sqlString(src)), dst)
}

// DuckDBCopyCSV writes the CSV file src (with a header; types detected by
// DuckDB) as the Parquet file dst with DuckDB's COPY and its default
// options, and returns the rows written.
func DuckDBCopyCSV(ctx context.Context, src, dst string) (int64, error) {
	return duckDBCopy(ctx, fmt.Sprintf("read_csv(%s, header = true)", sqlString(src)), dst)
}

// duckDBCopy writes every row of the table function from as the Parquet
// file dst with DuckDB's COPY and returns the rows written.
func duckDBCopy(ctx context.Context, from, dst string) (int64, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, fmt.Errorf("bench: duckdb: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	q := fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet)", from, sqlString(dst))
	res, err := db.ExecContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("bench: duckdb: %s: %w", q, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("bench: duckdb: %s: %w", q, err)
	}
	return n, nil
}

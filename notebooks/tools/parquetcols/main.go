// Command parquetcols prints the top-level column names of Parquet files, one a
// line, as "FILE<TAB>COLUMN" when given several files and as "COLUMN" for one.
// .ci/notebooks.sh uses it to check the columns the Python notebook reads
// against a real run's outputs on machines where pyarrow is not installed.
//
//	go run ./parquetcols customers.parquet clusters.parquet
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main prints the columns of every file in paths to stdout and returns the
// process exit code: 0 on success, 2 on a usage error, 3 on an unreadable file.
func Main(paths []string, stdout, stderr io.Writer) int {
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "usage: parquetcols FILE.parquet [FILE.parquet ...]")
		return 2
	}
	for _, path := range paths {
		columns, err := Columns(path)
		if err != nil {
			fmt.Fprintln(stderr, "parquetcols:", err)
			return 3
		}
		for _, column := range columns {
			if len(paths) == 1 {
				fmt.Fprintln(stdout, column)
			} else {
				fmt.Fprintf(stdout, "%s\t%s\n", filepath.Base(path), column)
			}
		}
	}
	return 0
}

// ErrNoColumns is returned for a Parquet file whose schema has no columns.
var ErrNoColumns = errors.New("schema has no columns")

// Columns returns the names of the top-level columns of the Parquet file at
// path, in schema order.
func Columns(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	file, err := parquet.OpenFile(f, info.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fields := file.Schema().Fields()
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrNoColumns)
	}
	columns := make([]string, len(fields))
	for i, field := range fields {
		columns[i] = field.Name()
	}
	return columns, nil
}

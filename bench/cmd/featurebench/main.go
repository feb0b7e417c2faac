// Command featurebench times segmint's feature stage against DuckDB
// computing the same features in SQL, and checks that they agree. Run it
// with --help for the flags.
package main

import (
	"os"

	"github.com/segmint/segmint/bench"
)

func main() { os.Exit(bench.Main(os.Args[1:], os.Stdout, os.Stderr)) }

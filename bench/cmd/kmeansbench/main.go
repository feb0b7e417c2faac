// Command kmeansbench times segmint's k-means against scikit-learn and
// muesli/kmeans on the same standardised matrix. Run it with --help for
// the flags.
package main

import (
	"os"

	"github.com/segmint/segmint/bench/kmeansbench"
)

func main() { os.Exit(kmeansbench.Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Command planted measures segmint on planted data sets: recovery of the
// archetypes, the robustness suite, the k-means refinement, the Gaussian
// mixture, and each archetype's planted behaviour. Run it with --help.
package main

import (
	"os"

	"github.com/segmint/segmint/bench/planted"
)

func main() { os.Exit(planted.Main(os.Args[1:], os.Stdout, os.Stderr)) }

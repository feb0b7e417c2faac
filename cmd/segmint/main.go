// Command segmint turns e-commerce event dumps into customer segments.
// Run "segmint help" for the commands.
package main

import (
	"os"

	"github.com/segmint/segmint/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }

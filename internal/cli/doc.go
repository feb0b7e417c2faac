// Package cli implements the segmint command line: flag parsing into an
// options struct per command, one function that does the work, output
// through injected writers, and exit codes from error kinds (see the
// constants). Every command reads --config TOML files (see config.go).
package cli

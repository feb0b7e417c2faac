// Package demo holds the embedded demo data set: a small synthetic event log
// in the REES46 layout (with the optional columns), made by segmint generate
// with planted customer archetypes, so that "segmint run" shows the whole
// product on a fresh machine with no data at hand.
//
// Regenerate it with: go generate ./demo
package demo

//go:generate go run ../cmd/segmint generate --customers 3000 --seed 20261127 --out ./gen --force
//go:generate sh -c "mv gen/events-00000.parquet events.parquet && rm -rf gen"

import (
	_ "embed"
	"os"
	"path/filepath"
)

//go:embed events.parquet
var events []byte

// Label describes the demo data set in reports.
const Label = "embedded demo data set (3,000 synthetic customers, seed 20261127)"

// File writes the demo events to a new temporary file and returns its path
// and a function that removes it.
func File() (path string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "segmint-demo-")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, "demo-events.parquet")
	if err := os.WriteFile(path, events, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/segmint/segmint/synth"
)

// Dataset is one generated event data set.
type Dataset struct {
	Customers int
	Scale     float64
	Dir       string
	Files     []string // events files, in order
	Events    int64    // event rows
}

// DataSettings say how data sets are generated and where they are cached.
type DataSettings struct {
	Seed          uint64
	EventsPerFile int // 0: synth's default
	RowGroupSize  int // 0: synth's default
	CacheDir      string
}

// cacheKey names a data set's directory after every generator setting that
// changes the data.
func (s DataSettings) cacheKey(customers int, scale float64) string {
	epf, rg := s.EventsPerFile, s.RowGroupSize
	if epf <= 0 {
		epf = synth.DefaultEventsPerFile
	}
	if rg <= 0 {
		rg = synth.DefaultRowGroupSize
	}
	return fmt.Sprintf("events-c%d-seed%d-scale%s-days%d-epf%d-rg%d",
		customers, s.Seed, strconv.FormatFloat(scale, 'g', -1, 64), synth.DefaultDays, epf, rg)
}

// summaryName marks a complete data set; it is written last.
const summaryName = "dataset.json"

// EnsureDataset returns the cached data set for customers at scale, or
// generates it. Progress notes go to log.
func EnsureDataset(ctx context.Context, s DataSettings, customers int, scale float64, log func(format string, args ...any)) (*Dataset, error) {
	dir := filepath.Join(s.CacheDir, s.cacheKey(customers, scale))
	summary := filepath.Join(dir, summaryName)
	if b, err := os.ReadFile(summary); err == nil {
		var d Dataset
		if err := json.Unmarshal(b, &d); err == nil && d.Customers == customers && len(d.Files) > 0 {
			ok := true
			for _, f := range d.Files {
				if _, err := os.Stat(f); err != nil {
					ok = false
				}
			}
			if ok {
				log("using cached data %s (%d events)", dir, d.Events)
				return &d, nil
			}
		}
	}
	log("generating %d customers at scale %g into %s", customers, scale, dir)
	sum, err := synth.Generate(ctx, dir, synth.Settings{
		Customers: customers, Seed: s.Seed, Scale: scale,
		EventsPerFile: s.EventsPerFile, RowGroupSize: s.RowGroupSize,
	})
	if err != nil {
		return nil, fmt.Errorf("bench: generate %s: %w", dir, err)
	}
	d := &Dataset{Customers: customers, Scale: scale, Dir: dir, Files: sum.Files, Events: sum.Events}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if err := os.WriteFile(summary, b, 0o644); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	// Flush the new files to disk now, so that their write-back does not
	// slow the timed runs.
	syscall.Sync()
	log("generated %d events", d.Events)
	return d, nil
}

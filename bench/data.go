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
	// Writer is the tool that wrote Files: WriterSegmint (the generator)
	// or WriterDuckDB (DuckDB's COPY of the generator's rows).
	Writer string
	// Order is the generator's row order ("time" or "session").
	Order string
}

// The writers of benchmark data sets.
const (
	// WriterSegmint: the generator's own files (parquet-go, zstd, row
	// groups of synth.DefaultRowGroupSize rows, dictionary-encoded strings).
	WriterSegmint = "segmint"
	// WriterDuckDB: the same rows written by DuckDB's COPY ... TO with its
	// defaults (snappy, row groups of 122,880 rows), one file per
	// generator file.
	WriterDuckDB = "duckdb"
)

// DataSettings say how data sets are generated and where they are cached.
type DataSettings struct {
	Seed          uint64
	EventsPerFile int // 0: synth's default
	RowGroupSize  int // 0: synth's default
	// Order is the order of the rows across the files (synth.OrderTime
	// or synth.OrderSession).
	Order    synth.Order
	CacheDir string
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
	return fmt.Sprintf("events-c%d-seed%d-scale%s-days%d-epf%d-rg%d-%s",
		customers, s.Seed, strconv.FormatFloat(scale, 'g', -1, 64), synth.DefaultDays, epf, rg, s.Order)
}

// summaryName marks a complete data set; it is written last.
const summaryName = "dataset.json"

// EnsureDataset returns the cached data set for customers at scale, or
// generates it. Progress notes go to log.
func EnsureDataset(ctx context.Context, s DataSettings, customers int, scale float64, log func(format string, args ...any)) (*Dataset, error) {
	dir := filepath.Join(s.CacheDir, s.cacheKey(customers, scale))
	summary := filepath.Join(dir, summaryName)
	if d := cachedDataset(summary, func(d *Dataset) bool { return d.Customers == customers }); d != nil {
		log("using cached data %s (%d events)", dir, d.Events)
		d.Writer, d.Order = WriterSegmint, s.Order.String()
		return d, nil
	}
	log("generating %d customers at scale %g into %s", customers, scale, dir)
	sum, err := synth.Generate(ctx, dir, synth.Settings{
		Customers: customers, Seed: s.Seed, Scale: scale,
		EventsPerFile: s.EventsPerFile, RowGroupSize: s.RowGroupSize, Order: s.Order,
	})
	if err != nil {
		return nil, fmt.Errorf("bench: generate %s: %w", dir, err)
	}
	d := &Dataset{Customers: customers, Scale: scale, Dir: dir, Files: sum.Files, Events: sum.Events, Writer: WriterSegmint, Order: s.Order.String()}
	if err := markComplete(summary, d); err != nil {
		return nil, err
	}
	log("generated %d events", d.Events)
	return d, nil
}

// cachedDataset returns the data set that summary describes when it was
// completed, every one of its files exists and ok accepts it; else nil.
func cachedDataset(summary string, ok func(*Dataset) bool) *Dataset {
	b, err := os.ReadFile(summary)
	if err != nil {
		return nil
	}
	var d Dataset
	if err := json.Unmarshal(b, &d); err != nil || len(d.Files) == 0 || !ok(&d) {
		return nil
	}
	for _, f := range d.Files {
		if _, err := os.Stat(f); err != nil {
			return nil
		}
	}
	return &d
}

// markComplete writes d's summary, last, and flushes the new files to disk
// now, so that their write-back does not slow the timed runs.
func markComplete(summary string, d *Dataset) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.WriteFile(summary, b, 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	syscall.Sync()
	return nil
}

// EnsureDuckDBCopy returns the data set ds rewritten by DuckDB (WriterDuckDB),
// generating it next to ds when it is not cached: every events file of ds
// is copied by DuckDB's COPY (SELECT * FROM read_parquet(file)) TO ... with
// DuckDB's defaults, so the rows, their order and their types are those of
// ds and only the writer differs.
func EnsureDuckDBCopy(ctx context.Context, ds *Dataset, log func(format string, args ...any)) (*Dataset, error) {
	dir := ds.Dir + "-duckdb"
	summary := filepath.Join(dir, summaryName)
	if d := cachedDataset(summary, func(d *Dataset) bool { return d.Events == ds.Events && len(d.Files) == len(ds.Files) }); d != nil {
		log("using cached DuckDB copy %s", dir)
		return d, nil
	}
	log("writing %s with DuckDB's COPY", dir)
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	d := *ds
	d.Dir, d.Files, d.Writer = dir, nil, WriterDuckDB
	var rows int64
	for _, f := range ds.Files {
		out := filepath.Join(dir, filepath.Base(f))
		n, err := DuckDBCopy(ctx, f, out)
		if err != nil {
			return nil, err
		}
		rows += n
		d.Files = append(d.Files, out)
	}
	if rows != ds.Events {
		return nil, fmt.Errorf("bench: DuckDB copied %d rows of %d", rows, ds.Events)
	}
	if err := markComplete(summary, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

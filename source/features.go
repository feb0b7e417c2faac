package source

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/segmint/segmint/features"
)

// ErrNoEvents is returned when the inputs hold no usable event.
var ErrNoEvents = errors.New("no usable events in the input")

// DefaultMaxRejectedShare is the share of input rows that the row filters
// may reject before a run warns (ScanOptions.MaxRejectedShare).
const DefaultMaxRejectedShare = 0.5

// RejectedError reports an input whose rows the filters rejected, every
// one or all but too few customers to segment: it is bad input, not a
// failure, and says how many rows went for each reason. It wraps
// ErrNoEvents.
type RejectedError struct {
	Rows      int64            // input rows read
	Skipped   map[string]int64 // rows skipped, by reason
	Customers int              // customers left
	// Need is the number of customers the stage needed (1 for the feature
	// stage, 2 to segment).
	Need int
}

func (e *RejectedError) Error() string {
	var b strings.Builder
	switch {
	case e.Rows == 0:
		b.WriteString("no usable events: the input has no rows")
	case e.Customers == 0:
		fmt.Fprintf(&b, "no usable events: the filters rejected all %d input rows", e.Rows)
	default:
		fmt.Fprintf(&b, "only %d customer(s) left after the filters (at least %d needed): nothing to segment", e.Customers, e.Need)
	}
	if len(e.Skipped) > 0 {
		b.WriteString("; rows skipped: ")
		b.WriteString(skippedList(e.Skipped))
	}
	return b.String()
}

func (e *RejectedError) Unwrap() error { return ErrNoEvents }

// skippedList formats skip counts as "reason: n, reason: n", largest first.
func skippedList(skipped map[string]int64) string {
	reasons := slices.Collect(maps.Keys(skipped))
	slices.SortFunc(reasons, func(a, b string) int {
		if c := cmp.Compare(skipped[b], skipped[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s: %d", r, skipped[r])
	}
	return strings.Join(parts, ", ")
}

// rejectedRows counts the rows the filters rejected: every skipped row but
// exact duplicates, events after the as-of time, a layout's other events
// and its non-product rows, which are dropped by design rather than for
// being bad.
func rejectedRows(skipped map[string]int64) int64 {
	var n int64
	for r, c := range skipped {
		if r != SkipDuplicate && r != SkipAfterAsOf && r != SkipOtherEvent && !strings.HasPrefix(r, SkipNonProduct) {
			n += c
		}
	}
	return n
}

// FeatureReport describes a feature-stage run for the manifest.
type FeatureReport struct {
	Files     []InputFileInfo  `json:"files"`
	Rows      int64            `json:"rows"`
	Events    int64            `json:"events"`
	Skipped   map[string]int64 `json:"skipped"`
	Customers int              `json:"customers"`
	Products  int              `json:"products"`
	Layout    string           `json:"layout"`
	Columns   []string         `json:"columns"`
	ByType    map[string]int64 `json:"events_by_type"`
	Seconds   float64          `json:"seconds"`
	// Rejected is the number of rows the filters rejected (Skipped less
	// exact duplicates and events after the as-of time) and RejectedShare
	// its share of Rows.
	Rejected      int64   `json:"rejected"`
	RejectedShare float64 `json:"rejected_share"`
	// Warnings are conditions a reader of the outputs must know of, such as
	// a rejected share above ScanOptions.MaxRejectedShare.
	Warnings []string `json:"warnings,omitempty"`
	// SkippedFiles are files a directory or pattern held that are not
	// event files, left out (Inputs.Skipped).
	SkippedFiles []SkippedFile `json:"skipped_files,omitempty"`
	// inputs are the validated inputs, for looking up category names.
	inputs []*inputFile
	layout Layout
	// mem allocates the Arrow buffers of the category names' lookup, and
	// workers is the number of row groups it reads at once.
	mem     memory.Allocator
	workers int
}

// InputFileInfo names one input file.
type InputFileInfo struct {
	Path      string `json:"path"`
	Bytes     int64  `json:"bytes"`
	Rows      int64  `json:"rows"` // -1 for CSV (not known before reading)
	RowGroups int    `json:"row_groups"`
	// SHA256 is the file's checksum, for lineage: which bytes a run read.
	SHA256 string `json:"sha256"`
}

// checksums hashes the input files with SHA-256 in the background; wait
// returns the hex digests in input order.
func checksums(inputs []*inputFile) (wait func() ([]string, error)) {
	sums := make([]string, len(inputs))
	done := make(chan error, 1)
	go func() {
		for i, in := range inputs {
			f, err := os.Open(in.Path)
			if err != nil {
				done <- err
				return
			}
			h := sha256.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				done <- &InputError{File: in.Path, Err: err}
				return
			}
			sums[i] = hex.EncodeToString(h.Sum(nil))
		}
		done <- nil
	}()
	return func() ([]string, error) { return sums, <-done }
}

// Inputs are the validated input files of a run (OpenInputs).
type Inputs struct {
	files []*inputFile
	// Skipped are the files that expanding a directory or a pattern found
	// and that are not event files: each lacks a column the layout
	// requires (a dimension table beside the events, the labels.parquet
	// that segmint generate writes beside its events). They are not read.
	Skipped []SkippedFile
}

// Len is the number of files that are read.
func (in *Inputs) Len() int { return len(in.files) }

// SkippedFile is an input file that was found but not read, and why.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// OpenInputs resolves paths and validates every file before any work, so a
// bad file fails the run before output is written.
//
// A file named explicitly must be an event file. Of the files found by
// expanding a directory or a pattern, those that lack a column the layout
// requires are not event files: they are left out and listed in
// Inputs.Skipped with the reason, and any other problem fails the run as
// for a named file. When every file found lacks a required column, the
// first one's error is returned (it names the column and what to do).
func OpenInputs(paths []string, layout Layout) (*Inputs, error) {
	files, found, err := resolveFiles(paths)
	if err != nil {
		return nil, err
	}
	ins := &Inputs{files: make([]*inputFile, 0, len(files))}
	var firstMissing error
	for _, f := range files {
		in, err := openInput(f, layout)
		if err != nil {
			var ce *ColumnError
			if found[f] && errors.As(err, &ce) && ce.missing {
				ins.Skipped = append(ins.Skipped, SkippedFile{Path: f, Reason: "not an event file: column " + strconv.Quote(ce.Column) + " is missing"})
				if firstMissing == nil {
					firstMissing = err
				}
				continue
			}
			return nil, err
		}
		ins.files = append(ins.files, in)
	}
	if len(ins.files) == 0 {
		if firstMissing != nil {
			return nil, firstMissing
		}
		return nil, ErrNoInput
	}
	// Every file must hold the same kind of customer id: the outputs keep
	// the input's type, and 42 and "42" are not one customer.
	first := ins.files[0]
	for _, in := range ins.files[1:] {
		if in.idKind != first.idKind {
			return nil, &ColumnError{File: in.Path, Column: in.names[ColUserID], Problem: fmt.Sprintf("holds %s customer ids, but %s holds %s ones; every input file must hold the same kind", in.idKind, first.Path, first.idKind)}
		}
	}
	return ins, nil
}

// launchColumns are the columns the first pass reads: a product's launch is
// its first appearance in any row with a valid time.
var launchColumns = []string{ColEventTime, ColProductID}

// ComputeFeatures runs the feature stage over the inputs named by paths
// (OpenInputs): a first pass over products (launch dates, the time window),
// then the per-customer accumulators, one per customer in a
// features.Sharded aggregator that every worker adds to, finalised. Memory
// is proportional to customers plus products.
func ComputeFeatures(ctx context.Context, paths []string, o ScanOptions) (*features.Table, *FeatureReport, error) {
	start := time.Now()
	inputs, err := OpenInputs(paths, o.Layout)
	if err != nil {
		return nil, nil, err
	}
	return ComputeFeaturesOf(ctx, inputs, o, start)
}

// ComputeFeaturesOf is ComputeFeatures over inputs that OpenInputs has
// already validated (a run opens them before it claims its output); start
// is when the stage began, for the report's Seconds.
func ComputeFeaturesOf(ctx context.Context, ins *Inputs, o ScanOptions, start time.Time) (*features.Table, *FeatureReport, error) {
	o = o.withDefaults()
	rep := newInputReport(ins, o)
	inputs := ins.files
	waitSums := checksums(inputs)
	// Pass 1: product launches and the time window.
	partialLaunch := make([]*features.Launches, o.Workers)
	sinks := make([]batchSink, o.Workers)
	for w := range sinks {
		partialLaunch[w] = features.NewLaunches()
		sinks[w] = addSink(partialLaunch[w].Add)
	}
	if _, err := newScanner(inputs, launchColumns, PassProducts, o).run(ctx, sinks); err != nil {
		return nil, nil, err
	}
	launch := partialLaunch[0]
	for _, l := range partialLaunch[1:] {
		launch.Merge(l)
	}
	if launch.MaxTime < launch.MinTime {
		// The first pass decodes only times and products; decode every
		// column once more, keeping nothing, for the counts by reason.
		for w := range sinks {
			sinks[w] = addSink(func(*features.Batch) {})
		}
		all, err := newScanner(inputs, canonical, PassEvents, o).run(ctx, sinks)
		if err != nil {
			return nil, nil, err
		}
		return nil, nil, &RejectedError{Rows: all.Rows, Skipped: all.Skipped, Need: 1}
	}
	launch.Freeze(launch.MinTime, features.DefaultTrendWindowDays)
	// Pass 2: per-customer accumulators, one per customer, in shards the
	// workers share. Exact duplicates are dropped per split (row group or
	// CSV file), which one worker reads in order, so what is dropped does
	// not depend on the scheduling of the workers.
	sharded := features.NewSharded(launch, 64)
	for w := range sinks {
		sinks[w] = shardSink{sharded: sharded, buf: new(features.ShardBuffer)}
	}
	res, err := newScanner(inputs, canonical, PassEvents, o).run(ctx, sinks)
	if err != nil {
		return nil, nil, err
	}
	if err := sharded.Err(); err != nil {
		return nil, nil, err
	}
	stats := sharded.Stats()
	asOf := o.AsOf
	if asOf == 0 {
		asOf = launch.MaxTime
	}
	table := sharded.Finalise(features.Context{AsOf: asOf, WindowStart: launch.MinTime, Stats: stats})
	table.IDKind = inputs[0].idKind
	rep.Summarise(stats, res.Rows, res.Skipped, launch.Products(), o.MaxRejectedShare)
	rep.Customers = len(table.Customers)
	if rep.Customers == 0 {
		return nil, nil, &RejectedError{Rows: res.Rows, Skipped: rep.Skipped, Need: 1}
	}
	sums, err := waitSums()
	if err != nil {
		return nil, nil, err
	}
	for i := range rep.Files {
		rep.Files[i].SHA256 = sums[i]
	}
	rep.Seconds = time.Since(start).Seconds()
	return table, rep, nil
}

// CategoryNames looks up the category_code of each of ids (category ids),
// reading only the category columns, row group by row group, and stopping
// as soon as every id is named: the names are for the report only, so the
// feature pass does not decode category_code at all. An id's name is the
// first non-empty code in input order (files, then row groups), whatever
// the number of row groups read at once.
func (r *FeatureReport) CategoryNames(ctx context.Context, ids []int64) map[int64]string {
	names := make(map[int64]string)
	if len(ids) == 0 || r == nil {
		return names
	}
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	type unit struct {
		in *inputFile
		rg int
	}
	var units []unit
	for _, in := range r.inputs {
		if _, ok := in.names[ColCategory]; !ok {
			continue
		}
		if _, ok := in.names[ColCategoryID]; !ok {
			continue
		}
		for rg := range in.RowGroups {
			units = append(units, unit{in, rg})
		}
	}
	// Row groups are read side by side; each one's first names are merged
	// into names in input order, and reading stops once the row groups
	// merged so far name every id.
	var (
		mu     sync.Mutex
		found  = make([]map[int64]string, len(units)) // nil until read, and after merged
		merged int
		next   atomic.Int64
		stop   atomic.Bool
		wg     sync.WaitGroup
	)
	workers := max(1, min(r.workers, len(units)))
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for !stop.Load() {
				u := int(next.Add(1)) - 1
				if u >= len(units) {
					return
				}
				local := make(map[int64]string)
				_ = readColumns(ctx, units[u].in, units[u].rg, r.mem, func(ids []int64, codes []string) {
					for i, id := range ids {
						if want[id] && codes[i] != "" {
							if _, ok := local[id]; !ok {
								local[id] = strings.Clone(codes[i])
							}
						}
					}
				})
				mu.Lock()
				found[u] = local
				for merged < len(units) && found[merged] != nil && len(names) < len(want) {
					for id, name := range found[merged] {
						if _, ok := names[id]; !ok {
							names[id] = name
						}
					}
					found[merged] = nil
					merged++
				}
				if len(names) == len(want) {
					stop.Store(true)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return names
}

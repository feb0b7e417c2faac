package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/features"
)

// ScanOptions configure a scan of the input. The zero value of each field
// is its documented default (withDefaults applies them).
type ScanOptions struct {
	Layout Layout
	// AsOf, when not zero, drops events after it (µs since the epoch).
	AsOf int64
	// Workers is the number of goroutines decoding row groups; 0 means
	// GOMAXPROCS.
	Workers int
	// BatchSize is the number of rows per Arrow record; 0 means
	// DefaultBatchSize.
	BatchSize int
	// Mem allocates every Arrow buffer the scan makes (Parquet and CSV
	// records, flattened nested columns, the category names' lookup); nil
	// means a pool that recycles them, shared by the passes of a run.
	Mem memory.Allocator
	// MaxRejectedShare is the share of input rows the row filters may
	// reject (skipped rows other than exact duplicates, events after AsOf
	// and a layout's other events) before the run warns in its log,
	// report and manifest; 0 means DefaultMaxRejectedShare, 1 or more
	// never warns.
	MaxRejectedShare float64
	// ArrowDecoder reads every Parquet row group with pqarrow's record
	// reader, the fast path (parquet-go's typed pages into the same Arrow
	// arrays) off: for comparisons; the results are the same.
	ArrowDecoder bool
	// Progress, if set, is called after each record batch. It must be
	// safe for concurrent use and return quickly.
	Progress func(Progress)
}

// DefaultBatchSize is the number of rows per Arrow record when
// ScanOptions.BatchSize is 0.
const DefaultBatchSize = 1 << 16

// withDefaults returns o with its zero fields set to their defaults: the
// one place they are applied. (MaxRejectedShare's is applied where the
// share is compared, FeatureReport.Summarise.)
func (o ScanOptions) withDefaults() ScanOptions {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Mem == nil {
		o.Mem = &pooledAllocator{}
	}
	return o
}

// Progress reports how far the feature stage is.
type Progress struct {
	Pass, Passes int   // the pass over the input (1: products, 2: customers) of Passes
	Rows         int64 // input rows read in this pass so far
	TotalRows    int64 // input rows in all, -1 when unknown (CSV input)
}

// batchSink receives the feature batches one worker decodes.
type batchSink interface {
	// Add takes a batch; it must not keep it.
	Add(*features.Batch)
	// Split is called before each split (row group or CSV file) the
	// worker reads.
	Split()
}

// addSink is a batchSink that only adds.
type addSink func(*features.Batch)

func (f addSink) Add(b *features.Batch) { f(b) }
func (addSink) Split()                  {}

// shardSink adds one worker's batches to the shared per-customer shards
// through the worker's buffer, which drops exact duplicates split by split.
type shardSink struct {
	sharded *features.Sharded
	buf     *features.ShardBuffer
}

func (s shardSink) Add(b *features.Batch) { s.sharded.Add(b, s.buf) }
func (s shardSink) Split()                { s.buf.Split() }

// split is one unit a worker reads: a row group of a Parquet input, or a
// whole CSV input (row group 0).
type split struct {
	in *inputFile
	rg int
}

// scanner is one pass over the inputs: the columns it reads, with the
// options (defaults applied) it reads them with. Its workers share the
// count of rows read.
type scanner struct {
	o       ScanOptions
	inputs  []*inputFile
	project []string
	pass    ReadPass
	// totalRows is the input's rows, -1 when not known before reading.
	totalRows int64
	rowsRead  atomic.Int64
}

// newScanner prepares a pass over inputs reading the canonical columns
// project; o must have its defaults applied.
func newScanner(inputs []*inputFile, project []string, pass ReadPass, o ScanOptions) *scanner {
	s := &scanner{o: o, inputs: inputs, project: project, pass: pass}
	for _, in := range inputs {
		if in.Rows < 0 || in.explode != nil {
			// CSV, or a list exploded into rows not counted yet
			s.totalRows = -1
			break
		}
		s.totalRows += in.Rows
	}
	return s
}

// scanResult is what one pass over the inputs reports.
type scanResult struct {
	Skipped map[string]int64
	Rows    int64 // input rows read, CSV included
}

// run decodes every split of the inputs into feature batches, the splits
// spread over one worker per sink, and hands worker w's batches to
// sinks[w]. Each worker reads whole splits, in order.
func (s *scanner) run(ctx context.Context, sinks []batchSink) (*scanResult, error) {
	var splits []split
	for _, in := range s.inputs {
		for rg := 0; rg < in.RowGroups; rg++ {
			splits = append(splits, split{in, rg})
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	workers := make([]*scanWorker, len(sinks))
	var wg sync.WaitGroup
	for i, sink := range sinks {
		w := s.newWorker(sink)
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.close()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(splits) || ctx.Err() != nil {
					return
				}
				if err := w.read(ctx, splits[i]); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		if cause := context.Cause(ctx); cause != nil {
			return nil, cause
		}
		return nil, err
	}
	res := &scanResult{Skipped: make(map[string]int64), Rows: s.rowsRead.Load()}
	for _, w := range workers {
		for k, v := range w.dec.skipped {
			res.Skipped[k] += v
		}
	}
	return res, nil
}

// counted adds n rows to the rows read and reports progress.
func (s *scanner) counted(n int64) {
	total := s.rowsRead.Add(n)
	if s.o.Progress != nil {
		s.o.Progress(Progress{Pass: int(s.pass), Passes: 2, Rows: total, TotalRows: s.totalRows})
	}
}

// scanWorker is one goroutine of a scan: its decoder, the batch it
// decodes into, where the batches go, and the Parquet file it has open.
type scanWorker struct {
	s     *scanner
	dec   *decoder
	sink  batchSink
	batch features.Batch
	// open is the input that rdr, fr and fast (nil: no fast path) read.
	open *inputFile
	rdr  *file.Reader
	fr   *pqarrow.FileReader
	fast *pgSource
}

func (s *scanner) newWorker(sink batchSink) *scanWorker {
	dec := newDecoder(s.o.Layout, s.o.AsOf)
	dec.productsOnly = s.pass == PassProducts
	return &scanWorker{s: s, dec: dec, sink: sink}
}

// read decodes one split.
func (w *scanWorker) read(ctx context.Context, sp split) error {
	w.sink.Split()
	if sp.in.Format == formatCSV {
		return w.readCSV(ctx, sp.in)
	}
	if err := w.openParquet(sp.in); err != nil {
		return err
	}
	return w.readRowGroup(ctx, sp.in, sp.rg)
}

// openParquet makes in the worker's open file, closing the one before.
func (w *scanWorker) openParquet(in *inputFile) error {
	if w.open == in {
		return nil
	}
	w.close()
	rdr, err := OpenParquet(in.Path)
	if err != nil {
		return err
	}
	props := pqarrow.ArrowReadProperties{BatchSize: int64(w.s.o.BatchSize)}
	for _, leaf := range in.dict {
		props.SetReadDict(leaf, true)
	}
	fr, err := pqarrow.NewFileReader(rdr, props, w.s.o.Mem)
	if err != nil {
		rdr.Close()
		return &InputError{File: in.Path, Err: err}
	}
	w.open, w.rdr, w.fr = in, rdr, fr
	if !w.s.o.ArrowDecoder {
		w.fast = newPGSource(in, fr)
	}
	return nil
}

// close closes the worker's open file.
func (w *scanWorker) close() {
	if w.rdr != nil {
		w.rdr.Close()
	}
	if w.fast != nil {
		w.fast.pg.Close()
	}
	w.open, w.rdr, w.fr, w.fast = nil, nil, nil, nil
}

// readRowGroup decodes row group rg of in, the open file. Its errors name
// the row group.
func (w *scanWorker) readRowGroup(ctx context.Context, in *inputFile, rg int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = rowGroupError(in.Path, rg, fmt.Errorf("corrupt data: %v", r))
		}
		err = atRowGroup(err, in.Path, rg)
	}()
	if n, ok := rowGroupAfterAsOf(w.fr, in, rg, w.dec.asOf); ok {
		// Every row is after the as-of time (by the row group's
		// statistics): counted as such, like the rows the filters drop,
		// and not read. The products pass counts no filtered rows.
		if !w.dec.productsOnly {
			w.dec.skipped[SkipAfterAsOf] += n
		}
		w.s.counted(n)
		return nil
	}
	cols := w.s.leaves(in)
	if w.fast != nil {
		rec, err := pgRecord(w.fast, rg, cols, w.fast.schema)
		switch {
		case err == nil:
			pgDecoded.Add(1)
			it := &recordSlices{rec: rec, size: max(w.fr.Props.BatchSize, 1)}
			defer it.Release()
			_, err := w.decodeRecords(ctx, it, in)
			return err
		case !errors.Is(err, errPGUnsupported):
			return rowGroupError(in.Path, rg, err)
		}
		// A column the fast path does not decode: pqarrow reads the row group.
	}
	rr, err := w.fr.GetRecordReader(ctx, cols, []int{rg})
	if err != nil {
		return rowGroupError(in.Path, rg, err)
	}
	defer rr.Release()
	if _, err := w.decodeRecords(ctx, rr, in); err != nil {
		return err
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		return rowGroupError(in.Path, rg, err)
	}
	return nil
}

// leaves returns the sorted Parquet leaves of in that the pass reads.
func (s *scanner) leaves(in *inputFile) []int {
	var cols []int
	for _, c := range projected(s.project, in) {
		cols = append(cols, in.leavesOf(c)...)
	}
	if in.explode != nil {
		// Every pass explodes the list, so rows count alike in each.
		cols = append(cols, in.explode.leaves...)
	}
	slices.Sort(cols)
	return slices.Compact(cols)
}

// recordIter is what Arrow's Parquet and CSV record readers share.
type recordIter interface {
	Next() bool
	Record() arrow.Record
}

// decodeRecords decodes every record of it, from input in, and hands each
// batch to the sink, counting rows and reporting progress; it returns the
// rows read.
func (w *scanWorker) decodeRecords(ctx context.Context, it recordIter, in *inputFile) (int64, error) {
	var f fields
	var rows int64
	var fl *flattener
	project := projected(w.s.project, in)
	if in.nested != nil {
		fl = newFlattener(in, w.s.o.Mem, project)
	}
	w.dec.start(in)
	for it.Next() {
		rec := it.Record()
		var flat arrow.Record
		if fl != nil {
			var err error
			if flat, err = fl.flatten(ctx, rec); err != nil {
				return rows, err
			}
			rec = flat
		}
		if f == nil {
			f = fieldsOf(rec, w.s.project, in)
		}
		w.batch.Reset(0)
		err := w.dec.decode(rec, f, &w.batch)
		if err == nil {
			w.sink.Add(&w.batch) // before the release: the batch may alias rec
		}
		// A nested input's rows are its flattened rows, which the filters count.
		n := rec.NumRows()
		if flat != nil {
			flat.Release()
		}
		if err != nil {
			return rows, err
		}
		rows += n
		w.s.counted(n)
		if err := ctx.Err(); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

package source

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/features"
)

// Split is one unit of input that one worker reads: a row group of a
// Parquet file, or a whole CSV file (RowGroup 0). A distributed runner
// spreads Splits over its workers and reads each with ReadSplit.
type Split struct {
	Path     string
	RowGroup int
}

// Splits resolves paths and validates every file (as a run does), and
// returns the splits of the input in a stable order.
func Splits(paths []string, layout Layout) ([]Split, error) {
	inputs, err := OpenInputs(paths, layout)
	if err != nil {
		return nil, err
	}
	return inputs.Splits(), nil
}

// Splits returns the splits of the files that are read, in a stable order.
func (in *Inputs) Splits() []Split {
	var out []Split
	for _, f := range in.files {
		for rg := 0; rg < f.RowGroups; rg++ {
			out = append(out, Split{Path: f.Path, RowGroup: rg})
		}
	}
	return out
}

// ReadPass selects what ReadSplit decodes.
type ReadPass int

const (
	// PassProducts decodes event times and products only (the first pass:
	// product launches and the time window).
	PassProducts ReadPass = 1
	// PassEvents decodes every column (the feature pass).
	PassEvents ReadPass = 2
)

// ReadSplit decodes one split through Arrow into feature batches and calls
// fn with each; fn must not keep the batch. It applies the same row filters
// as a single-node run and returns the rows skipped by reason. asOf (µs)
// drops later events when not zero.
func ReadSplit(ctx context.Context, s Split, layout Layout, asOf int64, pass ReadPass, fn func(*features.Batch)) (map[string]int64, error) {
	skipped, _, err := ReadSplitRows(ctx, s, layout, asOf, pass, fn)
	return skipped, err
}

// ReadSplitRows is ReadSplit that also returns the number of input rows
// read (before the filters), as a run counts them for its manifest.
func ReadSplitRows(ctx context.Context, s Split, layout Layout, asOf int64, pass ReadPass, fn func(*features.Batch)) (map[string]int64, int64, error) {
	in, err := openInput(s.Path, layout)
	if err != nil {
		return nil, 0, err
	}
	project := canonical
	if pass == PassProducts {
		project = launchColumns
	}
	dec := newDecoder(layout, asOf)
	dec.productsOnly = pass == PassProducts
	var batch features.Batch
	var rows atomic.Int64
	mem := &pooledAllocator{}
	if in.Format == formatCSV {
		err = scanCSV(ctx, in, project, 1<<16, mem, dec, &batch, fn, &rows, nil)
		return dec.skipped, rows.Load(), err
	}
	rdr, err := OpenParquet(in.Path)
	if err != nil {
		return nil, 0, err
	}
	defer rdr.Close()
	props := pqarrow.ArrowReadProperties{BatchSize: 1 << 16}
	for _, leaf := range in.dict {
		props.SetReadDict(leaf, true)
	}
	fr, err := pqarrow.NewFileReader(rdr, props, mem)
	if err != nil {
		return nil, 0, &InputError{File: in.Path, Err: err}
	}
	// The fast path, as a single-node worker reads (pgread.go).
	fast := newPGSource(in, fr)
	if fast != nil {
		defer fast.pg.Close()
	}
	err = scanRowGroup(ctx, fr, fast, in, s.RowGroup, project, dec, &batch, fn, &rows, nil)
	return dec.skipped, rows.Load(), err
}

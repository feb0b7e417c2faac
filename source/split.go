package source

import (
	"context"

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
	// One worker of a single-node scan, the fast path included (pgread.go).
	sc := newScanner([]*inputFile{in}, project, pass, ScanOptions{Layout: layout, AsOf: asOf, Workers: 1}.withDefaults())
	w := sc.newWorker(addSink(fn))
	defer w.close()
	err = w.read(ctx, split{in, s.RowGroup})
	return w.dec.skipped, sc.rowsRead.Load(), err
}

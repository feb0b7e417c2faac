package source

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	arrowcsv "github.com/apache/arrow/go/v17/arrow/csv"
)

// CSV input: files ending in .csv or .csv.gz (the public dumps ship as
// CSV). The first line is the header. Every column is read as a string
// through Arrow's CSV reader, with only the needed columns projected; the
// decoder parses numbers and times, so a bad value skips its row (counted
// by reason) instead of failing the file. A CSV file is read by one worker
// from start to end.

// openCSVStream opens path, through gzip when it ends in .gz.
func openCSVStream(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	if !strings.HasSuffix(strings.ToLower(path), ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, &InputError{File: path, Err: fmt.Errorf("not a readable gzip file: %w", err)}
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func openCSV(path string, size int64, layout Layout) (*inputFile, error) {
	rc, err := openCSVStream(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	header, err := csv.NewReader(bufio.NewReader(rc)).Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("no header line")
		}
		return nil, &InputError{File: path, Err: fmt.Errorf("reading the CSV header: %w", err)}
	}
	in := &inputFile{Path: path, Format: formatCSV, Gzip: strings.HasSuffix(strings.ToLower(path), ".gz"), Size: size, Rows: -1, RowGroups: 1, header: header}
	has := make(map[string]bool, len(header))
	for _, h := range header {
		has[h] = true
	}
	in.names, err = resolveNames(path, layout, func(n string) bool { return has[n] })
	if err != nil {
		return nil, err
	}
	return in, nil
}

// readCSV decodes one CSV input, projected to the columns of the pass.
func (w *scanWorker) readCSV(ctx context.Context, in *inputFile) error {
	rc, err := openCSVStream(in.Path)
	if err != nil {
		return err
	}
	defer rc.Close()
	types := make(map[string]arrow.DataType, len(in.header))
	for _, h := range in.header {
		types[h] = arrow.BinaryTypes.String
	}
	var include []string
	for _, c := range projected(w.s.project, in) {
		include = append(include, in.names[c])
	}
	r := arrowcsv.NewInferringReader(rc, arrowcsv.WithHeader(true), arrowcsv.WithChunk(w.s.o.BatchSize), arrowcsv.WithAllocator(w.s.o.Mem),
		arrowcsv.WithColumnTypes(types), arrowcsv.WithIncludeColumns(include), arrowcsv.WithNullReader(true, ""), arrowcsv.WithLazyQuotes(true))
	defer r.Release()
	rows, err := w.decodeRecords(ctx, r, in)
	if err != nil {
		return err
	}
	line := 1 + rows
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return &InputError{File: in.Path, Err: fmt.Errorf("CSV after line %d: %w", line, err)}
	}
	return nil
}

package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/features"
)

// ErrNoInput is returned when the given paths name no Parquet file.
var ErrNoInput = errors.New("no Parquet input files")

// InputError is a problem with one input file as a whole: it cannot be
// opened, is not Parquet, or is corrupt.
type InputError struct {
	File string
	Err  error
}

func (e *InputError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ResolveFiles expands paths (files, directories, glob patterns) into a
// sorted, de-duplicated list of files. A directory contributes the files
// ending in .parquet below it, recursively; a file named explicitly is taken
// whatever its name; a pattern or directory that matches nothing is an error.
func ResolveFiles(paths []string) ([]string, error) {
	files, _, err := resolveFiles(paths)
	return files, err
}

// resolveFiles is ResolveFiles that also says which files were found by
// expanding a directory or a pattern rather than named one by one.
func resolveFiles(paths []string) ([]string, map[string]bool, error) {
	found := make(map[string]bool)
	seen := make(map[string]bool)
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		if strings.ContainsAny(p, "*?[") {
			matches, err := filepath.Glob(p)
			if err != nil {
				return nil, nil, fmt.Errorf("pattern %q: %w", p, err)
			}
			if len(matches) == 0 {
				return nil, nil, fmt.Errorf("pattern %q: %w", p, ErrNoInput)
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					add(m)
					found[m] = true
				}
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, &InputError{File: p, Err: err}
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		n := 0
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(strings.ToLower(d.Name()), ".parquet") {
				add(q)
				found[q] = true
				n++
			}
			return nil
		})
		if err != nil {
			return nil, nil, &InputError{File: p, Err: err}
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("directory %s: %w", p, ErrNoInput)
		}
	}
	if len(out) == 0 {
		return nil, nil, ErrNoInput
	}
	sort.Strings(out)
	return out, found, nil
}

// inputFormat is the file format of an input.
type inputFormat int

const (
	formatParquet inputFormat = iota
	formatCSV
)

// inputFile is an opened and validated input.
type inputFile struct {
	Path      string
	Format    inputFormat
	Gzip      bool // CSV compressed with gzip
	Size      int64
	Rows      int64 // -1 when unknown before reading (CSV)
	RowGroups int
	// names maps canonical column -> the input's column name.
	names map[string]string
	// leaves maps canonical column -> Parquet leaf column index.
	leaves map[string]int
	// dict lists the leaf indices read as dictionaries.
	dict []int
	// header is the CSV header, in file order.
	header []string
	// idKind is the type of its customer ids; a CSV file's are integers.
	idKind features.IDKind
	// nested maps canonical column -> its nested path (see nested.go);
	// explode is one of them that explodes a list, nil when none does.
	nested  map[string]*nestedCol
	explode *nestedCol
}

// leavesOf returns the Parquet leaves canonical column c reads.
func (in *inputFile) leavesOf(c string) []int {
	if nc := in.nested[c]; nc != nil {
		return nc.leaves
	}
	return []int{in.leaves[c]}
}

// idKindOf is the kind of customer id an Arrow column of type t holds:
// strings, bytes (binary of any width, dictionaries of either) or, for
// everything else, integers (which checkType then checks).
func idKindOf(t arrow.DataType) features.IDKind {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return features.IDString
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return features.IDBinary
	}
	return features.IDInteger
}

// acceptable type classes per canonical column, checked before any work.
func checkType(c string, t arrow.DataType) error {
	isString := func() bool {
		switch t.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.DICTIONARY:
			return true
		}
		return false
	}
	isInt := func() bool {
		switch t.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
			return true
		}
		return false
	}
	isFloat := func() bool { return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64 }
	ok := true
	switch c {
	case ColEventTime:
		ok = t.ID() == arrow.TIMESTAMP || t.ID() == arrow.DATE32 || isString() || isInt()
	case ColEventType, ColCouponCode, ColCountry, ColCategory, ColBrand:
		ok = isString()
	case ColUserID:
		ok = isInt() || isFloat() || idKindOf(t) != features.IDInteger
	case ColProductID, ColCategoryID, ColUserSession, ColOrderID:
		ok = isInt() || isFloat() || isString()
	case ColPrice, ColAmount, ColQuantity, ColDiscount:
		ok = isInt() || isFloat() || t.ID() == arrow.DECIMAL128
	}
	if !ok {
		want := map[string]string{
			ColEventTime: "a timestamp, date, string or integer epoch", ColUserID: "an integer, a string or bytes",
			ColEventType: "a string", ColCouponCode: "a string", ColCountry: "a string", ColCategory: "a string", ColBrand: "a string",
			ColProductID: "an integer or a string", ColCategoryID: "an integer or a string", ColUserSession: "an integer or a string", ColOrderID: "an integer or a string",
			ColPrice: "a number", ColAmount: "a number", ColQuantity: "a number", ColDiscount: "a number",
		}[c]
		return fmt.Errorf("has type %s, want %s", t, want)
	}
	return nil
}

// checkColumnType is checkType under layout: an integer event_type column
// is read when the layout names integer event codes.
func checkColumnType(c string, t arrow.DataType, layout Layout) error {
	err := checkType(c, t)
	if err == nil || c != ColEventType {
		return err
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		if layout.integerEventCodes() {
			return nil
		}
		return fmt.Errorf("%w; integer event codes are read with --event-names, for example --event-names view=0,cart=1,purchase=2", err)
	}
	return err
}

// requiredColumns are the canonical columns an input must have under layout.
func requiredColumns(layout Layout) []string {
	if layout.FixedEventType != "" {
		return []string{ColEventTime, ColUserID}
	}
	return required
}

// resolveNames finds each canonical column among the input's column names.
func resolveNames(path string, layout Layout, has func(string) bool) (map[string]string, error) {
	names := make(map[string]string)
	for _, c := range canonical {
		for _, cand := range layout.candidates(c) {
			if has(cand) {
				names[c] = cand
				break
			}
		}
	}
	if layout.FixedEventType != "" {
		if _, ok := features.ParseEventType(layout.FixedEventType); !ok {
			return nil, fmt.Errorf("layout %s: unknown event type %q", layout.Name, layout.FixedEventType)
		}
		delete(names, ColEventType)
	}
	for _, c := range requiredColumns(layout) {
		if _, ok := names[c]; !ok {
			return nil, &ColumnError{File: path, Column: layout.Source(c), Problem: "required column is missing" + missingHint(c), missing: true}
		}
	}
	// amount (a line's total) and price (a unit price) are two ways of
	// saying what a row cost: one is read. A mapped one wins over one
	// found by name; two of the same standing are an error.
	if p, a := names[ColPrice], names[ColAmount]; p != "" && a != "" {
		_, pm := layout.Columns[ColPrice]
		_, am := layout.Columns[ColAmount]
		switch {
		case am && !pm:
			delete(names, ColPrice)
		case pm && !am:
			delete(names, ColAmount)
		default:
			return nil, &ColumnError{File: path, Column: a, Problem: fmt.Sprintf("is read as amount (a line's total) and %s as price (a unit price); map one of them: --map amount=%s if %s is the line's total (price is then not read), or --map price=%s if it is a unit price", p, a, a, p)}
		}
	}
	// A column the user mapped by name must exist, optional or not: a
	// mistyped --map would otherwise silently drop the features it feeds.
	for _, c := range slices.Sorted(maps.Keys(layout.Columns)) {
		if src := layout.Columns[c]; !has(src) {
			return nil, &ColumnError{File: path, Column: src, Problem: fmt.Sprintf("mapped to %s (--map %s=%s) but not in the file", c, c, src)}
		}
	}
	return names, nil
}

// missingHint says what to do about a missing required column c.
func missingHint(c string) string {
	switch c {
	case ColEventType:
		return "; if every row is a purchase (a table of transactions or order lines), use --preset transactions, with --map for the other columns"
	case ColUserID, ColEventTime:
		return fmt.Sprintf("; name the input's column with --map %s=COLUMN", c)
	}
	return ""
}

// openInput opens path, checks it is readable with the required columns in
// usable types, and records where each column lives.
func openInput(path string, layout Layout) (*inputFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	if st.IsDir() {
		return nil, &InputError{File: path, Err: errors.New("is a directory")}
	}
	if st.Size() == 0 {
		return nil, &InputError{File: path, Err: errors.New("empty file")}
	}
	lower := strings.ToLower(path)
	if strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".csv.gz") {
		return openCSV(path, st.Size(), layout)
	}
	rdr, err := OpenParquet(path)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("reading schema: %w", err)}
	}
	sch, err := fr.Schema()
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("reading schema: %w", err)}
	}
	in := &inputFile{Path: path, Format: formatParquet, Size: st.Size(), Rows: rdr.NumRows(), RowGroups: rdr.NumRowGroups(), leaves: make(map[string]int)}
	// A name is a top-level column or, when written as one, a nested path.
	paths := make(map[string]*nestedCol)
	pathErrs := make(map[string]error)
	has := func(n string) bool {
		if len(sch.FieldIndices(n)) > 0 {
			return true
		}
		if !isNestedPath(n) {
			return false
		}
		nc, err := resolvePath(fr.Manifest, n)
		if err != nil {
			pathErrs[n] = err
			return false
		}
		paths[n] = nc
		return true
	}
	in.names, err = resolveNames(path, layout, has)
	if err != nil {
		var ce *ColumnError
		if errors.As(err, &ce) && pathErrs[ce.Column] != nil {
			ce.Problem += ": " + pathErrs[ce.Column].Error()
		}
		return nil, err
	}
	pq := rdr.MetaData().Schema
	for _, c := range canonical {
		src, ok := in.names[c]
		if !ok {
			continue
		}
		var typ arrow.DataType
		if idx := sch.FieldIndices(src); len(idx) > 0 {
			typ = sch.Field(idx[0]).Type
		} else {
			nc := paths[src]
			if in.nested == nil {
				in.nested = make(map[string]*nestedCol)
			}
			in.nested[c] = nc
			typ = nc.typ
			if nc.explodes != "" {
				if in.explode != nil && in.explode.explodes != nc.explodes {
					return nil, &ColumnError{File: path, Column: src, Problem: fmt.Sprintf("explodes the list %s, but %s explodes %s; at most one list can be exploded", nc.explodes, in.explode.path, in.explode.explodes)}
				}
				if in.explode == nil {
					in.explode = nc
				}
			}
		}
		field := arrow.Field{Name: src, Type: typ}
		switch typ.ID() {
		case arrow.STRUCT, arrow.LIST, arrow.LARGE_LIST, arrow.MAP:
			return nil, &ColumnError{File: path, Column: src, Problem: fmt.Sprintf("is nested (%s); name a field inside it, for example %s", typ, nestedExample(src, typ))}
		}
		if err := checkColumnType(c, field.Type, layout); err != nil {
			return nil, &ColumnError{File: path, Column: src, Problem: err.Error()}
		}
		if in.nested[c] != nil {
			// Nested leaves are read as plain arrays: the flattener takes
			// rows of them, which Arrow cannot do on dictionaries.
			if c == ColUserID {
				in.idKind = idKindOf(field.Type)
			}
			continue
		}
		leaf := pq.ColumnIndexByName(src)
		if leaf < 0 {
			return nil, &ColumnError{File: path, Column: src, Problem: "is nested; name a field inside it (for example " + src + ".field)"}
		}
		in.leaves[c] = leaf
		if c == ColUserID {
			in.idKind = idKindOf(field.Type)
			// Read as a dictionary, each distinct id of a page is keyed
			// once (Arrow cannot dictionary-read fixed-size binary).
			if in.idKind != features.IDInteger && field.Type.ID() != arrow.FIXED_SIZE_BINARY {
				in.dict = append(in.dict, leaf)
			}
		}
		switch c {
		case ColCountry, ColCategory, ColCouponCode, ColUserSession, ColOrderID:
			in.dict = append(in.dict, leaf)
		case ColEventTime, ColEventType, ColProductID:
			if field.Type.ID() == arrow.STRING && (c != ColProductID || len(layout.NonProductCodes) > 0) {
				in.dict = append(in.dict, leaf)
			}
		}
	}
	if in.explode != nil {
		// Exploding takes rows of every column, dictionaries included.
		in.dict = nil
	}
	sort.Ints(in.dict)
	return in, nil
}

// OpenParquet opens path with Arrow's Parquet reader. A file that is not
// readable Parquet, or whose footer is corrupt, is an InputError naming it.
func OpenParquet(path string) (rdr *file.Reader, err error) {
	// The Parquet reader panics on some corrupt footers; turn that into an
	// error naming the file.
	defer func() {
		if r := recover(); r != nil {
			err = &InputError{File: path, Err: fmt.Errorf("corrupt Parquet file: %v", r)}
		}
	}()
	rdr, err = file.OpenParquetFile(path, false)
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("not a readable Parquet file: %w", err)}
	}
	return rdr, nil
}

// ScanOptions configure a scan of the input.
type ScanOptions struct {
	Layout Layout
	// AsOf, when not zero, drops events after it (µs since the epoch).
	AsOf int64
	// Workers is the number of goroutines decoding row groups; 0 means
	// GOMAXPROCS.
	Workers int
	// BatchSize is the number of rows per Arrow record; 0 means 65536.
	BatchSize int
	// Mem allocates Arrow buffers; nil means a pool that recycles them.
	Mem memory.Allocator
	// MaxRejectedShare is the share of input rows the row filters may
	// reject (skipped rows other than exact duplicates, events after AsOf
	// and a layout's other events) before the run warns in its log, report and manifest; 0 means
	// DefaultMaxRejectedShare, 1 or more never warns.
	MaxRejectedShare float64
	// ArrowDecoder reads every Parquet row group with pqarrow's record
	// reader, the fast path (parquet-go's typed pages into the same Arrow
	// arrays) off: for comparisons; the results are the same.
	ArrowDecoder bool
	// Progress, if set, is called after each record batch. It must be
	// safe for concurrent use and return quickly.
	Progress func(Progress)
}

// Progress reports how far the feature stage is.
type Progress struct {
	Pass, Passes int   // the pass over the input (1: products, 2: customers) of Passes
	Rows         int64 // input rows read in this pass so far
	TotalRows    int64 // input rows in all, -1 when unknown (CSV input)
}

// scanResult is what one pass over the inputs reports.
type scanResult struct {
	Skipped map[string]int64
	Rows    int64 // input rows read, CSV included
}

// scan decodes every row group of every input into feature batches and hands
// each batch to the worker's consume function. Row groups are spread over
// Workers goroutines; each worker calls newConsumer once, so it can own its
// partial aggregate, and calls its split function (when not nil) before
// each row group or CSV file, the splits that one worker reads in order.
// Only the columns in project are read.
func scan(ctx context.Context, inputs []*inputFile, project []string, o ScanOptions, pass int, newConsumer func(w int) (consume func(*features.Batch), split func())) (*scanResult, error) {
	var report func(int64)
	if o.Progress != nil {
		var total int64
		for _, in := range inputs {
			if in.Rows < 0 || in.explode != nil {
				// CSV, or a list exploded into rows not counted yet
				total = -1
				break
			}
			total += in.Rows
		}
		report = func(n int64) { o.Progress(Progress{Pass: pass, Passes: 2, Rows: n, TotalRows: total}) }
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	batchSize := o.BatchSize
	if batchSize <= 0 {
		batchSize = 1 << 16
	}
	mem := o.Mem
	if mem == nil {
		mem = &pooledAllocator{}
	}
	type unit struct {
		in *inputFile
		rg int
	}
	var units []unit
	for _, in := range inputs {
		for rg := 0; rg < in.RowGroups; rg++ {
			units = append(units, unit{in, rg})
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var rowsRead atomic.Int64
	decoders := make([]*decoder, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		dec := newDecoder(o.Layout, o.AsOf)
		dec.productsOnly = pass == 1
		decoders[w] = dec
		consume, split := newConsumer(w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch features.Batch
			var open *inputFile
			var fr *pqarrow.FileReader
			var rdr *file.Reader
			var fast *pgSource
			defer func() {
				if rdr != nil {
					rdr.Close()
				}
				if fast != nil {
					fast.pg.Close()
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(units) || ctx.Err() != nil {
					return
				}
				u := units[i]
				if split != nil {
					split()
				}
				if u.in.Format == formatCSV {
					if err := scanCSV(ctx, u.in, project, batchSize, mem, dec, &batch, consume, &rowsRead, report); err != nil {
						cancel(err)
						return
					}
					continue
				}
				if open != u.in {
					if rdr != nil {
						rdr.Close()
					}
					if fast != nil {
						fast.pg.Close()
						fast = nil
					}
					var err error
					rdr, err = OpenParquet(u.in.Path)
					if err != nil {
						cancel(err)
						return
					}
					props := pqarrow.ArrowReadProperties{BatchSize: int64(batchSize)}
					for _, leaf := range u.in.dict {
						props.SetReadDict(leaf, true)
					}
					fr, err = pqarrow.NewFileReader(rdr, props, mem)
					if err != nil {
						cancel(&InputError{File: u.in.Path, Err: err})
						return
					}
					open = u.in
					if !o.ArrowDecoder {
						fast = newPGSource(u.in, fr)
					}
				}
				if err := scanRowGroup(ctx, fr, fast, u.in, u.rg, project, dec, &batch, consume, &rowsRead, report); err != nil {
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
	res := &scanResult{Skipped: make(map[string]int64), Rows: rowsRead.Load()}
	for _, d := range decoders {
		for k, v := range d.skipped {
			res.Skipped[k] += v
		}
	}
	return res, nil
}

func scanRowGroup(ctx context.Context, fr *pqarrow.FileReader, fast *pgSource, in *inputFile, rg int, project []string, dec *decoder, batch *features.Batch, consume func(*features.Batch), rowsRead *atomic.Int64, progress func(int64)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &InputError{File: in.Path, Err: fmt.Errorf("row group %d: corrupt data: %v", rg, r)}
		}
	}()
	if n, ok := rowGroupAfterAsOf(fr, in, rg, dec.asOf); ok {
		// Every row is after the as-of time (by the row group's
		// statistics): counted as such, like the rows the filters drop,
		// and not read. The products pass counts no filtered rows.
		if !dec.productsOnly {
			dec.skipped[SkipAfterAsOf] += n
		}
		v := rowsRead.Add(n)
		if progress != nil {
			progress(v)
		}
		return nil
	}
	var cols []int
	for _, c := range projected(project, in) {
		cols = append(cols, in.leavesOf(c)...)
	}
	if in.explode != nil {
		// Every pass explodes the list, so rows count alike in each.
		cols = append(cols, in.explode.leaves...)
	}
	slices.Sort(cols)
	cols = slices.Compact(cols)
	if fast != nil {
		rec, err := pgRecord(fast, rg, cols, fast.schema)
		switch {
		case err == nil:
			pgDecoded.Add(1)
			it := &recordSlices{rec: rec, size: max(fr.Props.BatchSize, 1)}
			defer it.Release()
			_, err := decodeRecords(ctx, it, in, project, dec, batch, consume, rowsRead, progress)
			return err
		case !errors.Is(err, errPGUnsupported):
			return &InputError{File: in.Path, Err: fmt.Errorf("row group %d: %w", rg, err)}
		}
		// A column the fast path does not decode: pqarrow reads the row group.
	}
	rr, err := fr.GetRecordReader(ctx, cols, []int{rg})
	if err != nil {
		return &InputError{File: in.Path, Err: fmt.Errorf("row group %d: %w", rg, err)}
	}
	defer rr.Release()
	if _, err := decodeRecords(ctx, rr, in, project, dec, batch, consume, rowsRead, progress); err != nil {
		return err
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		return &InputError{File: in.Path, Err: fmt.Errorf("row group %d: %w", rg, err)}
	}
	return nil
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// recordIter is what Arrow's Parquet and CSV record readers share.
type recordIter interface {
	Next() bool
	Record() arrow.Record
}

// decodeRecords decodes every record of it into batch and hands it to
// consume, counting rows and reporting progress; it returns the rows read.
func decodeRecords(ctx context.Context, it recordIter, in *inputFile, project []string, dec *decoder, batch *features.Batch, consume func(*features.Batch), rowsRead *atomic.Int64, progress func(int64)) (int64, error) {
	var f fields
	var rows int64
	var fl *flattener
	if in.nested != nil {
		fl = newFlattener(in, memory.DefaultAllocator, projected(project, in))
	}
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
			f = fieldsOf(rec, project, in)
		}
		batch.Reset(0)
		dec.idKind = in.idKind
		if err := dec.decode(in.Path, rec, f, in.names, batch); err != nil {
			if flat != nil {
				flat.Release()
			}
			return rows, err
		}
		consume(batch)
		// A nested input's rows are its flattened rows, which the filters count.
		rows += rec.NumRows()
		n := rowsRead.Add(rec.NumRows())
		if flat != nil {
			flat.Release()
		}
		if progress != nil {
			progress(n)
		}
		if err := ctx.Err(); err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// projected returns the columns of project that in has and that the
// decoder uses: category_code only when there is no category_id (it is the
// category then; its names are looked up later, for the report only).
func projected(project []string, in *inputFile) []string {
	var out []string
	for _, c := range project {
		if _, ok := in.names[c]; !ok {
			continue
		}
		if c == ColCategory && slices.Contains(project, ColCategoryID) {
			if _, ok := in.names[ColCategoryID]; ok {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// fieldsOf locates the projected canonical columns in a record.
func fieldsOf(rec arrow.Record, project []string, in *inputFile) fields {
	f := make(fields)
	for _, c := range projected(project, in) {
		if src, ok := in.names[c]; ok {
			if idx := rec.Schema().FieldIndices(src); len(idx) > 0 {
				f[c] = idx[0]
			}
		}
	}
	return f
}

// readColumns reads the category id and code columns of one Parquet row
// group and hands each record's values to fn (codes alias Arrow memory:
// fn must copy what it keeps).
func readColumns(ctx context.Context, in *inputFile, rg int, project []string, fn func(ids []int64, codes []string)) (err error) {
	if in.Format != formatParquet {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = &InputError{File: in.Path, Err: fmt.Errorf("row group %d: corrupt data: %v", rg, r)}
		}
	}()
	rdr, err := OpenParquet(in.Path)
	if err != nil {
		return err
	}
	defer rdr.Close()
	props := pqarrow.ArrowReadProperties{BatchSize: 1 << 16}
	props.SetReadDict(in.leaves[ColCategory], true)
	fr, err := pqarrow.NewFileReader(rdr, props, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	cols := []int{in.leaves[ColCategoryID], in.leaves[ColCategory]}
	sort.Ints(cols)
	rr, err := fr.GetRecordReader(ctx, cols, []int{rg})
	if err != nil {
		return err
	}
	defer rr.Release()
	var ids []int64
	var codes []string
	var ok []bool
	for rr.Next() {
		rec := rr.Record()
		n := int(rec.NumRows())
		ids, codes, ok = grow(ids, n), grow(codes, n), grow(ok, n)
		idIdx := rec.Schema().FieldIndices(in.names[ColCategoryID])
		codeIdx := rec.Schema().FieldIndices(in.names[ColCategory])
		if len(idIdx) == 0 || len(codeIdx) == 0 {
			return nil
		}
		if err := toIDs(rec.Column(idIdx[0]), ids, ok); err != nil {
			return err
		}
		if err := MapStrings(rec.Column(codeIdx[0]), codes, nil, func(s string) string { return s }); err != nil {
			return err
		}
		fn(ids, codes)
	}
	return nil
}

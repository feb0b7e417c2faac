package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/features"
)

// FeatureTable is a numeric table read for clustering: one row per
// customer, an id column and numeric columns, read by ReadFeatureTable.
type FeatureTable struct {
	// IDs are the rows' integer ids; nil when the id column holds strings
	// or bytes.
	IDs []int64
	// Keys are the rows' string or byte ids (Binary tells which); nil for
	// integer ids.
	Keys   []string
	Binary bool
	// Columns are the numeric columns read, in order.
	Columns []string
	// Data holds the values row after row: Data[i*len(Columns)+j] is
	// column j of row i.
	Data []float64
	// Filled counts, per column, the nulls and NaNs replaced by the
	// documented fill of the segmint feature of the column's name.
	Filled map[string]int
}

// Rows is the number of rows.
func (t *FeatureTable) Rows() int {
	if t.IDs != nil {
		return len(t.IDs)
	}
	return len(t.Keys)
}

// ReadFeatureTable reads the id column idName and the numeric columns want
// of the Parquet file at path; when want is empty, every numeric column
// but the id and the purchase summaries segmint run does not cluster
// (features.Feature.NotClustered). A null or NaN in a column named after a
// segmint feature is replaced by the feature's documented fill
// (Feature.Fill, with the window the file's segmint.window_days metadata
// records); a null elsewhere, a null id or an infinite value is an error
// naming the column and row.
//
// Row groups are decoded on GOMAXPROCS goroutines, flat columns of the
// common physical types by parquet-go's typed pages (the fast path of the
// event input), any other column by Arrow's reader; each row group's
// columns are then written into Data in blocks of rows, so the table is
// read at decoding speed. The result does not depend on the number of
// goroutines.
func ReadFeatureTable(ctx context.Context, path, idName string, want []string) (*FeatureTable, error) {
	rdr, err := OpenParquet(path)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	sch, err := fr.Schema()
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	r := &tableReader{path: path, rdr: rdr, fr: fr, schema: sch}
	if err := r.plan(idName, want); err != nil {
		return nil, err
	}
	if pg, err := openPG(path); err == nil {
		defer pg.Close()
		if r.flat() && len(pg.pf.Schema().Columns()) == sch.NumFields() && len(pg.pf.RowGroups()) == rdr.NumRowGroups() {
			r.pg = pg
		}
	}
	return r.read(ctx)
}

// tableReader is one ReadFeatureTable call.
type tableReader struct {
	path   string
	rdr    *file.Reader
	fr     *pqarrow.FileReader
	pg     *pgFile // the fast path; nil when the file is not flat
	schema *arrow.Schema
	id     int   // the id column's field
	cols   []int // the numeric columns' fields
	names  []string
	fills  []float64 // per column, the fill of a null (NaN: none)
	// start[rg] is the first row of row group rg.
	start []int
	out   *FeatureTable
	// arrowMu serialises Arrow's reader, whose file handle the fallback
	// shares.
	arrowMu sync.Mutex
}

// plan resolves the id and numeric columns and their fills.
func (r *tableReader) plan(idName string, want []string) error {
	idIdx := r.schema.FieldIndices(idName)
	if len(idIdx) == 0 {
		return &ColumnError{File: r.path, Column: idName, Problem: "id column is missing"}
	}
	r.id = idIdx[0]
	if len(want) == 0 {
		for i, f := range r.schema.Fields() {
			// The purchase summaries of the predictive models are not
			// behaviours: segmint run does not cluster them either.
			if sf := features.Lookup(f.Name); sf != nil && sf.NotClustered {
				continue
			}
			if i != r.id && isNumericType(f.Type) {
				want = append(want, f.Name)
			}
		}
	}
	if len(want) == 0 {
		return &InputError{File: r.path, Err: fmt.Errorf("no numeric column to cluster")}
	}
	// A segmint feature table records its window length, which some
	// features' fill values need.
	fctx := &features.Context{}
	if v := r.rdr.MetaData().KeyValueMetadata().FindValue("segmint.window_days"); v != nil {
		if d, err := strconv.ParseFloat(*v, 64); err == nil {
			fctx.AsOf = int64(d * features.MicrosPerDay)
		}
	}
	for _, name := range want {
		idx := r.schema.FieldIndices(name)
		if len(idx) == 0 {
			return &ColumnError{File: r.path, Column: name, Problem: "column is missing"}
		}
		if t := r.schema.Field(idx[0]).Type; !isNumericType(t) {
			return &ColumnError{File: r.path, Column: name, Problem: fmt.Sprintf("has type %s, want a number", t)}
		}
		fill := math.NaN()
		if f := features.Lookup(name); f != nil && f.Fill != nil {
			fill = f.Fill(fctx)
		}
		r.cols = append(r.cols, idx[0])
		r.names = append(r.names, name)
		r.fills = append(r.fills, fill)
	}
	rows := 0
	for rg := range r.rdr.NumRowGroups() {
		r.start = append(r.start, rows)
		rows += int(r.rdr.MetaData().RowGroup(rg).NumRows())
	}
	r.start = append(r.start, rows)
	t := &FeatureTable{Columns: r.names, Data: make([]float64, rows*len(r.cols)), Filled: make(map[string]int)}
	switch r.schema.Field(r.id).Type.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		t.Keys = make([]string, rows)
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		t.Keys, t.Binary = make([]string, rows), true
	default:
		t.IDs = make([]int64, rows)
	}
	r.out = t
	return nil
}

// flat reports whether every field is a leaf, so that field i is leaf i.
func (r *tableReader) flat() bool {
	for _, f := range r.schema.Fields() {
		switch f.Type.ID() {
		case arrow.STRUCT, arrow.LIST, arrow.LARGE_LIST, arrow.MAP, arrow.FIXED_SIZE_LIST:
			return false
		}
	}
	return true
}

func isNumericType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128:
		return true
	}
	return false
}

// unitError is a problem found in one row group, ordered like the reading
// order of a single pass (the id column first, then the columns in order,
// rows ascending), so that the error reported does not depend on the
// goroutines.
type unitError struct {
	col int // -1: the id column
	row int
	err error
}

func (e *unitError) before(o *unitError) bool {
	return o == nil || e.col < o.col || (e.col == o.col && e.row < o.row)
}

// read decodes every row group and returns the table.
func (r *tableReader) read(ctx context.Context) (*FeatureTable, error) {
	groups := len(r.start) - 1
	workers := min(runtime.GOMAXPROCS(0), max(groups, 1))
	var next atomic.Int64
	var mu sync.Mutex
	var first *unitError
	filled := make([]int, len(r.cols))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &groupWork{r: r, filled: make([]int, len(r.cols))}
			for {
				rg := int(next.Add(1) - 1)
				if rg >= groups || ctx.Err() != nil {
					break
				}
				if e := w.group(ctx, rg); e != nil {
					mu.Lock()
					if e.before(first) {
						first = e
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			for j, n := range w.filled {
				filled[j] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if first != nil {
		return nil, first.err
	}
	for j, n := range filled {
		if n > 0 {
			r.out.Filled[r.names[j]] = n
		}
	}
	return r.out, nil
}

// groupWork is one goroutine's scratch.
type groupWork struct {
	r       *tableReader
	scratch pgScratch
	vals    [][]float64 // per column, the row group's values
	ok      []bool
	filled  []int
}

// transposeBlock is the number of rows written into the row-major table at
// a time: a block of every column fits in the processor's L2 cache.
const transposeBlock = 512

// group reads row group rg into the table.
func (w *groupWork) group(ctx context.Context, rg int) *unitError {
	r := w.r
	lo, n := r.start[rg], r.start[rg+1]-r.start[rg]
	if n == 0 {
		return nil
	}
	if err := w.ids(ctx, rg, lo, n); err != nil {
		return err
	}
	if len(w.vals) < len(r.cols) {
		w.vals = make([][]float64, len(r.cols))
	}
	w.ok = reuse(w.ok, n)
	for j, leaf := range r.cols {
		w.vals[j] = reuse(w.vals[j], n)
		vals := w.vals[j]
		err := r.column(ctx, rg, leaf, &w.scratch, func(a arrow.Array, off int) error {
			return ToFloat64s(a, vals[off:off+a.Len()], w.ok[off:off+a.Len()])
		})
		if err != nil {
			return &unitError{col: j, err: columnError(r.path, r.names[j], err)}
		}
		fill := r.fills[j]
		for i, v := range vals {
			if !w.ok[i] || v != v {
				if fill != fill {
					return &unitError{col: j, row: lo + i, err: &ColumnError{File: r.path, Column: r.names[j], Problem: fmt.Sprintf("null or NaN at row %d; leave the column out with --columns or fill it first", lo+i)}}
				}
				vals[i] = fill
				w.filled[j]++
			} else if math.IsInf(v, 0) {
				return &unitError{col: j, row: lo + i, err: &ColumnError{File: r.path, Column: r.names[j], Problem: fmt.Sprintf("infinite value at row %d", lo+i)}}
			}
		}
	}
	cols := len(r.cols)
	data := r.out.Data[lo*cols : (lo+n)*cols]
	for b := 0; b < n; b += transposeBlock {
		e := min(b+transposeBlock, n)
		for j := range cols {
			vals := w.vals[j]
			for i := b; i < e; i++ {
				data[i*cols+j] = vals[i]
			}
		}
	}
	return nil
}

// ids reads row group rg's ids into rows lo..lo+n-1 of the table.
func (w *groupWork) ids(ctx context.Context, rg, lo, n int) *unitError {
	r := w.r
	t := r.out
	name := r.schema.Field(r.id).Name
	fail := func(row int, problem string) *unitError {
		return &unitError{col: -1, row: row, err: &ColumnError{File: r.path, Column: name, Problem: problem}}
	}
	var bad *unitError
	err := r.column(ctx, rg, r.id, &w.scratch, func(a arrow.Array, off int) error {
		if bad != nil {
			return nil
		}
		switch {
		case t.IDs != nil:
			w.ok = reuse(w.ok, a.Len())
			if err := ToInt64s(a, t.IDs[lo+off:lo+off+a.Len()], w.ok); err != nil {
				return errors.New(err.Error() + " or a string")
			}
			for i, v := range w.ok {
				if !v {
					bad = fail(lo+off+i, fmt.Sprintf("null or non-integer id at row %d", lo+off+i))
					return nil
				}
			}
		case t.Binary:
			arr, ok := a.(BytesValuer)
			if !ok {
				return fmt.Errorf("has type %s, want bytes", a.DataType())
			}
			for i := range a.Len() {
				if arr.IsNull(i) {
					bad = fail(lo+off+i, fmt.Sprintf("null id at row %d", lo+off+i))
					return nil
				}
				t.Keys[lo+off+i] = string(arr.Value(i))
			}
		default:
			dst := t.Keys[lo+off : lo+off+a.Len()]
			if err := MapStrings(a, dst, nil, func(s string) string { return string([]byte(s)) }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail(0, err.Error())
	}
	return bad
}

// column decodes leaf of row group rg and calls f on its values, in one
// array or in consecutive ones (off is the first array's row in the row
// group). The arrays are valid only during f.
func (r *tableReader) column(ctx context.Context, rg, leaf int, sc *pgScratch, f func(a arrow.Array, off int) error) error {
	if r.pg != nil {
		g := r.pg.pf.RowGroups()[rg]
		a, err := pgColumn(g.ColumnChunks()[leaf], r.schema.Field(leaf).Type, g.NumRows(), sc)
		if err == nil {
			defer a.Release()
			return f(a, 0)
		}
		if !errors.Is(err, errPGUnsupported) {
			return fmt.Errorf("row group %d: %w", rg, err)
		}
	}
	r.arrowMu.Lock()
	defer r.arrowMu.Unlock()
	rr, err := r.fr.GetRecordReader(ctx, []int{leaf}, []int{rg})
	if err != nil {
		return fmt.Errorf("row group %d: %w", rg, err)
	}
	defer rr.Release()
	off := 0
	for rr.Next() {
		rec := rr.Record()
		a := rec.Column(0)
		if err := f(a, off); err != nil {
			return err
		}
		off += a.Len()
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("row group %d: %w", rg, err)
	}
	return nil
}

package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// The fast path of the Parquet input: a flat file's row group is decoded
// page by page with parquet-go's typed pages (values, dictionary indexes
// and definition levels, no per-value objects) into Arrow arrays of exactly
// the types pqarrow would give them, and the decoder reads those as it
// reads pqarrow's records. On the feature stage's columns parquet-go
// decodes 6 to 9 times faster than pqarrow's record reader
// (bench: BenchmarkDecode). Columns of any other shape (nested, boolean,
// decimal, fixed-size, 96-bit, narrow integers, large strings) and chunks
// whose pages change dictionary are read by pqarrow, row group by row
// group, so the results never depend on the path.

// pgFile is a Parquet file opened with parquet-go for the fast path.
type pgFile struct {
	f  *os.File
	pf *parquet.File
}

// openPG opens path with parquet-go (no page index or bloom filters: the
// fast path reads whole column chunks).
func openPG(path string) (*pgFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &pgFile{f: f, pf: pf}, nil
}

func (p *pgFile) Close() error { return p.f.Close() }

// pgSource is one worker's fast path for one input file: its parquet-go
// handle and its Arrow schema as pqarrow reads it.
type pgSource struct {
	pg     *pgFile
	schema *arrow.Schema
	// scratch holds each decoded column's buffers for reuse by the next
	// row group: the decoder copies what it keeps out of a record before
	// scanRowGroup releases it.
	scratch []pgScratch
}

// pgScratch is one column's reusable buffers.
type pgScratch struct {
	valid, fixed, data, strs []byte
	idx, offsets, strOffs    []int32
}

// reuse returns s with length n, from b when b is large enough.
func reuse[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n, n+n/8)
	}
	return b[:n]
}

// newPGSource opens the fast path for a flat Parquet input read through
// fr, or returns nil (nested inputs, or anything parquet-go cannot open,
// are read by pqarrow alone).
func newPGSource(in *inputFile, fr *pqarrow.FileReader) *pgSource {
	if in.Format != formatParquet || in.nested != nil || in.explode != nil {
		return nil
	}
	sch, err := fr.Schema()
	if err != nil {
		return nil
	}
	for _, f := range sch.Fields() {
		switch f.Type.ID() {
		case arrow.STRUCT, arrow.LIST, arrow.LARGE_LIST, arrow.MAP, arrow.FIXED_SIZE_LIST:
			return nil
		}
	}
	pg, err := openPG(in.Path)
	if err != nil {
		return nil
	}
	if len(pg.pf.Schema().Columns()) != sch.NumFields() {
		pg.Close()
		return nil
	}
	return &pgSource{pg: pg, schema: sch}
}

// pgDecoded counts the row groups the fast path decoded, for the tests
// that check it is taken.
var pgDecoded atomic.Int64

// errPGUnsupported marks a column the fast path does not decode.
var errPGUnsupported = errors.New("not handled by the parquet-go path")

// pgRecord decodes the leaves cols of row group rg into one Arrow record
// whose fields are those of full (the file's Arrow schema as pqarrow gives
// it, dictionary-read leaves as dictionaries; leaf i is field i of a flat
// file). It returns errPGUnsupported when a column needs pqarrow.
func pgRecord(src *pgSource, rg int, cols []int, full *arrow.Schema) (arrow.Record, error) {
	p := src.pg
	if len(src.scratch) < len(cols) {
		src.scratch = append(src.scratch, make([]pgScratch, len(cols)-len(src.scratch))...)
	}
	groups := p.pf.RowGroups()
	if rg >= len(groups) || full.NumFields() != len(p.pf.Schema().Columns()) {
		return nil, errPGUnsupported
	}
	g := groups[rg]
	n := g.NumRows()
	chunks := g.ColumnChunks()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	release := func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}
	for k, leaf := range cols {
		if leaf >= len(chunks) {
			release()
			return nil, errPGUnsupported
		}
		fields[k] = full.Field(leaf)
		a, err := pgColumn(chunks[leaf], fields[k].Type, n, &src.scratch[k])
		if err != nil {
			release()
			return nil, err
		}
		arrs[k] = a
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), arrs, n)
	release() // the record holds its own references
	return rec, nil
}

// pgColumn decodes one column chunk of n rows into an array of type dt.
func pgColumn(cc parquet.ColumnChunk, dt arrow.DataType, n int64, sc *pgScratch) (arrow.Array, error) {
	kind, width, err := pgKind(cc, dt)
	if err != nil {
		return nil, err
	}
	c := newChunkDecoder(kind, width, int(n), sc)
	defer c.keepScratch()
	if err := c.readPages(cc.Pages()); err != nil {
		return nil, err
	}
	return c.array(dt), nil
}

// pgKind returns the Parquet kind, and the bytes per value of a fixed-width
// one, that a chunk read as Arrow type dt must have; errPGUnsupported when
// cc is not of that kind or dt is a type the fast path does not build.
func pgKind(cc parquet.ColumnChunk, dt arrow.DataType) (kind parquet.Kind, width int, err error) {
	dictType, isDict := dt.(*arrow.DictionaryType)
	vt := dt
	if isDict {
		if dictType.IndexType.ID() != arrow.INT32 {
			return 0, 0, errPGUnsupported
		}
		vt = dictType.ValueType
	}
	switch vt.ID() {
	case arrow.INT64, arrow.UINT64, arrow.TIMESTAMP, arrow.DATE64:
		kind, width = parquet.Int64, 8
	case arrow.INT32, arrow.UINT32, arrow.DATE32:
		kind, width = parquet.Int32, 4
	case arrow.FLOAT64:
		kind, width = parquet.Double, 8
	case arrow.FLOAT32:
		kind, width = parquet.Float, 4
	case arrow.STRING, arrow.BINARY:
		kind = parquet.ByteArray
	default:
		return 0, 0, errPGUnsupported
	}
	if cc.Type().Kind() != kind || (isDict && kind != parquet.ByteArray) {
		return 0, 0, errPGUnsupported
	}
	return kind, width, nil
}

// chunkDecoder gathers the pages of one column chunk into the buffers of
// an Arrow array, in the scratch of its column.
type chunkDecoder struct {
	kind  parquet.Kind
	width int // bytes per value of a fixed-width kind
	rows  int // the row group's
	sc    *pgScratch
	row   int    // rows decoded so far
	valid []byte // validity bitmap
	nulls int
	fixed []byte  // fixed-width values, rows*width bytes
	idx   []int32 // byte arrays: each row's entry of data
	// data and offsets hold the byte-array entries: the dictionary's
	// values, then each plain value.
	data    []byte
	offsets []int32
	// dict is the chunk's dictionary, whose dictValues values are the
	// first entries of data (nil: none yet).
	dict       parquet.Dictionary
	dictValues int
}

func newChunkDecoder(kind parquet.Kind, width, rows int, sc *pgScratch) *chunkDecoder {
	c := &chunkDecoder{kind: kind, width: width, rows: rows, sc: sc, dictValues: -1}
	c.valid = reuse(sc.valid, int(bitutil.BytesForBits(int64(rows))))
	clear(c.valid)
	sc.valid = c.valid
	c.data, c.offsets = sc.data[:0], append(sc.offsets[:0], 0)
	if kind == parquet.ByteArray {
		c.idx = reuse(sc.idx, rows)
		sc.idx = c.idx
	} else {
		c.fixed = reuse(sc.fixed, rows*width)
		sc.fixed = c.fixed
	}
	return c
}

// keepScratch keeps the grown byte-array buffers for the next row group.
func (c *chunkDecoder) keepScratch() { c.sc.data, c.sc.offsets = c.data, c.offsets }

// readPages decodes every page of the chunk.
func (c *chunkDecoder) readPages(pages parquet.Pages) error {
	defer pages.Close()
	for {
		pg, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		err = c.page(pg)
		parquet.Release(pg)
		if err != nil {
			return err
		}
	}
	if c.row != c.rows {
		return fmt.Errorf("column chunk has %d of the row group's %d rows", c.row, c.rows)
	}
	return nil
}

// page decodes the rows of one page.
func (c *chunkDecoder) page(pg parquet.Page) error {
	pr := int(pg.NumRows())
	if c.row+pr > c.rows {
		return fmt.Errorf("column chunk has more than the row group's %d rows", c.rows)
	}
	defs := pg.DefinitionLevels()
	if defs != nil && len(defs) != pr {
		return errPGUnsupported
	}
	if bytes.IndexByte(defs, 0) < 0 {
		// An optional column's page without nulls (as writers that
		// mark every column optional write them) takes the path of a
		// required column: one copy, no per-value validity bits.
		defs = nil
	}
	var err error
	if c.kind == parquet.ByteArray {
		err = c.byteArrayPage(pg, pr, defs)
	} else {
		err = c.fixedPage(pg, pr, defs)
	}
	if err != nil {
		return err
	}
	c.row += pr
	return nil
}

// fixedPage decodes the pr rows of a page of fixed-width values, plain or
// indexed, with nulls where defs (nil: none) says.
func (c *chunkDecoder) fixedPage(pg parquet.Page, pr int, defs []byte) error {
	v := pg.Data()
	d := pg.Dictionary()
	var pidx []int32
	var dv encoding.Values
	if d != nil {
		dv, pidx = d.Page().Data(), v.Int32()
	}
	lo, hi := c.row, c.row+pr
	var nulls int
	var err error
	switch c.kind {
	case parquet.Int64:
		nulls, err = pgFixedPage(viewAs[int64](c.fixed)[lo:hi], c.valid, lo, defs, v.Int64, dv.Int64, d != nil, pidx)
	case parquet.Int32:
		nulls, err = pgFixedPage(viewAs[int32](c.fixed)[lo:hi], c.valid, lo, defs, v.Int32, dv.Int32, d != nil, pidx)
	case parquet.Double:
		nulls, err = pgFixedPage(viewAs[float64](c.fixed)[lo:hi], c.valid, lo, defs, v.Double, dv.Double, d != nil, pidx)
	case parquet.Float:
		nulls, err = pgFixedPage(viewAs[float32](c.fixed)[lo:hi], c.valid, lo, defs, v.Float, dv.Float, d != nil, pidx)
	}
	c.nulls += nulls
	return err
}

// byteArrayPage decodes the pr rows of a page of byte arrays: indexes
// into the chunk's dictionary, or plain values, each made an entry of its
// own; nulls where defs (nil: none) says.
func (c *chunkDecoder) byteArrayPage(pg parquet.Page, pr int, defs []byte) error {
	v := pg.Data()
	d := pg.Dictionary()
	var pidx []int32
	var pdata []byte
	var poffs []uint32
	if d != nil {
		if err := c.useDictionary(d); err != nil {
			return err
		}
		pidx = v.Int32()
		if defs == nil {
			return c.indexesWithoutNulls(pidx, pr)
		}
	} else {
		pdata, poffs = v.ByteArray()
	}
	j := 0
	for i := 0; i < pr; i++ {
		r := c.row + i
		if defs != nil && defs[i] == 0 {
			c.idx[r] = 0
			c.nulls++
			continue
		}
		if d != nil {
			if j >= len(pidx) || pidx[j] < 0 || int(pidx[j]) >= c.dictValues {
				return errDictIndex
			}
			c.idx[r] = pidx[j]
		} else {
			if j+1 >= len(poffs) {
				return fmt.Errorf("page has fewer values than its definition levels say")
			}
			c.idx[r] = int32(len(c.offsets) - 1)
			c.data = append(c.data, pdata[poffs[j]:poffs[j+1]]...)
			c.offsets = append(c.offsets, int32(len(c.data)))
		}
		bitutil.SetBit(c.valid, r)
		j++
	}
	return nil
}

// useDictionary makes d the chunk's dictionary, its values the first
// entries of data; a chunk whose pages change dictionary is left to
// pqarrow (errPGUnsupported).
func (c *chunkDecoder) useDictionary(d parquet.Dictionary) error {
	if c.dict != nil {
		if d != c.dict {
			return errPGUnsupported
		}
		return nil
	}
	c.dict = d
	dv := d.Page().Data()
	dd, do := dv.ByteArray()
	if len(do) == 0 {
		do = []uint32{0}
	}
	base := int32(len(c.data))
	c.data = append(c.data, dd[do[0]:do[len(do)-1]]...)
	for _, o := range do[1:] {
		c.offsets = append(c.offsets, base+int32(o-do[0]))
	}
	c.dictValues = len(do) - 1
	return nil
}

// indexesWithoutNulls copies the dictionary indexes of a page of pr rows
// without nulls, checking each.
func (c *chunkDecoder) indexesWithoutNulls(pidx []int32, pr int) error {
	if len(pidx) < pr {
		return errShortPage
	}
	for _, k := range pidx[:pr] {
		if uint32(k) >= uint32(c.dictValues) {
			return errDictIndex
		}
	}
	copy(c.idx[c.row:c.row+pr], pidx)
	bitutil.SetBitsTo(c.valid, int64(c.row), int64(pr), true)
	return nil
}

// array returns the decoded chunk as an array of type dt.
func (c *chunkDecoder) array(dt arrow.DataType) arrow.Array {
	var validBuf *memory.Buffer
	if c.nulls > 0 {
		validBuf = memory.NewBufferBytes(c.valid)
	}
	if c.kind != parquet.ByteArray {
		d := array.NewData(dt, c.rows, []*memory.Buffer{validBuf, memory.NewBufferBytes(c.fixed)}, nil, c.nulls, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	if dictType, isDict := dt.(*arrow.DictionaryType); isDict {
		return c.dictionaryArray(dictType, validBuf)
	}
	return c.stringArray(dt, validBuf)
}

// dictionaryArray returns the entries, indexed by row, as a dictionary.
func (c *chunkDecoder) dictionaryArray(dt *arrow.DictionaryType, validBuf *memory.Buffer) arrow.Array {
	values := array.NewData(dt.ValueType, len(c.offsets)-1, []*memory.Buffer{nil, memory.NewBufferBytes(int32Bytes(c.offsets)), memory.NewBufferBytes(c.data)}, nil, 0, 0)
	defer values.Release()
	ix := array.NewData(arrow.PrimitiveTypes.Int32, c.rows, []*memory.Buffer{validBuf, memory.NewBufferBytes(int32Bytes(c.idx))}, nil, c.nulls, 0)
	defer ix.Release()
	ia := array.MakeFromData(ix)
	defer ia.Release()
	va := array.MakeFromData(values)
	defer va.Release()
	return array.NewDictionaryArray(dt, ia, va)
}

// stringArray returns plain strings (or bytes) of type vt: the entries
// gathered in row order.
func (c *chunkDecoder) stringArray(vt arrow.DataType, validBuf *memory.Buffer) arrow.Array {
	out := reuse(c.sc.strOffs, c.rows+1)
	out[0] = 0
	buf := c.sc.strs[:0]
	for i := 0; i < c.rows; i++ {
		if bitutil.BitIsSet(c.valid, i) {
			e := c.idx[i]
			buf = append(buf, c.data[c.offsets[e]:c.offsets[e+1]]...)
		}
		out[i+1] = int32(len(buf))
	}
	c.sc.strOffs, c.sc.strs = out, buf
	sd := array.NewData(vt, c.rows, []*memory.Buffer{validBuf, memory.NewBufferBytes(int32Bytes(out)), memory.NewBufferBytes(buf)}, nil, c.nulls, 0)
	defer sd.Release()
	return array.MakeFromData(sd)
}

var (
	errShortPage = errors.New("page has fewer values than its rows and definition levels say")
	errDictIndex = errors.New("dictionary index out of range")
)

// viewAs views b as a slice of T (b's length a multiple of T's size).
func viewAs[T int64 | int32 | float64 | float32](b []byte) []T {
	var zero T
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(zero)))
}

// pgFixedPage writes one page's rows into dst (the rows from row on): its
// values, or for an indexed page its dictionary's values at its indexes,
// with nulls where the definition levels defs (nil: none) say. values and
// dict are called only when needed. It returns the nulls written.
func pgFixedPage[T int64 | int32 | float64 | float32](dst []T, valid []byte, row int, defs []byte, values, dict func() []T, indexed bool, idx []int32) (int, error) {
	var vals, dv []T
	if indexed {
		dv = dict()
	} else {
		vals = values()
	}
	if defs == nil {
		if indexed {
			if len(idx) < len(dst) {
				return 0, errShortPage
			}
			for i, k := range idx[:len(dst)] {
				if uint32(k) >= uint32(len(dv)) {
					return 0, errDictIndex
				}
				dst[i] = dv[k]
			}
		} else {
			if len(vals) < len(dst) {
				return 0, errShortPage
			}
			copy(dst, vals)
		}
		bitutil.SetBitsTo(valid, int64(row), int64(len(dst)), true)
		return 0, nil
	}
	nulls, j := 0, 0
	var zero T
	for i := range dst {
		if defs[i] == 0 {
			dst[i] = zero
			nulls++
			continue
		}
		if indexed {
			if j >= len(idx) || uint32(idx[j]) >= uint32(len(dv)) {
				return 0, errDictIndex
			}
			dst[i] = dv[idx[j]]
		} else {
			if j >= len(vals) {
				return 0, errShortPage
			}
			dst[i] = vals[j]
		}
		bitutil.SetBit(valid, row+i)
		j++
	}
	return nulls, nil
}

func int32Bytes(s []int32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*4)
}

// recordSlices iterates over a record in slices of at most size rows (the
// decoder's batches), releasing each slice when the next is asked for and
// the record at the end.
type recordSlices struct {
	rec      arrow.Record
	size, at int64
	cur      arrow.Record
}

func (r *recordSlices) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.at >= r.rec.NumRows() {
		return false
	}
	hi := min(r.at+r.size, r.rec.NumRows())
	r.cur = r.rec.NewSlice(r.at, hi)
	r.at = hi
	return true
}

func (r *recordSlices) Record() arrow.Record { return r.cur }

func (r *recordSlices) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.rec.Release()
}

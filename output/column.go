package output

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// Column is one column of an output table, held as plain Go values.
// Exactly one of the value slices is set. NaN floats (unless Required is
// set) and, when NullEmpty is set, empty strings are written as nulls.
type Column struct {
	Name    string
	Int64   []int64
	Int32   []int32
	Float64 []float64
	// Required writes a Float64 column as not nullable, NaN as a value.
	Required bool
	String   []string
	// Binary holds byte strings (as Go strings), written as BINARY.
	Binary []string
	Bool   []bool
	// Valid, when set, makes a Bool column nullable: where it is false the
	// value is written as null.
	Valid []bool
	// Timestamp holds microseconds since the epoch, written as a UTC
	// TIMESTAMP(MICROS).
	Timestamp []int64
	// Date holds days since the epoch, written as a DATE; NullDate is
	// written as null.
	Date      []int32
	NullEmpty bool
}

// NullDate is the Date value written as null.
const NullDate = math.MinInt32

func (c Column) len() int {
	switch {
	case c.Int64 != nil:
		return len(c.Int64)
	case c.Int32 != nil:
		return len(c.Int32)
	case c.Float64 != nil:
		return len(c.Float64)
	case c.Bool != nil:
		return len(c.Bool)
	case c.Timestamp != nil:
		return len(c.Timestamp)
	case c.Date != nil:
		return len(c.Date)
	case c.Binary != nil:
		return len(c.Binary)
	}
	return len(c.String)
}

func (c Column) field() arrow.Field {
	switch {
	case c.Int64 != nil:
		return arrow.Field{Name: c.Name, Type: arrow.PrimitiveTypes.Int64}
	case c.Int32 != nil:
		return arrow.Field{Name: c.Name, Type: arrow.PrimitiveTypes.Int32}
	case c.Float64 != nil:
		return arrow.Field{Name: c.Name, Type: arrow.PrimitiveTypes.Float64, Nullable: !c.Required}
	case c.Bool != nil:
		return arrow.Field{Name: c.Name, Type: arrow.FixedWidthTypes.Boolean, Nullable: c.Valid != nil}
	case c.Timestamp != nil:
		return arrow.Field{Name: c.Name, Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}}
	case c.Date != nil:
		return arrow.Field{Name: c.Name, Type: arrow.FixedWidthTypes.Date32, Nullable: true}
	case c.Binary != nil:
		return arrow.Field{Name: c.Name, Type: arrow.BinaryTypes.Binary}
	}
	return arrow.Field{Name: c.Name, Type: arrow.BinaryTypes.String, Nullable: c.NullEmpty}
}

// WriteTable writes cols as a new Parquet file at path (see WriteColumns).
// The caller stages it.
func WriteTable(path string, cols []Column, meta map[string]string) error {
	return writeTable(path, cols, meta, withArrowSchema)
}

// arrowSchema says whether a file carries its Arrow schema in its
// key-value metadata (ARROW:schema). The tables of a fixed schema
// (memberships, segments, k_selection, movement) were written by
// parquet-go, without it, until every table came to be written by
// WriteColumns; they are still written without it, so that their metadata
// is unchanged.
type arrowSchema bool

const (
	withArrowSchema    arrowSchema = true
	withoutArrowSchema arrowSchema = false
)

func writeTable(path string, cols []Column, meta map[string]string, schema arrowSchema) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	// The Parquet writer closes its sink; syncFile makes that close durable.
	if err := writeColumns(syncFile{f}, cols, meta, schema); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// WriteColumns writes cols to w as one Parquet file (zstd, row groups of at
// most 2^20 rows, plain encoding for float64, int64 and timestamp columns,
// dictionaries for the others) through Arrow record batches of at most 65,536 rows, with
// meta as its key-value metadata: the types of segmint's outputs
// (docs/outputs.md). w is closed at the end when it is an io.Closer. A
// distributed runner writes its output shards with it, so that they match
// segmint run's files. The file carries its Arrow schema (ARROW:schema).
func WriteColumns(w io.Writer, cols []Column, meta map[string]string) error {
	return writeColumns(w, cols, meta, withArrowSchema)
}

func writeColumns(w io.Writer, cols []Column, meta map[string]string, schema arrowSchema) error {
	const batchRows = 1 << 16
	if err := useZstd(); err != nil {
		return err
	}
	n := 0
	if len(cols) > 0 {
		n = cols[0].len()
	}
	fields := make([]arrow.Field, len(cols))
	for j, c := range cols {
		if c.len() != n {
			panic(fmt.Sprintf("output: column %s has %d rows, want %d", c.Name, c.len(), n))
		}
		fields[j] = c.field()
	}
	var md *arrow.Metadata
	if len(meta) > 0 {
		m := arrow.MetadataFrom(meta)
		md = &m
	}
	as := arrow.NewSchema(fields, md)
	opts := []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Zstd), parquet.WithMaxRowGroupLength(1 << 20)}
	for _, c := range cols {
		// Features, ids and instants are mostly distinct values: a
		// dictionary would hash every value only to fall back to plain
		// pages. Strings, small integers and flags keep it.
		if c.Float64 != nil || c.Int64 != nil || c.Timestamp != nil {
			opts = append(opts, parquet.WithDictionaryFor(c.Name, false))
		}
	}
	props := parquet.NewWriterProperties(opts...)
	var arrowProps []pqarrow.WriterOption
	if schema == withArrowSchema {
		arrowProps = append(arrowProps, pqarrow.WithStoreSchema())
	}
	pw, err := pqarrow.NewFileWriter(as, w, props, pqarrow.NewArrowWriterProperties(arrowProps...))
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, as)
	defer b.Release()
	for lo := 0; lo < n || (n == 0 && lo == 0); lo += batchRows {
		hi := min(lo+batchRows, n)
		for j, c := range cols {
			switch fb := b.Field(j).(type) {
			case *array.Int64Builder:
				fb.AppendValues(c.Int64[lo:hi], nil)
			case *array.Int32Builder:
				fb.AppendValues(c.Int32[lo:hi], nil)
			case *array.BooleanBuilder:
				var valid []bool
				if c.Valid != nil {
					valid = c.Valid[lo:hi]
				}
				fb.AppendValues(c.Bool[lo:hi], valid)
			case *array.TimestampBuilder:
				for _, v := range c.Timestamp[lo:hi] {
					fb.Append(arrow.Timestamp(v))
				}
			case *array.Date32Builder:
				for _, v := range c.Date[lo:hi] {
					if v == NullDate {
						fb.AppendNull()
					} else {
						fb.Append(arrow.Date32(v))
					}
				}
			case *array.Float64Builder:
				if c.Required {
					fb.AppendValues(c.Float64[lo:hi], nil)
					break
				}
				fb.Reserve(hi - lo)
				for _, v := range c.Float64[lo:hi] {
					if math.IsNaN(v) {
						fb.UnsafeAppendBoolToBitmap(false)
					} else {
						fb.UnsafeAppend(v)
					}
				}
			case *array.BinaryBuilder:
				for _, v := range c.Binary[lo:hi] {
					fb.AppendString(v)
				}
			case *array.StringBuilder:
				for _, v := range c.String[lo:hi] {
					if v == "" && c.NullEmpty {
						fb.AppendNull()
					} else {
						fb.Append(v)
					}
				}
			}
		}
		rec := b.NewRecord()
		err := pw.WriteBuffered(rec)
		rec.Release()
		if err != nil {
			pw.Close()
			return err
		}
		if n == 0 {
			break
		}
	}
	return pw.Close()
}

// syncFile flushes a file to stable storage before closing it.
type syncFile struct{ *os.File }

func (f syncFile) Close() error {
	if err := f.File.Sync(); err != nil {
		f.File.Close()
		return err
	}
	return f.File.Close()
}

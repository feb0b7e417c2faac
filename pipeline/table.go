package pipeline

import (
	"fmt"
	"math"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// column is one column of an output table, held as plain Go values.
// Exactly one of the value slices is set. NaN floats and, when NullEmpty is
// set, empty strings are written as nulls.
type column struct {
	Name    string
	Int64   []int64
	Int32   []int32
	Float64 []float64
	String  []string
	Bool    []bool
	// Timestamp holds microseconds since the epoch, written as a UTC
	// TIMESTAMP(MICROS).
	Timestamp []int64
	NullEmpty bool
}

func (c column) len() int {
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
	}
	return len(c.String)
}

func (c column) field() arrow.Field {
	switch {
	case c.Int64 != nil:
		return arrow.Field{Name: c.Name, Type: arrow.PrimitiveTypes.Int64}
	case c.Int32 != nil:
		return arrow.Field{Name: c.Name, Type: arrow.PrimitiveTypes.Int32}
	case c.Float64 != nil:
		return arrow.Field{Name: c.Name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	case c.Bool != nil:
		return arrow.Field{Name: c.Name, Type: arrow.FixedWidthTypes.Boolean}
	case c.Timestamp != nil:
		return arrow.Field{Name: c.Name, Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}}
	}
	return arrow.Field{Name: c.Name, Type: arrow.BinaryTypes.String, Nullable: c.NullEmpty}
}

// writeTable writes cols as a Parquet file (zstd) through Arrow record
// batches of at most batchRows rows. meta goes into the file's key-value
// metadata. The file is created new; the caller stages it.
func writeTable(path string, cols []column, meta map[string]string) (err error) {
	const batchRows = 1 << 16
	n := 0
	if len(cols) > 0 {
		n = cols[0].len()
	}
	fields := make([]arrow.Field, len(cols))
	for j, c := range cols {
		if c.len() != n {
			panic(fmt.Sprintf("pipeline: column %s has %d rows, want %d", c.Name, c.len(), n))
		}
		fields[j] = c.field()
	}
	var md *arrow.Metadata
	if len(meta) > 0 {
		m := arrow.MetadataFrom(meta)
		md = &m
	}
	schema := arrow.NewSchema(fields, md)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithMaxRowGroupLength(1<<20))
	// The Parquet writer closes its sink; syncFile makes that close durable.
	w, err := pqarrow.NewFileWriter(schema, syncFile{f}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	mem := memory.DefaultAllocator
	b := array.NewRecordBuilder(mem, schema)
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
				fb.AppendValues(c.Bool[lo:hi], nil)
			case *array.TimestampBuilder:
				for _, v := range c.Timestamp[lo:hi] {
					fb.Append(arrow.Timestamp(v))
				}
			case *array.Float64Builder:
				fb.Reserve(hi - lo)
				for _, v := range c.Float64[lo:hi] {
					if math.IsNaN(v) {
						fb.UnsafeAppendBoolToBitmap(false)
					} else {
						fb.UnsafeAppend(v)
					}
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
		err := w.WriteBuffered(rec)
		rec.Release()
		if err != nil {
			w.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
		if n == 0 {
			break
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
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

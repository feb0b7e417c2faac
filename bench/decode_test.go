package bench

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	aparquet "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/synth"
)

// decodeColumns are the columns the feature stage reads from a full-layout
// events file.
var decodeColumns = []string{"event_time", "event_type", "product_id", "category_id", "price", "user_id", "user_session", "order_id", "quantity", "coupon_code", "discount", "country"}

// decodeStrings are read as dictionaries by the feature stage.
var decodeStrings = map[string]bool{"event_type": true, "user_session": true, "order_id": true, "coupon_code": true, "country": true}

var decodeData struct {
	once   sync.Once
	events int64
	files  map[string][]string // writer -> files
	err    error
}

// decodeFiles generates about one million events once, and DuckDB's copy.
func decodeFiles(b *testing.B) (map[string][]string, int64) {
	decodeData.once.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "segmint-decodebench-")
		if err != nil {
			decodeData.err = err
			return
		}
		sum, err := synth.Generate(ctx, filepath.Join(dir, "gen"), synth.Settings{Customers: 20000, Seed: 1})
		if err != nil {
			decodeData.err = err
			return
		}
		ds := &Dataset{Customers: sum.Customers, Scale: 1, Dir: filepath.Join(dir, "gen"), Files: sum.Files, Events: sum.Events, Writer: WriterSegmint}
		cp, err := EnsureDuckDBCopy(ctx, ds, func(string, ...any) {})
		if err != nil {
			decodeData.err = err
			return
		}
		decodeData.events = sum.Events
		decodeData.files = map[string][]string{WriterSegmint: sum.Files, WriterDuckDB: cp.Files}
	})
	if decodeData.err != nil {
		b.Fatal(decodeData.err)
	}
	return decodeData.files, decodeData.events
}

// BenchmarkDecode decodes the feature stage's columns of the same events,
// written by the generator (parquet-go, zstd) and by DuckDB (snappy), on
// one goroutine, with the two Parquet libraries: pqarrow into Arrow
// records of 65,536 rows (strings as dictionaries: what the feature stage
// does) and parquet-go page by page into typed values (dictionary indexes
// for dictionary pages, no strings). Only decoding is timed, no features:
// go test ./ -run '^$' -bench Decode -benchtime 5x.
func BenchmarkDecode(b *testing.B) {
	files, events := decodeFiles(b)
	decoders := []struct {
		name   string
		decode func(string) error
	}{{"pqarrow", decodeArrow}, {"parquet-go", decodeParquetGo}}
	for _, w := range []string{WriterSegmint, WriterDuckDB} {
		for _, d := range decoders {
			b.Run(w+"/"+d.name, func(b *testing.B) {
				for range b.N {
					for _, f := range files[w] {
						if err := d.decode(f); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

func decodeArrow(path string) error {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer rdr.Close()
	sc := rdr.MetaData().Schema
	props := pqarrow.ArrowReadProperties{BatchSize: 1 << 16}
	var cols []int
	for _, c := range decodeColumns {
		i := sc.ColumnIndexByName(c)
		if i < 0 {
			continue
		}
		cols = append(cols, i)
		if decodeStrings[c] && sc.Column(i).PhysicalType() == aparquet.Types.ByteArray {
			props.SetReadDict(i, true)
		}
	}
	fr, err := pqarrow.NewFileReader(rdr, props, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	// One row group at a time, as the feature stage reads (Arrow cannot
	// read a dictionary that changes between row groups in one reader).
	for rg := 0; rg < rdr.NumRowGroups(); rg++ {
		rr, err := fr.GetRecordReader(context.Background(), cols, []int{rg})
		if err != nil {
			return err
		}
		for rr.Next() {
		}
		err = rr.Err()
		rr.Release()
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	return nil
}

func decodeParquetGo(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return err
	}
	var leaves []int
	for _, c := range decodeColumns {
		if l, ok := pf.Schema().Lookup(c); ok {
			leaves = append(leaves, l.ColumnIndex)
		}
	}
	var sink int64
	for _, rg := range pf.RowGroups() {
		chunks := rg.ColumnChunks()
		for _, l := range leaves {
			pages := chunks[l].Pages()
			for {
				p, err := pages.ReadPage()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					pages.Close()
					return err
				}
				v := p.Data()
				switch {
				case p.Dictionary() != nil:
					sink += int64(len(v.Int32()))
				default:
					d, _ := v.Data()
					sink += int64(len(d))
				}
				parquet.Release(p)
			}
			pages.Close()
		}
	}
	if sink < 0 {
		return errors.New("unreachable")
	}
	return nil
}

// TestDecodeLibrariesAgree: the two decoders of BenchmarkDecode read the
// same values (sums of event_time, user_id and price, dictionary pages
// looked up), so the benchmark compares real decoding.
func TestDecodeLibrariesAgree(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), dir, synth.Settings{Customers: 300, Seed: 2, RowGroupSize: 3000})
	if err != nil {
		t.Fatal(err)
	}
	ds := &Dataset{Customers: sum.Customers, Scale: 1, Dir: dir, Files: sum.Files, Events: sum.Events, Writer: WriterSegmint}
	cp, err := EnsureDuckDBCopy(context.Background(), ds, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(append([]string(nil), sum.Files...), cp.Files...) {
		a, err := arrowSums(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := parquetGoSums(f)
		if err != nil {
			t.Fatal(err)
		}
		if a != b || a[0] == 0 || a[2] == 0 {
			t.Errorf("%s: pqarrow sums %v, parquet-go %v", f, a, b)
		}
	}
}

// sums are event_time, user_id and price summed (price in cents).
type sums [3]int64

func arrowSums(path string) (sums, error) {
	var s sums
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return s, err
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return s, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return s, err
	}
	defer tbl.Release()
	for k, name := range []string{"event_time", "user_id", "price"} {
		idx := tbl.Schema().FieldIndices(name)
		for _, ch := range tbl.Column(idx[0]).Data().Chunks() {
			switch a := ch.(type) {
			case *array.Timestamp:
				for _, v := range a.TimestampValues() {
					s[k] += int64(v)
				}
			case *array.Int64:
				for _, v := range a.Int64Values() {
					s[k] += v
				}
			case *array.Float64:
				for _, v := range a.Float64Values() {
					s[k] += int64(math.Round(v * 100))
				}
			}
		}
	}
	return s, nil
}

func parquetGoSums(path string) (sums, error) {
	var s sums
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return s, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return s, err
	}
	for k, name := range []string{"event_time", "user_id", "price"} {
		l, _ := pf.Schema().Lookup(name)
		for _, rg := range pf.RowGroups() {
			pages := rg.ColumnChunks()[l.ColumnIndex].Pages()
			for {
				p, err := pages.ReadPage()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return s, err
				}
				v := p.Data()
				if d := p.Dictionary(); d != nil {
					dv := d.Page().Data()
					for _, i := range v.Int32() {
						if name == "price" {
							s[k] += int64(math.Round(dv.Double()[i] * 100))
						} else {
							s[k] += dv.Int64()[i]
						}
					}
				} else if name == "price" {
					for _, x := range v.Double() {
						s[k] += int64(math.Round(x * 100))
					}
				} else {
					for _, x := range v.Int64() {
						s[k] += x
					}
				}
				parquet.Release(p)
			}
			pages.Close()
		}
	}
	return s, nil
}

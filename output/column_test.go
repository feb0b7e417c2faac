package output

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/parquet-go/parquet-go"
)

// TestWriteTableRoundTrip writes a column of every kind and reads it back
// with parquet-go: the types, the nullability and the values, nulls
// included, and the Arrow schema in the metadata only when asked for.
func TestWriteTableRoundTrip(t *testing.T) {
	nan := math.NaN()
	cols := []Column{
		{Name: "i64", Int64: []int64{1, -2, 3}},
		{Name: "i32", Int32: []int32{4, 5, -6}},
		{Name: "f", Float64: []float64{1.5, nan, 3}},
		{Name: "req", Float64: []float64{nan, 2, 3}, Required: true},
		{Name: "s", String: []string{"a", "", "c"}},
		{Name: "sn", String: []string{"a", "", "c"}, NullEmpty: true},
		{Name: "bin", Binary: []string{"\x00\x01", "", "z"}},
		{Name: "b", Bool: []bool{true, false, true}},
		{Name: "bn", Bool: []bool{true, false, true}, Valid: []bool{true, true, false}},
		{Name: "ts", Timestamp: []int64{0, 1_700_000_000_000_000, -1}},
		{Name: "d", Date: []int32{0, NullDate, 20000}},
	}
	want := map[string]struct {
		typ      string
		optional bool
		nulls    []bool
	}{
		"i64": {"INT(64,true)", false, nil}, "i32": {"INT(32,true)", false, nil},
		"f": {"DOUBLE", true, []bool{false, true, false}}, "req": {"DOUBLE", false, nil},
		"s": {"STRING", false, nil}, "sn": {"STRING", true, []bool{false, true, false}},
		"bin": {"BYTE_ARRAY", false, nil}, "b": {"BOOLEAN", false, nil},
		"bn": {"BOOLEAN", true, []bool{false, false, true}},
		"ts": {"TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", false, nil},
		"d":  {"DATE", true, []bool{false, true, false}},
	}
	for _, tc := range []struct {
		name   string
		schema arrowSchema
	}{{"with the Arrow schema", withArrowSchema}, {"without", withoutArrowSchema}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.parquet")
			if err := writeTable(path, cols, map[string]string{"k": "v"}, tc.schema); err != nil {
				t.Fatal(err)
			}
			pf := readParquet(t, path)
			if v, _ := pf.Lookup("k"); v != "v" {
				t.Errorf("metadata k = %q, want v", v)
			}
			if _, ok := pf.Lookup("ARROW:schema"); ok != bool(tc.schema) {
				t.Errorf("ARROW:schema present %v, want %v", ok, bool(tc.schema))
			}
			rows := make([]parquet.Row, 3)
			r := parquet.NewReader(pf)
			if n, _ := r.ReadRows(rows); n != 3 {
				t.Fatalf("%d rows, want 3", n)
			}
			for j, f := range pf.Schema().Fields() {
				w := want[f.Name()]
				if got := f.Type().String(); got != w.typ || f.Optional() != w.optional {
					t.Errorf("%s: %s optional %v, want %s optional %v", f.Name(), got, f.Optional(), w.typ, w.optional)
				}
				for i, row := range rows {
					isNull := row[j].IsNull()
					if (w.nulls != nil && isNull != w.nulls[i]) || (w.nulls == nil && isNull) {
						t.Errorf("%s row %d: null %v", f.Name(), i, isNull)
					}
				}
			}
			if v := rows[0][3].Double(); !math.IsNaN(v) {
				t.Errorf("required float row 0 = %v, want NaN", v)
			}
			if !rows[0][8].Boolean() || rows[1][8].Boolean() {
				t.Errorf("nullable bool rows 0 and 1 = %v %v, want true false", rows[0][8], rows[1][8])
			}
		})
	}
}

// readParquet opens the Parquet file at path, read into memory.
func readParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err == nil {
		var pf *parquet.File
		if pf, err = parquet.OpenFile(bytes.NewReader(data), int64(len(data))); err == nil {
			return pf
		}
	}
	t.Fatal(err)
	return nil
}

// TestWriteEmptyTable: a table of no rows keeps its columns.
func TestWriteEmptyTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	if err := WriteTable(path, []Column{{Name: "k", Int32: []int32{}}, {Name: "s", String: nil}}, nil); err != nil {
		t.Fatal(err)
	}
	pf := readParquet(t, path)
	if pf.NumRows() != 0 || len(pf.Schema().Fields()) != 2 {
		t.Errorf("%d rows, %d columns; want 0 and 2", pf.NumRows(), len(pf.Schema().Fields()))
	}
}

// TestZstdCodecBytes: the codec the writers register compresses to the
// bytes of Arrow's own.
func TestZstdCodecBytes(t *testing.T) {
	if err := useZstd(); err != nil {
		t.Fatal(err)
	}
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	ours, ok := c.(*zstdCodec)
	if !ok {
		t.Fatalf("registered codec is %T, want *zstdCodec", c)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]byte, 1<<16)
	for i := range src {
		src[i] = byte(rng.IntN(16)) // compressible
	}
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
		got := ours.EncodeLevel(nil, src, level)
		want := ours.Codec.EncodeLevel(nil, src, level)
		if !bytes.Equal(got, want) {
			t.Errorf("level %d: %d bytes, Arrow's codec %d", level, len(got), len(want))
		}
		if back := ours.Decode(nil, got); !bytes.Equal(back, src) {
			t.Errorf("level %d: does not decode to the input", level)
		}
	}
}

package output_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// idVariant re-spells the integer customer ids of generated events.
type idVariant struct {
	name string
	typ  arrow.DataType
	// spell returns the id as the new column holds it (text or bytes).
	spell func(id int64) string
	// ordered: the new ids sort as the integers do, so the feature table's
	// rows, hence k-means' input, are in the same order.
	ordered bool
	noDict  bool // written without dictionary encoding
}

func uuidOf(id int64) string {
	var b [16]byte
	x := uint64(id)
	for i := 0; i < 2; i++ {
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		binary.BigEndian.PutUint64(b[8*i:], z^(z>>31))
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return string(b[:])
}

func uuidText(id int64) string {
	b := []byte(uuidOf(id))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var idVariants = []idVariant{
	{name: "padded strings", typ: arrow.BinaryTypes.String, spell: func(id int64) string { return fmt.Sprintf("cust-%010d", id) }, ordered: true},
	{name: "plain padded strings", typ: arrow.BinaryTypes.String, spell: func(id int64) string { return fmt.Sprintf("cust-%010d", id) }, ordered: true, noDict: true},
	{name: "big-endian bytes", typ: arrow.BinaryTypes.Binary, spell: func(id int64) string {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(id))
		return string(b[:])
	}, ordered: true},
	{name: "uuid strings", typ: arrow.BinaryTypes.String, spell: uuidText},
	{name: "uuid bytes", typ: &arrow.FixedSizeBinaryType{ByteWidth: 16}, spell: uuidOf},
}

// respell rewrites the events file src to dst with user_id spelled by v.
func respell(t *testing.T, src, dst string, v idVariant) {
	t.Helper()
	_, fr := openArrow(t, src, 1<<14)
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	sch := tbl.Schema()
	idx := sch.FieldIndices("user_id")[0]
	fields := append([]arrow.Field(nil), sch.Fields()...)
	fields[idx] = arrow.Field{Name: "user_id", Type: v.typ, Nullable: true}
	outSch := arrow.NewSchema(fields, nil)
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDictionaryDefault(!v.noDict), parquet.WithMaxRowGroupLength(5000))
	w, err := pqarrow.NewFileWriter(outSch, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	tr := array.NewTableReader(tbl, 1<<14)
	defer tr.Release()
	for tr.Next() {
		rec := tr.Record()
		ids := rec.Column(idx).(*array.Int64)
		b := array.NewBuilder(memory.DefaultAllocator, v.typ)
		for i := 0; i < ids.Len(); i++ {
			switch {
			case ids.IsNull(i):
				b.AppendNull()
			case v.typ.ID() == arrow.STRING:
				b.(*array.StringBuilder).Append(v.spell(ids.Value(i)))
			case v.typ.ID() == arrow.BINARY:
				b.(*array.BinaryBuilder).Append([]byte(v.spell(ids.Value(i))))
			default:
				b.(*array.FixedSizeBinaryBuilder).Append([]byte(v.spell(ids.Value(i))))
			}
		}
		cols := append([]arrow.Array(nil), rec.Columns()...)
		cols[idx] = b.NewArray()
		b.Release()
		out := array.NewRecord(outSch, cols, rec.NumRows())
		if err := w.Write(out); err != nil {
			t.Fatal(err)
		}
		out.Release()
		cols[idx].Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// outTable is an output table read through Arrow: its customer_id column
// as text (integers in decimal) with its Arrow type, and its other columns
// by name, as text.
type outTable struct {
	idType arrow.DataType
	ids    []string
	cols   map[string][]string
}

func readOutTable(t *testing.T, path string) outTable {
	t.Helper()
	_, fr := openArrow(t, path, 0)
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	out := outTable{cols: map[string][]string{}}
	for j, f := range tbl.Schema().Fields() {
		var vals []string
		for _, ch := range tbl.Column(j).Data().Chunks() {
			for i := 0; i < ch.Len(); i++ {
				switch a := ch.(type) {
				case *array.String:
					vals = append(vals, a.Value(i))
				case *array.Binary:
					vals = append(vals, string(a.Value(i)))
				default:
					vals = append(vals, a.ValueStr(i))
				}
			}
		}
		if f.Name == "customer_id" {
			out.idType, out.ids = f.Type, vals
			continue
		}
		out.cols[f.Name] = vals
	}
	return out
}

// byID returns the rows of tb keyed by customer id (spelled back as the
// integer id through inv), each row the named columns joined.
func byID(t *testing.T, tb outTable, inv map[string]int64, names ...string) map[int64][]string {
	t.Helper()
	out := make(map[int64][]string)
	for i, s := range tb.ids {
		id, ok := inv[s]
		if inv == nil {
			v, err := strconv.ParseInt(s, 10, 64)
			id, ok = v, err == nil
		}
		if !ok {
			t.Fatalf("customer id %q is not one of the input's", s)
		}
		var row []string
		for _, n := range names {
			row = append(row, tb.cols[n][i])
		}
		out[id] = append(out[id], strings.Join(row, "|"))
	}
	return out
}

// TestCustomerIDTypes runs the whole job on one generated data set with its
// customer ids spelled as integers, strings (dictionary encoded or plain),
// UUIDs, bytes and 16-byte UUIDs: every output keeps the input's id type,
// and the features and rule memberships of each customer are the same. When
// the new ids sort as the integers do, the clusters and primary segments
// are identical too; when they do not (UUIDs), the feature rows reach
// k-means in another order, so its k-means++ seeding draws other rows and
// the partition may differ: there the agreement (ARI) is measured.
func TestCustomerIDTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline on 1,200 customers under seven spellings of their ids")
	}
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: 1200, Seed: 21, RowGroupSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := func(events []string, out string, workers int) pipeline.RunOptions {
		return pipeline.RunOptions{Events: events, Out: out, Scan: source.ScanOptions{Workers: workers}, Cluster: pipeline.ClusterOptions{Seed: 3, Threads: workers, StabilityBoots: 2}}
	}
	intOut := filepath.Join(dir, "int")
	if _, err := pipeline.Run(ctx, opts(sum.Files, intOut, 1)); err != nil {
		t.Fatal(err)
	}
	base := readOutTable(t, filepath.Join(intOut, "customers.parquet"))
	if base.idType.ID() != arrow.INT64 {
		t.Fatalf("integer run: customer_id is %s, want int64", base.idType)
	}
	feats := []string{"total_spend", "orders", "sessions", "recency_days", "coupon_ratio", "cart_abandonment_rate"}
	baseFeat := byID(t, base, nil, feats...)
	baseAll := byID(t, base, nil, "cluster", "segment", "primary_segment", "primary_basis", "lifecycle_stage", "distance")
	baseMem := byID(t, readOutTable(t, filepath.Join(intOut, "memberships.parquet")), nil, "segment")

	for _, v := range idVariants {
		t.Run(v.name, func(t *testing.T) {
			vdir := filepath.Join(dir, strings.ReplaceAll(v.name, " ", "-"))
			os.MkdirAll(filepath.Join(vdir, "data"), 0o755)
			var files []string
			for i, f := range sum.Files {
				dst := filepath.Join(vdir, "data", fmt.Sprintf("part-%d.parquet", i))
				respell(t, f, dst, v)
				files = append(files, dst)
			}
			inv := make(map[string]int64)
			for _, s := range base.ids {
				id, _ := strconv.ParseInt(s, 10, 64)
				inv[v.spell(id)] = id
			}
			out := filepath.Join(vdir, "out")
			if _, err := pipeline.Run(ctx, opts(files, out, 2)); err != nil {
				t.Fatal(err)
			}
			wantType := arrow.BinaryTypes.String
			if v.typ.ID() != arrow.STRING {
				wantType = arrow.BinaryTypes.Binary
			}
			cust := readOutTable(t, filepath.Join(out, "customers.parquet"))
			mem := readOutTable(t, filepath.Join(out, "memberships.parquet"))
			for name, tb := range map[string]outTable{"customers": cust, "memberships": mem} {
				if !arrow.TypeEqual(tb.idType, wantType) {
					t.Errorf("%s.customer_id is %s, want %s", name, tb.idType, wantType)
				}
			}
			for i := 1; i < len(cust.ids); i++ {
				if cust.ids[i-1] >= cust.ids[i] {
					t.Fatalf("customers not in ascending id order at row %d", i)
				}
			}
			if got := byID(t, cust, inv, feats...); !sameRows(got, baseFeat) {
				t.Errorf("features differ from the integer-id run")
			}
			if got := byID(t, mem, inv, "segment"); !sameRows(got, baseMem) {
				t.Errorf("memberships differ from the integer-id run")
			}
			got := byID(t, cust, inv, "cluster", "segment", "primary_segment", "primary_basis", "lifecycle_stage", "distance")
			if v.ordered {
				if !sameRows(got, baseAll) {
					t.Errorf("clusters or segments differ from the integer-id run, though the ids sort alike")
				}
			} else {
				a, b := make([]int, 0, len(got)), make([]int, 0, len(got))
				for id, r := range got {
					ca, _ := strconv.Atoi(strings.Split(baseAll[id][0], "|")[0])
					cb, _ := strconv.Atoi(strings.Split(r[0], "|")[0])
					a, b = append(a, ca), append(b, cb)
				}
				ari := cluster.AdjustedRand(a, b)
				t.Logf("cluster agreement with the integer-id run (rows in another order): ARI %.3f", ari)
				if ari < 0.9 {
					t.Errorf("cluster ARI %.3f with the integer-id run: the ids' order changes the clusters more than k-means restarts should", ari)
				}
			}

			// Movement against a previous run with the same kind of ids:
			// the same input, so every customer stays in its segment.
			again := filepath.Join(vdir, "again")
			o := opts(files, again, 1)
			o.Previous = out
			if _, err := pipeline.Run(ctx, o); err != nil {
				t.Fatal(err)
			}
			mv := readOutTable(t, filepath.Join(again, "movement.parquet"))
			if !arrow.TypeEqual(mv.idType, wantType) || len(mv.ids) != len(cust.ids) {
				t.Errorf("movement.customer_id %s with %d rows, want %s with %d", mv.idType, len(mv.ids), wantType, len(cust.ids))
			}
			for i := range mv.ids {
				if mv.cols["segment_before"][i] != mv.cols["segment_after"][i] {
					t.Fatalf("customer %q moved %s -> %s on the same input", mv.ids[i], mv.cols["segment_before"][i], mv.cols["segment_after"][i])
				}
			}

			// A previous run whose ids are integers cannot be compared.
			o = opts(files, filepath.Join(vdir, "mixed"), 1)
			o.Previous = intOut
			_, err := pipeline.Run(ctx, o)
			if err == nil || !strings.Contains(err.Error(), "customer ids") || !strings.Contains(err.Error(), filepath.Join(intOut, "customers.parquet")) {
				t.Errorf("previous run with integer ids: error %v, want one naming its customers.parquet and the id kinds", err)
			}
			if _, err := os.Stat(o.Out); !os.IsNotExist(err) {
				t.Errorf("the refused run left %s behind", o.Out)
			}

			// Files with different kinds of ids are refused before any work.
			_, err = pipeline.Run(ctx, opts([]string{sum.Files[0], files[0]}, filepath.Join(vdir, "both"), 1))
			if err == nil || !strings.Contains(err.Error(), "user_id") || !strings.Contains(err.Error(), "same kind") {
				t.Errorf("integer and %s files together: error %v, want one naming user_id", v.name, err)
			}
		})
	}
}

func sameRows(a, b map[int64][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for id, ra := range a {
		rb := b[id]
		if strings.Join(ra, ";") != strings.Join(rb, ";") {
			return false
		}
	}
	return true
}

// openArrow opens a Parquet file for reading into Arrow with batches of
// batch rows (0: the reader's default); the file closes with the test.
func openArrow(t *testing.T, path string, batch int64) (*file.Reader, *pqarrow.FileReader) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdr.Close() })
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: batch}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	return rdr, fr
}

package segbeam_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/beam/segbeam"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

func runPrism(ctx context.Context, p *beam.Pipeline) (beam.PipelineResult, error) {
	return prism.Execute(ctx, p)
}

// table is a Parquet table read back: its schema and its rows keyed by
// customer_id (memberships: by customer_id and segment).
type table struct {
	fields []string // "name type nullable", in file order
	names  []string
	rows   map[string][]parquet.Value
}

func fieldDesc(f parquet.Field) string {
	return fmt.Sprintf("%s %s optional=%v", f.Name(), f.Type(), f.Optional())
}

// readTable reads the Parquet files matching pattern into one table,
// checking that every file has the same schema.
func readTable(t *testing.T, pattern string, key func(names []string, row parquet.Row) string) *table {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	out := &table{rows: make(map[string][]parquet.Value)}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var fields, names []string
		for _, fl := range pf.Schema().Fields() {
			fields = append(fields, fieldDesc(fl))
			names = append(names, fl.Name())
		}
		if out.fields == nil {
			out.fields, out.names = fields, names
		} else if !slices.Equal(out.fields, fields) {
			t.Fatalf("%s: schema %v, want %v", path, fields, out.fields)
		}
		r := parquet.NewReader(pf)
		buf := make([]parquet.Row, 256)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				k := key(names, row)
				if _, dup := out.rows[k]; dup {
					t.Fatalf("%s: row %s twice", path, k)
				}
				out.rows[k] = slices.Clone(row)
			}
			if err != nil {
				break
			}
		}
		r.Close()
		f.Close()
	}
	return out
}

func byCustomer(names []string, row parquet.Row) string {
	return fmt.Sprint(row[slices.Index(names, "customer_id")].Int64())
}

func byMembership(names []string, row parquet.Row) string {
	return fmt.Sprint(row[slices.Index(names, "customer_id")].Int64(), "/", string(row[slices.Index(names, "segment")].ByteArray()))
}

// sameValue compares one cell: doubles within 1e-9 (relative above 1),
// everything else exactly; nulls must match.
func sameValue(a, b parquet.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() == b.IsNull()
	}
	if a.Kind() == parquet.Double && b.Kind() == parquet.Double {
		x, y := a.Double(), b.Double()
		return math.Abs(x-y) <= 1e-9*max(1, math.Abs(x))
	}
	return parquet.Equal(a, b)
}

// compareTables checks that got has want's schema and, for every row
// key, the same values in the columns named (all but skip).
func compareTables(t *testing.T, name string, want, got *table, skip ...string) {
	t.Helper()
	if !slices.Equal(want.fields, got.fields) {
		t.Errorf("%s: schema\n got %v\nwant %v", name, got.fields, want.fields)
		return
	}
	if len(want.rows) != len(got.rows) {
		t.Errorf("%s: %d rows, want %d", name, len(got.rows), len(want.rows))
	}
	bad := 0
	for k, w := range want.rows {
		g, ok := got.rows[k]
		if !ok {
			if bad++; bad <= 10 {
				t.Errorf("%s: row %s missing", name, k)
			}
			continue
		}
		for j, col := range want.names {
			if slices.Contains(skip, col) {
				continue
			}
			if !sameValue(w[j], g[j]) {
				if bad++; bad <= 10 {
					t.Errorf("%s: row %s column %s = %v, want %v", name, k, col, g[j], w[j])
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d differences", name, bad)
	}
}

// TestSameAnswersAsSingleNode runs `segmint run` (pipeline.Run) and the
// Beam job on Prism over the same generated events, with the same seed and
// a sample covering every customer, and compares every customer: feature
// values within 1e-9, the same cluster, distance, mapped segment, label,
// primary segment, life-cycle stage and segment memberships, and the same
// Parquet schemas; with the as-of instant at the latest event and before
// it.
func TestSameAnswersAsSingleNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two pipelines per case")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, filepath.Join(dir, "events"), synth.Settings{Customers: 3000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	events := []string{filepath.Join(dir, "events", "events-*.parquet")}
	asOf, err := pipeline.ParseTimestamp("2025-05-15")
	if err != nil {
		t.Fatal(err)
	}
	// A catalogue file extending the built-in one with a segment of its
	// own and a changed rule, carried to the workers with the job.
	extra := segbeam.CatalogueSpec{Source: "extra.yaml", Extend: true, YAML: []byte(`
segments:
  - id: big_baskets
    name: Big baskets
    rule: orders >= 1 && items_per_order >= 2
  - id: thrifty
    name: Thrifty customers
    rule: orders >= 2 && pct.avg_order_value <= 0.2
`)}
	for _, tc := range []struct {
		name     string
		asOf     int64
		segments segbeam.CatalogueSpec
	}{
		{"latest event", 0, segbeam.CatalogueSpec{}},
		{"as-of 2025-05-15", asOf, segbeam.CatalogueSpec{}},
		{"extended catalogue", 0, extra},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := pipeline.ClusterOptions{KMin: pipeline.DefaultKMin, KMax: pipeline.DefaultKMax, NInit: 10, Seed: 1}
			scan := pipeline.ScanOptions{AsOf: tc.asOf}

			start := time.Now()
			single := filepath.Join(dir, "single")
			cat, err := tc.segments.Load()
			if err != nil {
				t.Fatal(err)
			}
			runOpts := pipeline.RunOptions{Events: events, Out: single, Cluster: opts, Scan: scan, Catalogue: cat}
			runOpts.Cluster.StabilityBoots = -1
			if _, err := pipeline.Run(ctx, runOpts); err != nil {
				t.Fatal(err)
			}
			if _, _, err := pipeline.FeaturesToFile(ctx, events, scan, filepath.Join(dir, "features.parquet"), false); err != nil {
				t.Fatal(err)
			}
			t.Logf("single node: %v", time.Since(start))

			start = time.Now()
			out := filepath.Join(dir, "beam")
			counters, err := segbeam.Run(ctx, segbeam.Options{Events: events, AsOf: tc.asOf, Out: out, Cluster: opts, Sample: 0, Shards: 4, Segments: tc.segments}, runPrism)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("beam on prism: %v, counters %v", time.Since(start), counters)

			wantCust := readTable(t, filepath.Join(single, "customers.parquet"), byCustomer)
			gotCust := readTable(t, filepath.Join(out, "customers", "*.parquet"), byCustomer)
			compareTables(t, "customers", wantCust, gotCust, "run_id")

			wantMem := readTable(t, filepath.Join(single, "memberships.parquet"), byMembership)
			gotMem := readTable(t, filepath.Join(out, "memberships", "*.parquet"), byMembership)
			compareTables(t, "memberships", wantMem, gotMem, "run_id")

			wantFeat := readTable(t, filepath.Join(dir, "features.parquet"), byCustomer)
			gotFeat := readTable(t, filepath.Join(out, "features", "*.parquet"), byCustomer)
			compareTables(t, "features", wantFeat, gotFeat)

			if len(tc.segments.YAML) > 0 {
				n := 0
				for _, row := range gotMem.rows {
					for j, name := range gotMem.names {
						if name == "segment" && row[j].String() == "big_baskets" {
							n++
						}
					}
				}
				if n == 0 {
					t.Error("no memberships of the catalogue file's own segment big_baskets")
				}
				t.Logf("big_baskets members: %d", n)
			}
			if len(gotCust.rows) < 2000 {
				t.Errorf("only %d customers", len(gotCust.rows))
			}
			if counters["events"] == 0 {
				t.Errorf("no events counted: %v", counters)
			}
		})
	}
}

package output_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

func TestHiveLayoutReplacesOnlyItsPartition(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), synth.Settings{Customers: 800, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "warehouse")
	run := func(asOf time.Time) *output.Manifest {
		t.Helper()
		m, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: out, Layout: output.LayoutHive, Scan: source.ScanOptions{AsOf: asOf.UnixMicro()}, Cluster: pipeline.ClusterOptions{K: 4, StabilityBoots: -1}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a := sum.AsOf.Add(-60 * 24 * time.Hour).Truncate(24 * time.Hour)
	b := sum.AsOf.Add(-30 * 24 * time.Hour).Truncate(24 * time.Hour)
	m1 := run(a)
	m2 := run(b)
	m3 := run(a) // the same as-of again: replaces partition a only
	part := func(table string, day time.Time) string {
		return filepath.Join(out, table, "as_of_date="+day.Format("2006-01-02"), "part-00000.parquet")
	}
	runIDOf := func(path string) string {
		id, _ := openParquet(t, path).Lookup("segmint.run_id")
		return id
	}
	for _, table := range []string{output.TableCustomers, output.TableClusters, output.TableMemberships, output.TableSegments, output.TableKSelection} {
		if got := runIDOf(part(table, b)); got != m2.RunID {
			t.Errorf("%s partition b: run %s, want %s (untouched)", table, got, m2.RunID)
		}
		if got := runIDOf(part(table, a)); got != m3.RunID || got == m1.RunID {
			t.Errorf("%s partition a: run %s, want the rerun's %s", table, got, m3.RunID)
		}
	}
	for _, f := range []string{"report.html", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, "_runs", "as_of_date="+a.Format("2006-01-02"), f)); err != nil {
			t.Error(err)
		}
	}
	// Nothing else is left in the root: the tables, _runs, no staging.
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	want := []string{"_runs", "clusters", "customers", "k_selection", "memberships", "segments"}
	if len(names) != len(want) {
		t.Errorf("root holds %v, want %v", names, want)
	}
}

package source

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// ftRow is a feature table as a user might hand one to segmint cluster:
// an optional feature column with nulls (recency_days, filled with the
// window), an optional column without a fill, a narrow integer column
// (read by Arrow's reader, not the fast path) and a dictionary-encoded
// double.
type ftRow struct {
	ID      int64    `parquet:"customer_id"`
	Recency *float64 `parquet:"recency_days,optional"`
	Score   float64  `parquet:"score"`
	Small   int16    `parquet:"small"`
	Level   float64  `parquet:"level,dict"`
	Other   *float64 `parquet:"other,optional"`
	Name    string   `parquet:"name"`
}

func writeFeatureTable(t *testing.T, path string, rows []ftRow, rowGroup int64, window string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := []parquet.WriterOption{parquet.MaxRowsPerRowGroup(rowGroup)}
	if window != "" {
		opts = append(opts, parquet.KeyValueMetadata("segmint.window_days", window))
	}
	w := parquet.NewGenericWriter[ftRow](f, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func ftRows(n int) []ftRow {
	rows := make([]ftRow, n)
	for i := range rows {
		r := ftRow{ID: int64(1000 + 7*i), Score: float64(i) / 3, Small: int16(i % 300), Level: float64(i % 5), Name: "c" + string(rune('a'+i%26))}
		if i%11 != 0 {
			v := float64(i % 97)
			r.Recency = &v
		}
		o := float64(i) * 2
		r.Other = &o
		rows[i] = r
	}
	return rows
}

// TestReadFeatureTable checks every value, the fills and their counts
// over several row groups, with the fast path and Arrow's reader mixed,
// and that the result does not depend on the number of goroutines.
func TestReadFeatureTable(t *testing.T) {
	const n = 10_000
	rows := ftRows(n)
	path := filepath.Join(t.TempDir(), "f.parquet")
	writeFeatureTable(t, path, rows, 1500, "120")
	var first *FeatureTable
	for _, procs := range []int{1, 4} {
		t.Run(strings.Repeat("p", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			ft, err := ReadFeatureTable(t.Context(), path, "customer_id", nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"recency_days", "score", "small", "level", "other"}; !slices.Equal(ft.Columns, want) {
				t.Fatalf("columns %v, want %v", ft.Columns, want)
			}
			if ft.Rows() != n || ft.Keys != nil {
				t.Fatalf("%d rows, keys %v", ft.Rows(), ft.Keys != nil)
			}
			nulls := 0
			for i, r := range rows {
				if ft.IDs[i] != r.ID {
					t.Fatalf("row %d: id %d, want %d", i, ft.IDs[i], r.ID)
				}
				rec := 120.0 // the window, recency_days' fill
				if r.Recency != nil {
					rec = *r.Recency
				} else {
					nulls++
				}
				want := []float64{rec, r.Score, float64(r.Small), r.Level, *r.Other}
				if got := ft.Data[i*5 : i*5+5]; !slices.Equal(got, want) {
					t.Fatalf("row %d: %v, want %v", i, got, want)
				}
			}
			if ft.Filled["recency_days"] != nulls || len(ft.Filled) != 1 {
				t.Errorf("filled %v, want recency_days %d", ft.Filled, nulls)
			}
			if first == nil {
				first = ft
			} else if !slices.Equal(first.Data, ft.Data) {
				t.Error("the table depends on GOMAXPROCS")
			}
		})
	}
	// Chosen columns, in the order asked, and string ids.
	ft, err := ReadFeatureTable(t.Context(), path, "name", []string{"other", "score"})
	if err != nil {
		t.Fatal(err)
	}
	if ft.IDs != nil || ft.Keys[27] != rows[27].Name || ft.Data[27*2] != *rows[27].Other || ft.Data[27*2+1] != rows[27].Score {
		t.Errorf("row 27: %v %v, want %s %v %v", ft.Keys[27], ft.Data[54:56], rows[27].Name, *rows[27].Other, rows[27].Score)
	}
}

// TestReadFeatureTableErrors: a null without a fill, an infinite value, a
// missing or non-numeric column, a missing id column are errors naming the
// column (and the first bad row).
func TestReadFeatureTableErrors(t *testing.T) {
	dir := t.TempDir()
	rows := ftRows(4000)
	rows[2500].Other = nil
	rows[3100].Other = nil
	rows[3500].Score = math.Inf(1)
	path := filepath.Join(dir, "bad.parquet")
	writeFeatureTable(t, path, rows, 1000, "")
	for _, tc := range []struct {
		name, id string
		cols     []string
		column   string
		problem  string
	}{
		{"null without fill", "customer_id", []string{"other", "score"}, "other", "null or NaN at row 2500"},
		{"first column first", "customer_id", []string{"score", "other"}, "score", "infinite value at row 3500"},
		{"infinite", "customer_id", []string{"score"}, "score", "infinite value at row 3500"},
		{"missing column", "customer_id", []string{"nope"}, "nope", "column is missing"},
		{"not numeric", "customer_id", []string{"name"}, "name", "want a number"},
		{"missing id", "id", nil, "id", "id column is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFeatureTable(t.Context(), path, tc.id, tc.cols)
			var ce *ColumnError
			if !errors.As(err, &ce) || ce.Column != tc.column || !strings.Contains(ce.Problem, tc.problem) {
				t.Fatalf("err = %v, want a column error on %s: %s", err, tc.column, tc.problem)
			}
		})
	}
}

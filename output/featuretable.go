package output

import (
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/outdir"
)

// featureColumns returns the output columns of a feature table: customer_id,
// country (when known), then every computed feature.
func featureColumns(t *features.Table) []Column {
	cols := []Column{customerIDColumn(t)}
	if t.Country != nil {
		cols = append(cols, Column{Name: "country", String: t.Country, NullEmpty: true})
	}
	for j, f := range t.Features {
		cols = append(cols, Column{Name: f.Name, Float64: t.Columns[j]})
	}
	return cols
}

// customerIDColumn is the customer_id column of t's customers, in the
// input's type: int64, string or binary.
func customerIDColumn(t *features.Table) Column {
	switch t.IDKind {
	case features.IDString:
		return Column{Name: "customer_id", String: t.IDs}
	case features.IDBinary:
		return Column{Name: "customer_id", Binary: t.IDs}
	}
	return Column{Name: "customer_id", Int64: t.Customers}
}

// customerIDsOf is the customer_id column of the customers in t's rows
// (a row may repeat), in the input's type.
func customerIDsOf(t *features.Table, rows []int) Column {
	if t.IDKind != features.IDString && t.IDKind != features.IDBinary {
		ids := make([]int64, len(rows))
		for r, i := range rows {
			ids[r] = t.Customers[i]
		}
		return Column{Name: "customer_id", Int64: ids}
	}
	ids := make([]string, len(rows))
	for r, i := range rows {
		ids[r] = t.IDs[i]
	}
	if t.IDKind == features.IDBinary {
		return Column{Name: "customer_id", Binary: ids}
	}
	return Column{Name: "customer_id", String: ids}
}

// WriteFeatureTable writes t to path as Parquet, atomically: the file is
// written under a temporary name beside path and renamed at the end. An
// existing path is an error unless force is set and it is a feature table
// segmint wrote.
func WriteFeatureTable(path string, t *features.Table, force bool) error {
	if err := CheckFeatureFile(path, force); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	os.Remove(name)
	meta := map[string]string{"segmint.schema_version": SchemaVersion, "segmint.as_of": time.UnixMicro(t.AsOf).UTC().Format(time.RFC3339), "segmint.window_days": strconv.FormatFloat(t.WindowDays(), 'f', -1, 64)}
	if err := WriteTable(name, featureColumns(t), meta); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// featureTableKeys are the Parquet metadata keys that mark a feature table
// segmint wrote.
var featureTableKeys = []string{"segmint.schema_version", "segmint.window_days"}

// CheckFeatureFile checks that a feature table may be written to path: it
// does not exist, or force is set and segmint wrote the file there.
func CheckFeatureFile(path string, force bool) error {
	return outdir.CheckFile(path, force, outdir.ParquetOwned(featureTableKeys...))
}

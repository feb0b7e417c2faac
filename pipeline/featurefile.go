package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/source"
)

// FeatureColumns returns the output columns of a feature table: customer_id,
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

// WriteFeatureTable writes t to path as Parquet, atomically: the file is
// written under a temporary name beside path and renamed at the end. An
// existing path is an error unless force is set and it is a feature table
// segmint wrote.
func WriteFeatureTable(path string, t *features.Table, force bool) error {
	if err := checkFeatureFile(path, force); err != nil {
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
	if err := writeTable(name, featureColumns(t), meta); err != nil {
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

// checkFeatureFile checks that a feature table may be written to path: it
// does not exist, or force is set and segmint wrote the file there.
func checkFeatureFile(path string, force bool) error {
	return outdir.CheckFile(path, force, outdir.ParquetOwned(featureTableKeys...))
}

// FeaturesToFile runs the feature stage and writes the table to out.
func FeaturesToFile(ctx context.Context, paths []string, o source.ScanOptions, out string, force bool) (*features.Table, *source.FeatureReport, error) {
	if err := outdir.CheckDisjoint(out, EventInputs(paths)); err != nil {
		return nil, nil, err
	}
	if err := checkFeatureFile(out, force); err != nil {
		return nil, nil, err
	}
	t, rep, err := source.ComputeFeatures(ctx, paths, o)
	if err != nil {
		return nil, nil, err
	}
	if err := WriteFeatureTable(out, t, force); err != nil {
		return nil, nil, err
	}
	return t, rep, nil
}

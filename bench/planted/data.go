package planted

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// readRows reads every row of the Parquet file at path into T's fields
// (parquet-go's tags).
func readRows[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := parquet.NewGenericReader[T](f)
	defer r.Close()
	var out []T
	buf := make([]T, 1024)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
}

// ReadLabels reads a labels.parquet of segmint generate: each customer's
// planted archetype.
func ReadLabels(labelsPath string) (map[int64]string, error) {
	rows, err := readRows[synth.LabelRow](labelsPath)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, l := range rows {
		out[l.CustomerID] = l.Archetype
	}
	return out, nil
}

// Features generates the planted data set s under dir and computes its
// feature table; it returns the table and each customer's archetype, in
// the table's order.
func Features(ctx context.Context, dir string, s synth.Settings) (*features.Table, []string, error) {
	sum, err := synth.Generate(ctx, filepath.Join(dir, "data"), s)
	if err != nil {
		return nil, nil, err
	}
	tab, _, err := source.ComputeFeatures(ctx, sum.Files, source.ScanOptions{})
	if err != nil {
		return nil, nil, err
	}
	arch, err := ReadLabels(sum.Labels)
	if err != nil {
		return nil, nil, err
	}
	labels := make([]string, len(tab.Customers))
	for i, c := range tab.Customers {
		a, ok := arch[c]
		if !ok {
			return nil, nil, fmt.Errorf("customer %d has no planted archetype", c)
		}
		labels[i] = a
	}
	return tab, labels, nil
}

// Matrix generates the planted data set s under dir and returns its
// clustering matrix, as the pipeline builds it (pipeline.FeatureMatrix,
// cluster.TransformAuto), and each row's archetype as a dense label.
func Matrix(ctx context.Context, dir string, s synth.Settings) (data []float64, rows, cols int, labels []int, err error) {
	tab, arch, err := Features(ctx, dir, s)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	raw, names, _ := pipeline.FeatureMatrix(tab)
	rows, cols = len(tab.Customers), len(names)
	if _, data, err = cluster.FitTransform(raw, rows, cols, cluster.TransformAuto); err != nil {
		return nil, 0, 0, nil, err
	}
	ids := map[string]int{}
	labels = make([]int, rows)
	for i, a := range arch {
		if _, ok := ids[a]; !ok {
			ids[a] = len(ids)
		}
		labels[i] = ids[a]
	}
	return data, rows, cols, labels, nil
}

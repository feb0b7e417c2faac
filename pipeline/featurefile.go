package pipeline

import (
	"context"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/source"
)

// FeaturesToFile runs the feature stage and writes the table to out
// (output.WriteFeatureTable).
func FeaturesToFile(ctx context.Context, paths []string, o source.ScanOptions, out string, force bool) (*features.Table, *source.FeatureReport, error) {
	if err := outdir.CheckDisjoint(out, EventInputs(paths)); err != nil {
		return nil, nil, err
	}
	if err := output.CheckFeatureFile(out, force); err != nil {
		return nil, nil, err
	}
	t, rep, err := source.ComputeFeatures(ctx, paths, o)
	if err != nil {
		return nil, nil, err
	}
	if err := output.WriteFeatureTable(out, t, force); err != nil {
		return nil, nil, err
	}
	return t, rep, nil
}

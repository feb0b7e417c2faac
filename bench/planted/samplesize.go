package planted

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/segmint/segmint/cluster"
)

// SampleSize measures how the stability figures of one fit depend on the
// number of rows they are computed on: a k-means++ fit with k clusters
// (10 restarts) of the whole matrix is assessed by
// cluster.StabilityOnSample with boots refits on a uniform sample of each
// size in samples, and each cluster's mean Jaccard and standard error are
// written per size, with the time each took.
func SampleSize(ctx context.Context, w io.Writer, data []float64, rows, cols, k, boots int, samples []int) error {
	base := cluster.Settings{Seed: 1, K: k}
	ref, err := cluster.KMeans(ctx, data, rows, cols, base)
	if err != nil {
		return err
	}
	figs := make([]*cluster.StabilityResult, len(samples))
	head := []string{"cluster", "customers"}
	for i, n := range samples {
		start := time.Now()
		if figs[i], err = cluster.StabilityOnSample(ctx, data, rows, cols, ref, base, boots, n); err != nil {
			return err
		}
		head = append(head, fmt.Sprintf("Jaccard on %d rows (%.1f s)", n, time.Since(start).Seconds()))
	}
	fmt.Fprintf(w, "%d rows, k = %d, %d refits per sample size\n\n", rows, k, boots)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for c := range k {
		cells := []string{fmt.Sprint(c), fmt.Sprint(ref.Sizes[c])}
		for _, f := range figs {
			cells = append(cells, fmt.Sprintf("%.3f ± %.3f", f.Jaccard[c], f.JaccardSE[c]))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	return nil
}

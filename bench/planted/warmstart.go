package planted

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/segmint/segmint/cluster"
)

// WarmStart measures what warm-starting the bootstrap refits of the
// stability figures would do: on the clustering matrix of a planted data
// set, a k-means++ fit with k clusters (10 restarts) is assessed by
// cluster.StabilityOnSample with boots refits as segmint run makes them
// (k-means++, 10 restarts each) and with every refit started from the
// fit's own centroids instead, and each cluster's mean Jaccard, its
// standard error and the time are written side by side.
func WarmStart(ctx context.Context, w io.Writer, data []float64, rows, cols, k, boots int) error {
	base := cluster.Settings{Seed: 1, K: k}
	ref, err := cluster.KMeans(ctx, data, rows, cols, base)
	if err != nil {
		return err
	}
	start := time.Now()
	cold, err := cluster.StabilityOnSample(ctx, data, rows, cols, ref, base, boots, cluster.DefaultFitSample)
	if err != nil {
		return err
	}
	coldTime := time.Since(start)
	warm := base
	warm.Init = ref.Centroids
	start = time.Now()
	hot, err := cluster.StabilityOnSample(ctx, data, rows, cols, ref, warm, boots, cluster.DefaultFitSample)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d rows, k = %d, %d refits: k-means++ refits %.1f s, warm-started refits %.1f s\n\n", rows, k, boots, coldTime.Seconds(), time.Since(start).Seconds())
	fmt.Fprintln(w, "| cluster | customers | Jaccard, k-means++ refits | Jaccard, warm-started refits | difference in standard errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for c := range k {
		fmt.Fprintf(w, "| %d | %d | %.3f ± %.3f | %.3f ± %.3f | %.1f |\n", c, ref.Sizes[c], cold.Jaccard[c], cold.JaccardSE[c], hot.Jaccard[c], hot.JaccardSE[c],
			(hot.Jaccard[c]-cold.Jaccard[c])/max(cold.JaccardSE[c], 1e-9))
	}
	return nil
}

package planted

import (
	"context"
	"fmt"
	"io"
	"math"
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
	writeFigures(w, head, ref, figs)
	return nil
}

// writeFigures writes one row per cluster of ref: its number, its size
// and its mean Jaccard ± standard error in each of figs, under head.
func writeFigures(w io.Writer, head []string, ref *cluster.Result, figs []*cluster.StabilityResult) {
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for c := range ref.K {
		cells := []string{fmt.Sprint(c), fmt.Sprint(ref.Sizes[c])}
		for _, f := range figs {
			cells = append(cells, fmt.Sprintf("%.3f ± %.3f", f.Jaccard[c], f.JaccardSE[c]))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// Restarts measures how the stability figures of one fit depend on the
// restarts of each bootstrap refit: a k-means++ fit with k clusters (10
// restarts) of the whole matrix is assessed by cluster.StabilityOnSample
// with boots refits on a uniform sample of sample rows, each refit with
// each number of restarts in restarts and the bootstrap draws of seed 1;
// a last column repeats the first number with the draws of seed 2, the
// spread of the figures between draws. Each cluster's mean Jaccard and
// standard error are written per column, then per column the clusters
// more than two combined standard errors from the first column's, the
// largest such distance and the mean difference.
func Restarts(ctx context.Context, w io.Writer, data []float64, rows, cols, k, boots, sample int, restarts []int) error {
	base := cluster.Settings{Seed: 1, K: k}
	ref, err := cluster.KMeans(ctx, data, rows, cols, base)
	if err != nil {
		return err
	}
	type column struct {
		name string
		s    cluster.Settings
	}
	var columns []column
	for _, r := range restarts {
		s := base
		s.NInit = r
		columns = append(columns, column{fmt.Sprintf("%d restarts", r), s})
	}
	other := columns[0].s
	other.Seed = 2
	columns = append(columns, column{fmt.Sprintf("%d restarts, other draws", restarts[0]), other})
	figs := make([]*cluster.StabilityResult, len(columns))
	head := []string{"cluster", "customers"}
	for i, c := range columns {
		start := time.Now()
		if figs[i], err = cluster.StabilityOnSample(ctx, data, rows, cols, ref, c.s, boots, sample); err != nil {
			return err
		}
		head = append(head, fmt.Sprintf("Jaccard, %s (%.1f s)", c.name, time.Since(start).Seconds()))
	}
	fmt.Fprintf(w, "%d rows, k = %d, %d refits on %d rows per column\n\n", rows, k, boots, sample)
	writeFigures(w, head, ref, figs)
	fmt.Fprintf(w, "\n| against %s | clusters beyond 2 combined SE | largest distance (SE) | mean difference | lower / higher |\n|---|---|---|---|---|\n", columns[0].name)
	for i := 1; i < len(columns); i++ {
		beyond, lower, higher := 0, 0, 0
		var largest, sum float64
		for c := range k {
			d := figs[i].Jaccard[c] - figs[0].Jaccard[c]
			se := math.Hypot(figs[i].JaccardSE[c], figs[0].JaccardSE[c])
			z := math.Abs(d) / se
			if se == 0 {
				z = 0
				if d != 0 {
					z = math.Inf(1)
				}
			}
			if z > 2 {
				beyond++
			}
			largest = max(largest, z)
			sum += d
			if d < 0 {
				lower++
			} else if d > 0 {
				higher++
			}
		}
		fmt.Fprintf(w, "| %s | %d of %d | %.1f | %+.4f | %d / %d |\n", columns[i].name, beyond, k, largest, sum/float64(k), lower, higher)
	}
	return nil
}

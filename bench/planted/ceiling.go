package planted

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/synth"
)

// CeilingNeighbours is the number of nearest neighbours that vote in
// Ceiling's supervised classifier.
const CeilingNeighbours = 15

// Ceiling measures, per variant, how far the planted archetypes can be
// told apart in the clustering space at all, so that a clustering's
// purity can be read against what the features allow. On the matrix the
// pipeline clusters (Matrix), with the planted labels known:
//
//   - planted centroids: every customer assigned to the nearest archetype
//     mean, one cluster per archetype (the partition k-means would keep
//     if it started from the truth and stopped there);
//   - k-means from them: Lloyd's iterations run to convergence from the
//     archetype means, with k the number of archetypes;
//   - neighbours: the leave-one-out accuracy of a CeilingNeighbours-
//     nearest-neighbour vote, a supervised classifier that may draw any
//     boundary.
//
// For each, the purity (share of customers whose cluster's majority
// archetype is theirs; for neighbours, the accuracy) and the lowest
// share found of an archetype with 100 customers or more.
func Ceiling(ctx context.Context, w io.Writer, variants []Variant, customers int, seed uint64, dir string) error {
	fmt.Fprintln(w, "| variant | archetypes | planted centroids: purity, min found | k-means from them: purity, min found | neighbours (k = 15): accuracy, min recall |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for i, v := range variants {
		set := synth.Settings{Customers: customers, Seed: seed}
		v.Set(&set)
		data, rows, cols, labels, err := Matrix(ctx, filepath.Join(dir, fmt.Sprint(i)), set)
		if err != nil {
			return fmt.Errorf("%s: %w", v.Name, err)
		}
		n := slices.Max(labels) + 1
		means, size := labelMeans(data, cols, labels, n)
		planted := &cluster.Result{K: n, Cols: cols, Centroids: means}
		nearest := planted.Predict(nil, data)
		fit, err := cluster.KMeans(ctx, data, rows, cols, cluster.Settings{K: n, Init: means, Seed: 1})
		if err != nil {
			return fmt.Errorf("%s: %w", v.Name, err)
		}
		acc, minRecall := neighbourVote(data, rows, cols, labels, n, size)
		p1, f1 := purityFound(labels, nearest, n, size)
		p2, f2 := purityFound(labels, fit.Assign, n, size)
		fmt.Fprintf(w, "| %s | %d | %.3f, %.2f | %.3f, %.2f | %.3f, %.2f |\n", v.Name, n, p1, f1, p2, f2, acc, minRecall)
	}
	return nil
}

// labelMeans is the mean row of each of the n labels' rows, and their
// numbers of rows.
func labelMeans(data []float64, cols int, labels []int, n int) (means []float64, size []int) {
	means, size = make([]float64, n*cols), make([]int, n)
	for r, l := range labels {
		size[l]++
		for j := range cols {
			means[l*cols+j] += data[r*cols+j]
		}
	}
	for j := range means {
		means[j] /= float64(size[j/cols])
	}
	return means, size
}

// purityFound is a partition's purity and the lowest share found of an
// archetype with 100 customers or more.
func purityFound(labels, assign []int, n int, size []int) (purity, minFound float64) {
	var r Recovery
	in, _ := r.majorities(labels, assign, n)
	minFound = 1
	for a := range n {
		if size[a] >= 100 {
			minFound = min(minFound, div(in[a], size[a]))
		}
	}
	return r.Purity, minFound
}

// neighbourVote is the leave-one-out accuracy of the CeilingNeighbours-
// nearest-neighbour majority vote (ties to the nearer neighbour's label)
// and the lowest recall of an archetype with 100 customers or more.
func neighbourVote(data []float64, rows, cols int, labels []int, n int, size []int) (float64, float64) {
	type nb struct {
		d float64
		l int
	}
	right := make([]int, n)
	near := make([]nb, 0, CeilingNeighbours+1) // the nearest, ascending
	votes := make([]int, n)
	for r := range rows {
		near = near[:0]
		x := data[r*cols : (r+1)*cols]
		for o := range rows {
			if o == r {
				continue
			}
			d := 0.0
			for j, v := range x {
				t := v - data[o*cols+j]
				d += t * t
			}
			if len(near) == CeilingNeighbours && d >= near[len(near)-1].d {
				continue
			}
			at := len(near)
			for at > 0 && near[at-1].d > d {
				at--
			}
			near = slices.Insert(near, at, nb{d, labels[o]})
			if len(near) > CeilingNeighbours {
				near = near[:CeilingNeighbours]
			}
		}
		clear(votes)
		for _, e := range near {
			votes[e.l]++
		}
		best := near[0].l
		for l, c := range votes {
			if c > votes[best] {
				best = l
			}
		}
		if best == labels[r] {
			right[labels[r]]++
		}
	}
	total, minRecall := 0, 1.0
	for a := range n {
		total += right[a]
		if size[a] >= 100 {
			minRecall = min(minRecall, div(right[a], size[a]))
		}
	}
	return div(total, rows), minRecall
}

package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// The computations below summarise a run's data for the report's charts.

// Projection projects the clustering matrix onto its first two principal
// components (the eigenvectors of the covariance matrix, from gonum) and
// returns an evenly spaced, deterministic sample of at most max rows with
// their clusters, and each component's share of the total variance.
func Projection(data []float64, rows, cols int, assign []int, maxPoints int) ([]Point, [2]float64, error) {
	var explained [2]float64
	if rows < 2 || cols < 2 {
		return nil, explained, nil
	}
	mean := make([]float64, cols)
	for i := 0; i < rows; i++ {
		for j, v := range data[i*cols : (i+1)*cols] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(rows)
	}
	cov := mat.NewSymDense(cols, nil)
	row := make([]float64, cols)
	for i := 0; i < rows; i++ {
		for j, v := range data[i*cols : (i+1)*cols] {
			row[j] = v - mean[j]
		}
		cov.SymRankOne(cov, 1/float64(rows-1), mat.NewVecDense(cols, row))
	}
	var eig mat.EigenSym
	if ok := eig.Factorize(cov, true); !ok {
		return nil, explained, fmt.Errorf("projection: eigen-decomposition did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	var total float64
	for _, v := range vals {
		total += max(v, 0)
	}
	pc1, pc2 := cols-1, cols-2
	if total > 0 {
		explained = [2]float64{max(vals[pc1], 0) / total, max(vals[pc2], 0) / total}
	}
	step := max(1, rows/maxPoints)
	var pts []Point
	for i := 0; i < rows && len(pts) < maxPoints; i += step {
		var x, y float64
		for j, v := range data[i*cols : (i+1)*cols] {
			d := v - mean[j]
			x += d * vecs.At(j, pc1)
			y += d * vecs.At(j, pc2)
		}
		pts = append(pts, Point{X: x, Y: y, Cluster: assign[i]})
	}
	return pts, explained, nil
}

// Pareto returns the share of total spend that comes from the top 20 % of
// customers by spend, and the concentration curve at points+1 evenly spaced
// customer shares. Negative and NaN spend count as 0.
func Pareto(spend []float64, points int) (top20 float64, curve [][2]float64) {
	s := make([]float64, len(spend))
	var total float64
	for i, v := range spend {
		if math.IsNaN(v) || v < 0 {
			v = 0
		}
		s[i] = v
		total += v
	}
	if total <= 0 || len(s) == 0 {
		return math.NaN(), nil
	}
	slices.SortFunc(s, func(a, b float64) int { return cmp.Compare(b, a) })
	cum := make([]float64, len(s)+1)
	for i, v := range s {
		cum[i+1] = cum[i] + v
	}
	at := func(share float64) float64 {
		return cum[int(math.Round(share*float64(len(s))))] / total
	}
	for p := 0; p <= points; p++ {
		x := float64(p) / float64(points)
		curve = append(curve, [2]float64{x, at(x)})
	}
	return at(0.2), curve
}

package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// UnstableJaccard is the mean bootstrap Jaccard similarity below which
// Stability flags a cluster as unstable. Hennig (2007), the author of
// fpc::clusterboot, reads values below 0.6 as dissolved clusters, 0.6–0.75
// as patterns, and above 0.85 as highly stable clusters.
const UnstableJaccard = 0.6

// PatternJaccard is Hennig's (2007) bar between a pattern and a cluster:
// a cluster whose mean bootstrap Jaccard is below it shows a pattern in
// the data, but which rows belong to it is not clear.
const PatternJaccard = 0.75

// StabilityResult reports how well each cluster of a reference fit is
// recovered by fits to bootstrap resamples of the data.
type StabilityResult struct {
	// Boots is the number of bootstrap fits.
	Boots int
	// Jaccard is, per reference cluster, the mean over bootstraps of the
	// largest Jaccard similarity between the cluster and any bootstrap
	// cluster, both restricted to the rows drawn in that bootstrap.
	Jaccard []float64
	// JaccardSE is, per reference cluster, the standard error of Jaccard
	// as a Monte Carlo estimate: the standard deviation of the
	// bootstraps' largest Jaccard similarities over the square root of
	// their number (NaN with fewer than two). Another set of draws gives
	// a mean that differs by about JaccardSE·√2 or less in two cases of
	// three.
	JaccardSE []float64
	// Dissolved counts, per reference cluster, the bootstraps in which that
	// largest Jaccard similarity was at most 0.5.
	Dissolved []int
	// Unstable flags clusters whose mean Jaccard is below UnstableJaccard.
	Unstable []bool
	// ARI is the adjusted Rand index between the reference labels and the
	// bootstrap labels of the rows drawn, one per bootstrap (NaN for a
	// bootstrap whose drawn weights were all zero, which is skipped).
	ARI []float64
	// MeanARI is the mean of ARI.
	MeanARI float64

	// boot holds, per bootstrap, each reference cluster's largest Jaccard
	// similarity (NaN where the cluster had no drawn row; nil for a
	// skipped bootstrap), for the stability scan's further rounds.
	boot [][]float64
}

// Stability assesses ref, a fit of data, by the bootstrap of Hennig's
// fpc::clusterboot: boots times it draws rows with replacement, fits
// k-means with settings s (s.K is set to ref.K, s.Seed is replaced by a
// seed derived from s.Seed and the bootstrap number, s.Weights are
// resampled with the rows), labels every distinct drawn row by its nearest
// bootstrap centroid, and compares those labels with ref.Assign on the
// same rows.
//
// Stability panics if ref does not match the shape of data or boots < 1,
// and returns an error for bad data or when ctx is cancelled.
//
// A resample is fitted on its distinct rows, each weighted by the number of
// times it was drawn (times its weight in s.Weights): k-means of a matrix
// with repeated rows is k-means of its distinct rows weighted by their
// counts, in distribution (k-means++ draws a row with probability
// proportional to its weight times its squared distance, and a centroid is
// the weighted mean), so the figures are those of the duplicated resample,
// computed on about 63 % of its rows.
func Stability(ctx context.Context, data []float64, rows, cols int, ref *Result, s Settings, boots int) (*StabilityResult, error) {
	return stability(ctx, data, rows, cols, ref, s, boots, plainRefit, true, nil)
}

// refitFunc fits one bootstrap resample: sample holds rows rows, row i a
// copy of row src[i] of the data being assessed. s.Seed and s.Weights are
// the bootstrap's; s.K is the reference's. The fit may have another K.
// With distinct (see stability), each row of sample is a distinct drawn
// row and s.Weights carry the number of draws.
type refitFunc func(ctx context.Context, sample []float64, rows, cols int, src []int, s Settings) (*Result, error)

// plainRefit is k-means with the reference's k and the given settings.
func plainRefit(ctx context.Context, sample []float64, rows, cols int, _ []int, s Settings) (*Result, error) {
	return KMeans(ctx, sample, rows, cols, s)
}

// With distinct, each resample is handed to refit as its distinct rows
// weighted by their draws (see Stability); otherwise as the drawn rows,
// repeats included, for refits whose steps do not take weights.
//
// prev, when not nil, is an earlier result of the same call with fewer
// boots: the draws are made in the same order from the same seed, so its
// bootstraps are the first ones of this call, and they are taken from it
// rather than refitted.
func stability(ctx context.Context, data []float64, rows, cols int, ref *Result, s Settings, boots int, refit refitFunc, distinct bool, prev *StabilityResult) (*StabilityResult, error) {
	if boots < 1 {
		panic(fmt.Sprintf("cluster: boots = %d, want at least 1", boots))
	}
	if ref == nil || ref.Cols != cols || len(ref.Assign) != rows {
		panic("cluster: reference result does not match the data")
	}
	s.K = ref.K
	if err := validate(data, rows, cols, s.K, s.Weights); err != nil {
		return nil, err
	}
	k := ref.K
	out := &StabilityResult{
		Boots:     boots,
		Jaccard:   make([]float64, k),
		JaccardSE: make([]float64, k),
		Dissolved: make([]int, k),
		Unstable:  make([]bool, k),
		ARI:       make([]float64, boots),
		boot:      make([][]float64, boots),
	}
	// The draws come from one generator in bootstrap order, as a sequential
	// loop would make them; the refits then run side by side (fanOut) and
	// are compared with ref in bootstrap order, so the result is the same on
	// any number of threads.
	rng := rand.New(rand.NewPCG(s.Seed, 0xb007))
	reuse := 0
	if prev != nil {
		if len(prev.Jaccard) != k || prev.Boots > boots {
			panic("cluster: earlier stability figures do not match")
		}
		reuse = prev.Boots
	}
	type boot struct {
		src      []int
		seed     uint64
		skip     bool
		refLab   []int // ref's labels of the distinct drawn rows
		lab      []int // the bootstrap fit's labels of the same rows
		clusters int   // the bootstrap fit's number of clusters
	}
	bt := make([]boot, boots)
	var scratch []int // the draws of the bootstraps taken from prev, not kept
	if reuse > 0 {
		scratch = make([]int, rows)
	}
	for b := range bt {
		src := scratch
		if b >= reuse {
			src = make([]int, rows)
			bt[b].src = src
		}
		for i := range src {
			src[i] = rng.IntN(rows)
		}
		bt[b].seed = rng.Uint64()
	}
	err := fanOut(boots-reuse, s.Threads, func(b, threads int) error {
		bo := &bt[reuse+b]
		// The rows handed to refit (src) and their weights: with distinct,
		// each drawn row once, weighted by its draws; otherwise every draw.
		src := bo.src
		var times []int32
		if distinct {
			times = make([]int32, rows)
			nd := 0
			for _, r := range bo.src {
				if times[r] == 0 {
					nd++
				}
				times[r]++
			}
			if nd >= s.K { // else too few distinct rows for k weighted rows
				src = make([]int, 0, nd) // in row order
				for r, m := range times {
					if m > 0 {
						src = append(src, r)
					}
				}
			} else {
				times = nil
			}
		}
		n := len(src)
		var sampleW []float64
		if times != nil || s.Weights != nil {
			sampleW = make([]float64, n)
			for i, r := range src {
				sampleW[i] = 1
				if times != nil {
					sampleW[i] = float64(times[r])
				}
				if s.Weights != nil {
					sampleW[i] *= s.Weights[r]
				}
			}
		}
		sample := gatherRows(data, cols, src)
		drawn := make([]bool, rows)
		for _, r := range src {
			drawn[r] = true
		}
		bo.src = src
		if s.Weights != nil && checkWeights(sampleW, n) != nil {
			// Every drawn weight is zero: this bootstrap carries no
			// information and is left out of the means.
			bo.skip = true
			return nil
		}
		bs := s
		bs.Seed, bs.Weights, bs.Threads = bo.seed, sampleW, threads
		fit, err := refit(ctx, sample, n, cols, bo.src, bs)
		if err != nil {
			return err
		}
		bo.src = nil
		bo.clusters = fit.K
		for i, ok := range drawn {
			if ok {
				bo.refLab = append(bo.refLab, ref.Assign[i])
				bo.lab = append(bo.lab, nearest(data[i*cols:(i+1)*cols], fit.Centroids, fit.K))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for b := range bt {
		bo := &bt[b]
		if b < reuse {
			out.ARI[b], out.boot[b] = prev.ARI[b], prev.boot[b]
			for c, j := range prev.boot[b] {
				if j <= 0.5 { // false for NaN
					out.Dissolved[c]++
				}
			}
			continue
		}
		if bo.skip {
			out.ARI[b] = math.NaN()
			continue
		}
		refLab, lab, kb := bo.refLab, bo.lab, bo.clusters
		out.ARI[b] = AdjustedRand(refLab, lab)
		row := make([]float64, k)
		out.boot[b] = row
		// Contingency table between reference and bootstrap clusters.
		table := make([]int, k*kb)
		refN := make([]int, k)
		bootN := make([]int, kb)
		for n := range lab {
			table[refLab[n]*kb+lab[n]]++
			refN[refLab[n]]++
			bootN[lab[n]]++
		}
		for c := range k {
			row[c] = math.NaN()
			if refN[c] == 0 {
				continue
			}
			var bestJ float64
			for d := range kb {
				inter := table[c*kb+d]
				if inter == 0 {
					continue
				}
				j := float64(inter) / float64(refN[c]+bootN[d]-inter)
				bestJ = max(bestJ, j)
			}
			row[c] = bestJ
			if bestJ <= 0.5 {
				out.Dissolved[c]++
			}
		}
	}
	out.Jaccard, out.JaccardSE = bootMeans(out.boot, k)
	for c := range k {
		if math.IsNaN(out.Jaccard[c]) { // no bootstrap drew a row of it
			out.Jaccard[c] = 0
		}
		out.Unstable[c] = out.Jaccard[c] < UnstableJaccard
	}
	used := 0
	for _, a := range out.ARI {
		if !math.IsNaN(a) {
			out.MeanARI += a
			used++
		}
	}
	out.MeanARI /= float64(used)
	return out, nil
}

// bootMeans returns, per cluster, the mean of the bootstraps' largest
// Jaccard similarities (boot: one row per bootstrap, nil for a skipped
// one, NaN where the cluster had no drawn row) and its standard error, the
// standard deviation over the square root of their number: NaN with no
// bootstrap, and the error NaN with fewer than two.
func bootMeans(boot [][]float64, k int) (mean, se []float64) {
	mean, se = make([]float64, k), make([]float64, k)
	for c := range k {
		var s, s2, m float64
		for _, r := range boot {
			if r != nil && !math.IsNaN(r[c]) {
				s += r[c]
				s2 += r[c] * r[c]
				m++
			}
		}
		mean[c], se[c] = math.NaN(), math.NaN()
		if m > 0 {
			mean[c] = s / m
		}
		if m > 1 {
			se[c] = math.Sqrt(max(s2-m*mean[c]*mean[c], 0) / (m - 1) / m)
		}
	}
	return mean, se
}

// nearest returns the index of the centroid nearest to x; ties go to the
// lower index.
func nearest(x, cent []float64, k int) int {
	cols := len(x)
	best, bi := dist2(x, cent), 0
	for j := 1; j < k; j++ {
		if d := dist2(x, cent[j*cols:]); d < best {
			best, bi = d, j
		}
	}
	return bi
}

// AdjustedRand returns the adjusted Rand index of Hubert and Arabie (1985)
// between two labelings of the same items: 1 for identical partitions (up
// to renaming of labels), about 0 for independent ones, and negative when
// agreement is below chance. Labels are arbitrary integers. When both
// labelings put every item in one cluster, or every item in its own
// cluster, the index is 1, as in scikit-learn. AdjustedRand panics if the
// lengths differ.
func AdjustedRand(a, b []int) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("cluster: AdjustedRand lengths %d and %d differ", len(a), len(b)))
	}
	n := len(a)
	if n < 2 {
		return 1
	}
	ia, ka := denseLabels(a)
	ib, kb := denseLabels(b)
	table := make([]int, ka*kb)
	rowN := make([]int, ka)
	colN := make([]int, kb)
	for i := range ia {
		table[ia[i]*kb+ib[i]]++
		rowN[ia[i]]++
		colN[ib[i]]++
	}
	pairs := func(m int) float64 { return float64(m) * float64(m-1) / 2 }
	var sumIJ, sumA, sumB float64
	for _, m := range table {
		sumIJ += pairs(m)
	}
	for _, m := range rowN {
		sumA += pairs(m)
	}
	for _, m := range colN {
		sumB += pairs(m)
	}
	expected := sumA * sumB / pairs(n)
	maxIndex := (sumA + sumB) / 2
	if maxIndex == expected {
		return 1
	}
	return (sumIJ - expected) / (maxIndex - expected)
}

// denseLabels maps arbitrary labels to 0..k-1 in order of first
// appearance.
func denseLabels(labels []int) ([]int, int) {
	ids := make(map[int]int)
	out := make([]int, len(labels))
	for i, l := range labels {
		id, ok := ids[l]
		if !ok {
			id = len(ids)
			ids[l] = id
		}
		out[i] = id
	}
	return out, len(ids)
}

// StabilityOnSample is Stability on a uniform sample of at most sample
// rows (drawn with s.Seed; every row when there are fewer): ref's labels
// are restricted to the sample, which the bootstraps resample. A cluster's
// mean Jaccard is then estimated from its sampled members: for a cluster of
// m sampled rows the bootstrap's own spread dominates an error of the
// order of 1/sqrt(m), about ±0.03 for the 100 rows that a cluster of 0.5 %
// holds in the default sample of DefaultStabilitySample rows. A cluster
// with no sampled row has a NaN Jaccard and is not flagged unstable.
func StabilityOnSample(ctx context.Context, data []float64, rows, cols int, ref *Result, s Settings, boots, sample int) (*StabilityResult, error) {
	return stabilityOnSample(ctx, data, rows, cols, ref, s, boots, sample, func([]int) refitFunc { return plainRefit }, true, nil)
}

// stabilityOnSample is StabilityOnSample with each bootstrap fitted by the
// refit that refitFor returns for the sample (idx: the sampled rows, nil
// when every row is used); distinct and prev as for stability.
func stabilityOnSample(ctx context.Context, data []float64, rows, cols int, ref *Result, s Settings, boots, sample int, refitFor func(idx []int) refitFunc, distinct bool, prev *StabilityResult) (*StabilityResult, error) {
	if sample <= 0 || rows <= sample {
		return stability(ctx, data, rows, cols, ref, s, boots, refitFor(nil), distinct, prev)
	}
	idx := sampleRows(rows, sample, s.Seed^sampleSeed)
	n := len(idx)
	sub := gatherRows(data, cols, idx)
	sref := restrict(ref, idx, cols)
	s.Weights = gatherWeights(s.Weights, idx)
	st, err := stability(ctx, sub, n, cols, sref, s, boots, refitFor(idx), distinct, prev)
	if err != nil {
		return nil, err
	}
	for c, size := range sref.Sizes {
		if size == 0 { // too small to be sampled: no estimate
			st.Jaccard[c], st.JaccardSE[c], st.Unstable[c] = math.NaN(), math.NaN(), false
		}
	}
	return st, nil
}

// restrict is ref's partition of the rows idx, in that order.
func restrict(ref *Result, idx []int, cols int) *Result {
	n := len(idx)
	sref := &Result{K: ref.K, Cols: cols, Centroids: ref.Centroids, Assign: make([]int, n), Distance: make([]float64, n), Sizes: make([]int, ref.K)}
	for i, r := range idx {
		sref.Assign[i] = ref.Assign[r]
		sref.Distance[i] = ref.Distance[r]
		sref.Sizes[sref.Assign[i]]++
	}
	return sref
}

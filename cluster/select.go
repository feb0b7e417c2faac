package cluster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// SelectSettings configures SelectK. The zero value of each field selects
// the documented default.
type SelectSettings struct {
	// KMin and KMax bound the numbers of clusters tried, inclusive.
	// Defaults 2 and 10.
	KMin, KMax int
	// Base holds the k-means settings for every fit; its K is ignored.
	Base Settings
	// SilhouetteSample is the number of rows, drawn uniformly without
	// replacement with Base.Seed, on which the silhouette is computed
	// exactly. Default 5000; all rows are used when there are fewer.
	SilhouetteSample int
	// StabilityBoots, when positive, adds the stability scan: every k is
	// refitted on that many bootstrap resamples and k is chosen by the
	// stability rule instead of the rank sum (which is still reported as
	// IndexChoice). Zero keeps the rank-sum rule alone.
	StabilityBoots int
	// StabilitySample bounds the rows the stability scan resamples, drawn
	// uniformly without replacement; default DefaultStabilitySample.
	StabilitySample int
	// FitSample bounds the rows the fit of every k is computed on: with
	// more rows, each k is fitted on a uniform sample of FitSample rows
	// (drawn with Base.Seed), its inertia is the sample's scaled to every
	// row and its indices are the sample's; the fits of Chosen and
	// IndexChoice are then refined on every row, started from the sample's
	// centroids. Default DefaultFitSample; negative means every row.
	FitSample int
	// NoRefine turns off the refinement of the fits (Settings.Refine,
	// which SelectK otherwise sets for every fit, whatever Base.Refine):
	// a fit left in a worse local optimum at one k distorts the curves
	// across k and the reference partitions of the stability scan. The
	// scan's bootstrap refits are never refined.
	NoRefine bool
	// IndicesOnScan is for callers that choose k by the stability rule
	// (or not from the scan at all), for whom the validity indices are
	// only reported. When the stability scan resamples fewer rows than
	// FitSample, every k is then fitted once, on the scan's sample with
	// Base's restarts: those fits are the scan's references, and the
	// inertia curve and the indices are computed on them, instead of on
	// fits of FitSample rows of their own. Chosen's fit is then fitted on
	// FitSample rows with Base's restarts (and covers every row), as
	// without it, so Chosen, its fit and the scan's figures are the same;
	// only the indices are computed on fewer rows (StabilitySample: a
	// relative standard error of the order of 1/sqrt(StabilitySample),
	// about 0.7 % at the default), and IndexChoice's fit is the sample's.
	// Ignored with sample weights.
	IndicesOnScan bool
}

// DefaultFitSample is the default number of rows SelectK fits each k on.
// The validity indices are means over rows: on a uniform sample of 100,000
// rows their relative standard error is of the order of 1/sqrt(100,000),
// about 0.3 %, well below the differences between neighbouring ks that
// decide a choice; a cluster of 0.5 % of the customers still holds about
// 500 rows of the sample.
const DefaultFitSample = 100000

// Selection reports the fits and validity indices for each k tried, and
// the k that the rule in the package documentation chose.
type Selection struct {
	Ks []int
	// Inertia, Silhouette, CalinskiHarabasz and DaviesBouldin hold one
	// value per element of Ks. The three indices are NaN for k = 1.
	Inertia, Silhouette, CalinskiHarabasz, DaviesBouldin []float64
	// Knee is the k of the inertia curve farthest below the chord joining
	// its end points, both axes scaled to [0, 1] (the maximum of Kneedle's
	// difference curve). It is 0 when fewer than three ks were tried or no
	// point lies below the chord.
	Knee int
	// Chosen is the selected k and Rule says how it was chosen.
	Chosen int
	Rule   string
	// RangeLimited reports that the stability rule chose the largest k
	// tried: a larger k might be as reproducible, so the range, not the
	// data, set the upper bound (Rule says so).
	RangeLimited bool
	// Results holds the fit for each element of Ks. With more rows than
	// SelectSettings.FitSample, only the fits of Chosen and IndexChoice
	// cover every row; the others are fits of the sample (FitRows rows).
	// With the stability scan on fewer rows than FitRows, the others (and
	// the validity indices) come from fits with the scan's 3 restarts,
	// and Chosen and IndexChoice are fitted again with Base's. With
	// SelectSettings.IndicesOnScan in that case, the others (IndexChoice
	// included) are the scan's references, fits of its sample with Base's
	// restarts, and only Chosen's covers every row.
	Results []*Result
	// FitRows is the number of rows each k was fitted on (the scan's
	// sample with IndicesOnScan).
	FitRows int
	// SilhouetteSample is the number of rows the silhouette was computed on.
	SilhouetteSample int
	// IndexChoice and IndexRule are the k that the validity indices' rank
	// sum prefers and how; equal to Chosen and Rule without the stability
	// scan.
	IndexChoice int
	IndexRule   string
	// Stability holds the stability scan, one entry per element of Ks (nil
	// without it); StabilityBoots and StabilitySample are its refits and
	// rows.
	Stability                       []KStability
	StabilityBoots, StabilitySample int
}

// SelectK fits k-means for every k in [s.KMin, s.KMax], computes the
// inertia, the silhouette (on a uniform sample), and the Calinski–Harabasz
// and Davies–Bouldin indices of each fit, and chooses k by the rank-sum
// rule described in the package documentation.
//
// SelectK panics if KMin < 1 or KMax < KMin after defaults, and returns
// an error for bad data (including KMax > rows) or a cancelled ctx.
func SelectK(ctx context.Context, data []float64, rows, cols int, s SelectSettings) (*Selection, error) {
	if s.KMin == 0 {
		s.KMin = 2
	}
	if s.KMax == 0 {
		s.KMax = max(s.KMin, min(10, rows))
	}
	if s.KMin < 1 || s.KMax < s.KMin || s.SilhouetteSample < 0 {
		panic(fmt.Sprintf("cluster: invalid k range [%d, %d] or sample %d", s.KMin, s.KMax, s.SilhouetteSample))
	}
	if s.SilhouetteSample == 0 {
		s.SilhouetteSample = 5000
	}
	s.Base.Refine = !s.NoRefine
	base := s.Base
	base.K = s.KMax
	base = base.withDefaults()
	if err := validate(data, rows, cols, s.KMax, base.Weights); err != nil {
		return nil, err
	}
	n := s.KMax - s.KMin + 1
	sel := &Selection{
		Ks:               make([]int, n),
		Inertia:          make([]float64, n),
		Silhouette:       make([]float64, n),
		CalinskiHarabasz: make([]float64, n),
		DaviesBouldin:    make([]float64, n),
		Results:          make([]*Result, n),
	}
	// The fits: on every row, or on a uniform sample of FitSample rows.
	fitData, fitRows, fitBase := data, rows, s.Base
	if s.FitSample == 0 {
		s.FitSample = DefaultFitSample
	}
	if s.FitSample > 0 && rows > s.FitSample && s.FitSample >= s.KMax {
		idx := sampleRows(rows, s.FitSample, base.Seed^0xf175)
		fitRows = len(idx)
		fitData = gatherRows(data, cols, idx)
		fitBase.Weights = gatherWeights(s.Base.Weights, idx)
	}
	sel.FitRows = fitRows
	if s.StabilityBoots > 0 && s.StabilitySample <= 0 {
		s.StabilitySample = DefaultStabilitySample
	}
	// When the stability scan fits its own references (more rows than it
	// resamples), the fits here feed only the validity indices and the ks
	// chosen: each k is fitted with the scan's restarts (stabilityNInit,
	// with the refinement), and the ks chosen are fitted again with
	// s.Base's (refitChosen), which gives them the fit they would have had.
	quick := s.StabilityBoots > 0 && fitRows > s.StabilitySample && base.NInit > stabilityNInit
	// With IndicesOnScan, the ks are fitted on the scan's sample (the same
	// draw as stabilityScan's), which the scan then uses whole, taking
	// these fits as its references.
	onScan := s.IndicesOnScan && s.StabilityBoots > 0 && fitRows > s.StabilitySample && fitBase.Weights == nil
	ixData, ixRows := fitData, fitRows // the rows the ks are fitted and the indices computed on
	if onScan {
		idx := sampleRows(fitRows, s.StabilitySample, s.Base.Seed^sampleSeed)
		ixData, ixRows = gatherRows(fitData, cols, idx), len(idx)
		sel.FitRows = ixRows
	}
	scale := float64(rows) / float64(ixRows)
	// The ks are fitted side by side (fanOut), each on its own goroutines.
	err := fanOut(n, base.Threads, func(i, threads int) error {
		k := s.KMin + i
		bs := fitBase
		bs.K, bs.Threads = k, threads
		if quick && !onScan {
			bs.NInit = stabilityNInit
		}
		res, err := KMeans(ctx, ixData, ixRows, cols, bs)
		if err != nil {
			return fmt.Errorf("cluster: k = %d: %w", k, err)
		}
		sel.Ks[i] = k
		sel.Results[i] = res
		sel.Inertia[i] = res.Inertia * scale
		sel.CalinskiHarabasz[i] = CalinskiHarabasz(ixData, ixRows, cols, res.Assign)
		sel.DaviesBouldin[i] = DaviesBouldin(ixData, ixRows, cols, res.Assign)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sample := sampleRows(ixRows, s.SilhouetteSample, base.Seed)
	sel.SilhouetteSample = len(sample)
	labelings := make([][]int, n)
	for i, r := range sel.Results {
		labelings[i] = r.Assign
	}
	copy(sel.Silhouette, sampledSilhouettes(ixData, cols, sample, labelings, sel.Ks, base.Threads))
	sel.Knee = kneeOf(sel.Ks, sel.Inertia)
	sel.IndexChoice, sel.IndexRule = chooseK(sel)
	sel.Chosen, sel.Rule = sel.IndexChoice, sel.IndexRule
	if s.StabilityBoots > 0 {
		// On ixData the scan's sample is every row (with onScan), and the
		// fits above are its references.
		st, n, err := stabilityScan(ctx, ixData, ixRows, cols, sel, s.Base, s.StabilityBoots, s.StabilitySample)
		if err != nil {
			return nil, err
		}
		sel.Stability, sel.StabilityBoots, sel.StabilitySample = st, s.StabilityBoots, n
		sel.Chosen, sel.Rule = chooseStableK(sel)
		for _, st := range sel.Stability {
			if st.K == sel.Chosen && st.Stable && st.K == sel.Ks[len(sel.Ks)-1] {
				sel.RangeLimited = true
				sel.Rule += fmt.Sprintf("; k = %d is the largest k tried, so the range limited the choice (a larger --k-max may find a larger reproducible k)", st.K)
			}
		}
	}
	if quick || onScan {
		if err := sel.refitChosen(ctx, fitData, fitRows, cols, fitBase, onScan); err != nil {
			return nil, err
		}
	}
	if fitRows < rows {
		if err := sel.coverEveryRow(ctx, data, rows, cols, s.Base, onScan); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

// covered reports whether the fit of k is to cover every row: Chosen's,
// and IndexChoice's unless the indices are only reported (onScan).
func (sel *Selection) covered(k int, onScan bool) bool {
	return k == sel.Chosen || (k == sel.IndexChoice && !onScan)
}

// refitChosen fits the chosen ks (covered) again with the restarts of
// base, on the rows given, replacing the scan's fits in Results; the
// validity indices stay those of the scan's fits, which chose IndexChoice.
func (sel *Selection) refitChosen(ctx context.Context, data []float64, rows, cols int, base Settings, onScan bool) error {
	for i, k := range sel.Ks {
		if !sel.covered(k, onScan) {
			continue
		}
		fs := base
		fs.K = k
		res, err := KMeans(ctx, data, rows, cols, fs)
		if err != nil {
			return fmt.Errorf("cluster: k = %d: %w", k, err)
		}
		sel.Results[i] = res
	}
	return nil
}

// coverEveryRow refits the chosen ks' sample fits on every row, each
// started from its sample centroids (seeded k-means, no restarts).
func (sel *Selection) coverEveryRow(ctx context.Context, data []float64, rows, cols int, base Settings, onScan bool) error {
	for i, k := range sel.Ks {
		if !sel.covered(k, onScan) {
			continue
		}
		fs := base
		fs.K, fs.Init = k, sel.Results[i].Centroids
		res, err := KMeans(ctx, data, rows, cols, fs)
		if err != nil {
			return fmt.Errorf("cluster: k = %d on every row: %w", k, err)
		}
		sel.Results[i] = res
	}
	return nil
}

// gatherRows returns the rows idx of data, in that order, as a new
// row-major matrix of cols columns.
func gatherRows(data []float64, cols int, idx []int) []float64 {
	out := make([]float64, len(idx)*cols)
	for i, r := range idx {
		copy(out[i*cols:(i+1)*cols], data[r*cols:(r+1)*cols])
	}
	return out
}

// gatherWeights returns the weights w of the rows idx (nil when w is nil).
func gatherWeights(w []float64, idx []int) []float64 {
	if w == nil {
		return nil
	}
	out := make([]float64, len(idx))
	for i, r := range idx {
		out[i] = w[r]
	}
	return out
}

// sampleRows returns up to size distinct row indices in increasing order,
// drawn uniformly without replacement with a generator seeded by seed.
func sampleRows(rows, size int, seed uint64) []int {
	if rows <= size {
		out := make([]int, rows)
		for i := range out {
			out[i] = i
		}
		return out
	}
	rng := rand.New(rand.NewPCG(seed, 0x5111))
	perm := make([]int, rows)
	for i := range perm {
		perm[i] = i
	}
	for i := range size { // partial Fisher–Yates
		j := i + rng.IntN(rows-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	out := perm[:size:size]
	slices.Sort(out)
	return out
}

// sampledSilhouettes returns the mean silhouette of the sample rows for
// each labeling, using distances among the sample rows only. Each pairwise
// distance is computed once for all labelings; memory is O(len(sample) ×
// Σk) and the rows are split over threads without changing any sum.
func sampledSilhouettes(data []float64, cols int, sample []int, labelings [][]int, ks []int, threads int) []float64 {
	m := len(sample)
	L := len(labelings)
	offset := make([]int, L+1)
	for l, k := range ks {
		offset[l+1] = offset[l] + k
	}
	// Labels and cluster sizes within the sample.
	lab := make([]int32, L*m)
	size := make([]int, offset[L])
	for l, asg := range labelings {
		for p, i := range sample {
			c := asg[i]
			lab[l*m+p] = int32(c)
			size[offset[l]+c]++
		}
	}
	perPoint := make([]float64, L*m)
	threads = max(1, min(threads, m))
	var wg sync.WaitGroup
	for t := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums := make([]float64, offset[L])
			for p := t; p < m; p += threads {
				clear(sums)
				x := data[sample[p]*cols : (sample[p]+1)*cols]
				for q, j := range sample {
					if q == p {
						continue
					}
					d := math.Sqrt(dist2(x, data[j*cols:(j+1)*cols]))
					for l := range L {
						sums[offset[l]+int(lab[l*m+q])] += d
					}
				}
				for l, k := range ks {
					own := int(lab[l*m+p])
					n := size[offset[l]+own]
					if n <= 1 {
						perPoint[l*m+p] = 0
						continue
					}
					a := sums[offset[l]+own] / float64(n-1)
					b := math.Inf(1)
					for c := range k {
						if c == own || size[offset[l]+c] == 0 {
							continue
						}
						b = min(b, sums[offset[l]+c]/float64(size[offset[l]+c]))
					}
					if math.IsInf(b, 1) {
						perPoint[l*m+p] = math.NaN()
						continue
					}
					if den := max(a, b); den > 0 {
						perPoint[l*m+p] = (b - a) / den
					}
				}
			}
		}()
	}
	wg.Wait()
	out := make([]float64, L)
	for l := range L {
		var s float64
		for _, v := range perPoint[l*m : (l+1)*m] {
			s += v
		}
		out[l] = s / float64(m)
	}
	return out
}

// Silhouette returns the mean silhouette coefficient of the labeling
// assign of the rows of data, computed exactly on all rows (O(rows²) time,
// O(rows·k) memory). It is NaN when fewer than two clusters are non-empty.
// The Go notebook (notebooks/segments-go.ipynb) compares ks with it.
func Silhouette(data []float64, rows, cols int, assign []int) float64 {
	checkLabels(data, rows, cols, assign)
	k := 0
	for _, a := range assign {
		k = max(k, a+1)
	}
	sample := make([]int, rows)
	for i := range sample {
		sample[i] = i
	}
	return sampledSilhouettes(data, cols, sample, [][]int{assign}, []int{k}, 1)[0]
}

func checkLabels(data []float64, rows, cols int, assign []int) {
	if len(data) != rows*cols || len(assign) != rows {
		panic(fmt.Sprintf("cluster: len(data) = %d, len(assign) = %d for %d×%d", len(data), len(assign), rows, cols))
	}
	for _, a := range assign {
		if a < 0 {
			panic("cluster: negative cluster label")
		}
	}
}

// clusterMeans returns the mean of each label's rows, the row counts, and
// the number of labels.
func clusterMeans(data []float64, rows, cols int, assign []int) (means []float64, counts []int, k int) {
	for _, a := range assign {
		k = max(k, a+1)
	}
	means = make([]float64, k*cols)
	counts = make([]int, k)
	for i, a := range assign {
		counts[a]++
		m := means[a*cols : (a+1)*cols]
		for j, v := range data[i*cols : (i+1)*cols] {
			m[j] += v
		}
	}
	for c := range k {
		if counts[c] > 0 {
			for j := range cols {
				means[c*cols+j] /= float64(counts[c])
			}
		}
	}
	return means, counts, k
}

// CalinskiHarabasz returns the Calinski–Harabasz index (variance ratio
// criterion) of the labeling assign: between-cluster dispersion over
// within-cluster dispersion, times (n-k)/(k-1), with k the number of
// non-empty clusters. Higher is better. It is NaN for k < 2 or k = n, and
// 1 when the within-cluster dispersion is zero, as in scikit-learn.
func CalinskiHarabasz(data []float64, rows, cols int, assign []int) float64 {
	checkLabels(data, rows, cols, assign)
	means, counts, k := clusterMeans(data, rows, cols, assign)
	nonEmpty := 0
	for _, c := range counts {
		if c > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 2 || nonEmpty >= rows {
		return math.NaN()
	}
	grand := make([]float64, cols)
	for i := range rows {
		for j, v := range data[i*cols : (i+1)*cols] {
			grand[j] += v
		}
	}
	for j := range grand {
		grand[j] /= float64(rows)
	}
	var between, within float64
	for c := range k {
		if counts[c] > 0 {
			between += float64(counts[c]) * dist2(means[c*cols:(c+1)*cols], grand)
		}
	}
	for i, a := range assign {
		within += dist2(data[i*cols:(i+1)*cols], means[a*cols:])
	}
	if within == 0 {
		return 1
	}
	return between * float64(rows-nonEmpty) / (within * float64(nonEmpty-1))
}

// DaviesBouldin returns the Davies–Bouldin index of the labeling assign:
// the mean over clusters of the largest ratio of summed within-cluster
// scatter (mean distance to the cluster mean) to the distance between
// cluster means. Lower is better. It is NaN with fewer than two non-empty
// clusters.
func DaviesBouldin(data []float64, rows, cols int, assign []int) float64 {
	checkLabels(data, rows, cols, assign)
	means, counts, k := clusterMeans(data, rows, cols, assign)
	scatter := make([]float64, k)
	for i, a := range assign {
		scatter[a] += math.Sqrt(dist2(data[i*cols:(i+1)*cols], means[a*cols:]))
	}
	var live []int
	for c := range k {
		if counts[c] > 0 {
			scatter[c] /= float64(counts[c])
			live = append(live, c)
		}
	}
	if len(live) < 2 {
		return math.NaN()
	}
	var total float64
	for _, c := range live {
		var worst float64
		for _, d := range live {
			if d == c {
				continue
			}
			sep := math.Sqrt(dist2(means[c*cols:(c+1)*cols], means[d*cols:]))
			if sep == 0 {
				continue
			}
			worst = max(worst, (scatter[c]+scatter[d])/sep)
		}
		total += worst
	}
	return total / float64(len(live))
}

// kneeOf returns the k at the knee of a decreasing inertia curve: the
// point farthest below the chord from the first to the last point, with k
// and inertia each scaled to [0, 1]. It returns 0 when undefined.
func kneeOf(ks []int, inertia []float64) int {
	n := len(ks)
	if n < 3 {
		return 0
	}
	lo, hi := slices.Min(inertia), slices.Max(inertia)
	if !(hi > lo) {
		return 0
	}
	x0, x1 := float64(ks[0]), float64(ks[n-1])
	y := func(i int) float64 { return (inertia[i] - lo) / (hi - lo) }
	ya, yb := y(0), y(n-1)
	best, knee := 1e-9, 0 // ignore rounding on a straight line
	for i := 1; i < n-1; i++ {
		x := (float64(ks[i]) - x0) / (x1 - x0)
		chord := ya + (yb-ya)*x
		if d := chord - y(i); d > best {
			best, knee = d, ks[i]
		}
	}
	return knee
}

// ranks returns the competition rank (1 = best; equal values share the
// better rank) of each value; NaN values rank last.
func ranks(v []float64, higherBetter bool) []int {
	r := make([]int, len(v))
	for i, a := range v {
		r[i] = 1
		for j, b := range v {
			if j == i {
				continue
			}
			switch {
			case math.IsNaN(a) && !math.IsNaN(b):
				r[i]++
			case math.IsNaN(a) || math.IsNaN(b):
			case higherBetter && b > a, !higherBetter && b < a:
				r[i]++
			}
		}
	}
	return r
}

// chooseK applies the rank-sum rule documented in doc.go.
func chooseK(sel *Selection) (int, string) {
	var idx []int
	for i, k := range sel.Ks {
		if k >= 2 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return sel.Ks[0], fmt.Sprintf("only k=%d was tried", sel.Ks[0])
	}
	pick := func(v []float64) []float64 {
		out := make([]float64, len(idx))
		for n, i := range idx {
			out[n] = v[i]
		}
		return out
	}
	rs := ranks(pick(sel.Silhouette), true)
	rc := ranks(pick(sel.CalinskiHarabasz), true)
	rd := ranks(pick(sel.DaviesBouldin), false)
	best := -1
	bestSum := 0
	for n := range idx {
		sum := rs[n] + rc[n] + rd[n]
		if best < 0 || sum < bestSum || (sum == bestSum && closerToKnee(sel.Ks[idx[n]], sel.Ks[idx[best]], sel.Knee)) {
			best, bestSum = n, sum
		}
	}
	k := sel.Ks[idx[best]]
	tie := 0
	for n := range idx {
		if rs[n]+rc[n]+rd[n] == bestSum {
			tie++
		}
	}
	rule := fmt.Sprintf("lowest rank sum of silhouette (higher is better), Calinski-Harabasz (higher) and Davies-Bouldin (lower) over k=%d..%d: k=%d with ranks %d+%d+%d=%d",
		sel.Ks[idx[0]], sel.Ks[idx[len(idx)-1]], k, rs[best], rc[best], rd[best], bestSum)
	if tie > 1 {
		if sel.Knee > 0 {
			rule += fmt.Sprintf("; %d-way tie broken by distance to the inertia knee k=%d, then smaller k", tie, sel.Knee)
		} else {
			rule += fmt.Sprintf("; %d-way tie broken by smaller k (no inertia knee)", tie)
		}
	}
	return k, rule
}

// closerToKnee reports whether k should win a rank-sum tie against cur:
// it is nearer the knee (when there is one), or as near and smaller.
func closerToKnee(k, cur, knee int) bool {
	if knee > 0 {
		dk, dc := abs(k-knee), abs(cur-knee)
		if dk != dc {
			return dk < dc
		}
	}
	return k < cur
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

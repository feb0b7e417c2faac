package cluster

import (
	"context"
	"fmt"
	"math"
)

// Thresholds of the stability rule for choosing k (see the package
// documentation, "Choosing k").
const (
	// StableJaccard is the size-weighted mean bootstrap Jaccard similarity
	// of a partition's clusters at or above which the partition counts as
	// reproducible: Hennig (2007) reads cluster Jaccard values above 0.85
	// as highly stable.
	StableJaccard = 0.85
	// MaxDissolvedShare is the largest share of rows that may lie in
	// clusters below UnstableJaccard (Hennig's dissolved clusters) for the
	// partition to count as reproducible: a small group of in-between rows
	// that no partition keeps together does not veto a k.
	MaxDissolvedShare = 0.05
	// DefaultStabilitySample is the default number of rows the stability
	// scan resamples.
	DefaultStabilitySample = 20000
	// stabilityNInit is the number of k-means++ restarts of each bootstrap
	// fit in the scan (without the refinement, Settings.Refine).
	stabilityNInit = 3
	// maxScanRounds bounds the rounds of refits the scan spends on one k:
	// a k whose figures are within two standard errors of the rule's
	// thresholds after a round, and larger than every k decided stable (a
	// smaller one cannot change the choice), gets another round of as many
	// refits, up to this many rounds in all.
	maxScanRounds = 4
	// sampleSeed is mixed into the seed of the uniform sample the stability
	// scan resamples, and of the one the stability figures resample
	// (StabilityOnSample).
	sampleSeed = 0x57ab
)

// KStability is the bootstrap stability of one k in the scan.
type KStability struct {
	K int
	// MeanJaccard is the mean over clusters of each cluster's mean
	// bootstrap Jaccard similarity, weighted by cluster size.
	MeanJaccard float64
	// MinJaccard is the smallest cluster's mean bootstrap Jaccard.
	MinJaccard float64
	// DissolvedShare is the share of rows in clusters whose mean Jaccard is
	// below UnstableJaccard, and Dissolved the number of such clusters.
	DissolvedShare float64
	Dissolved      int
	// MeanARI is the mean adjusted Rand index between the reference and
	// the bootstrap labelings.
	MeanARI float64
	// Stable reports whether the k meets the rule: MeanJaccard at least
	// StableJaccard and DissolvedShare at most MaxDissolvedShare.
	Stable bool
	// MeanJaccardSE is the standard error of MeanJaccard over the refits
	// (the standard deviation of the refits' size-weighted mean Jaccard
	// over the square root of their number).
	MeanJaccardSE float64
	// Refits is the number of bootstrap refits the figures come from: the
	// scan's number, or a multiple of it (at most maxScanRounds) when the
	// figures after the first rounds were within two standard errors of
	// the thresholds and the k could still be the choice, so that the
	// data rather than the draw decides.
	Refits int
	// Decided reports that the figures are at least two standard errors
	// from the thresholds (false when the refits ran out first, or when a
	// larger k decided stable made more refits of this one pointless).
	Decided bool
}

// stabilityScan computes KStability for every k of sel on a uniform sample
// of at most sample rows, each with boots bootstrap refits.
func stabilityScan(ctx context.Context, data []float64, rows, cols int, sel *Selection, base Settings, boots, sample int) ([]KStability, int, error) {
	idx := sampleRows(rows, sample, base.Seed^sampleSeed)
	sub, n := data, rows
	if len(idx) < rows {
		n = len(idx)
		sub = gatherRows(data, cols, idx)
	}
	bs := base
	bs.Weights = nil
	bs.NInit = stabilityNInit
	// The bootstrap refits are plain restarts, without the refinement:
	// refined fits are so reproducible that an arbitrary split of one
	// group of the data (k one more than the groups) is recovered on
	// every resample of the same rows, and the rule would count it as
	// structure.
	bs.Refine = false
	if base.NInit > 0 {
		bs.NInit = min(base.NInit, stabilityNInit)
	}
	out := make([]KStability, len(sel.Ks))
	refs := make([]*Result, len(sel.Ks))
	sizes := make([][]int, len(sel.Ks))
	rowsOf := make([][][]float64, len(sel.Ks))
	arisOf := make([][]float64, len(sel.Ks))
	// round adds a round of refits to the ks listed. Round 0, every k,
	// runs them side by side (fanOut), each on its own goroutines; a
	// further round, a few ks, one k after another, each k's refits side
	// by side over every goroutine (Stability's own fanOut): 3 ks side by
	// side on 2 cores would leave one core idle while the third runs
	// alone. Round 0 draws with the scan's seed, each further round with a
	// seed of its own. The figures do not depend on the goroutines.
	round := func(r int, list []int) error {
		one := func(li, threads int) error {
			i := list[li]
			k := sel.Ks[i]
			if r == 0 {
				out[i] = KStability{K: k, MeanJaccard: math.NaN(), MinJaccard: math.NaN(), MeanARI: math.NaN()}
				if k < 2 {
					return nil
				}
				refs[i] = sel.Results[i]
				if n < rows {
					rs := base
					rs.Weights = nil
					rs.K, rs.Threads = k, threads
					var err error
					if refs[i], err = KMeans(ctx, sub, n, cols, rs); err != nil {
						return fmt.Errorf("cluster: stability of k = %d: %w", k, err)
					}
				}
				sizes[i] = make([]int, k)
				for _, c := range refs[i].Assign {
					sizes[i][c]++
				}
			}
			s := bs
			s.K, s.Threads = k, threads
			s.Seed = bs.Seed + uint64(r)*0x9e3779b97f4a7c15
			st, err := Stability(ctx, sub, n, cols, refs[i], s, boots)
			if err != nil {
				return fmt.Errorf("cluster: stability of k = %d: %w", k, err)
			}
			rowsOf[i], arisOf[i] = append(rowsOf[i], st.boot...), append(arisOf[i], st.ARI...)
			out[i] = judgeStability(k, sizes[i], n, rowsOf[i], arisOf[i])
			return nil
		}
		if r == 0 {
			return fanOut(len(list), base.Threads, one)
		}
		for li := range list {
			if err := one(li, base.Threads); err != nil {
				return err
			}
		}
		return nil
	}
	all := make([]int, len(sel.Ks))
	for i := range all {
		all[i] = i
	}
	if err := round(0, all); err != nil {
		return nil, 0, err
	}
	// Further rounds only where they can change the choice, the largest
	// stable k: the undecided ks above the largest k decided stable.
	for r := 1; r < maxScanRounds; r++ {
		floor := 0
		for _, ks := range out {
			if ks.K >= 2 && ks.Decided && ks.Stable {
				floor = max(floor, ks.K)
			}
		}
		var open []int
		for i, ks := range out {
			if ks.K >= 2 && !ks.Decided && ks.K > floor {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			break
		}
		if err := round(r, open); err != nil {
			return nil, 0, err
		}
	}
	return out, n, nil
}

// chooseStableK applies the stability rule: the largest k ≥ 2 whose
// partition is reproducible (KStability.Stable); when none is, the k with
// the highest MeanJaccard.
func chooseStableK(sel *Selection) (int, string) {
	best, most := -1, -1
	for i, s := range sel.Stability {
		if s.K < 2 || math.IsNaN(s.MeanJaccard) {
			continue
		}
		if s.Stable {
			best = i
		}
		if most < 0 || s.MeanJaccard > sel.Stability[most].MeanJaccard {
			most = i
		}
	}
	head := fmt.Sprintf("the largest k in %d..%d whose clusters are reproducible under the bootstrap (%d refits on %d rows, up to %d where the figures were within two standard errors of a threshold): size-weighted mean Jaccard at least %.2f and at most %.0f%% of customers in clusters below %.2f",
		sel.Ks[0], sel.Ks[len(sel.Ks)-1], sel.StabilityBoots, sel.StabilitySample, maxScanRounds*sel.StabilityBoots, StableJaccard, 100*MaxDissolvedShare, UnstableJaccard)
	if best >= 0 {
		s := sel.Stability[best]
		return s.K, fmt.Sprintf("%s: k=%d (mean Jaccard %.2f, %.1f%% in %d dissolved cluster(s))", head, s.K, s.MeanJaccard, 100*s.DissolvedShare, s.Dissolved)
	}
	if most < 0 {
		return sel.Ks[0], fmt.Sprintf("only k=%d was tried", sel.Ks[0])
	}
	s := sel.Stability[most]
	return s.K, fmt.Sprintf("%s: no k qualifies; k=%d is the most stable (mean Jaccard %.2f)", head, s.K, s.MeanJaccard)
}

// judgeStability computes the figures of k from the refits' per-cluster
// Jaccard similarities (rows, one per refit; nil for a skipped refit) and
// ARIs, size the reference clusters' sizes among n rows, and says whether
// they are decided: the mean at least two standard errors from
// StableJaccard, and the clusters within two standard errors of
// UnstableJaccard unable to move the dissolved share across
// MaxDissolvedShare.
func judgeStability(k int, size []int, n int, rows [][]float64, aris []float64) KStability {
	ks := KStability{K: k, MinJaccard: 1, MeanARI: math.NaN(), Refits: len(rows)}
	mean, se := bootMeans(rows, k)
	var used [][]float64
	for _, r := range rows {
		if r != nil {
			used = append(used, r)
		}
	}
	// The size-weighted mean of each refit (a cluster without a drawn row
	// counts at its mean) and their spread.
	var ms, ms2 float64
	for _, r := range used {
		var v float64
		for c := range k {
			j := r[c]
			if math.IsNaN(j) {
				j = mean[c]
			}
			v += float64(size[c]) / float64(n) * j
		}
		ms += v
		ms2 += v * v
	}
	b := float64(len(used))
	ks.MeanJaccardSE = math.NaN()
	if b > 1 {
		ks.MeanJaccardSE = math.Sqrt(max(ms2-ms*ms/b, 0) / (b - 1) / b)
	}
	surely, possibly := 0.0, 0.0 // dissolved shares beyond doubt and within it
	for c := range k {
		w := float64(size[c]) / float64(n)
		j := mean[c]
		ks.MeanJaccard += w * j
		ks.MinJaccard = min(ks.MinJaccard, j)
		if j < UnstableJaccard {
			ks.Dissolved++
			ks.DissolvedShare += w
		}
		margin := 2 * se[c]
		if math.IsNaN(margin) {
			margin = 0
		}
		if j+margin < UnstableJaccard {
			surely += w
		}
		if j-margin < UnstableJaccard {
			possibly += w
		}
	}
	var a, na float64
	for _, x := range aris {
		if !math.IsNaN(x) {
			a += x
			na++
		}
	}
	if na > 0 {
		ks.MeanARI = a / na
	}
	ks.Stable = ks.MeanJaccard >= StableJaccard && ks.DissolvedShare <= MaxDissolvedShare
	margin := 2 * ks.MeanJaccardSE
	if math.IsNaN(margin) {
		margin = 0
	}
	stable := ks.MeanJaccard-margin >= StableJaccard && possibly <= MaxDissolvedShare
	unstable := ks.MeanJaccard+margin < StableJaccard || surely > MaxDissolvedShare
	ks.Decided = stable || unstable
	return ks
}

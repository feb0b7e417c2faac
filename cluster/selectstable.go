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
}

// stabilityScan computes KStability for every k of sel on a uniform sample
// of at most sample rows, each with boots bootstrap refits.
func stabilityScan(ctx context.Context, data []float64, rows, cols int, sel *Selection, base Settings, boots, sample int) ([]KStability, int, error) {
	idx := sampleRows(rows, sample, base.Seed^0x57ab)
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
	// The ks are assessed side by side (fanOut), each on its own goroutines.
	err := fanOut(len(sel.Ks), base.Threads, func(i, threads int) error {
		k := sel.Ks[i]
		out[i] = KStability{K: k, MeanJaccard: math.NaN(), MinJaccard: math.NaN(), MeanARI: math.NaN()}
		if k < 2 {
			return nil
		}
		ref := sel.Results[i]
		if n < rows {
			rs := base
			rs.Weights = nil
			rs.K, rs.Threads = k, threads
			var err error
			if ref, err = KMeans(ctx, sub, n, cols, rs); err != nil {
				return fmt.Errorf("cluster: stability of k = %d: %w", k, err)
			}
		}
		s := bs
		s.K, s.Threads = k, threads
		st, err := Stability(ctx, sub, n, cols, ref, s, boots)
		if err != nil {
			return fmt.Errorf("cluster: stability of k = %d: %w", k, err)
		}
		size := make([]int, k)
		for _, c := range ref.Assign {
			size[c]++
		}
		ks := KStability{K: k, MinJaccard: 1, MeanARI: st.MeanARI}
		for c, j := range st.Jaccard {
			w := float64(size[c]) / float64(n)
			ks.MeanJaccard += w * j
			ks.MinJaccard = min(ks.MinJaccard, j)
			if st.Unstable[c] {
				ks.Dissolved++
				ks.DissolvedShare += w
			}
		}
		ks.Stable = ks.MeanJaccard >= StableJaccard && ks.DissolvedShare <= MaxDissolvedShare
		out[i] = ks
		return nil
	})
	if err != nil {
		return nil, 0, err
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
	head := fmt.Sprintf("the largest k in %d..%d whose clusters are reproducible under the bootstrap (%d refits on %d rows): size-weighted mean Jaccard at least %.2f and at most %.0f%% of customers in clusters below %.2f",
		sel.Ks[0], sel.Ks[len(sel.Ks)-1], sel.StabilityBoots, sel.StabilitySample, StableJaccard, 100*MaxDissolvedShare, UnstableJaccard)
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

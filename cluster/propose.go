package cluster

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// MaxValleyRatio is the separation test of a proposed cluster (see
// AddSeparated and valleyRatio): along Fisher's discriminant direction
// between the proposed cluster and its nearest neighbour, the density of
// their members at the emptiest point between the two centroids must be
// at most this share of the lower of the two densities at the centroids.
// Two groups whose members fill the space between them (one cluster cut
// in two) have a ratio near 1; two groups with a gap between them, near 0.
const MaxValleyRatio = 0.5

// MinFound is the share of a proposed group's rows that must lie in
// clusters where it is the largest group for AddSeparated to count it as
// found: it then tries only the group's largest missed part, not all of
// its missed rows.
const MinFound = 0.5

// Proposals are groups of rows, each proposed as a cluster of its own.
type Proposals struct {
	// Group is each row's group, an index into Names, or -1 for none.
	Group []int
	Names []string
	// MinShare and MinCount bound the size of what is tried and kept: a
	// group is tried when its missed rows (see AddSeparated) number at
	// least MinCount and MinShare of the rows, and the cluster it grows
	// into is kept only if it is as large.
	MinShare float64
	MinCount int
	// Skip, when not nil, marks groups not to try (one per name): a
	// verdict the caller reached on an earlier fit, such as a cluster that
	// did not reproduce under the bootstrap.
	Skip []bool
	// NoPart, when not nil, marks groups whose largest missed part is not
	// tried when they are found (see AddSeparated): KeepReproduced's
	// refits try only the parts the fit added.
	NoPart []bool
}

// MinSize is the smallest cluster the proposals may add to rows rows.
func (p *Proposals) MinSize(rows int) int {
	return max(p.MinCount, int(p.MinShare*float64(rows)+0.5))
}

// members lists each group's rows, ascending.
func (p *Proposals) members() [][]int {
	m := make([][]int, len(p.Names))
	for i, g := range p.Group {
		if g >= 0 {
			m[g] = append(m[g], i)
		}
	}
	return m
}

// ProposalOutcome reports what AddSeparated made of one proposed group.
type ProposalOutcome struct {
	Name string
	// Found is the share of the group's rows that lay, before the group
	// was tried, in clusters where it is the largest group (the rows of no
	// group count as one); of a group found (at least MinFound) only the
	// largest missed part is tried (Part).
	Found float64
	// Tried reports that a cluster was started at the missed rows' mean;
	// Skipped that it would have been but Proposals.Skip said not to.
	// Part reports that the group was found and the rows tried are its
	// largest missed part: its rows in the one cluster, of those where
	// another group is the largest, that holds most of them.
	Tried, Skipped, Part bool
	// ValleyRatio is the separation test's ratio for the cluster that grew
	// from there (NaN when not tried or when the cluster came out smaller
	// than the minimum size), and Neighbour the cluster it was tested
	// against: for a group added, its index in the returned result; for
	// one tried and dropped, in the last fit that held it.
	ValleyRatio float64
	Neighbour   int
	// Added reports that the cluster was kept, and Cluster is its index in
	// the returned result (-1 when not added).
	Added   bool
	Cluster int
}

// AddSeparated tries every proposed group that holds at least the minimum
// size of missed rows (those in clusters where another group is the
// largest): all of them for a group ref does not already find as a
// cluster of its own (Found below MinFound), and for a group it finds, its
// largest missed part (its rows in the one cluster that holds most of
// them), so that a part of a group merged into another group's cluster is
// tried too. It starts k-means from ref's centroids plus the mean of each
// such group's tried rows (seeded k-means: s.K and s.Init are set),
// and keeps a group's cluster when it holds at least the minimum size and
// its members are separated from their nearest cluster's by a valley of
// density (MaxValleyRatio). While some cluster fails, the group whose
// cluster fails worst (too small, then the highest valley ratio; of two
// alike, the smaller group) is dropped and k-means runs again from the
// rest. The proposals only propose: the data decides whether a group
// stands apart.
//
// The groups are tried together, not one after another: several groups
// merged in one cluster of ref need a centroid each at once, and one
// centroid added at a time grows into a mixture of them.
//
// It returns the final fit (ref itself when nothing was added) and one
// outcome per group, in the order of p.Names.
func AddSeparated(ctx context.Context, data []float64, rows, cols int, ref *Result, p Proposals, s Settings) (*Result, []ProposalOutcome, error) {
	if ref == nil || ref.Cols != cols || len(ref.Assign) != rows || len(p.Group) != rows {
		panic("cluster: reference result or groups do not match the data")
	}
	members := p.members()
	minSize := p.MinSize(rows)
	out := make([]ProposalOutcome, len(p.Names))
	means := make([][]float64, len(p.Names))
	var cand []int
	for g := range p.Names {
		out[g] = ProposalOutcome{Name: p.Names[g], ValleyRatio: math.NaN(), Neighbour: -1, Cluster: -1}
		var missed []int
		out[g].Found, missed = foundShare(ref, p.Group, members, g)
		part := out[g].Found >= MinFound
		if part {
			if flagged(p.NoPart, g) {
				continue
			}
			missed = largestPart(ref, missed)
		}
		if len(missed) < minSize {
			continue
		}
		if flagged(p.Skip, g) {
			out[g].Skipped = true
			continue
		}
		out[g].Part = part
		mean := make([]float64, cols)
		for _, r := range missed {
			for j, v := range data[r*cols : (r+1)*cols] {
				mean[j] += v
			}
		}
		for j := range mean {
			mean[j] /= float64(len(missed))
		}
		means[g] = mean
		out[g].Tried = true
		cand = append(cand, g)
	}
	// Largest group first: its centroid comes first, and of two that fail
	// alike the smaller is dropped.
	slices.SortStableFunc(cand, func(a, b int) int { return len(members[b]) - len(members[a]) })
	for len(cand) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		k := ref.K
		init := make([]float64, (k+len(cand))*cols)
		copy(init, ref.Centroids)
		for j, g := range cand {
			copy(init[(k+j)*cols:(k+j+1)*cols], means[g])
		}
		ts := s
		ts.K, ts.Init = k+len(cand), init
		fit, err := KMeans(ctx, data, rows, cols, ts)
		if err != nil {
			return nil, nil, fmt.Errorf("cluster: proposed groups: %w", err)
		}
		worst, worstBad := -1, 0.0
		for j, g := range cand {
			// The cluster grown from the group's mean (KMeans numbers
			// the clusters by size).
			nc := fit.fromInit[k+j]
			out[g].ValleyRatio, out[g].Neighbour, out[g].Cluster = math.NaN(), -1, nc
			bad := math.Inf(1) // too small
			if fit.Sizes[nc] >= minSize {
				nb := nearestOther(fit.Centroids, cols, nc)
				out[g].Neighbour = nb
				out[g].ValleyRatio = valleyRatio(data, cols, fit, nc, nb)
				bad = out[g].ValleyRatio
			}
			if bad > MaxValleyRatio && bad >= worstBad {
				worst, worstBad = j, bad
			}
		}
		if worst < 0 {
			for _, g := range cand {
				out[g].Added = true
			}
			return fit, out, nil
		}
		out[cand[worst]].Cluster = -1
		cand = slices.Delete(cand, worst, worst+1)
	}
	return ref, out, nil
}

// fitDrawn is KMeans of the resample x (n rows, row i a draw of row
// src[i] of the matrix resampled, so that a row drawn more than once is
// repeated): it fits each distinct row once, weighted by its draws (times
// its weights in s.Weights, one per row of x), which is the same k-means
// problem on fewer rows (about 63 % of a bootstrap's), and gives every row
// of x its distinct row's cluster and distance. The clusters are numbered
// canonically by their rows in x. With fewer distinct rows than s.K it is
// KMeans of x.
func fitDrawn(ctx context.Context, x []float64, n, cols int, src []int, s Settings) (*Result, error) {
	of := make([]int, n) // the distinct row of each row of x
	var first []int      // each distinct row's first row in x
	var w []float64
	at := make([]int, slices.Max(src)+1) // 1 + each drawn row's distinct row; 0 for none yet
	for i, r := range src {
		j := at[r] - 1
		if j < 0 {
			j = len(first)
			at[r] = j + 1
			first = append(first, i)
			w = append(w, 0)
		}
		of[i] = j
		if s.Weights != nil {
			w[j] += s.Weights[i]
		} else {
			w[j]++
		}
	}
	if len(first) < s.K {
		return KMeans(ctx, x, n, cols, s)
	}
	ds := s
	ds.Weights = w
	fit, err := KMeans(ctx, gatherRows(x, cols, first), len(first), cols, ds)
	if err != nil {
		return nil, err
	}
	res := *fit
	res.Assign, res.Distance = make([]int, n), make([]float64, n)
	for i, j := range of {
		res.Assign[i], res.Distance[i] = fit.Assign[j], fit.Distance[j]
	}
	res.canonicalize()
	return &res, nil
}

// SeparatedStabilityOnSample is StabilityOnSample for a fit made by
// k-means++ with baseK clusters followed by AddSeparated: each bootstrap
// is fitted the same way, k-means++ with baseK clusters (s's restarts and
// refinement) and then AddSeparated with the groups of the drawn rows, so
// that a cluster's Jaccard says whether the whole procedure gives it back
// on a resample. A bootstrap fit may have more or fewer clusters than ref.
func SeparatedStabilityOnSample(ctx context.Context, data []float64, rows, cols int, ref *Result, baseK int, p Proposals, s Settings, boots, sample int) (*StabilityResult, error) {
	return separatedStabilityOnSample(ctx, data, rows, cols, ref, baseK, p, s, boots, sample, nil, nil)
}

// separatedStabilityOnSample is SeparatedStabilityOnSample with the first
// bootstraps taken from prev, an earlier result of the same call with
// fewer boots (see stability). When counted is not nil, a refit's clusters
// added for groups counted does not mark are taken out and k-means runs
// again from the other centroids (see KeepReproduced).
func separatedStabilityOnSample(ctx context.Context, data []float64, rows, cols int, ref *Result, baseK int, p Proposals, s Settings, boots, sample int, counted []bool, prev *StabilityResult) (*StabilityResult, error) {
	if len(p.Group) != rows {
		panic("cluster: groups do not match the data")
	}
	refitFor := func(idx []int) refitFunc {
		return func(ctx context.Context, x []float64, n, cols int, src []int, bs Settings) (*Result, error) {
			bs.K = baseK
			fit, err := fitDrawn(ctx, x, n, cols, src, bs)
			if err != nil {
				return nil, err
			}
			bs.Weights = nil
			bp := p
			bp.Group = make([]int, n)
			for i, r := range src {
				if idx != nil {
					r = idx[r]
				}
				bp.Group[i] = p.Group[r]
			}
			added, outcomes, err := AddSeparated(ctx, x, n, cols, fit, bp, bs)
			if err != nil || counted == nil {
				return added, err
			}
			var drop []int
			for g, o := range outcomes {
				if o.Added && !counted[g] {
					drop = append(drop, o.Cluster)
				}
			}
			if len(drop) == 0 {
				return added, nil
			}
			// k-means again from the other centroids: the rows of the
			// clusters taken out go back to them, and they settle.
			ks := bs
			ks.K = added.K - len(drop)
			ks.Init = make([]float64, 0, ks.K*cols)
			for c := range added.K {
				if !slices.Contains(drop, c) {
					ks.Init = append(ks.Init, added.Centroids[c*cols:(c+1)*cols]...)
				}
			}
			return KMeans(ctx, x, n, cols, ks)
		}
	}
	// AddSeparated's valley test counts rows, not weights: the resamples
	// are handed over with their repeats.
	return stabilityOnSample(ctx, data, rows, cols, ref, s, boots, sample, refitFor, false, prev)
}

// maxPruneRounds bounds the runs of the procedure in KeepReproduced, and
// maxPruneBoots, as a multiple of the refits asked for, the refits that
// decide whether an added cluster reproduces.
const (
	maxPruneRounds = 4
	maxPruneBoots  = 4
)

// LeftOut is a proposed group KeepReproduced left out, with its added
// cluster's mean bootstrap Jaccard.
type LeftOut struct {
	Name string
	// Part reports that what was left out is the group's missed part
	// (ProposalOutcome.Part): the group itself is still proposed where
	// it is not found.
	Part    bool
	Jaccard float64
}

// KeepReproduced computes the stability figures of fit, made from base (a
// k-means++ fit with base.K clusters, s's restarts and refinement) by
// AddSeparated with p, whose outcomes are given, by refitting that
// procedure on each bootstrap (SeparatedStabilityOnSample), with a found
// group's missed part tried only where fit added it, and a refit's cluster
// for a group fit neither found nor added taken out again (k-means settles
// from the other centroids). A cluster added for a group must itself
// reproduce: of the groups whose added clusters have a mean Jaccard below
// PatternJaccard, the one with the lowest is left out (Proposals.Skip, or
// NoPart for a part) and the procedure, bootstraps included, runs again
// from base, up to maxPruneRounds times. One at a
// time, since a cluster that does not reproduce can pull down one next to
// it that does: on 1,500 planted customers, active's added part (Jaccard
// 0.36) took at_risk's cluster to 0.46 with it. A verdict within two
// standard errors of the bar is the draw's rather than the data's: while
// one is, the refits double, up to maxPruneBoots times boots (the first
// draws are the same and are not refitted again, so the figures only gain
// precision).
//
// It returns the final fit, its outcomes (a group left out is Skipped; a
// part left out is not tried), its stability figures and the groups left
// out. p is not modified.
func KeepReproduced(ctx context.Context, data []float64, rows, cols int, base, fit *Result, outcomes []ProposalOutcome, p Proposals, s Settings, boots, sample int) (*Result, []ProposalOutcome, *StabilityResult, []LeftOut, error) {
	var left []LeftOut
	p.Skip, p.NoPart = slices.Clone(p.Skip), slices.Clone(p.NoPart)
	for round := 0; ; round++ {
		// The refits run the procedure as it ran on all rows, but try a
		// found group's missed part only where fit added one, and take a
		// cluster added for a group fit neither found nor added out again,
		// k-means settling from the other centroids: whether a resample
		// would split off a part or a group that fit does not have says
		// nothing about fit's clusters, and such a cluster would pull down
		// the Jaccard of the one it was split from. (On the CDNOW sample,
		// where fit adds nothing, refits that added a group took the
		// active customers' cluster, 22 % of the customers, to a mean
		// Jaccard of 0.57-0.75; k-means refits of the same clusters give
		// 0.96.) A group fit found is kept: a refit whose k-means missed
		// it and that adds it gives back fit's cluster. Every group is
		// still tried, as on all rows: AddSeparated tries the groups
		// together, and each centroid keeps the others' rows from growing
		// into it. Measured and not adopted: skipping the groups fit did
		// not add (it left out new_customers' added cluster on the
		// robustness suite's quantities 1-6 variant, purity 0.938 ->
		// 0.869); taking out the clusters of groups fit found too (on
		// 100,000 planted customers at_risk's cluster fell from 0.992 to
		// 0.84, and its refits doubled twice); and that without the
		// k-means after (newsletter_subscribers' fell from 0.996 to 0.68).
		bp := p
		bp.NoPart = make([]bool, len(p.Names))
		counted := make([]bool, len(p.Names))
		for g, o := range outcomes {
			bp.NoPart[g] = !(o.Added && o.Part) || flagged(p.NoPart, g)
			counted[g] = o.Added || o.Found >= MinFound
		}
		var stab *StabilityResult
		for b := boots; ; b *= 2 {
			var err error
			// The draws of b refits begin with those of b/2: the
			// earlier refits are kept, not run again.
			if stab, err = separatedStabilityOnSample(ctx, data, rows, cols, fit, base.K, bp, s, b, sample, counted, stab); err != nil {
				return nil, nil, nil, nil, err
			}
			undecided := false
			for _, o := range outcomes {
				if o.Added && math.Abs(stab.Jaccard[o.Cluster]-PatternJaccard) <= 2*stab.JaccardSE[o.Cluster] {
					undecided = true
				}
			}
			if !undecided || 2*b > maxPruneBoots*boots {
				break
			}
		}
		// The worst only: a cluster that does not reproduce can pull
		// down one next to it that does.
		drop := -1
		for g, o := range outcomes {
			if !o.Added {
				continue
			}
			if j := stab.Jaccard[o.Cluster]; j < PatternJaccard && (drop < 0 || j < stab.Jaccard[outcomes[drop].Cluster]) {
				drop = g
			}
		}
		if drop < 0 || round+1 >= maxPruneRounds {
			return fit, outcomes, stab, left, nil
		}
		// A part left out leaves the group's other proposals as they were:
		// where the group is not found, its missed rows are still tried.
		if outcomes[drop].Part {
			p.NoPart = flag(p.NoPart, len(p.Names), drop)
		} else {
			p.Skip = flag(p.Skip, len(p.Names), drop)
		}
		left = append(left, LeftOut{Name: p.Names[drop], Part: outcomes[drop].Part, Jaccard: stab.Jaccard[outcomes[drop].Cluster]})
		var err error
		if fit, outcomes, err = AddSeparated(ctx, data, rows, cols, base, p, s); err != nil {
			return nil, nil, nil, nil, err
		}
	}
}

// flagged reports whether flags (nil: none set) marks group g.
func flagged(flags []bool, g int) bool {
	return flags != nil && flags[g]
}

// flag marks group g in flags (nil: none set yet, n groups) and returns
// them.
func flag(flags []bool, n, g int) []bool {
	if flags == nil {
		flags = make([]bool, n)
	}
	flags[g] = true
	return flags
}

// largestPart is the rows of missed in the cluster of r that holds most of
// them (of two alike, the lower cluster number).
func largestPart(r *Result, missed []int) []int {
	count := make([]int, r.K)
	best := 0
	for _, i := range missed {
		c := r.Assign[i]
		count[c]++
		if count[c] > count[best] || count[c] == count[best] && c < best {
			best = c
		}
	}
	var part []int
	for _, i := range missed {
		if r.Assign[i] == best {
			part = append(part, i)
		}
	}
	return part
}

// foundShare is the share of group g's rows in clusters of r where g has
// more rows than any other group and than the rows of no group, and g's
// other rows (missed).
func foundShare(r *Result, group []int, members [][]int, g int) (float64, []int) {
	count := make([][]int, len(members)+1) // the last: rows of no group
	for q := range count {
		count[q] = make([]int, r.K)
	}
	for i, q := range group {
		if q < 0 {
			q = len(members)
		}
		count[q][r.Assign[i]]++
	}
	found := make([]bool, r.K)
	in := 0
	for c := range r.K {
		found[c] = true
		for q := range count {
			if q != g && count[q][c] > count[g][c] {
				found[c] = false
				break
			}
		}
		if found[c] {
			in += count[g][c]
		}
	}
	var missed []int
	for _, i := range members[g] {
		if !found[r.Assign[i]] {
			missed = append(missed, i)
		}
	}
	if len(members[g]) == 0 {
		return 0, nil
	}
	return float64(in) / float64(len(members[g])), missed
}

// nearestOther is the centroid nearest to centroid c, other than c.
func nearestOther(cent []float64, cols, c int) int {
	k := len(cent) / cols
	best, bestD := -1, math.Inf(1)
	for d := range k {
		if d == c {
			continue
		}
		var s float64
		for j := range cols {
			x := cent[c*cols+j] - cent[d*cols+j]
			s += x * x
		}
		if s < bestD {
			best, bestD = d, s
		}
	}
	return best
}

// valleyRatio projects the members of clusters a and b onto Fisher's
// discriminant direction between them (fisherDirection), scaled so that
// a's centroid falls at 0 and b's at 1, estimates the density of the
// projections with a Gaussian kernel, and returns the lowest density
// between the two centroids over the lower of the densities at the two
// centroids.
//
// Fisher's direction, not the line through the centroids: where the two
// clusters spread more along some columns than others (a noisy column
// standardised like a clean one), the line through the centroids mixes
// that spread into the projections and fills the valley between two
// groups; Fisher's direction is the one along which they are furthest
// apart relative to their spread. For one cluster cut in two it is the
// cut's normal, and the density along it has no valley to find.
//
// The kernel's bandwidth is Silverman's rule of thumb, 0.9 min(sd,
// IQR/1.34) n^-1/5, with the spread measured within the two clusters
// (each projection less its cluster's mean projection, pooled). The rule
// is derived for a single normal density; on the pooled projections of
// two groups the spread includes the distance between them, and the
// kernel widens with it and fills the valley it is meant to find.
func valleyRatio(data []float64, cols int, r *Result, a, b int) float64 {
	ca, cb := r.Centroid(a), r.Centroid(b)
	dir := fisherDirection(data, cols, r, a, b)
	if dir == nil {
		return 1
	}
	// Projections scaled so that the centroids fall at 0 and 1.
	var n2 float64
	for j := range cols {
		n2 += dir[j] * (cb[j] - ca[j])
	}
	if !(n2 > 0) {
		return 1
	}
	var proj []float64
	var side []int // 0 for a, 1 for b
	var sum [2]float64
	var cnt [2]int
	for i, c := range r.Assign {
		if c != a && c != b {
			continue
		}
		var t float64
		for j, v := range data[i*cols : (i+1)*cols] {
			t += (v - ca[j]) * dir[j]
		}
		t /= n2
		h := 0
		if c == b {
			h = 1
		}
		proj, side = append(proj, t), append(side, h)
		sum[h] += t
		cnt[h]++
	}
	if len(proj) == 0 {
		return 1
	}
	// The spread within the clusters: each projection less its cluster's
	// mean.
	resid := make([]float64, len(proj))
	for i, t := range proj {
		resid[i] = t - sum[side[i]]/float64(cnt[side[i]])
	}
	n := float64(len(proj))
	var ss float64
	for _, x := range resid {
		ss += x * x
	}
	sd := math.Sqrt(ss / n)
	slices.Sort(resid)
	iqr := resid[int(0.75*(n-1))] - resid[int(0.25*(n-1))]
	spread := sd
	if iqr > 0 {
		spread = min(sd, iqr/1.34)
	}
	sorted := slices.Clone(proj)
	slices.Sort(sorted)
	h := 0.9 * spread * math.Pow(n, -0.2)
	if !(h > 0) {
		return 1
	}
	// Bin the projections at a width of h/8, then smooth the bins with the
	// kernel (cut at 2h): close to the exact estimate and linear in the
	// rows. When the clusters are tight for their distance (h small
	// against the span of the projections) the bins would be too many:
	// the kernel is then summed over the projections directly.
	const perH = 8
	w := h / perH
	lo, hi := min(sorted[0], 0)-4*h, max(sorted[len(sorted)-1], 1)+4*h
	if span := (hi - lo) / w; !(span < maxValleyBins) {
		return valleyFrom(func(t float64) float64 {
			var s float64
			for _, x := range sorted[max(0, lowerBound(sorted, t-2*h)):] {
				if x > t+2*h {
					break
				}
				d := (t - x) / h
				s += math.Exp(-d * d / 2)
			}
			return s
		})
	}
	nb := int((hi-lo)/w) + 1
	bins := make([]float64, nb)
	for _, t := range proj {
		bins[int((t-lo)/w)]++
	}
	kern := make([]float64, 4*perH+1)
	for i := range kern {
		x := float64(i-2*perH) / perH
		kern[i] = math.Exp(-x * x / 2)
	}
	dens := func(t float64) float64 {
		c := int((t - lo) / w)
		var s float64
		for i, kv := range kern {
			if b := c + i - 2*perH; b >= 0 && b < nb {
				s += kv * bins[b]
			}
		}
		return s
	}
	return valleyFrom(dens)
}

// maxValleyBins bounds the bins of valleyRatio's binned density estimate.
const maxValleyBins = 1 << 16

// valleyFrom is the lowest of the density dens between 0 and 1 (at 63
// points) over the lower of its values at 0 and 1, at most 1.
func valleyFrom(dens func(float64) float64) float64 {
	da, db := dens(0), dens(1)
	valley := math.Inf(1)
	const steps = 64
	for i := 1; i < steps; i++ {
		valley = min(valley, dens(float64(i)/steps))
	}
	low := min(da, db)
	if low == 0 {
		return 1
	}
	return min(1, valley/low)
}

// lowerBound is the index of the first element of sorted at least x.
func lowerBound(sorted []float64, x float64) int {
	i, _ := slices.BinarySearch(sorted, x)
	return i
}

// fisherDirection is Fisher's discriminant direction between clusters a
// and b of r: the inverse of their pooled within-cluster scatter applied
// to the difference of their centroids (from a to b), or nil when the
// scatter cannot be inverted. A small ridge (1e-6 of the mean variance)
// keeps a column constant within the two clusters from making it
// singular.
func fisherDirection(data []float64, cols int, r *Result, a, b int) []float64 {
	ca, cb := r.Centroid(a), r.Centroid(b)
	sc := mat.NewSymDense(cols, nil)
	dev := mat.NewVecDense(cols, nil)
	for i, c := range r.Assign {
		if c != a && c != b {
			continue
		}
		cc := ca
		if c == b {
			cc = cb
		}
		for j, v := range data[i*cols : (i+1)*cols] {
			dev.SetVec(j, v-cc[j])
		}
		sc.SymRankOne(sc, 1, dev)
	}
	var tr float64
	for j := range cols {
		tr += sc.At(j, j)
	}
	for j := range cols {
		sc.SetSym(j, j, sc.At(j, j)+1e-6*tr/float64(cols)+1e-300)
	}
	var chol mat.Cholesky
	if !chol.Factorize(sc) {
		return nil
	}
	diff := mat.NewVecDense(cols, nil)
	for j := range cols {
		diff.SetVec(j, cb[j]-ca[j])
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, diff); err != nil {
		return nil
	}
	return w.RawVector().Data
}

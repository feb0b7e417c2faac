package cluster

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// MaxValleyRatio is the separation test of a proposed cluster (see
// AddSeparated): along the line joining the proposed cluster's centroid and
// its nearest neighbour's, the density of their members at the emptiest
// point between the two centroids must be at most this share of the lower
// of the two densities at the centroids. Two groups whose members fill the
// space between them (one cluster cut in two) have a ratio near 1; two
// groups with a gap between them, near 0.
const MaxValleyRatio = 0.5

// MinFound is the share of a proposed group's rows that must lie in
// clusters where it is the largest group for AddSeparated to count it as
// found and not try it.
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
}

// minSize is the smallest cluster the proposals may add to rows rows.
func (p *Proposals) minSize(rows int) int {
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
	// group count as one); a group found (at least MinFound) is not tried.
	Found float64
	// Tried reports that a cluster was started at the missed rows' mean;
	// Skipped that it would have been but Proposals.Skip said not to.
	Tried, Skipped bool
	// ValleyRatio is the separation test's ratio for the cluster that grew
	// from there (NaN when not tried or when the cluster came out smaller
	// than the minimum size), and Neighbour the index, in the returned
	// result, of the cluster it was tested against.
	ValleyRatio float64
	Neighbour   int
	// Added reports that the cluster was kept, and Cluster is its index in
	// the returned result (-1 when not added).
	Added   bool
	Cluster int
}

// AddSeparated tries each proposed group that ref does not already find
// as a cluster of its own (Found below MinFound): it starts k-means from
// ref's centroids plus the mean of the group's missed rows, those in
// clusters where another group is the largest (seeded k-means: s.K and
// s.Init are set), and keeps the new cluster when it holds at least the
// minimum size and its members are separated from their nearest cluster's
// by a valley of density (MaxValleyRatio). The proposals only propose: the
// data decides whether a group stands apart. Groups are tried largest
// first; each kept cluster is part of the reference for the next.
//
// It returns the final fit (ref itself when nothing was added) and one
// outcome per group, in the order of p.Names.
func AddSeparated(ctx context.Context, data []float64, rows, cols int, ref *Result, p Proposals, s Settings) (*Result, []ProposalOutcome, error) {
	if ref == nil || ref.Cols != cols || len(ref.Assign) != rows || len(p.Group) != rows {
		panic("cluster: reference result or groups do not match the data")
	}
	members := p.members()
	minSize := p.minSize(rows)
	out := make([]ProposalOutcome, len(p.Names))
	order := make([]int, len(p.Names))
	for g := range p.Names {
		order[g] = g
		out[g] = ProposalOutcome{Name: p.Names[g], ValleyRatio: math.NaN(), Neighbour: -1, Cluster: -1}
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(members[b]) - len(members[a]) })
	cur := ref
	for _, g := range order {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		var missed []int
		out[g].Found, missed = foundShare(cur, p.Group, members, g)
		if out[g].Found >= MinFound || len(missed) < minSize {
			continue
		}
		if p.Skip != nil && p.Skip[g] {
			out[g].Skipped = true
			continue
		}
		k := cur.K
		init := make([]float64, (k+1)*cols)
		copy(init, cur.Centroids)
		mean := init[k*cols:]
		for _, r := range missed {
			for j, v := range data[r*cols : (r+1)*cols] {
				mean[j] += v
			}
		}
		for j := range mean {
			mean[j] /= float64(len(missed))
		}
		ts := s
		ts.K, ts.Init = k+1, init
		fit, err := KMeans(ctx, data, rows, cols, ts)
		if err != nil {
			return nil, nil, fmt.Errorf("cluster: proposed group %q: %w", p.Names[g], err)
		}
		out[g].Tried = true
		if fit.Sizes[k] < minSize {
			continue
		}
		nb := nearestOther(fit.Centroids, cols, k)
		out[g].Neighbour = nb
		out[g].ValleyRatio = valleyRatio(data, cols, fit, k, nb)
		if out[g].ValleyRatio <= MaxValleyRatio {
			out[g].Added, out[g].Cluster = true, k
			cur = fit
		}
	}
	return cur, out, nil
}

// SeparatedStabilityOnSample is StabilityOnSample for a fit made by
// k-means++ with baseK clusters followed by AddSeparated: each bootstrap
// is fitted the same way, k-means++ with baseK clusters (s's restarts and
// refinement) and then AddSeparated with the groups of the drawn rows, so
// that a cluster's Jaccard says whether the whole procedure gives it back
// on a resample. A bootstrap fit may have more or fewer clusters than ref.
func SeparatedStabilityOnSample(ctx context.Context, data []float64, rows, cols int, ref *Result, baseK int, p Proposals, s Settings, boots, sample int) (*StabilityResult, error) {
	if len(p.Group) != rows {
		panic("cluster: groups do not match the data")
	}
	refitFor := func(idx []int) refitFunc {
		return func(ctx context.Context, x []float64, n, cols int, src []int, bs Settings) (*Result, error) {
			bs.K = baseK
			fit, err := KMeans(ctx, x, n, cols, bs)
			if err != nil {
				return nil, err
			}
			bp := p
			bp.Group = make([]int, n)
			for i, r := range src {
				if idx != nil {
					r = idx[r]
				}
				bp.Group[i] = p.Group[r]
			}
			bs.Weights = nil
			fit, _, err = AddSeparated(ctx, x, n, cols, fit, bp, bs)
			return fit, err
		}
	}
	// AddSeparated's valley test counts rows, not weights: the resamples
	// are handed over with their repeats.
	return stabilityOnSample(ctx, data, rows, cols, ref, s, boots, sample, refitFor, false)
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

// valleyRatio projects the members of clusters a and b onto the line
// through their centroids (a at 0, b at 1), estimates the density of the
// projections with a Gaussian kernel (Silverman's bandwidth), and returns
// the lowest density between the two centroids over the lower of the
// densities at the two centroids.
func valleyRatio(data []float64, cols int, r *Result, a, b int) float64 {
	ca, cb := r.Centroid(a), r.Centroid(b)
	dir := make([]float64, cols)
	var n2 float64
	for j := range cols {
		dir[j] = cb[j] - ca[j]
		n2 += dir[j] * dir[j]
	}
	if n2 == 0 {
		return 1
	}
	var proj []float64
	for i, c := range r.Assign {
		if c != a && c != b {
			continue
		}
		var t float64
		for j, v := range data[i*cols : (i+1)*cols] {
			t += (v - ca[j]) * dir[j]
		}
		proj = append(proj, t/n2)
	}
	// Silverman's rule of thumb: 0.9 min(sd, IQR/1.34) n^-1/5.
	n := float64(len(proj))
	var mean, ss float64
	for _, t := range proj {
		mean += t
	}
	mean /= n
	for _, t := range proj {
		ss += (t - mean) * (t - mean)
	}
	sd := math.Sqrt(ss / n)
	sorted := slices.Clone(proj)
	slices.Sort(sorted)
	iqr := sorted[int(0.75*(n-1))] - sorted[int(0.25*(n-1))]
	spread := sd
	if iqr > 0 {
		spread = min(sd, iqr/1.34)
	}
	h := 0.9 * spread * math.Pow(n, -0.2)
	if !(h > 0) {
		return 1
	}
	// Bin the projections at a width of h/8, then smooth the bins with the
	// kernel: close to the exact estimate and linear in the rows.
	const perH = 8
	w := h / perH
	lo, hi := min(sorted[0], 0)-4*h, max(sorted[len(sorted)-1], 1)+4*h
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

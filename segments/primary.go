package segments

// MinProfileMembers is the number of customers meeting a segment's rule
// and no other below which the segment's profile (Settle) is the mean of
// all its members rather than of those alone.
const MinProfileMembers = 20

// Settle settles each customer's primary segment from the rules and the
// customer's own evidence, and records the basis of the choice in m.Basis:
//   - a customer who meets exactly one rule (facets aside) takes it
//     (BasisRule);
//   - a customer who meets several takes the one whose members it
//     resembles most (BasisClosestRule): the segment whose profile, the
//     mean of its members' rows of x (the clustering space: transformed and
//     standardised features), is nearest. A segment's profile is taken over
//     the customers who meet its rule and no other, the behaviour it names
//     unmixed, or over all its members when fewer than MinProfileMembers
//     meet it alone. The profiles come from the rules alone, so the choice
//     does not depend on the number of clusters;
//   - a customer who meets no rule, in a cluster that maps to a segment,
//     takes the segment whose profile it is nearest of all
//     (BasisClosestProfile), the named behaviour it resembles most, rather
//     than a catch-all "none". Its memberships stay those of the rules
//     alone. The profiles, not the cluster's segment, decide, so the
//     choice does not depend on the number of clusters either.
//
// A customer who meets no rule in a cluster that maps to no segment (a
// behaviour the catalogue lacks: the cluster is new) keeps "none"; that is
// the one use of the clusters. x holds len(assign) rows of cols values.
// m.Primary is replaced by a new slice; nothing else of m is modified.
func (m *Memberships) Settle(x []float64, cols int, assign []int, mp *Mapping) Reconciliation {
	n := len(assign)
	nseg := len(m.Catalogue.Segments)
	candidate := func(s int) bool { return !m.Catalogue.Segments[s].Facet && m.Evaluated(s) }

	// The profiles: sums over the customers of one rule, then over all
	// members for the segments with too few of those.
	alone := make([]float64, nseg*cols)
	all := make([]float64, nseg*cols)
	nAlone, nAll := make([]int, nseg), make([]int, nseg)
	met := make([]int, 0, nseg)
	for i := 0; i < n; i++ {
		met = m.met(i, met[:0], candidate)
		row := x[i*cols : (i+1)*cols]
		for _, s := range met {
			nAll[s]++
			addTo(all[s*cols:(s+1)*cols], row)
		}
		if len(met) == 1 {
			nAlone[met[0]]++
			addTo(alone[met[0]*cols:(met[0]+1)*cols], row)
		}
	}
	profile := make([]float64, nseg*cols)
	for s := range nseg {
		src, cnt := alone, nAlone[s]
		if cnt < MinProfileMembers {
			src, cnt = all, nAll[s]
		}
		for j := range cols {
			if cnt > 0 {
				profile[s*cols+j] = src[s*cols+j] / float64(cnt)
			}
		}
	}

	// nearest is the segment of among whose profile row is nearest; ties
	// keep the first in catalogue order (the precedence); -1 for none.
	nearest := func(row []float64, among []int) int {
		p, best := -1, -1.0
		for _, s := range among {
			if d := sqDist(row, profile[s*cols:(s+1)*cols]); best < 0 || d < best {
				p, best = s, d
			}
		}
		return p
	}
	var withProfile []int // the candidate segments with members
	for s := range nseg {
		if candidate(s) && nAll[s] > 0 {
			withProfile = append(withProfile, s)
		}
	}

	segOf := make([]int, len(mp.Clusters))
	for c, cm := range mp.Clusters {
		segOf[c] = m.Catalogue.Index(cm.Segment)
	}
	primary := make([]int, n)
	m.Basis = make([]Basis, n)
	var r Reconciliation
	for i, c := range assign {
		met = m.met(i, met[:0], candidate)
		p, b := -1, BasisNone
		switch {
		case len(met) == 1:
			p, b = met[0], BasisRule
		case len(met) > 1:
			p, b = nearest(x[i*cols:(i+1)*cols], met), BasisClosestRule
		case segOf[c] >= 0:
			if p = nearest(x[i*cols:(i+1)*cols], withProfile); p >= 0 {
				b = BasisClosestProfile
				r.FromProfile++
			}
		}
		if p != m.Primary[i] && b == BasisClosestRule {
			r.Moved++
		}
		primary[i], m.Basis[i] = p, b
	}
	m.Primary = primary
	return r
}

// met appends to dst the candidate segments whose rules customer i meets,
// in catalogue order.
func (m *Memberships) met(i int, dst []int, candidate func(int) bool) []int {
	for s := range m.Member {
		if m.Member[s][i] && candidate(s) {
			dst = append(dst, s)
		}
	}
	return dst
}

func addTo(dst, x []float64) {
	for j, v := range x {
		dst[j] += v
	}
}

func sqDist(a, b []float64) float64 {
	var d float64
	for j, v := range a {
		e := v - b[j]
		d += e * e
	}
	return d
}

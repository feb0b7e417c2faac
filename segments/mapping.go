package segments

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Mapping thresholds: a cluster is mapped to the segment with the highest
// F1 among the segments its members are at least MinLift times more likely
// to meet than the population, and at least MinPrecision of whose rule its
// members meet.
const (
	MinLift      = 1.5
	MinPrecision = 0.3
	// EvidenceZ is the standardised distance from the population above
	// which a feature counts as setting a cluster apart.
	EvidenceZ = 0.5
)

// Match is the overlap between one cluster and one segment.
type Match struct {
	Segment   string  `json:"segment"`
	Overlap   int     `json:"overlap"`
	Precision float64 `json:"precision"` // share of the cluster meeting the segment's rule
	Recall    float64 `json:"recall"`    // share of the segment inside the cluster
	Lift      float64 `json:"lift"`      // precision / the segment's share of all customers
	F1        float64 `json:"f1"`
}

// Evidence is one feature that sets a cluster apart.
type Evidence struct {
	Feature string `json:"feature"`
	// Z is the cluster's mean of the feature in the clustering space
	// (transformed and standardised): its distance from the population
	// mean in population standard deviations (for a 0/1 flag, in units of
	// half the gap between its states: cluster.FlagScale).
	Z              float64 `json:"z"`
	ClusterMean    float64 `json:"cluster_mean"`
	PopulationMean float64 `json:"population_mean"`
}

// ClusterMapping is the mapping of one cluster onto the catalogue.
type ClusterMapping struct {
	Cluster int     `json:"cluster"`
	Size    int     `json:"size"`
	Share   float64 `json:"share"`
	// Segment is the mapped segment id, "" when the cluster matches none.
	Segment string `json:"segment"`
	// Label is the segment's name, or for an unmatched cluster what
	// distinguishes it ("high views, no orders").
	Label string `json:"label"`
	// Confidence is the share of the cluster's members that meet the mapped
	// segment's rule (the match's precision); 0 when unmatched.
	Confidence float64    `json:"confidence"`
	Best       *Match     `json:"best,omitempty"`
	Candidates []Match    `json:"candidates"` // the best few matches by F1
	Evidence   []Evidence `json:"evidence"`
	Why        string     `json:"why"`
	// New is true when the cluster maps to no catalogue segment: a group
	// the catalogue lacks, described by what sets it apart.
	New bool `json:"new"`
	// Description says what sets the cluster apart from all customers, in
	// the features' own units ("mean gap days 26 (all: 61)").
	Description string `json:"description"`
	// SubGroup numbers the clusters that map to one segment, from 1 in
	// cluster order, out of SubGroups; 0 and 1 when the segment has this
	// cluster alone. Separation says what sets a sub-group apart from the
	// segment's other clusters.
	SubGroup   int    `json:"sub_group"`
	SubGroups  int    `json:"sub_groups"`
	Separation string `json:"separation,omitempty"`
}

// Profile describes the clusters in feature terms, for the evidence.
type Profile struct {
	Features []string
	// Z[c][j]: cluster c's mean of feature j in the clustering space.
	Z [][]float64
	// ClusterMean[c][j] and PopulationMean[j]: in the feature's own unit,
	// over customers for whom it is defined.
	ClusterMean    [][]float64
	PopulationMean []float64
}

// Mapping is the reconciliation of the clusters with the catalogue.
type Mapping struct {
	Clusters []ClusterMapping `json:"clusters"`
	// Uncarried lists the evaluated segments with members that no cluster
	// maps to: present in the rules, but not a cluster of their own.
	Uncarried []string `json:"uncarried"`
}

// ClusterOf returns the mapped segment of cluster c ("" when unmatched).
func (m *Mapping) ClusterOf(c int) string { return m.Clusters[c].Segment }

// MapClusters maps every cluster of assign (values 0..k-1) onto the segments
// of mem by the overlap of their members.
func MapClusters(assign []int, k int, mem *Memberships, p *Profile) *Mapping {
	n := len(assign)
	sizes := make([]int, k)
	for _, c := range assign {
		sizes[c]++
	}
	cat := mem.Catalogue
	overlap := make([][]int, k)
	for c := range overlap {
		overlap[c] = make([]int, len(cat.Segments))
	}
	for s := range cat.Segments {
		if !mem.Evaluated(s) {
			continue
		}
		for i, in := range mem.Member[s] {
			if in {
				overlap[assign[i]][s]++
			}
		}
	}
	out := &Mapping{}
	carried := make(map[string]bool)
	for c := 0; c < k; c++ {
		cm := ClusterMapping{Cluster: c, Size: sizes[c], Share: float64(sizes[c]) / float64(max(n, 1))}
		var matches []Match
		for s, seg := range cat.Segments {
			if !mem.Evaluated(s) || seg.Facet || mem.Sizes[s] == 0 || sizes[c] == 0 {
				continue
			}
			o := overlap[c][s]
			if o == 0 {
				continue
			}
			prec := float64(o) / float64(sizes[c])
			rec := float64(o) / float64(mem.Sizes[s])
			lift := prec / (float64(mem.Sizes[s]) / float64(n))
			matches = append(matches, Match{Segment: seg.ID, Overlap: o, Precision: prec, Recall: rec, Lift: lift, F1: 2 * prec * rec / (prec + rec)})
		}
		sort.SliceStable(matches, func(a, b int) bool { return matches[a].F1 > matches[b].F1 })
		for _, m := range matches {
			if m.Lift >= MinLift && m.Precision >= MinPrecision {
				best := m
				cm.Best = &best
				break
			}
		}
		cm.Candidates = matches[:min(len(matches), 4)]
		if p != nil {
			cm.Evidence = evidence(p, c)
		}
		if cm.Best != nil {
			cm.Segment = cm.Best.Segment
			cm.Confidence = cm.Best.Precision
			for _, seg := range cat.Segments {
				if seg.ID == cm.Segment {
					cm.Label = seg.Name
				}
			}
			carried[cm.Segment] = true
			cm.Why = fmt.Sprintf("%.0f%% of the cluster meet the %s rule (%.1f× the population rate); the cluster holds %.0f%% of that segment (F1 %.2f)",
				100*cm.Best.Precision, cm.Segment, cm.Best.Lift, 100*cm.Best.Recall, cm.Best.F1)
		} else {
			cm.Label = describe(cm.Evidence)
			cm.Why = fmt.Sprintf("no segment's rule is met by at least %.0f%% of the cluster at %.1f× the population rate; named by what sets it apart", 100*MinPrecision, MinLift)
		}
		cm.New = cm.Segment == ""
		cm.SubGroups = 1
		if p != nil {
			cm.Description = describeUnits(cm.Evidence)
		}
		out.Clusters = append(out.Clusters, cm)
	}
	subGroups(out, p)
	for s, seg := range cat.Segments {
		if mem.Evaluated(s) && !seg.Facet && mem.Sizes[s] > 0 && !carried[seg.ID] {
			out.Uncarried = append(out.Uncarried, seg.ID)
		}
	}
	return out
}

func evidence(p *Profile, c int) []Evidence {
	var ev []Evidence
	for j, name := range p.Features {
		z := p.Z[c][j]
		if math.IsNaN(z) {
			continue
		}
		ev = append(ev, Evidence{Feature: name, Z: z, ClusterMean: p.ClusterMean[c][j], PopulationMean: p.PopulationMean[j]})
	}
	sort.SliceStable(ev, func(a, b int) bool { return math.Abs(ev[a].Z) > math.Abs(ev[b].Z) })
	return ev[:min(len(ev), 5)]
}

// describe names a cluster by the features that set it apart most.
func describe(ev []Evidence) string {
	var parts []string
	for _, e := range ev {
		if math.Abs(e.Z) < EvidenceZ || len(parts) == 3 {
			break
		}
		dir := "high"
		if e.Z < 0 {
			dir = "low"
		}
		parts = append(parts, dir+" "+strings.ReplaceAll(e.Feature, "_", " "))
	}
	if len(parts) == 0 {
		return "average on every feature"
	}
	return strings.Join(parts, ", ")
}

// Basis says how a customer's primary segment was chosen.
type Basis uint8

const (
	// BasisNone: the customer meets no rule and its cluster maps to no
	// segment; its primary segment is "none".
	BasisNone Basis = iota
	// BasisRule: the first rule the customer meets in catalogue order (the
	// precedence); its cluster maps to a segment whose rule it does not meet.
	BasisRule
	// BasisClusterRule: the segment the customer's cluster maps to, whose
	// rule the customer also meets.
	BasisClusterRule
	// BasisCluster: the customer meets no rule; the segment its cluster maps
	// to, the named behaviour it resembles most, is its primary segment.
	BasisCluster
)

var basisNames = [...]string{"none", "rule", "cluster_and_rule", "cluster"}

// String returns the basis as written to customers.parquet's primary_basis.
func (b Basis) String() string {
	if int(b) < len(basisNames) {
		return basisNames[b]
	}
	return "Basis(" + strconv.Itoa(int(b)) + ")"
}

// Reconciliation counts the customers by the basis of their primary segment
// after Reconcile.
type Reconciliation struct {
	// Moved is the number of customers whose primary segment became their
	// cluster's segment over the precedence's first choice (a rule met).
	Moved int
	// FromCluster is the number of customers who meet no rule and take their
	// cluster's segment (BasisCluster).
	FromCluster int
}

// Reconcile settles each customer's primary segment with its cluster and
// records the basis of the choice in m.Basis (see ReconcilePrimary):
//   - when the customer meets the rule of the segment its cluster maps to,
//     that segment is its primary segment. A customer often meets several
//     rules (an active customer may also be in the top decile of spend); the
//     precedence alone picks by the order of the catalogue, while the
//     cluster says which of the segments the customer meets describes its
//     behaviour as a whole;
//   - otherwise, when it meets some rule, the catalogue precedence stands;
//   - when it meets no rule, it takes the segment its cluster maps to: the
//     named behaviour it resembles most, rather than a catch-all "none"
//     (a rule's hard threshold misses customers on its edge, such as a
//     repeat buyer who returned one item in four against a rule of 0.3,
//     whom the clustering places among the customers who return much).
//     Its memberships stay those of the rules alone.
//
// Only a customer whose cluster maps to no segment and who meets no rule
// keeps "none".
func (m *Memberships) Reconcile(assign []int, mp *Mapping) Reconciliation {
	segOf := make([]int, len(mp.Clusters))
	for c, cm := range mp.Clusters {
		segOf[c] = m.Catalogue.Index(cm.Segment)
	}
	member := make([]bool, len(m.Member))
	m.Basis = make([]Basis, len(assign))
	var r Reconciliation
	for i, c := range assign {
		for s := range m.Member {
			member[s] = m.Member[s][i]
		}
		p, b := ReconcilePrimary(m.Primary[i], member, segOf[c])
		switch {
		case b == BasisCluster:
			r.FromCluster++
		case p != m.Primary[i]:
			r.Moved++
		}
		m.Primary[i], m.Basis[i] = p, b
	}
	return r
}

// ReconcilePrimary is Reconcile for one customer: primary is its segment by
// the catalogue precedence (-1 for none), member[s] says whether it meets
// segment s's rule and clusterSegment is the index of the segment its
// cluster maps to (-1 for none). It returns the primary segment (-1 for
// none) and the basis of the choice.
func ReconcilePrimary(primary int, member []bool, clusterSegment int) (int, Basis) {
	switch {
	case clusterSegment >= 0 && member[clusterSegment]:
		return clusterSegment, BasisClusterRule
	case primary >= 0:
		return primary, BasisRule
	case clusterSegment >= 0:
		return clusterSegment, BasisCluster
	}
	return -1, BasisNone
}

// describeUnits is describe with the cluster's and the population's means
// in the features' own units.
func describeUnits(ev []Evidence) string {
	var parts []string
	for _, e := range ev {
		if math.Abs(e.Z) < EvidenceZ || len(parts) == 3 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s (all: %s)", strings.ReplaceAll(e.Feature, "_", " "), number(e.ClusterMean), number(e.PopulationMean)))
	}
	if len(parts) == 0 {
		return "close to the average customer on every feature"
	}
	return strings.Join(parts, ", ")
}

// number formats a mean for a sentence: three significant digits, no
// exponent for everyday magnitudes.
func number(x float64) string {
	switch a := math.Abs(x); {
	case math.IsNaN(x):
		return "n/a"
	case a >= 1000:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	default:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
}

// subGroups marks the clusters that map to one segment as its sub-groups:
// each is numbered, and its Separation and Label say which features set it
// apart from the segment's other clusters (the two whose standardised mean
// differs most from theirs). Unmatched clusters with the same label are
// told apart the same way. Labels end up unique within the mapping.
func subGroups(m *Mapping, p *Profile) {
	groups := make(map[string][]int)
	var order []string
	for c, cm := range m.Clusters {
		key := cm.Segment
		if cm.New {
			key = "\x00" + cm.Label
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], c)
	}
	for _, key := range order {
		members := groups[key]
		if len(members) < 2 {
			continue
		}
		for n, c := range members {
			cm := &m.Clusters[c]
			cm.SubGroup, cm.SubGroups = n+1, len(members)
			if p != nil {
				cm.Separation = separation(p, c, members)
			}
			cm.Label = fmt.Sprintf("%s · %d of %d", cm.Label, n+1, len(members))
			if cm.Separation != "" {
				cm.Label += ": " + cm.Separation
			}
			if cm.Separation != "" {
				cm.Why += fmt.Sprintf("; one of %d clusters like it, set apart from the others by %s", len(members), cm.Separation)
			}
		}
	}
	// Identical separations (or a missing profile) could still repeat a
	// label: number any repeat.
	seen := make(map[string]int)
	for c := range m.Clusters {
		l := m.Clusters[c].Label
		seen[l]++
		if seen[l] > 1 {
			m.Clusters[c].Label = fmt.Sprintf("%s (cluster %d)", l, c)
		}
	}
}

// separation names the (up to) two features whose standardised mean in
// cluster c differs most from the mean over the other clusters of its
// group, in words with both means in the feature's unit.
func separation(p *Profile, c int, group []int) string {
	type diff struct {
		j    int
		d    float64
		mine float64
		rest float64
	}
	var ds []diff
	for j := range p.Features {
		z := p.Z[c][j]
		if math.IsNaN(z) {
			continue
		}
		var zo, mo float64
		var n int
		for _, o := range group {
			if o == c || math.IsNaN(p.Z[o][j]) {
				continue
			}
			zo += p.Z[o][j]
			mo += p.ClusterMean[o][j]
			n++
		}
		if n == 0 {
			continue
		}
		ds = append(ds, diff{j: j, d: z - zo/float64(n), mine: p.ClusterMean[c][j], rest: mo / float64(n)})
	}
	sort.SliceStable(ds, func(a, b int) bool { return math.Abs(ds[a].d) > math.Abs(ds[b].d) })
	var parts []string
	for _, d := range ds {
		if len(parts) == 2 || math.Abs(d.d) < EvidenceZ {
			break
		}
		dir := "higher"
		if d.d < 0 {
			dir = "lower"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s vs %s)", dir, strings.ReplaceAll(p.Features[d.j], "_", " "), number(d.mine), number(d.rest)))
	}
	return strings.Join(parts, ", ")
}

package segments

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mapping thresholds: a cluster is mapped to the segment with the highest
// F1 among the segments its members are at least MinLift times more likely
// to meet than the population, and at least MinPrecision of whose rule its
// members meet. A segment that holds a share p of all customers cannot
// reach a lift above 1/p (below MinLift from p = 2/3 on): for it, a
// cluster whose precision is at least halfway from the population's rate
// to a pure cluster, (1+p)/2, counts as lifted (mappedBy).
const (
	MinLift      = 1.5
	MinPrecision = 0.3
	// EvidenceZ is the standardised distance from the population above
	// which a feature counts as setting a cluster apart.
	EvidenceZ = 0.5
	// MajorityLabel is the share of a mapped cluster's members that must
	// meet the segment's rule for the segment's name alone to be its
	// label; below it the label adds the share ("One-time buyers (44% of
	// members)").
	MajorityLabel = 0.5
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
	// Label is the segment's name (with the share of members that meet
	// its rule when that is below MajorityLabel), or for an unmatched
	// (New) cluster what sets it apart, in the features' own units, within
	// MaxLabel characters ("orders every 26 days, 1.2 categories, cheap
	// items at 4.10"; Description adds the population's figures). A
	// sub-group of a segment adds its number and what separates it from
	// the segment's other clusters after the name ("Loyal customers · 1 of
	// 2: more orders, higher spend"). Labels are unique within a Mapping.
	Label string `json:"label"`
	// Confidence is the share of the cluster's members that meet the mapped
	// segment's rule (the match's precision); 0 when unmatched.
	Confidence float64 `json:"confidence"`
	// Named lists the segments the label names, the mapped one first:
	// it alone when at least MajorityLabel of the members meet its rule.
	// Below that, the label names up to MaxNamed segments the cluster
	// meets more often than the population ("One-time buyers or New
	// customers") when together they hold at least MajorityLabel of the
	// members, and otherwise the mapped segment with its share. Empty for
	// an unmatched cluster, which is named by its features.
	Named []string `json:"named,omitempty"`
	// LabelShare is the share of the members that meet the rule of at
	// least one of the Named segments: what the label is true of. 0 when
	// unmatched.
	LabelShare float64    `json:"label_share"`
	Best       *Match     `json:"best,omitempty"`
	Candidates []Match    `json:"candidates"` // the best few matches by F1
	Evidence   []Evidence `json:"evidence"`
	Why        string     `json:"why"`
	// New is true when the cluster maps to no catalogue segment: a group
	// the catalogue lacks, named by what sets it apart.
	New bool `json:"new"`
	// Description says what sets the cluster apart from all customers
	// (the up to three features with |Z| >= EvidenceZ), with the cluster's
	// and the population's means in the features' own units ("orders every
	// 26 days (all customers: 9 weeks)"); "" without a profile.
	Description string `json:"description"`
	// SubGroup numbers the clusters that map to one segment, from 1 in
	// cluster order, out of SubGroups (the number of clusters of the
	// segment); SubGroup is 0 when the segment has this cluster alone
	// (SubGroups 1). Unmatched clusters that would share a label are
	// numbered the same way among themselves.
	SubGroup  int `json:"sub_group"`
	SubGroups int `json:"sub_groups"`
	// Separation says what sets a sub-group apart from the other clusters
	// of its group: the one or two features whose Z differs most from the
	// others' size-weighted mean Z, with both means in the features' units
	// ("more orders (9.1 vs 3.2), higher spend (1,240.00 vs 310.00)"); ""
	// outside a group or without a profile.
	Separation string `json:"separation,omitempty"`
}

// Profile describes the clusters in feature terms, for the evidence.
type Profile struct {
	Features []string
	// Z[c][j]: cluster c's mean of feature j in the clustering space.
	Z [][]float64
	// ClusterMean[c][j] and PopulationMean[j]: in the feature's own unit,
	// over customers for whom it is defined; ClusterMean is NaN when the
	// feature is defined for fewer than half of the cluster's members,
	// and the feature is then never evidence for the cluster.
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

// mappedBy reports whether a cluster may be mapped to a segment by their
// match m: MinPrecision of the cluster meets the rule, and the cluster
// meets it MinLift times more often than the population, or, for a
// segment too large to allow that lift, more often than the population
// and at least halfway from the population's rate to every member (a
// segment every customer meets is never mapped).
func mappedBy(m Match) bool {
	if m.Precision < MinPrecision || !(m.Lift > 0) {
		return false
	}
	rate := m.Precision / m.Lift // the segment's share of all customers
	return m.Lift >= MinLift || m.Lift > 1 && m.Precision >= (1+rate)/2
}

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
			if mappedBy(m) {
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
			cm.Named, cm.LabelShare = []string{cm.Segment}, cm.Confidence
			carried[cm.Segment] = true
			cm.Why = fmt.Sprintf("%.0f%% of the cluster meet the %s rule (%.1f× the population rate); the cluster holds %.0f%% of that segment (F1 %.2f)",
				100*cm.Best.Precision, cm.Segment, cm.Best.Lift, 100*cm.Best.Recall, cm.Best.F1)
			if cm.Confidence < MajorityLabel {
				// The name alone would say more than is true of most
				// members: the label names the segments that together
				// hold most of them, or says how many it is true of.
				if named, share := coSegments(assign, c, mem, matches, cm.Segment); share >= MajorityLabel {
					cm.Named, cm.LabelShare = named, share
					var names []string
					for _, id := range named {
						names = append(names, cat.Segments[cat.Index(id)].Name)
					}
					cm.Label = joinOr(names)
					cm.Why += fmt.Sprintf("; %.0f%% meet the rule of %s, which the label names", math.Floor(100*share), joinOr(named))
				} else {
					cm.Label += fmt.Sprintf(" (%.0f%% of members)", math.Floor(100*cm.Confidence))
				}
			}
		} else {
			cm.Label = describe(cm.Evidence)
			cm.Why = fmt.Sprintf("no segment's rule is met by at least %.0f%% of the cluster at %.1f× the population rate; named by what sets it apart", 100*MinPrecision, MinLift)
		}
		cm.New = cm.Segment == ""
		cm.SubGroups = 1
		if p != nil {
			cm.Description = describeUnits(cm.Evidence)
			if cm.New && len(apart(cm.Evidence)) > 0 {
				cm.Why += ": " + cm.Description
			}
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
		if math.IsNaN(z) || math.IsNaN(p.ClusterMean[c][j]) { // undefined for most of the cluster
			continue
		}
		ev = append(ev, Evidence{Feature: name, Z: z, ClusterMean: p.ClusterMean[c][j], PopulationMean: p.PopulationMean[j]})
	}
	sort.SliceStable(ev, func(a, b int) bool { return math.Abs(ev[a].Z) > math.Abs(ev[b].Z) })
	return ev[:min(len(ev), 5)]
}

// apart returns the (up to 3) leading pieces of evidence that set a
// cluster apart: |Z| >= EvidenceZ, skipping any whose phrase repeats an
// earlier one's (three features undefined without orders all read "no
// orders").
func apart(ev []Evidence) []Evidence {
	var out []Evidence
	seen := make(map[string]bool)
	for _, e := range ev {
		if math.Abs(e.Z) < EvidenceZ || len(out) == 3 {
			break
		}
		if ph := phraseOf(e); !seen[ph] {
			seen[ph] = true
			out = append(out, e)
		}
	}
	return out
}

// MaxNamed is the most segments a mapped cluster's label names, and
// MaxNamedChars the most characters the names and their joins take when
// more than one is named, which leaves a sub-group's number and a short
// phrase within about MaxLabel.
const (
	MaxNamed      = 3
	MaxNamedChars = 36
)

// coSegments returns the segments a label for cluster c of assign names
// when fewer than MajorityLabel of its members meet its mapped segment
// first's rule, and the share of the members that meet at least one of
// them. Starting from first, it adds, one at a time, the
// segment among matches that covers the most members not yet covered (the
// earliest match on a tie), among the segments the cluster meets more
// often than the population (lift above 1) and whose name keeps the names
// within MaxNamedChars characters, until MajorityLabel of the members are
// covered or MaxNamed segments are named.
func coSegments(assign []int, c int, mem *Memberships, matches []Match, first string) ([]string, float64) {
	cat := mem.Catalogue
	var members []int
	for i, a := range assign {
		if a == c {
			members = append(members, i)
		}
	}
	covered := make([]bool, len(members))
	cover := func(s int) (gain int) {
		for m, i := range members {
			if !covered[m] && mem.Member[s][i] {
				gain++
			}
		}
		return gain
	}
	mark := func(s int) {
		for m, i := range members {
			covered[m] = covered[m] || mem.Member[s][i]
		}
	}
	named := []string{first}
	s0 := cat.Index(first)
	n := cover(s0)
	mark(s0)
	names := utf8.RuneCountInString(cat.Segments[s0].Name)
	for len(named) < MaxNamed && float64(n) < MajorityLabel*float64(len(members)) {
		best, bestGain := -1, 0
		for _, m := range matches {
			s := cat.Index(m.Segment)
			if slices.Contains(named, m.Segment) || !(m.Lift > 1) || names+len(" or ")+utf8.RuneCountInString(cat.Segments[s].Name) > MaxNamedChars {
				continue
			}
			if g := cover(s); g > bestGain {
				best, bestGain = s, g
			}
		}
		if best < 0 {
			break
		}
		named = append(named, cat.Segments[best].ID)
		names += len(" or ") + utf8.RuneCountInString(cat.Segments[best].Name)
		n += bestGain
		mark(best)
	}
	return named, float64(n) / float64(max(len(members), 1))
}

// joinOr joins names as "A", "A or B", "A, B or C".
func joinOr(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// describe names a cluster by the features that set it apart most, with
// each feature's template (describe.go) and without the population's
// figures, which Description gives: "orders every 26 days, 1.2
// categories, cheap items at 4.10"; a feature without a template reads
// "high <feature>" or "low <feature>". The first feature always names it;
// the next ones only while the name stays within MaxLabel characters.
func describe(ev []Evidence) string {
	label := ""
	for _, e := range apart(ev) {
		ph, _, _ := strings.Cut(phraseOf(e), allCustomersAt)
		if label == "" {
			label = ph
		} else if next := label + ", " + ph; utf8.RuneCountInString(next) <= MaxLabel {
			label = next
		} else {
			break
		}
	}
	if label == "" {
		return "average on every feature"
	}
	return label
}

// describeUnits is describe with the population's mean of every feature
// too, for Description.
func describeUnits(ev []Evidence) string {
	return joinApart(ev, detailOf, "close to the average customer on every feature")
}

// joinApart joins the phrases of the features that set a cluster apart,
// or says none when none does.
func joinApart(ev []Evidence, phrase func(Evidence) string, none string) string {
	var parts []string
	for _, e := range apart(ev) {
		parts = append(parts, phrase(e))
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, ", ")
}

// Basis says how a customer's primary segment was chosen.
type Basis uint8

const (
	// BasisNone: the customer meets no rule and its cluster maps to no
	// segment (a behaviour the catalogue lacks); its primary segment is
	// "none".
	BasisNone Basis = iota
	// BasisRule: the only rule the customer meets (facets aside).
	BasisRule
	// BasisClosestRule: the customer meets several rules; its primary
	// segment is the one whose members' profile it is nearest (Settle).
	BasisClosestRule
	// BasisClosestProfile: the customer meets no rule and its cluster maps
	// to a segment; its primary segment is the one whose members' profile
	// it is nearest of all (Settle), the named behaviour it resembles most.
	BasisClosestProfile
)

var basisNames = [...]string{"none", "rule", "closest_rule", "closest_profile"}

// String returns the basis as written to customers.parquet's primary_basis.
func (b Basis) String() string {
	if int(b) < len(basisNames) {
		return basisNames[b]
	}
	return "Basis(" + strconv.Itoa(int(b)) + ")"
}

// Reconciliation counts the customers by the basis of their primary segment
// after Settle.
type Reconciliation struct {
	// Moved is the number of customers who meet several rules and whose
	// primary segment is not the first of them in catalogue order.
	Moved int
	// FromProfile is the number of customers who meet no rule and take the
	// segment whose profile they are nearest (BasisClosestProfile).
	FromProfile int
}

// subGroups settles the clusters that share a name. Clusters mapped to one
// segment are its sub-groups, numbered from 1 in cluster order: the label
// keeps the segment's name first and adds the number and what separates
// the sub-group from the segment's other clusters. Unmatched clusters whose
// descriptions coincide are numbered the same way and told apart by the
// separating features. Any label still repeated (no profile, identical
// separations, two segments of one name) gets its cluster number, so that
// labels are unique within the mapping.
func subGroups(m *Mapping, p *Profile) {
	groups := make(map[string][]int)
	var order []string
	for c, cm := range m.Clusters {
		key := "segment\x00" + cm.Segment
		if cm.New {
			key = "new\x00" + cm.Label
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
			var short string
			if p != nil {
				seps := separation(p, c, members, m.Clusters)
				var long, brief []string
				for _, d := range seps {
					long = append(long, contrast(p.Features[d.j], d.mine, d.rest, d.d, false))
					brief = append(brief, contrast(p.Features[d.j], d.mine, d.rest, d.d, true))
				}
				cm.Separation = strings.Join(long, ", ")
				short = briefWithin(cm.Label, brief)
			}
			others := otherClusters(members, c)
			than := "the other"
			if len(members) > 2 {
				than = "the others"
			}
			if cm.New {
				if short != "" {
					cm.Label += " · " + short
				} else {
					cm.Label += fmt.Sprintf(" · %d of %d", n+1, len(members))
				}
				cm.Why += fmt.Sprintf(". Cluster%s %s %s described alike", plural1(len(members)-1), others, pick(len(members) > 2, "are", "is"))
			} else {
				cm.Label += fmt.Sprintf(" · %d of %d", n+1, len(members))
				if short != "" {
					cm.Label += ": " + short
				}
				cm.Why += fmt.Sprintf(". Sub-group %d of %d of %s (cluster%s %s also map%s to it)", n+1, len(members), cm.Segment, plural1(len(members)-1), others, pick(len(members) > 2, "", "s"))
			}
			if cm.Separation != "" {
				cm.Why += "; set apart from " + than + " by " + cm.Separation
			}
		}
	}
	for range m.Clusters {
		seen := make(map[string]int)
		for _, cm := range m.Clusters {
			seen[cm.Label]++
		}
		repeated := false
		for c := range m.Clusters {
			if seen[m.Clusters[c].Label] > 1 {
				m.Clusters[c].Label += fmt.Sprintf(" (cluster %d)", c)
				repeated = true
			}
		}
		if !repeated {
			break
		}
	}
}

// MaxLabel is the length, in characters, a sub-group's label keeps to: the
// segment's name, the sub-group's number and as many of the features that
// set it apart as fit (always the first); the cluster's Separation and Why
// keep them all.
const MaxLabel = 60

// briefWithin joins the first of brief and as many of the others as keep
// the label (name, " · n of m: " and the phrases) within MaxLabel
// characters.
func briefWithin(name string, brief []string) string {
	if len(brief) == 0 {
		return ""
	}
	budget := MaxLabel - utf8.RuneCountInString(name) - len(" · 10 of 10: ")
	out := brief[0]
	for _, b := range brief[1:] {
		if utf8.RuneCountInString(out)+2+utf8.RuneCountInString(b) > budget {
			break
		}
		out += ", " + b
	}
	return out
}

func plural1(n int) string { return pick(n > 1, "s", "") }

// otherClusters lists the clusters of group other than c: "3", "3 and 5",
// "1, 3 and 5".
func otherClusters(group []int, c int) string {
	var ids []string
	for _, o := range group {
		if o != c {
			ids = append(ids, strconv.Itoa(o))
		}
	}
	if len(ids) < 2 {
		return strings.Join(ids, "")
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
}

// separated is a feature that sets cluster c apart from the other clusters
// of its group: d is the difference of c's Z from their size-weighted mean
// Z; mine and rest are the corresponding means in the feature's unit.
type separated struct {
	j             int
	d, mine, rest float64
}

// separation returns the (up to) two features whose Z in cluster c differs
// most from the size-weighted mean Z of the other clusters of group: the
// first always (unless no feature differs at all), the second when it
// differs by at least EvidenceZ.
func separation(p *Profile, c int, group []int, cms []ClusterMapping) []separated {
	var ds []separated
	for j := range p.Features {
		z := p.Z[c][j]
		if math.IsNaN(z) {
			continue
		}
		zo, wz := 0.0, 0.0
		mo, wm := 0.0, 0.0
		for _, o := range group {
			if o == c {
				continue
			}
			w := float64(max(cms[o].Size, 1))
			if zz := p.Z[o][j]; !math.IsNaN(zz) {
				zo += w * zz
				wz += w
			}
			if v := p.ClusterMean[o][j]; finite(v) {
				mo += w * v
				wm += w
			}
		}
		if wz == 0 {
			continue
		}
		rest := math.NaN()
		if wm > 0 {
			rest = mo / wm
		}
		if d := z - zo/wz; d != 0 {
			ds = append(ds, separated{j: j, d: d, mine: p.ClusterMean[c][j], rest: rest})
		}
	}
	sort.SliceStable(ds, func(a, b int) bool { return math.Abs(ds[a].d) > math.Abs(ds[b].d) })
	n := min(len(ds), 1)
	if len(ds) > 1 && math.Abs(ds[1].d) >= EvidenceZ {
		n = 2
	}
	return ds[:n]
}

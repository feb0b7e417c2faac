package planted

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/synth"
)

// Recovery is how well a run recovers the planted archetypes.
type Recovery struct {
	// ARI is the adjusted Rand index of the clusters against the
	// archetypes; MappingShare the share of customers whose cluster maps
	// to their archetype (for an archetype no segment describes: to no
	// segment); Purity the share whose cluster's majority archetype is
	// theirs; K the number of clusters.
	ARI, MappingShare, Purity float64
	K                         int
	// Rows has one row per archetype, in name order.
	Rows []RecoveryRow
	// Clusters has one row per cluster, in cluster order: what it is made
	// of, to see where purity is lost.
	Clusters []ClusterMix
}

// ClusterMix is one cluster's composition: its two largest archetypes and
// their shares of it.
type ClusterMix struct {
	Cluster, Size              int
	Majority, Second           string
	MajorityShare, SecondShare float64
}

// RecoveryRow is one archetype's figures.
type RecoveryRow struct {
	Archetype string
	Customers int
	// Precision and recall of the primary segment against the archetype,
	// and of plain rule membership (a customer may meet several rules).
	PrimaryPrecision, PrimaryRecall float64
	MemberPrecision, MemberRecall   float64
	// Mapped is the share of the archetype's customers in a cluster that
	// maps to it; Found the share in clusters where it is the majority,
	// Clusters the number of such clusters.
	Mapped, Found float64
	Clusters      int
}

type customerRow struct {
	CustomerID     int64  `parquet:"customer_id"`
	Cluster        int32  `parquet:"cluster"`
	Segment        string `parquet:"segment,optional"`
	PrimarySegment string `parquet:"primary_segment"`
}

type membershipRow struct {
	CustomerID int64  `parquet:"customer_id"`
	Segment    string `parquet:"segment"`
}

// counts are one archetype's tallies.
type counts struct{ n, primary, primaryHit, mapped, member, memberHit int }

// Measure reads the customers and memberships of the run in runDir (flat
// layout, integer customer ids) and compares them with the planted
// archetypes of labelsPath.
func Measure(runDir, labelsPath string) (*Recovery, error) {
	custs, err := readRows[customerRow](filepath.Join(runDir, "customers.parquet"))
	if err != nil {
		return nil, err
	}
	mems, err := readRows[membershipRow](filepath.Join(runDir, "memberships.parquet"))
	if err != nil {
		return nil, err
	}
	truth, err := ReadLabels(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(custs) != len(truth) {
		return nil, fmt.Errorf("customers.parquet has %d rows, the labels %d", len(custs), len(truth))
	}
	segOf := make(map[int64][]string)
	for _, m := range mems {
		segOf[m.CustomerID] = append(segOf[m.CustomerID], m.Segment)
	}
	arch := make(map[string]int)
	a := make([]int, len(custs))
	b := make([]int, len(custs))
	per := make(map[string]*counts)
	get := func(k string) *counts {
		if per[k] == nil {
			per[k] = &counts{}
		}
		return per[k]
	}
	var mapped int
	for i, c := range custs {
		tr, ok := truth[c.CustomerID]
		if !ok {
			return nil, fmt.Errorf("customer %d is not in the labels", c.CustomerID)
		}
		if _, ok := arch[tr]; !ok {
			arch[tr] = len(arch)
		}
		a[i], b[i] = arch[tr], int(c.Cluster)
		get(tr).n++
		if c.Segment == tr || slices.Contains(synth.UnlistedArchetypes(), tr) && c.Segment == "" {
			mapped++
			get(tr).mapped++
		}
		get(c.PrimarySegment).primary++
		if c.PrimarySegment == tr {
			get(tr).primaryHit++
		}
		for _, s := range segOf[c.CustomerID] {
			get(s).member++
			if s == tr {
				get(tr).memberHit++
			}
		}
	}
	r := &Recovery{ARI: cluster.AdjustedRand(a, b), MappingShare: float64(mapped) / float64(len(custs))}
	inMajority, clustersOf := r.majorities(a, b, len(arch))
	names := make([]string, 0, len(arch))
	for k := range arch {
		names = append(names, k)
	}
	sort.Strings(names)
	r.Clusters = mixes(a, b, names, arch)
	for _, k := range names {
		c := per[k]
		r.Rows = append(r.Rows, RecoveryRow{Archetype: k, Customers: c.n,
			PrimaryPrecision: div(c.primaryHit, c.primary), PrimaryRecall: div(c.primaryHit, c.n),
			MemberPrecision: div(c.memberHit, c.member), MemberRecall: div(c.memberHit, c.n), Mapped: div(c.mapped, c.n),
			Found: div(inMajority[arch[k]], c.n), Clusters: clustersOf[arch[k]]})
	}
	return r, nil
}

// majorities sets K and Purity from each cluster's majority archetype (ties
// to the lower index) and returns, per archetype, its customers in the
// clusters it is the majority of and the number of such clusters.
func (r *Recovery) majorities(arch, clusters []int, nArch int) (inMajority, clustersOf []int) {
	byCluster := map[int][]int{}
	for i := range arch {
		if byCluster[clusters[i]] == nil {
			byCluster[clusters[i]] = make([]int, nArch)
		}
		byCluster[clusters[i]][arch[i]]++
	}
	inMajority, clustersOf = make([]int, nArch), make([]int, nArch)
	pure := 0
	for _, n := range byCluster {
		best := 0
		for x := range n {
			if n[x] > n[best] {
				best = x
			}
		}
		clustersOf[best]++
		pure += n[best]
		inMajority[best] += n[best]
	}
	r.K = len(byCluster)
	r.Purity = float64(pure) / float64(len(arch))
	return inMajority, clustersOf
}

// mixes is each cluster's composition (archetypes by index arch of names).
func mixes(a, b []int, names []string, arch map[string]int) []ClusterMix {
	byIndex := make([]string, len(names))
	for _, n := range names {
		byIndex[arch[n]] = n
	}
	count := map[int][]int{}
	for i := range a {
		if count[b[i]] == nil {
			count[b[i]] = make([]int, len(names))
		}
		count[b[i]][a[i]]++
	}
	var out []ClusterMix
	for c, n := range count {
		order := make([]int, len(n))
		size := 0
		for x := range n {
			order[x] = x
			size += n[x]
		}
		// Largest first, ties by archetype name.
		slices.SortStableFunc(order, func(x, y int) int {
			if n[x] != n[y] {
				return n[y] - n[x]
			}
			return strings.Compare(byIndex[x], byIndex[y])
		})
		m := ClusterMix{Cluster: c, Size: size, Majority: byIndex[order[0]], MajorityShare: div(n[order[0]], size)}
		if len(order) > 1 && n[order[1]] > 0 {
			m.Second, m.SecondShare = byIndex[order[1]], div(n[order[1]], size)
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(x, y ClusterMix) int { return x.Cluster - y.Cluster })
	return out
}

func div(x, y int) float64 {
	if y == 0 {
		return 0
	}
	return float64(x) / float64(y)
}

// Unlisted is how the planted customers of an archetype no catalogue
// segment describes come back: the cluster that holds most of them.
type Unlisted struct {
	Archetype string
	Planted   int
	Cluster   int32
	// Recall is the share of them in Cluster, Purity their share of it.
	Recall, Purity float64
	New            bool
	Label          string
	Description    string
}

type clusterRow struct {
	Cluster     int32  `parquet:"cluster"`
	Size        int64  `parquet:"size"`
	Label       string `parquet:"label"`
	New         bool   `parquet:"new"`
	Description string `parquet:"description"`
}

// MeasureUnlisted finds the cluster of the run in runDir that holds most of
// archetype's planted customers.
func MeasureUnlisted(runDir, labelsPath, archetype string) (*Unlisted, error) {
	truth, err := ReadLabels(labelsPath)
	if err != nil {
		return nil, err
	}
	custs, err := readRows[customerRow](filepath.Join(runDir, "customers.parquet"))
	if err != nil {
		return nil, err
	}
	u := &Unlisted{Archetype: archetype, Cluster: -1}
	in := map[int32]int{}
	for _, c := range custs {
		if truth[c.CustomerID] == archetype {
			u.Planted++
			in[c.Cluster]++
		}
	}
	most := 0
	for c, n := range in {
		if n > most || n == most && c < u.Cluster {
			u.Cluster, most = c, n
		}
	}
	clusters, err := readRows[clusterRow](filepath.Join(runDir, "clusters.parquet"))
	if err != nil {
		return nil, err
	}
	for _, c := range clusters {
		if c.Cluster == u.Cluster {
			u.Recall, u.Purity = div(most, u.Planted), float64(most)/float64(c.Size)
			u.New, u.Label, u.Description = c.New, c.Label, c.Description
			return u, nil
		}
	}
	return nil, fmt.Errorf("%s: cluster %d is not in clusters.parquet", archetype, u.Cluster)
}

package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/segments"
)

// ClusterOptions configure the clustering stage of a run.
type ClusterOptions struct {
	// K is the number of clusters; 0 chooses k in [KMin, KMax] by
	// cluster.SelectK's rule.
	K          int
	KMin, KMax int
	NInit      int
	Seed       uint64
	Threads    int
	// StabilityBoots is the number of bootstrap fits for the stability
	// figures; 0 means the default (10), negative disables them.
	StabilityBoots int
	// KStrategy says how k is chosen when K is 0: KDiscover (the default,
	// also ""), KSeeded, KStability or KIndices.
	KStrategy string
}

// The strategies for choosing k when it is not given.
const (
	// KStability: k-means++ for every k in [KMin, KMax]; k is the largest
	// whose partition is reproducible under the bootstrap
	// (cluster.SelectSettings.StabilityBoots).
	KStability = "stability"
	// KIndices: the validity indices' rank sum alone (cluster.SelectK).
	KIndices = "indices"
	// KSeeded: k-means seeded from the segment rules' groups (see
	// Cluster): one cluster per group, k the number of groups. The
	// clusters start from what the catalogue already names; on real shops
	// they often do not reproduce under the bootstrap (docs/choosing-k.md).
	KSeeded = "seeded"
	// KDiscover, the default: k by bootstrap stability (as KStability),
	// then every segment group that the clusters miss (fewer than half its
	// customers in clusters where it is the largest group) is proposed as a
	// cluster of its own and kept only where the data separates it from its
	// nearest cluster by a valley of density (cluster.AddSeparated).
	KDiscover = "discover"
)

// KStrategies lists the accepted values of ClusterOptions.KStrategy.
var KStrategies = []string{KSeeded, KDiscover, KStability, KIndices}

// DefaultSelectionBoots is the number of bootstrap refits of each k in the
// stability scan.
const DefaultSelectionBoots = 8

// MinSeedShare and MinSeedCustomers: a segment seeds a cluster of its own
// when at least this share of customers (and this many) have it as their
// primary segment.
const (
	MinSeedShare     = 0.005
	MinSeedCustomers = 10
)

// Default k range when K is 0.
const (
	DefaultKMin = 2
	DefaultKMax = 20
)

// ClusterStage is the outcome of clustering a feature table.
type ClusterStage struct {
	// Features are the names of the matrix columns.
	Features []string
	// Excluded lists available features left out of the matrix, with why.
	Excluded  []features.Absence
	Rows      int
	Matrix    []float64 // transformed, standardised, row-major
	Transform *cluster.Transform
	Selection *cluster.Selection // nil when K was given
	// Seeds names the group each initial centroid came from when k-means
	// was seeded from the segment rules (nil otherwise).
	Seeds []string
	// Strategy says how k and the initial centroids were chosen.
	Strategy  string
	Result    *cluster.Result
	Stability *cluster.StabilityResult // nil when disabled
	// Proposals reports, for KDiscover, what became of each segment group
	// proposed as a cluster of its own (nil otherwise).
	Proposals []cluster.ProposalOutcome

	proposals cluster.Proposals // the groups proposed, for the stability figures
	baseFit   *cluster.Result   // the fit before the proposals
	// baseStrategy is Strategy before the proposals.
	baseStrategy string
}

// FeatureMatrix builds the clustering matrix from a feature table: every
// available feature that varies across customers, with undefined values
// replaced by the feature's documented Fill, except the summaries of the
// predictive models (Feature.NotClustered). It returns the row-major raw
// matrix (before transformation) and the names of its columns.
func FeatureMatrix(t *features.Table) (data []float64, names []string, excluded []features.Absence) {
	n := len(t.Customers)
	var cols [][]float64
	for j, f := range t.Features {
		if f.NotClustered {
			excluded = append(excluded, features.Absence{Feature: f.Name, Reason: "a summary of the purchases for the predictions, not a behaviour: never clustered"})
			continue
		}
		src := t.Columns[j]
		fill := math.NaN()
		if f.Fill != nil {
			fill = f.Fill(&t.Context)
		}
		col := make([]float64, n)
		lo, hi := math.Inf(1), math.Inf(-1)
		ok := true
		for i, v := range src {
			if math.IsNaN(v) {
				if math.IsNaN(fill) {
					ok = false
					break
				}
				v = fill
			}
			col[i] = v
			lo, hi = min(lo, v), max(hi, v)
		}
		if !ok {
			excluded = append(excluded, features.Absence{Feature: f.Name, Reason: "undefined for some customers and has no fill value"})
			continue
		}
		if !(hi > lo) {
			excluded = append(excluded, features.Absence{Feature: f.Name, Reason: fmt.Sprintf("the same value (%g) for every customer", lo)})
			continue
		}
		cols = append(cols, col)
		names = append(names, f.Name)
	}
	// Row after row, reading every column in order and writing the
	// matrix in order (column after column wrote it a stride apart: twice
	// as long at a million customers).
	c := len(cols)
	data = make([]float64, n*c)
	for i := range n {
		row := data[i*c : (i+1)*c]
		for j, col := range cols {
			row[j] = col[i]
		}
	}
	return data, names, excluded
}

// Cluster runs the clustering stage on a feature table.
//
// How k and the starting centroids are chosen (the Strategy):
//   - k given (o.K > 0): k-means++ with o.NInit restarts;
//   - KStability: k-means++ for every k in [KMin, KMax], each refitted on
//     DefaultSelectionBoots bootstrap resamples; k is the largest whose
//     clusters are reproducible (see cluster's package documentation).
//     The clusters come from the data alone; the segment rules are used
//     only afterwards, to name them;
//   - KIndices: k by cluster.SelectK's rank sum of the validity indices;
//   - KDiscover (the default): as KStability; then, when groups are given
//     (each customer's primary segment index, -1 for none), the segment
//     groups the clusters miss, and the largest missed part of each group
//     they find, are tried together as clusters of their own, each
//     started at its missed customers' mean, and kept where a valley of
//     density separates it from its nearest cluster
//     (cluster.AddSeparated). The rules propose, the data decides; the
//     stability figures refit the procedure (a part only where the fit
//     added it), and a group or part whose cluster the bootstrap does not
//     reproduce is left out (cluster.KeepReproduced);
//   - KSeeded, when groups are given (each customer's
//     primary segment index, -1 for none): seeded k-means. Every
//     group holding at least MinSeedShare of the customers (and
//     MinSeedCustomers) seeds one cluster at its members' mean in the
//     clustering space, "none" included; Lloyd iterations then move the
//     centroids to where the data puts them. k is the number of seeds. The
//     validity-index curves over [KMin, KMax] are still computed for the
//     report, so a reader can see what they would have chosen.
//
// Whatever the strategy, when k is not given the stability scan runs (unless
// o.StabilityBoots is negative) and the report and k_selection show what
// the stability rule and the validity indices each choose.
//
// Seeding from the rules asks k-means where the data's groups lie near the
// named segments; it cannot find a group that no rule names (no rule, no
// seed), and it keeps a group of the rules as a cluster whether or not the
// data separates it, which is why it is an explicit option and not the
// default.
func Cluster(ctx context.Context, t *features.Table, o ClusterOptions, groups []int, groupNames func(int) string) (*ClusterStage, error) {
	sc, err := scanClusters(ctx, t, o)
	if err != nil {
		return nil, err
	}
	return sc.finish(ctx, o, groups, groupNames)
}

// clusterScan is the part of the clustering stage that needs no segment
// groups: the matrix and its transformation and, when k is not given, the
// fits, validity indices and stability scan of every k in the range
// (cluster.SelectK). Fit runs it while the segment rules are evaluated.
type clusterScan struct {
	st       *ClusterStage
	base     cluster.Settings
	strategy string // "" when k is given
}

func scanClusters(ctx context.Context, t *features.Table, o ClusterOptions) (*clusterScan, error) {
	raw, names, excluded := FeatureMatrix(t)
	rows, cols := len(t.Customers), len(names)
	if cols == 0 {
		return nil, fmt.Errorf("no feature varies across customers: nothing to cluster")
	}
	if o.K > rows {
		return nil, fmt.Errorf("--k %d is more than the %d customers", o.K, rows)
	}
	strategy := ""
	if o.K <= 0 {
		strategy = o.KStrategy
		if strategy == "" {
			strategy = KDiscover
		}
		if !slices.Contains(KStrategies, strategy) {
			return nil, fmt.Errorf("k strategy %q: want one of %v", strategy, KStrategies)
		}
	}
	tr, data, err := cluster.FitTransform(raw, rows, cols, cluster.TransformAuto)
	if err != nil {
		return nil, err
	}
	sc := &clusterScan{
		st:       &ClusterStage{Features: names, Excluded: excluded, Rows: rows, Matrix: data, Transform: tr},
		base:     cluster.Settings{NInit: o.NInit, Seed: o.Seed, Threads: o.Threads},
		strategy: strategy,
	}
	if o.K > 0 {
		return sc, nil
	}
	kmin, kmax := o.KMin, o.KMax
	if kmin <= 0 {
		kmin = DefaultKMin
	}
	if kmax <= 0 {
		kmax = DefaultKMax
	}
	kmax = min(kmax, rows-1)
	kmin = min(kmin, kmax)
	if kmax < 1 {
		return nil, fmt.Errorf("too few customers (%d) to cluster", rows)
	}
	// Only KIndices chooses k by the validity indices; for the others they
	// are reported, computed on the stability scan's fits.
	ss := cluster.SelectSettings{KMin: kmin, KMax: kmax, Base: sc.base, IndicesOnScan: strategy != KIndices}
	if o.StabilityBoots >= 0 || strategy == KStability || strategy == KDiscover {
		ss.StabilityBoots = DefaultSelectionBoots
	}
	if sc.st.Selection, err = cluster.SelectK(ctx, data, rows, cols, ss); err != nil {
		return nil, err
	}
	return sc, nil
}

// finish completes the clustering stage from the scan: the final fit (given
// k, seeded from groups, or the scan's choice, with the proposals of
// KDiscover) and its stability figures.
func (sc *clusterScan) finish(ctx context.Context, o ClusterOptions, groups []int, groupNames func(int) string) (*ClusterStage, error) {
	st, base, strategy := sc.st, sc.base, sc.strategy
	data, rows, cols := st.Matrix, st.Rows, len(st.Features)
	var err error
	if o.K > 0 {
		base.K = o.K
		st.Result, err = cluster.KMeans(ctx, data, rows, cols, base)
		if err != nil {
			return nil, err
		}
	} else {
		var init []float64
		if groups != nil && strategy == KSeeded {
			init, st.Seeds = seedCentroids(data, rows, cols, groups, groupNames)
		}
		if len(st.Seeds) >= 2 {
			base.K, base.Init = len(st.Seeds), init
			st.Strategy = fmt.Sprintf("k-means seeded from the %d segment groups holding at least %.1f%% of the customers (k = %d, --k-strategy seeded); the validity indices alone would choose k = %d", len(st.Seeds), 100*MinSeedShare, len(st.Seeds), st.Selection.IndexChoice)
			if st.Selection.Stability != nil {
				st.Strategy += fmt.Sprintf(", bootstrap stability k = %d", st.Selection.Chosen)
			}
			st.Result, err = cluster.KMeans(ctx, data, rows, cols, base)
			if err != nil {
				return nil, err
			}
			base.Init = nil
		} else {
			chosen := st.Selection.IndexChoice
			if strategy == KStability || strategy == KDiscover {
				chosen = st.Selection.Chosen
				st.Strategy = "k chosen by bootstrap stability (--k-strategy stability): " + st.Selection.Rule + fmt.Sprintf("; the validity indices alone would choose k = %d", st.Selection.IndexChoice)
			} else {
				st.Strategy = "k chosen by the validity indices: " + st.Selection.IndexRule
				if st.Selection.Stability != nil {
					st.Strategy += fmt.Sprintf("; bootstrap stability would choose k = %d", st.Selection.Chosen)
				}
			}
			for i, k := range st.Selection.Ks {
				if k == chosen {
					st.Result = st.Selection.Results[i]
				}
			}
			if strategy == KDiscover && groups != nil {
				if err := st.addSeparated(ctx, data, rows, cols, base, groups, groupNames); err != nil {
					return nil, err
				}
			}
		}
	}
	if st.Strategy == "" {
		st.Strategy = fmt.Sprintf("k = %d given; k-means++ with %d restarts", o.K, max(o.NInit, 10))
	}
	boots := o.StabilityBoots
	if boots == 0 {
		boots = 10
	}
	// The figures are computed on a uniform sample of
	// cluster.DefaultFitSample customers. Not on the scan's smaller
	// sample: bootstrap stability depends on the number of rows refitted
	// (at 200,000 customers, 20,000 rows moved clusters' mean Jaccard by
	// up to 0.15, not by the ±0.03 of sampling alone).
	if boots > 0 && st.Result.K > 1 {
		if st.Proposals == nil {
			base.K = st.Result.K
			st.Stability, err = cluster.StabilityOnSample(ctx, data, rows, cols, st.Result, base, boots, cluster.DefaultFitSample)
		} else {
			err = st.separatedStability(ctx, data, rows, cols, base, boots)
		}
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

// separatedStability computes the stability figures of KDiscover's
// procedure (cluster.KeepReproduced): a cluster added for a segment group
// must itself reproduce under the bootstrap, or the group is left out and
// the procedure run again.
func (st *ClusterStage) separatedStability(ctx context.Context, data []float64, rows, cols int, base cluster.Settings, boots int) error {
	res, outcomes, stab, left, err := cluster.KeepReproduced(ctx, data, rows, cols, st.baseFit, st.Result, st.Proposals, st.proposals, base, boots, cluster.DefaultFitSample)
	if err != nil {
		return err
	}
	st.Result, st.Proposals, st.Stability = res, outcomes, stab
	if len(left) > 0 {
		var names []string
		for _, l := range left {
			name := l.Name
			if l.Part {
				name += "'s part in another group's cluster"
			}
			names = append(names, fmt.Sprintf("%s (Jaccard %.3f)", name, l.Jaccard))
		}
		st.Strategy = st.describeProposals() + fmt.Sprintf("; left out, as their clusters did not reproduce under the bootstrap (mean Jaccard below %.2f): %s", cluster.PatternJaccard, strings.Join(names, ", "))
	}
	return nil
}

// addSeparated proposes every segment group large enough to seed a cluster
// (MinSeedShare, MinSeedCustomers; "none" is not a group) as a cluster of
// its own, and keeps those the data separates (cluster.AddSeparated).
func (st *ClusterStage) addSeparated(ctx context.Context, data []float64, rows, cols int, base cluster.Settings, groups []int, groupNames func(int) string) error {
	st.proposals = proposals(groups, groupNames)
	st.baseFit = st.Result
	res, outcomes, err := cluster.AddSeparated(ctx, data, rows, cols, st.Result, st.proposals, base)
	if err != nil {
		return err
	}
	st.Result, st.Proposals = res, outcomes
	st.baseStrategy = strings.Replace(st.Strategy, "(--k-strategy stability)", "(--k-strategy discover)", 1)
	st.Strategy = st.describeProposals()
	return nil
}

// describeProposals is the strategy of the fit before the proposals
// followed by what they added.
func (st *ClusterStage) describeProposals() string {
	strategy := st.baseStrategy
	var added []string
	for _, o := range st.Proposals {
		if o.Added && o.Part {
			added = append(added, o.Name+" (a part of it in another group's cluster)")
		} else if o.Added {
			added = append(added, o.Name)
		}
	}
	if len(added) == 0 {
		if slices.ContainsFunc(st.Proposals, func(o cluster.ProposalOutcome) bool { return o.Skipped }) {
			return strategy + "; no other segment group the clusters miss stands apart from its nearest cluster"
		}
		return strategy + "; no segment group the clusters miss stands apart from its nearest cluster"
	}
	return strategy + fmt.Sprintf("; then %d segment group(s) or parts the clusters missed, each separated from its nearest cluster by a valley of density (at most %.0f%% of the density at the centroids), added as clusters of their own (k = %d): %s", len(added), 100*cluster.MaxValleyRatio, st.Result.K, strings.Join(added, ", "))
}

// proposals makes the segment groups (each customer's primary segment
// index, -1 for none) into cluster.Proposals: every segment that is some
// customer's primary segment, with MinSeedShare and MinSeedCustomers as the
// smallest cluster one may add. Customers of no segment are not a group.
func proposals(groups []int, groupNames func(int) string) cluster.Proposals {
	ids := make(map[int]int)
	p := cluster.Proposals{Group: make([]int, len(groups)), MinShare: MinSeedShare, MinCount: MinSeedCustomers}
	var used []int
	for _, g := range groups {
		if _, ok := ids[g]; g >= 0 && !ok {
			ids[g] = 0
			used = append(used, g)
		}
	}
	slices.Sort(used)
	for i, g := range used {
		ids[g] = i
		p.Names = append(p.Names, groupNames(g))
	}
	for i, g := range groups {
		p.Group[i] = -1
		if g >= 0 {
			p.Group[i] = ids[g]
		}
	}
	return p
}

// seedCentroids returns the mean, in the clustering space, of every group
// large enough to seed a cluster, and the groups' names ("none" for -1).
// Groups are taken in index order, "none" last.
func seedCentroids(data []float64, rows, cols int, groups []int, name func(int) string) ([]float64, []string) {
	count := make(map[int]int)
	for _, g := range groups {
		count[g]++
	}
	minSize := max(MinSeedCustomers, int(MinSeedShare*float64(rows)+0.5))
	var ids []int
	for g, n := range count {
		if n >= minSize {
			ids = append(ids, g)
		}
	}
	slices.SortFunc(ids, func(a, b int) int {
		if (a < 0) != (b < 0) {
			if a < 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	pos := make(map[int]int, len(ids))
	for p, g := range ids {
		pos[g] = p
	}
	init := make([]float64, len(ids)*cols)
	for i, g := range groups {
		p, ok := pos[g]
		if !ok {
			continue
		}
		for j, v := range data[i*cols : (i+1)*cols] {
			init[p*cols+j] += v
		}
	}
	names := make([]string, len(ids))
	for p, g := range ids {
		for j := 0; j < cols; j++ {
			init[p*cols+j] /= float64(count[g])
		}
		if g < 0 {
			names[p] = "none"
		} else {
			names[p] = name(g)
		}
	}
	return init, names
}

// Profile summarises the clusters feature by feature for the mapping's
// evidence: means in the clustering space and in each feature's own unit.
func (st *ClusterStage) Profile(t *features.Table) *segments.Profile {
	k, cols := st.Result.K, len(st.Features)
	p := &segments.Profile{Features: st.Features, Z: make([][]float64, k), ClusterMean: make([][]float64, k), PopulationMean: make([]float64, cols)}
	for c := 0; c < k; c++ {
		p.Z[c] = make([]float64, cols)
		copy(p.Z[c], st.Result.Centroid(c))
		p.ClusterMean[c] = make([]float64, cols)
	}
	sum := make([]float64, k)
	cnt := make([]float64, k)
	for j, name := range st.Features {
		col := t.Column(name)
		clear(sum)
		clear(cnt)
		var all, nall float64
		for i, v := range col {
			if math.IsNaN(v) {
				continue
			}
			c := st.Result.Assign[i]
			sum[c] += v
			cnt[c]++
			all += v
			nall++
		}
		for c := 0; c < k; c++ {
			// A mean over fewer than half of the cluster's members does
			// not describe the cluster (a gap between orders in a
			// cluster of one-time buyers): it is left undefined.
			p.ClusterMean[c][j] = math.NaN()
			if 2*cnt[c] >= float64(st.Result.Sizes[c]) {
				p.ClusterMean[c][j] = sum[c] / cnt[c]
			}
		}
		p.PopulationMean[j] = all / nall
	}
	return p
}

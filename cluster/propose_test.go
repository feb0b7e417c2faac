package cluster

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// plantedBlobs returns rows drawn around the given centres (sd 1 on each of cols
// columns), n[i] rows for centre i, and each row's centre.
func plantedBlobs(seed uint64, cols int, centres [][]float64, n []int) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var data []float64
	var label []int
	for c, m := range centres {
		for range n[c] {
			for j := range cols {
				data = append(data, m[j]+rng.NormFloat64())
			}
			label = append(label, c)
		}
	}
	return data, label
}

// blobsAndFit is plantedBlobs and its k-means fit with two clusters
// (Settings{Seed: 1, K: 2}).
func blobsAndFit(t *testing.T, seed uint64, cols int, centres [][]float64, n []int) ([]float64, []int, *Result) {
	t.Helper()
	data, label := plantedBlobs(seed, cols, centres, n)
	fit, err := KMeans(context.Background(), data, len(label), cols, Settings{Seed: 1, K: 2})
	if err != nil {
		t.Fatal(err)
	}
	return data, label, fit
}

// TestAddSeparatedFindsASmallSeparatedGroup: a small group 6 sd from a big
// one, which k-means with two clusters merges with it (the two clusters go
// to the two big groups), is added when proposed; the proposal of an
// arbitrary half of one big group (no valley between the halves) is not.
func TestAddSeparatedFindsASmallSeparatedGroup(t *testing.T) {
	cols := 2
	centres := [][]float64{{0, 0}, {20, 0}, {0, 6}}
	data, label, ref := blobsAndFit(t, 3, cols, centres, []int{3000, 3000, 150})
	rows := len(label)
	// The small group shares a cluster with the first big one.
	if ref.Assign[rows-1] != ref.Assign[0] {
		t.Fatalf("k = 2 already separates the small group: %v", ref.Sizes)
	}
	// Group 0: the small planted group; group 1: the left half of big
	// group 1, an arbitrary cut of one blob.
	group := make([]int, rows)
	for i, l := range label {
		group[i] = -1
		switch {
		case l == 2:
			group[i] = 0
		case l == 1 && data[i*cols] < 20:
			group[i] = 1
		}
	}
	p := Proposals{Group: group, Names: []string{"small", "half"}, MinShare: 0.005, MinCount: 10}
	got, outcomes, err := AddSeparated(context.Background(), data, rows, cols, ref, p, Settings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	small, half := outcomes[0], outcomes[1]
	t.Logf("small: %+v; half: %+v", small, half)
	if !small.Added || got.K != 3 {
		t.Fatalf("the separated group was not added: %+v, k = %d", small, got.K)
	}
	if small.ValleyRatio > 0.3 {
		t.Errorf("valley ratio of a group 6 sd away = %.2f, want near 0", small.ValleyRatio)
	}
	in := 0
	for i, l := range label {
		if l == 2 && got.Assign[i] == small.Cluster {
			in++
		}
	}
	if in < 140 || got.Sizes[small.Cluster] > 160 {
		t.Errorf("added cluster holds %d of the 150 planted rows and %d rows in all", in, got.Sizes[small.Cluster])
	}
	// Half of a blob is found (its rows are the largest group in the
	// blob's cluster) or, when tried, fails the valley test.
	if half.Added {
		t.Errorf("half of one blob was added as a cluster: %+v", half)
	}
	// The reference is not modified.
	if ref.K != 2 {
		t.Errorf("reference changed: k = %d", ref.K)
	}
}

// TestAddSeparatedRejectsACut: with one elongated blob and a proposal of its
// one end, no valley lies between the proposed cluster and the rest.
func TestAddSeparatedRejectsACut(t *testing.T) {
	cols := 2
	rng := rand.New(rand.NewPCG(5, 1))
	rows := 4000
	data := make([]float64, rows*cols)
	group := make([]int, rows)
	for i := range rows {
		x := 10 * rng.NormFloat64()
		data[i*cols], data[i*cols+1] = x, rng.NormFloat64()
		group[i] = -1
		if x > 12 {
			group[i] = 0
		} else {
			group[i] = 1
		}
	}
	ref, err := KMeans(context.Background(), data, rows, cols, Settings{K: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := Proposals{Group: group, Names: []string{"tail", "body"}, MinShare: 0.005, MinCount: 10}
	got, outcomes, err := AddSeparated(context.Background(), data, rows, cols, ref, p, Settings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !outcomes[0].Tried {
		t.Fatalf("the tail was not tried: %+v", outcomes[0])
	}
	if got.K != 1 || outcomes[0].Added {
		t.Errorf("a cut of one Gaussian was added: %+v (valley ratio %.2f)", outcomes[0], outcomes[0].ValleyRatio)
	}
	if r := outcomes[0].ValleyRatio; !(r > MaxValleyRatio) {
		t.Errorf("valley ratio = %.2f, want above %.2f for a unimodal projection", r, MaxValleyRatio)
	}
}

// TestSeparatedStability: the procedure's own bootstrap gives the added
// group back (Jaccard near 1), where plain k-means++ refits at the final k,
// which split a big group instead, do not.
func TestSeparatedStability(t *testing.T) {
	cols := 2
	centres := [][]float64{{0, 0}, {20, 0}, {0, 6}}
	data, label, ref := blobsAndFit(t, 3, cols, centres, []int{3000, 3000, 150})
	rows := len(label)
	p := proposeLabel(label, 2, "small")
	s := Settings{Seed: 1, NInit: 3}
	got, outcomes, err := AddSeparated(context.Background(), data, rows, cols, ref, p, s)
	if err != nil {
		t.Fatal(err)
	}
	if !outcomes[0].Added {
		t.Fatalf("not added: %+v", outcomes[0])
	}
	st, err := SeparatedStabilityOnSample(context.Background(), data, rows, cols, got, 2, p, s, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := outcomes[0].Cluster
	if st.Jaccard[c] < 0.9 {
		t.Errorf("the added cluster's bootstrap Jaccard = %.2f, want >= 0.9", st.Jaccard[c])
	}
	for i, j := range st.Jaccard {
		if math.IsNaN(j) || j < 0.9 {
			t.Errorf("cluster %d: Jaccard %.2f", i, j)
		}
	}
}

// TestAddSeparatedRejectsANoisyValley: the 20 most extreme rows of one
// Gaussian, proposed as a group, are too few for their kernel density to
// show a valley that noise would not draw: whatever the ratio, the
// binomial test does not pass.
func TestAddSeparatedRejectsANoisyValley(t *testing.T) {
	cols := 2
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 9))
		rows := 3000
		data := make([]float64, rows*cols)
		for i := range data {
			data[i] = rng.NormFloat64()
		}
		order := make([]int, rows)
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(data[b*cols], data[a*cols]) })
		group := make([]int, rows)
		for i := range group {
			group[i] = -1
		}
		for _, i := range order[:20] {
			group[i] = 0
		}
		ref, err := KMeans(context.Background(), data, rows, cols, Settings{K: 1, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		p := Proposals{Group: group, Names: []string{"tail"}, MinShare: 0.005, MinCount: 10}
		got, outcomes, err := AddSeparated(context.Background(), data, rows, cols, ref, p, Settings{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %+v", seed, outcomes[0])
		if got.K != 1 || outcomes[0].Added {
			t.Errorf("seed %d: the tail of one Gaussian was added: %+v", seed, outcomes[0])
		}
	}
}

// proposeLabel proposes the rows of planted label l as group 0, named
// name, and no other group.
func proposeLabel(label []int, l int, name string) Proposals {
	group := make([]int, len(label))
	for i, x := range label {
		group[i] = -1
		if x == l {
			group[i] = 0
		}
	}
	return Proposals{Group: group, Names: []string{name}, MinShare: 0.005, MinCount: 10}
}

// TestAddSeparatedTestsTheClusterItGrew: the separation test is made on
// the cluster grown from the proposed group's mean, wherever k-means's
// numbering by size puts it. The proposal, one side of a single blob, is
// larger than a far, small cluster that the reference already has; the
// small cluster is separated from everything and the proposal's cluster
// is not, so testing the smallest cluster instead would add the proposal.
func TestAddSeparatedTestsTheClusterItGrew(t *testing.T) {
	cols := 2
	data, label := plantedBlobs(5, cols, [][]float64{{0, 0}, {12, 0}}, []int{1000, 60})
	rows := len(label)
	ref, err := KMeans(context.Background(), data, rows, cols, Settings{K: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Sizes[1] != 60 {
		t.Fatalf("the reference does not hold the far group as a cluster: sizes %v", ref.Sizes)
	}
	// Group 0: the blob's rows left of 0.3; group 1: the rest of the
	// blob, a side of it with no valley; group 2: the far group.
	group := make([]int, rows)
	for i, l := range label {
		switch {
		case l == 1:
			group[i] = 2
		case data[i*cols] < 0.3:
			group[i] = 0
		default:
			group[i] = 1
		}
	}
	p := Proposals{Group: group, Names: []string{"left", "right", "far"}, MinShare: 0, MinCount: 10}
	got, outcomes, err := AddSeparated(context.Background(), data, rows, cols, ref, p, Settings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	right := outcomes[1]
	t.Logf("outcomes: %+v", outcomes)
	if !right.Tried {
		t.Fatalf("the blob's right side was not tried: %+v", right)
	}
	if right.Added || got.K != 2 {
		t.Errorf("one side of a single blob was added (k = %d): %+v", got.K, right)
	}
	if !(right.ValleyRatio > MaxValleyRatio) {
		t.Errorf("valley ratio between the two sides of one blob = %.2f, want above %.2f", right.ValleyRatio, MaxValleyRatio)
	}
}

// TestAddSeparatedTriesMissedGroupsTogether: three separated groups that
// the reference merges into one cluster, two of them missed (the third
// is the cluster's largest). Each needs a centroid of its own at once:
// both missed groups come back as clusters, each mostly its own group.
func TestAddSeparatedTriesMissedGroupsTogether(t *testing.T) {
	cols := 2
	centres := [][]float64{{0, 0}, {30, 0}, {30, 7}, {37, 0}}
	data, label := plantedBlobs(11, cols, centres, []int{2000, 300, 300, 450})
	rows := len(label)
	ref, err := KMeans(context.Background(), data, rows, cols, Settings{K: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Assign[2000] != ref.Assign[2300] || ref.Assign[2300] != ref.Assign[2600] || ref.Assign[0] == ref.Assign[2000] {
		t.Fatalf("the reference does not merge the three small groups into one cluster: sizes %v", ref.Sizes)
	}
	group := make([]int, rows)
	for i, l := range label {
		group[i] = l - 1 // -1 for the big group
	}
	p := Proposals{Group: group, Names: []string{"b", "c", "d"}, MinShare: 0.005, MinCount: 10}
	got, outcomes, err := AddSeparated(context.Background(), data, rows, cols, ref, p, Settings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("outcomes: %+v; sizes %v", outcomes, got.Sizes)
	if outcomes[2].Tried {
		t.Errorf("d, the merged cluster's largest group, was tried: %+v", outcomes[2])
	}
	for _, g := range []int{0, 1} {
		o := outcomes[g]
		if !o.Added {
			t.Errorf("%s, separated from its neighbours, was not added: %+v", o.Name, o)
			continue
		}
		in, size := 0, 0
		for i, c := range got.Assign {
			if c == o.Cluster {
				size++
				if group[i] == g {
					in++
				}
			}
		}
		if share := float64(in) / float64(size); share < 0.9 || in < 270 {
			t.Errorf("%s's cluster holds %d of its 300 rows, %.2f of the cluster", o.Name, in, share)
		}
	}
	if got.K != 4 {
		t.Errorf("k = %d, want 4", got.K)
	}
}

// TestKeepReproducedLeavesOutAClusterTheBootstrapLoses: two small groups,
// each separated from the big group next to it by a valley, are both
// added to the fit of all rows. The one of 11 rows, just above the
// minimum size of 10, falls below it in many resamples, so the bootstrap
// does not give it back: it is left out. The one of 60 rows is kept.
func TestKeepReproducedLeavesOutAClusterTheBootstrapLoses(t *testing.T) {
	cols := 2
	centres := [][]float64{{0, 0}, {20, 0}, {0, 9}, {20, 9}}
	data, label, base := blobsAndFit(t, 3, cols, centres, []int{1000, 1000, 11, 60})
	rows := len(label)
	ctx := context.Background()
	s := Settings{Seed: 1, K: 2}
	group := make([]int, rows)
	for i, l := range label {
		group[i] = l - 2 // -1, -2: no group
		if group[i] < 0 {
			group[i] = -1
		}
	}
	p := Proposals{Group: group, Names: []string{"tiny", "solid"}, MinCount: 10}
	fit, outcomes, err := AddSeparated(ctx, data, rows, cols, base, p, s)
	if err != nil {
		t.Fatal(err)
	}
	if !outcomes[0].Added || !outcomes[1].Added {
		t.Fatalf("both groups should be added to the fit of all rows: %+v", outcomes)
	}
	got, kept, stab, left, err := KeepReproduced(ctx, data, rows, cols, base, fit, outcomes, p, s, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("left out %+v; outcomes %+v; Jaccard %.2f over %d refits", left, kept, stab.Jaccard, stab.Boots)
	if len(left) != 1 || left[0].Name != "tiny" || !(left[0].Jaccard < PatternJaccard) {
		t.Fatalf("left out %+v, want tiny alone", left)
	}
	if !kept[0].Skipped || kept[0].Added || !kept[1].Added || got.K != 3 {
		t.Errorf("after leaving tiny out: k = %d, outcomes %+v", got.K, kept)
	}
	for c, j := range stab.Jaccard {
		if j < PatternJaccard {
			t.Errorf("cluster %d (size %d) of the kept fit has Jaccard %.2f", c, got.Sizes[c], j)
		}
	}
	if p.Skip != nil {
		t.Error("KeepReproduced modified the proposals it was given")
	}
}

// TestValleyRatioOfTightClusters: two clusters each of nearly one point
// (a spread of 1e-9 for a distance of 1, as customers with the same
// counts give) are separated, and the estimate of their density does not
// take one bin per 1e-10 of the distance between them.
func TestValleyRatioOfTightClusters(t *testing.T) {
	cols := 2
	rng := rand.New(rand.NewPCG(1, 2))
	var data []float64
	r := &Result{K: 2, Cols: cols, Centroids: []float64{0, 0, 1, 0}}
	for i := range 400 {
		c := i % 2
		data = append(data, float64(c)+1e-9*rng.NormFloat64(), 1e-9*rng.NormFloat64())
		r.Assign = append(r.Assign, c)
	}
	if got := valleyRatio(data, cols, r, 0, 1); got > 0.01 {
		t.Errorf("valley ratio of two tight clusters a distance apart = %v, want 0", got)
	}
	// One tight clump cut in two: no valley.
	data = data[:0]
	r.Assign = r.Assign[:0]
	for range 400 {
		x := 1e-9 * rng.NormFloat64()
		data = append(data, x, 1e-9*rng.NormFloat64())
		r.Assign = append(r.Assign, map[bool]int{false: 0, true: 1}[x > 0])
	}
	r.Centroids = []float64{-0.8e-9, 0, 0.8e-9, 0}
	if got := valleyRatio(data, cols, r, 0, 1); got < 0.5 {
		t.Errorf("valley ratio of one clump cut in two = %v, want above 0.5", got)
	}
}

// TestAddSeparatedTriesAFoundGroupsMissedPart: group a is found (most of
// it is the cluster it is the largest in), but a separated part of it
// lies in group b's cluster. That part is tried and, as a valley
// separates it from b, added as a cluster of its own.
func TestAddSeparatedTriesAFoundGroupsMissedPart(t *testing.T) {
	cols := 2
	data, label, ref := blobsAndFit(t, 7, cols, [][]float64{{0, 0}, {20, 0}, {20, 7}}, []int{1000, 1000, 100})
	rows := len(label)
	ctx := context.Background()
	if ref.Assign[rows-1] != ref.Assign[1000] {
		t.Fatalf("the reference does not merge the part with group b's cluster: sizes %v", ref.Sizes)
	}
	group := make([]int, rows)
	for i, l := range label {
		group[i] = map[int]int{0: 0, 1: 1, 2: 0}[l]
	}
	p := Proposals{Group: group, Names: []string{"a", "b"}, MinCount: 50}
	got, outcomes, err := AddSeparated(ctx, data, rows, cols, ref, p, Settings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("outcomes: %+v; sizes %v", outcomes, got.Sizes)
	a := outcomes[0]
	if !(a.Found >= MinFound) || !a.Part || !a.Added || got.K != 3 {
		t.Fatalf("group a's missed part was not added (k = %d): %+v", got.K, a)
	}
	in := 0
	for i := 2000; i < rows; i++ {
		if got.Assign[i] == a.Cluster {
			in++
		}
	}
	if in < 95 || got.Sizes[a.Cluster] > 105 {
		t.Errorf("the added cluster (%d rows) holds %d of the part's 100 rows", got.Sizes[a.Cluster], in)
	}
	if outcomes[1].Tried {
		t.Errorf("group b, found whole, was tried: %+v", outcomes[1])
	}
}

// TestKeepReproducedTriesOnlyThePartsTheFitAdded: group b is found (its
// blob is a cluster), and a separated part of it, 100 rows, lies in group
// a's cluster: one below the minimum size, it is not tried on all rows,
// while about half of the resamples draw it 101 times or more. The refits
// try a found group's part only where the fit added it, so they do not
// split it off where the fit did not, and the fit's two clusters
// reproduce whole.
func TestKeepReproducedTriesOnlyThePartsTheFitAdded(t *testing.T) {
	cols := 2
	data, label, base := blobsAndFit(t, 9, cols, [][]float64{{0, 0}, {30, 0}, {0, 8}}, []int{1000, 1000, 100})
	rows := len(label)
	ctx := context.Background()
	s := Settings{Seed: 1, K: 2}
	group := make([]int, rows)
	for i, l := range label {
		group[i] = map[int]int{0: 0, 1: 1, 2: 1}[l]
	}
	p := Proposals{Group: group, Names: []string{"a", "b"}, MinCount: 101}
	fit, outcomes, err := AddSeparated(ctx, data, rows, cols, base, p, s)
	if err != nil {
		t.Fatal(err)
	}
	if outcomes[1].Tried || !(outcomes[1].Found >= MinFound) || fit.K != 2 {
		t.Fatalf("group b's part below the minimum size was tried, or b is not found: %+v", outcomes)
	}
	reproducesWhole(t, data, rows, cols, base, fit, outcomes, p, s, "a part")
}

// reproducesWhole checks that KeepReproduced leaves nothing of fit out and
// that each of its clusters has a Jaccard of at least 0.99: no refit split
// off what (a part, a group) where fit did not.
func reproducesWhole(t *testing.T, data []float64, rows, cols int, base, fit *Result, outcomes []ProposalOutcome, p Proposals, s Settings, what string) {
	t.Helper()
	_, _, stab, left, err := KeepReproduced(context.Background(), data, rows, cols, base, fit, outcomes, p, s, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Jaccard %.3f over %d refits", stab.Jaccard, stab.Boots)
	if len(left) != 0 {
		t.Errorf("left out %+v", left)
	}
	for c, j := range stab.Jaccard {
		if j < 0.99 {
			t.Errorf("cluster %d (size %d) has Jaccard %.3f: a refit split off %s the fit did not", c, fit.Sizes[c], j, what)
		}
	}
}

// TestKeepReproducedCountsOnlyTheGroupsTheFitAdded: group c, a separated
// blob of 100 rows inside group a's cluster and found nowhere, is one row
// below the minimum size, so it is not tried on all rows, while about half
// of the resamples draw it 101 times or more and add it. A refit's cluster
// for a group the fit did not add is taken out and k-means settles from
// the other centroids, so c's rows go back to a's cluster, as in the fit,
// and the fit's two clusters reproduce whole.
func TestKeepReproducedCountsOnlyTheGroupsTheFitAdded(t *testing.T) {
	cols := 2
	data, label, base := blobsAndFit(t, 9, cols, [][]float64{{0, 0}, {30, 0}, {0, 8}}, []int{1000, 1000, 100})
	rows := len(label)
	ctx := context.Background()
	s := Settings{Seed: 1, K: 2}
	p := Proposals{Group: label, Names: []string{"a", "b", "c"}, MinCount: 101}
	fit, outcomes, err := AddSeparated(ctx, data, rows, cols, base, p, s)
	if err != nil {
		t.Fatal(err)
	}
	if outcomes[2].Tried || outcomes[2].Found >= MinFound || fit.K != 2 {
		t.Fatalf("group c, below the minimum size, was tried, or it is found: %+v", outcomes)
	}
	// The resamples do separate c: with it at the minimum size, the fit
	// adds it.
	p101 := p
	p101.MinCount = 100
	if _, o, err := AddSeparated(ctx, data, rows, cols, base, p101, s); err != nil || !o[2].Added {
		t.Fatalf("group c at the minimum size is not added (%v): %+v", err, o)
	}
	reproducesWhole(t, data, rows, cols, base, fit, outcomes, p, s, "a group")
}

// TestFitDrawnIsKMeansOfTheDraws: fitting a bootstrap's distinct rows
// weighted by their draws is k-means of the bootstrap itself: from the
// same start, the same clusters, centroids and inertia as a fit of every
// drawn row, repeats included.
func TestFitDrawnIsKMeansOfTheDraws(t *testing.T) {
	const rows, cols, k = 3000, 3, 5
	data := nestedBlobs(k, rows)
	rng := rand.New(rand.NewPCG(3, 4))
	src := make([]int, rows)
	for i := range src {
		src[i] = rng.IntN(rows)
	}
	x := gatherRows(data, cols, src)
	init := gatherRows(data, cols, []int{0, 700, 1400, 2100, 2800})
	ctx := context.Background()
	for _, s := range []Settings{{K: k, Init: init}, {K: k, Seed: 7}} {
		got, err := fitDrawn(ctx, x, rows, cols, src, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Assign) != rows || len(got.Distance) != rows {
			t.Fatalf("init %v: %d labels and %d distances for %d rows", s.Init != nil, len(got.Assign), len(got.Distance), rows)
		}
		for i, r := range src {
			if j := slices.Index(src, r); got.Assign[i] != got.Assign[j] || got.Distance[i] != got.Distance[j] {
				t.Fatalf("init %v: row %d and its repeat %d differ", s.Init != nil, i, j)
			}
		}
		sizes := make([]int, k)
		for _, a := range got.Assign {
			sizes[a]++
		}
		if !slices.Equal(sizes, got.Sizes) || !slices.IsSortedFunc(sizes, func(a, b int) int { return b - a }) {
			t.Errorf("init %v: sizes %v, counted over the drawn rows %v, want them in canonical order", s.Init != nil, got.Sizes, sizes)
		}
		if s.Init == nil {
			continue
		}
		want, err := KMeans(ctx, x, rows, cols, s)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Assign, want.Assign) {
			t.Errorf("from the same start, the clusters differ from a fit of every drawn row")
		}
		for j, c := range got.Centroids {
			if math.Abs(c-want.Centroids[j]) > 1e-9 {
				t.Fatalf("centroid coordinate %d: %.12f, a fit of every drawn row %.12f", j, c, want.Centroids[j])
			}
		}
		if math.Abs(got.Inertia-want.Inertia) > 1e-9*want.Inertia {
			t.Errorf("inertia %.9f, a fit of every drawn row %.9f", got.Inertia, want.Inertia)
		}
	}
}

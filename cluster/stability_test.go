package cluster

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func TestAdjustedRandKnownValues(t *testing.T) {
	cases := []struct {
		name string
		a, b []int
		want float64
	}{
		{"identical", []int{0, 0, 1, 1, 2, 2}, []int{0, 0, 1, 1, 2, 2}, 1},
		{"renamed", []int{0, 0, 1, 1, 2, 2}, []int{7, 7, -1, -1, 3, 3}, 1},
		{"permuted-labels", []int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		// Hubert & Arabie's index as in scikit-learn's documentation.
		{"textbook", []int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 4.0 / 7},
		{"textbook-swapped", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 4.0 / 7},
		{"opposed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{"all-one-cluster", []int{0, 0, 0}, []int{1, 1, 1}, 1},
		{"all-singletons", []int{0, 1, 2}, []int{5, 6, 7}, 1},
		{"one-item", []int{3}, []int{4}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := AdjustedRand(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("AdjustedRand = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAdjustedRandRandomNearZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, b := make([]int, 5000), make([]int, 5000)
	for i := range a {
		a[i], b[i] = rng.IntN(5), rng.IntN(5)
	}
	if got := AdjustedRand(a, b); math.Abs(got) > 0.01 {
		t.Errorf("AdjustedRand of independent labels = %v, want about 0", got)
	}
}

// TestStabilityFlagsArbitrarySplit fits k=4 to three real blobs, one of
// them wide and round: k-means must cut it in two along an arbitrary
// direction, and those two halves must come out less stable than the two
// real blobs.
func TestStabilityFlagsArbitrarySplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	rows, cols := 1500, 2
	data := make([]float64, rows*cols)
	truth := make([]int, rows)
	for i := range rows {
		switch i % 3 {
		case 0: // wide round blob at the origin
			data[i*2], data[i*2+1] = 3*rng.NormFloat64(), 3*rng.NormFloat64()
		case 1:
			data[i*2], data[i*2+1] = 30+0.5*rng.NormFloat64(), 0.5*rng.NormFloat64()
		case 2:
			data[i*2], data[i*2+1] = 0.5*rng.NormFloat64(), 30+0.5*rng.NormFloat64()
		}
		truth[i] = i % 3
	}
	s := Settings{K: 4, Seed: 8, NInit: 3}
	ref, err := KMeans(context.Background(), data, rows, cols, s)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Stability(context.Background(), data, rows, cols, ref, s, 12)
	if err != nil {
		t.Fatal(err)
	}
	// Identify which reference clusters are the real blobs.
	real, split := []int{}, []int{}
	for c := range 4 {
		var mx, my float64
		for i, a := range ref.Assign {
			if a == c {
				mx += data[i*2]
				my += data[i*2+1]
			}
		}
		if math.Hypot(mx, my)/float64(ref.Sizes[c]) > 15 {
			real = append(real, c)
		} else {
			split = append(split, c)
		}
	}
	if len(real) != 2 || len(split) != 2 {
		t.Fatalf("reference fit did not split the wide blob: sizes %v", ref.Sizes)
	}
	minReal := min(st.Jaccard[real[0]], st.Jaccard[real[1]])
	maxSplit := max(st.Jaccard[split[0]], st.Jaccard[split[1]])
	if minReal < 0.95 || maxSplit >= minReal {
		t.Errorf("Jaccard real %v, split %v: want split clusters less stable", minReal, maxSplit)
	}
	for _, c := range real {
		if st.Unstable[c] {
			t.Errorf("real blob %d flagged unstable", c)
		}
	}
	if len(st.ARI) != 12 || st.MeanARI <= 0 || st.MeanARI > 1 {
		t.Errorf("ARI %v mean %v", st.ARI, st.MeanARI)
	}
	t.Logf("Jaccard %v Unstable %v Dissolved %v MeanARI %.3f", st.Jaccard, st.Unstable, st.Dissolved, st.MeanARI)
}

func TestStabilityOfCleanBlobs(t *testing.T) {
	data, _ := separatedBlobs(5, 900, 3, 3, 10, 1)
	s := Settings{K: 3, Seed: 1, NInit: 2}
	ref, _ := KMeans(context.Background(), data, 900, 3, s)
	st, err := Stability(context.Background(), data, 900, 3, ref, s, 5)
	if err != nil {
		t.Fatal(err)
	}
	for c, j := range st.Jaccard {
		if j < 0.99 || st.Unstable[c] {
			t.Errorf("cluster %d Jaccard %v", c, j)
		}
	}
	if st.MeanARI < 0.99 {
		t.Errorf("MeanARI %v", st.MeanARI)
	}
}

// TestJaccardStandardError: the standard error Stability reports is what
// the means of independent sets of draws show. On a split blob (k = 7 on
// nestedBlobs) whose Jaccard varies from draw to draw, the spread of the
// means over 30 seeds and the root mean square of the reported standard
// errors (the sample variance is unbiased; its square root, from 5 draws
// of a skewed Jaccard, is not) agree within a factor of 1.5 (for 30 seeds
// the spread itself is known to about ±13 %);
// on clean blobs every draw gives 1 and the error is 0; with one bootstrap
// it is not defined.
func TestJaccardStandardError(t *testing.T) {
	const rows, boots, seeds = 1800, 5, 30
	data := nestedBlobs(4, rows)
	ref, err := KMeans(context.Background(), data, rows, 3, Settings{K: 7, Seed: 1, NInit: 3})
	if err != nil {
		t.Fatal(err)
	}
	means := make([][]float64, ref.K)
	seMS := make([]float64, ref.K)
	for seed := uint64(1); seed <= seeds; seed++ {
		st, err := Stability(context.Background(), data, rows, 3, ref, Settings{Seed: seed, NInit: 3}, boots)
		if err != nil {
			t.Fatal(err)
		}
		for c := range ref.K {
			means[c] = append(means[c], st.Jaccard[c])
			seMS[c] += st.JaccardSE[c] * st.JaccardSE[c] / seeds
		}
	}
	varied := 0
	for c := range ref.K {
		var m, v float64
		for _, x := range means[c] {
			m += x / seeds
		}
		for _, x := range means[c] {
			v += (x - m) * (x - m) / (seeds - 1)
		}
		sd, se := math.Sqrt(v), math.Sqrt(seMS[c])
		t.Logf("cluster %d: mean Jaccard %.3f, spread over seeds %.4f, reported standard error %.4f", c, m, sd, se)
		if sd < 0.01 {
			continue // a blob the split leaves whole: too little variation to compare
		}
		varied++
		if r := se / sd; r < 1/1.5 || r > 1.5 {
			t.Errorf("cluster %d: reported standard error %.4f, spread of the means over seeds %.4f", c, se, sd)
		}
	}
	if varied == 0 {
		t.Fatal("no cluster's Jaccard varies over seeds: the test compares nothing")
	}
	clean, _ := separatedBlobs(5, 900, 3, 3, 10, 1)
	cref, _ := KMeans(context.Background(), clean, 900, 3, Settings{K: 3, Seed: 1, NInit: 2})
	st, err := Stability(context.Background(), clean, 900, 3, cref, Settings{Seed: 1, NInit: 2}, 5)
	if err != nil {
		t.Fatal(err)
	}
	one, err := Stability(context.Background(), clean, 900, 3, cref, Settings{Seed: 1, NInit: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		if st.JaccardSE[c] != 0 || !math.IsNaN(one.JaccardSE[c]) {
			t.Errorf("cluster %d: standard error %v with 5 identical draws, %v with one", c, st.JaccardSE[c], one.JaccardSE[c])
		}
	}
}

// TestStabilityReusesEarlierRefits: figures of 12 refits computed from
// those of 5 and 7 more refits are those of 12 refits computed at once, on
// a split blob whose Jaccard varies from draw to draw.
func TestStabilityReusesEarlierRefits(t *testing.T) {
	const rows = 900
	data := nestedBlobs(4, rows)
	ctx := context.Background()
	s := Settings{K: 7, Seed: 3, NInit: 2}
	ref, err := KMeans(ctx, data, rows, 3, s)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := stability(ctx, data, rows, 3, ref, s, 12, plainRefit, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := stability(ctx, data, rows, 3, ref, s, 5, plainRefit, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	more, err := stability(ctx, data, rows, 3, ref, s, 12, plainRefit, true, first)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(whole, more) {
		t.Errorf("12 refits at once: Jaccard %.4f SE %.4f dissolved %v ARI %.4f\n5 then 7 more: Jaccard %.4f SE %.4f dissolved %v ARI %.4f",
			whole.Jaccard, whole.JaccardSE, whole.Dissolved, whole.ARI, more.Jaccard, more.JaccardSE, more.Dissolved, more.ARI)
	}
	if slices.Min(whole.Jaccard) > 0.95 {
		t.Fatalf("the split blob reproduces on every draw (Jaccard %.3f): nothing is tested", whole.Jaccard)
	}
}

package cluster

import (
	"context"
	"math"
	"slices"
	"testing"
)

func TestSelectKPicksPlantedK(t *testing.T) {
	cases := []struct {
		name          string
		rows, cols, k int
		kmin, kmax    int
		sample        int
	}{
		{"k=3", 1500, 2, 3, 2, 7, 0},
		{"k=4", 2000, 4, 4, 2, 8, 0},
		{"k=6,sampled", 6000, 6, 6, 2, 9, 1500},
		{"k=5,from-1", 2000, 5, 5, 1, 8, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := separatedBlobs(21, tc.rows, tc.cols, tc.k, 10, 1)
			sel, err := SelectK(context.Background(), data, tc.rows, tc.cols, SelectSettings{
				KMin: tc.kmin, KMax: tc.kmax, SilhouetteSample: tc.sample, Base: Settings{Seed: 3, NInit: 2},
			})
			if err != nil {
				t.Fatal(err)
			}
			if sel.Chosen != tc.k {
				t.Errorf("Chosen = %d, want %d (rule: %s; sil %v CH %v DB %v)", sel.Chosen, tc.k, sel.Rule,
					sel.Silhouette, sel.CalinskiHarabasz, sel.DaviesBouldin)
			}
			if sel.Knee != tc.k {
				t.Errorf("Knee = %d, want %d (inertia %v)", sel.Knee, tc.k, sel.Inertia)
			}
			n := tc.kmax - tc.kmin + 1
			if len(sel.Ks) != n || len(sel.Results) != n || sel.Ks[0] != tc.kmin {
				t.Errorf("Ks = %v", sel.Ks)
			}
			want := min(tc.rows, 5000)
			if tc.sample > 0 {
				want = tc.sample
			}
			if sel.SilhouetteSample != want {
				t.Errorf("SilhouetteSample = %d, want %d", sel.SilhouetteSample, want)
			}
			if sel.Rule == "" {
				t.Error("empty Rule")
			}
		})
	}
}

func TestValidityIndicesKnownValues(t *testing.T) {
	// Two clusters on a line: {0, 1} and {10, 11}.
	data := []float64{0, 1, 10, 11}
	assign := []int{0, 0, 1, 1}
	wantSil := (9.5/10.5 + 8.5/9.5) / 2
	if got := Silhouette(data, 4, 1, assign); !nearlyEqual(got, wantSil, 1e-12) {
		t.Errorf("Silhouette = %v, want %v", got, wantSil)
	}
	// Between = 2·25 + 2·25 = 100, within = 4·0.25 = 1, (n-k)/(k-1) = 2.
	if got := CalinskiHarabasz(data, 4, 1, assign); !nearlyEqual(got, 200, 1e-12) {
		t.Errorf("CalinskiHarabasz = %v, want 200", got)
	}
	// Scatter 0.5 in each, means 10 apart: (0.5+0.5)/10.
	if got := DaviesBouldin(data, 4, 1, assign); !nearlyEqual(got, 0.1, 1e-12) {
		t.Errorf("DaviesBouldin = %v, want 0.1", got)
	}
	one := []int{0, 0, 0, 0}
	if !math.IsNaN(Silhouette(data, 4, 1, one)) || !math.IsNaN(CalinskiHarabasz(data, 4, 1, one)) || !math.IsNaN(DaviesBouldin(data, 4, 1, one)) {
		t.Error("indices of a single cluster should be NaN")
	}
}

func TestSampledSilhouetteThreads(t *testing.T) {
	data, _ := blobs(3, 900, 3, 4, 2, 1)
	r, _ := KMeans(context.Background(), data, 900, 3, Settings{K: 4, Seed: 1, NInit: 1})
	sample := sampleRows(900, 300, 5)
	a := sampledSilhouettes(data, 3, sample, [][]int{r.Assign}, []int{4}, 1)
	b := sampledSilhouettes(data, 3, sample, [][]int{r.Assign}, []int{4}, 7)
	if math.Float64bits(a[0]) != math.Float64bits(b[0]) {
		t.Errorf("silhouette differs with threads: %v vs %v", a, b)
	}
	if len(sample) != 300 || !slices.IsSorted(sample) || len(slices.Compact(slices.Clone(sample))) != 300 {
		t.Error("sample is not 300 distinct sorted rows")
	}
}

func TestKnee(t *testing.T) {
	cases := []struct {
		name    string
		ks      []int
		inertia []float64
		want    int
	}{
		{"elbow-at-3", []int{1, 2, 3, 4, 5, 6}, []float64{100, 60, 20, 18, 16, 14}, 3},
		{"straight-line", []int{1, 2, 3, 4}, []float64{40, 30, 20, 10}, 0},
		{"too-short", []int{2, 3}, []float64{5, 1}, 0},
		{"flat", []int{2, 3, 4}, []float64{5, 5, 5}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := kneeOf(tc.ks, tc.inertia); got != tc.want {
				t.Errorf("kneeOf = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestRanksAndTieBreak(t *testing.T) {
	if got := ranks([]float64{0.5, math.NaN(), 0.9, 0.5}, true); !slices.Equal(got, []int{2, 4, 1, 2}) {
		t.Errorf("ranks higher-better = %v", got)
	}
	if got := ranks([]float64{3, 1, 2}, false); !slices.Equal(got, []int{3, 1, 2}) {
		t.Errorf("ranks lower-better = %v", got)
	}
	// Equal rank sums: the k nearest the knee wins.
	sel := &Selection{
		Ks:               []int{2, 3, 4},
		Silhouette:       []float64{0.9, 0.5, 0.1},
		CalinskiHarabasz: []float64{1, 5, 9},
		DaviesBouldin:    []float64{0.5, 0.5, 0.5},
		Knee:             3,
	}
	if k, rule := chooseK(sel); k != 3 {
		t.Errorf("chooseK = %d (%s), want 3", k, rule)
	}
	sel.Knee = 0
	if k, _ := chooseK(sel); k != 2 {
		t.Errorf("chooseK without knee = %d, want 2", k)
	}
}

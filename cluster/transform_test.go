package cluster

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/muesli/clusters"
)

// transformData has a heavy-tailed non-negative column (log-normal), a
// normal column, a constant column and a skewed column with a negative
// value.
func transformData(rows int) []float64 {
	rng := rand.New(rand.NewPCG(2, 3))
	data := make([]float64, rows*4)
	for i := range rows {
		data[i*4] = math.Exp(1.5 * rng.NormFloat64())
		data[i*4+1] = 10 + 2*rng.NormFloat64()
		data[i*4+2] = 7
		data[i*4+3] = math.Exp(1.5*rng.NormFloat64()) - 0.5
	}
	return data
}

func TestFitTransformAuto(t *testing.T) {
	rows := 2000
	data := transformData(rows)
	tr, out, err := FitTransform(data, rows, 4, TransformAuto)
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, false, false}; !slices.Equal(tr.Log, want) {
		t.Errorf("Log = %v, want %v", tr.Log, want)
	}
	if tr.Scale[2] != 1 {
		t.Errorf("constant column scale %v, want 1", tr.Scale[2])
	}
	for j := range 4 {
		var m, v float64
		for i := range rows {
			m += out[i*4+j]
		}
		m /= float64(rows)
		for i := range rows {
			v += (out[i*4+j] - m) * (out[i*4+j] - m)
		}
		v /= float64(rows)
		wantV := 1.0
		if j == 2 {
			wantV = 0
		}
		if math.Abs(m) > 1e-9 || math.Abs(v-wantV) > 1e-9 {
			t.Errorf("column %d: mean %v variance %v", j, m, v)
		}
	}
	// Apply reproduces the fitted output; Inverse undoes it.
	again := make([]float64, len(data))
	if err := tr.Apply(again, data); err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(again, out) {
		t.Error("Apply differs from FitTransform output")
	}
	back := make([]float64, len(data))
	tr.Inverse(back, out)
	for i := range data {
		if math.Abs(back[i]-data[i]) > 1e-9*max(1, math.Abs(data[i])) {
			t.Fatalf("Inverse(%d) = %v, want %v", i, back[i], data[i])
		}
	}
	// In place.
	inPlace := slices.Clone(data)
	if err := tr.Apply(inPlace, inPlace); err != nil || !bitsEqual(inPlace, out) {
		t.Error("in-place Apply differs")
	}
}

// A 0/1 flag is centred and put 2 units between its states, however rare
// it is; a 0/1 column with one state only, and a 0/1/2 column, are not
// flags.
func TestFitTransformFlags(t *testing.T) {
	rows := 1000
	data := make([]float64, rows*3)
	for i := range rows {
		if i%20 == 0 {
			data[i*3] = 1 // 5 % set: skewed, would be logged as a count
		}
		data[i*3+1] = 0
		data[i*3+2] = float64(i % 3)
	}
	tr, out, err := FitTransform(data, rows, 3, TransformAuto)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Log[0] || tr.Scale[0] != FlagScale || math.Abs(tr.Mean[0]-0.05) > 1e-12 {
		t.Errorf("flag column: log %v mean %v scale %v, want no log, mean 0.05, scale %v", tr.Log[0], tr.Mean[0], tr.Scale[0], FlagScale)
	}
	if got := out[0] - out[3]; math.Abs(got-2) > 1e-12 {
		t.Errorf("flag states %v apart, want 2", got)
	}
	var m float64
	for i := range rows {
		m += out[i*3]
	}
	if math.Abs(m) > 1e-9 {
		t.Errorf("flag column not centred: sum %v", m)
	}
	if tr.Scale[1] != 1 || tr.Scale[2] == FlagScale {
		t.Errorf("non-flag columns scaled %v and %v", tr.Scale[1], tr.Scale[2])
	}
	// Apply on new rows agrees with the fit.
	row := []float64{1, 0, 2}
	if err := tr.Apply(row, row); err != nil {
		t.Fatal(err)
	}
	if math.Abs(row[0]-out[0]) > 1e-12 {
		t.Errorf("Apply gives %v for a set flag, fit gave %v", row[0], out[0])
	}
}

// A logged column with many zeros is scaled by the spread of its positive
// values, so the differences among them keep their weight.
func TestFitTransformZeroInflated(t *testing.T) {
	rows := 4000
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]float64, rows)
	var logs []float64
	for i := range rows {
		if i%2 == 0 { // half the rows lack the quantity
			v := math.Exp(3 + 1.2*rng.NormFloat64())
			data[i] = v
			logs = append(logs, math.Log1p(v))
		}
	}
	tr, out, err := FitTransform(data, rows, 1, TransformAuto)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Log[0] {
		t.Fatal("zero-inflated heavy-tailed column not logged")
	}
	var m, m2 float64
	for _, l := range logs {
		m += l
	}
	m /= float64(len(logs))
	for _, l := range logs {
		m2 += (l - m) * (l - m)
	}
	want := math.Sqrt(m2 / float64(len(logs)))
	if math.Abs(tr.Scale[0]-want) > 1e-9 {
		t.Errorf("scale %v, want the positive values' spread %v", tr.Scale[0], want)
	}
	// The positive values have unit spread in the output; zeros lie
	// below them all.
	var pm, pm2 float64
	var zero float64
	for i := range rows {
		if data[i] > 0 {
			pm += out[i]
		} else {
			zero = out[i]
		}
	}
	pm /= float64(len(logs))
	for i := range rows {
		if data[i] > 0 {
			pm2 += (out[i] - pm) * (out[i] - pm)
			if out[i] <= zero {
				t.Fatalf("row %d: %v not above the zeros' %v", i, out[i], zero)
			}
		}
	}
	if v := pm2 / float64(len(logs)); math.Abs(v-1) > 1e-9 {
		t.Errorf("positive values' variance %v, want 1", v)
	}
}

func TestFitTransformNone(t *testing.T) {
	data := transformData(100)
	tr, out, err := FitTransform(data, 100, 4, TransformNone)
	if err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(out, data) || &out[0] == &data[0] {
		t.Error("TransformNone must return an equal copy")
	}
	dst := make([]float64, 8)
	if err := tr.Apply(dst, data[:8]); err != nil || !bitsEqual(dst, data[:8]) {
		t.Error("identity Apply changed values")
	}
}

func TestTransformErrors(t *testing.T) {
	data := transformData(50)
	data[13*4+1] = math.NaN()
	_, _, err := FitTransform(data, 50, 4, TransformAuto)
	var de *DataError
	if !errors.As(err, &de) || de.Row != 13 || de.Col != 1 || !errors.Is(err, ErrNonFinite) {
		t.Errorf("FitTransform NaN: %v", err)
	}
	tr, _, err := FitTransform(transformData(500), 500, 4, TransformAuto)
	if err != nil {
		t.Fatal(err)
	}
	row := []float64{-1, 0, 0, 0, 1, 2, 3, 4}
	if err := tr.Apply(make([]float64, 8), row); !errors.Is(err, ErrDomain) || !errors.As(err, &de) || de.Row != 0 || de.Col != 0 {
		t.Errorf("Apply of -1 to a log column: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Apply with short dst did not panic")
			}
		}()
		tr.Apply(make([]float64, 3), row)
	}()
}

func TestObservationsRoundTrip(t *testing.T) {
	data, _ := blobs(1, 30, 3, 2, 2, 1)
	obs := ToObservations(data, 30, 3)
	back, rows, cols, err := FromObservations(obs)
	if err != nil || rows != 30 || cols != 3 || !bitsEqual(back, data) {
		t.Fatalf("round trip: %v %d %d", err, rows, cols)
	}
	obs[0].Coordinates()[0] = 99
	if data[0] == 99 {
		t.Error("observations alias the data")
	}
	bad := clusters.Observations{clusters.Coordinates{1, 2}, clusters.Coordinates{1}}
	if _, _, _, err := FromObservations(bad); err == nil {
		t.Error("ragged observations: no error")
	}
	if _, _, _, err := FromObservations(nil); err == nil {
		t.Error("no observations: no error")
	}
}

func TestToClusters(t *testing.T) {
	data, _ := separatedBlobs(1, 90, 2, 3, 10, 1)
	r, err := KMeansForTest(data, 90, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	cs := r.ToClusters(data)
	if len(cs) != 3 {
		t.Fatalf("%d clusters", len(cs))
	}
	for j, c := range cs {
		if len(c.Observations) != r.Sizes[j] || !bitsEqual(c.Center, r.Centroid(j)) {
			t.Errorf("cluster %d: %d observations, centre %v", j, len(c.Observations), c.Center)
		}
		if got := cs.Nearest(c.Center); got != j {
			t.Errorf("Nearest(centre %d) = %d", j, got)
		}
	}
}

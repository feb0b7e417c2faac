package cluster

import (
	"fmt"
	"math"
	"runtime"
)

// TransformMode selects what FitTransform does to each column.
type TransformMode int

const (
	// TransformAuto, the zero value, applies log1p to every column whose
	// minimum is at least 0 and whose sample skewness (the biased moment
	// estimator g1 = m3/m2^1.5) exceeds SkewThreshold, then standardises
	// every column to mean 0 and population standard deviation 1. A column
	// that is constant after the optional log1p gets scale 1.
	//
	// A logged column is divided by the standard deviation of its
	// positive values when that is smaller than the column's: in a
	// quantity many rows lack (the spend of customers who never bought,
	// zero), the gap between the zeros and the rest inflates the standard
	// deviation, and the differences among the rows that have the
	// quantity (a top spender among buyers) shrink in the distance; the
	// zeros still lie apart from the rest, further than before.
	//
	// A flag column (only the values 0 and 1, both present) is not logged
	// and is centred and divided by FlagScale instead of its standard
	// deviation: its two states lie 1/FlagScale = 2 units apart, as far as
	// a move of two standard deviations of a standardised column. Divided
	// by its standard deviation a rare flag would dominate every distance
	// (a flag set for 9 % of rows puts them 3.5 units from the others,
	// and the rarer the flag the larger the gap), so that k-means would
	// group by the flag before any behaviour. Two units per flag is the
	// convention of Gelman (2008), "Scaling regression inputs by dividing
	// by two standard deviations", which puts binary and continuous
	// inputs on a common scale.
	TransformAuto TransformMode = iota
	// TransformNone leaves the data as it is: FitTransform returns a copy
	// and the identity transform.
	TransformNone
)

// SkewThreshold is the sample skewness above which TransformAuto applies
// log1p to a non-negative column.
const SkewThreshold = 2.0

// FlagScale is the scale TransformAuto gives a 0/1 flag column.
const FlagScale = 0.5

// Transform is a per-column map fitted by FitTransform: an optional log1p
// followed by (x - Mean) / Scale.
type Transform struct {
	Log   []bool
	Mean  []float64
	Scale []float64
}

// Cols returns the number of columns the transform was fitted on.
func (t *Transform) Cols() int { return len(t.Mean) }

// FitTransform fits a transform of the columns of the row-major rows×cols
// matrix data according to mode and returns it with the transformed data
// in a new matrix; data is not modified. It returns a *DataError for a NaN
// or infinite value and panics if len(data) != rows*cols.
func FitTransform(data []float64, rows, cols int, mode TransformMode) (*Transform, []float64, error) {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("cluster: len(data) = %d, want rows*cols = %d×%d", len(data), rows, cols))
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, &DataError{Row: i / cols, Col: i % cols, Value: v, Err: ErrNonFinite}
		}
	}
	t := &Transform{Log: make([]bool, cols), Mean: make([]float64, cols), Scale: make([]float64, cols)}
	for j := range t.Scale {
		t.Scale[j] = 1
	}
	out := make([]float64, len(data))
	copy(out, data)
	switch mode {
	case TransformNone:
		return t, out, nil
	case TransformAuto:
	default:
		panic(fmt.Sprintf("cluster: unknown TransformMode %d", mode))
	}
	if rows == 0 {
		return t, out, nil
	}
	// Columns are fitted side by side; each is computed as on its own, so
	// the result does not depend on the number of goroutines.
	p := newPool(max(1, min(cols, runtime.GOMAXPROCS(0))))
	defer p.close()
	p.run(cols, func(_, j int) { t.fitColumn(data, out, rows, cols, j) })
	return t, out, nil
}

// fitColumn fits the transform of column j of data and writes the
// transformed column into out. The column is worked on as a contiguous
// copy: every pass then reads memory in order.
func (t *Transform) fitColumn(data, out []float64, rows, cols, j int) {
	col := make([]float64, rows)
	for i := range col {
		col[i] = data[i*cols+j]
	}
	defer func() {
		for i, v := range col {
			out[i*cols+j] = v
		}
	}()
	n := float64(rows)
	minV := math.Inf(1)
	var mean float64
	for _, v := range col {
		minV = min(minV, v)
		mean += v
	}
	mean /= n
	if isFlag(col, rows, 1, 0) {
		t.Mean[j], t.Scale[j] = mean, FlagScale
		for i, v := range col {
			col[i] = (v - mean) / FlagScale
		}
		return
	}
	if minV >= 0 && skewness(col, rows, 1, 0, mean) > SkewThreshold {
		t.Log[j] = true
		for i, v := range col {
			col[i] = math.Log1p(v)
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	mean = 0
	for _, v := range col {
		lo, hi = min(lo, v), max(hi, v)
		mean += v
	}
	mean /= n
	var m2 float64
	for _, v := range col {
		d := v - mean
		m2 += d * d
	}
	t.Mean[j] = mean
	if sd := math.Sqrt(m2 / n); hi > lo && sd > 0 {
		t.Scale[j] = sd
		if t.Log[j] {
			if p := positiveSpread(col, rows, 1, 0); p > 0 && p < sd {
				t.Scale[j] = p
			}
		}
	}
	for i, v := range col {
		col[i] = (v - mean) / t.Scale[j]
	}
}

// positiveSpread returns the population standard deviation of the
// positive values of column j (0 with fewer than two).
func positiveSpread(data []float64, rows, cols, j int) float64 {
	var n, mean float64
	for i := range rows {
		if v := data[i*cols+j]; v > 0 {
			n++
			mean += v
		}
	}
	if n < 2 {
		return 0
	}
	mean /= n
	var m2 float64
	for i := range rows {
		if v := data[i*cols+j]; v > 0 {
			m2 += (v - mean) * (v - mean)
		}
	}
	return math.Sqrt(m2 / n)
}

// isFlag reports whether column j holds only 0 and 1, and both.
func isFlag(data []float64, rows, cols, j int) bool {
	var zero, one bool
	for i := range rows {
		switch data[i*cols+j] {
		case 0:
			zero = true
		case 1:
			one = true
		default:
			return false
		}
	}
	return zero && one
}

// skewness returns the biased sample skewness m3/m2^1.5 of column j, or 0
// for a constant column.
func skewness(data []float64, rows, cols, j int, mean float64) float64 {
	var m2, m3 float64
	for i := range rows {
		d := data[i*cols+j] - mean
		m2 += d * d
		m3 += d * d * d
	}
	m2 /= float64(rows)
	m3 /= float64(rows)
	if m2 == 0 {
		return 0
	}
	return m3 / (m2 * math.Sqrt(m2))
}

// Apply transforms the row-major rows in src into dst, which may be src
// itself. It panics unless len(dst) == len(src) and len(src) is a multiple
// of t.Cols(), and returns a *DataError for a NaN or infinite value or a
// value at or below -1 in a log1p column; dst is then partly written.
func (t *Transform) Apply(dst, src []float64) error {
	cols := t.Cols()
	t.checkLen(dst, src)
	for i, v := range src {
		j := i % cols
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &DataError{Row: i / cols, Col: j, Value: v, Err: ErrNonFinite}
		}
		if t.Log[j] {
			if v <= -1 {
				return &DataError{Row: i / cols, Col: j, Value: v, Err: ErrDomain}
			}
			v = math.Log1p(v)
		}
		dst[i] = (v - t.Mean[j]) / t.Scale[j]
	}
	return nil
}

// Inverse maps transformed rows in src, such as centroids, back to the
// original units in dst, which may be src itself. It panics unless
// len(dst) == len(src) and len(src) is a multiple of t.Cols().
func (t *Transform) Inverse(dst, src []float64) {
	cols := t.Cols()
	t.checkLen(dst, src)
	for i, v := range src {
		j := i % cols
		v = v*t.Scale[j] + t.Mean[j]
		if t.Log[j] {
			v = math.Expm1(v)
		}
		dst[i] = v
	}
}

func (t *Transform) checkLen(dst, src []float64) {
	cols := t.Cols()
	if len(dst) != len(src) || (cols == 0 && len(src) > 0) || (cols > 0 && len(src)%cols != 0) {
		panic(fmt.Sprintf("cluster: transform of %d columns given len(dst) = %d, len(src) = %d", cols, len(dst), len(src)))
	}
}

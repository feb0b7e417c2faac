package cluster

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors for problems in the data. They are returned wrapped, so
// test for them with errors.Is.
var (
	// ErrNonFinite reports a NaN or ±Inf value in the data or the weights.
	ErrNonFinite = errors.New("cluster: value is NaN or infinite")
	// ErrRange reports a finite value so large that sums of squared
	// distances could overflow (see MaxAbs).
	ErrRange = errors.New("cluster: value too large in magnitude")
	// ErrTooFewRows reports fewer rows than requested clusters.
	ErrTooFewRows = errors.New("cluster: fewer rows than clusters")
	// ErrNoColumns reports a matrix with rows but no columns.
	ErrNoColumns = errors.New("cluster: matrix has no columns")
	// ErrWeight reports a negative sample weight, or weights that are all zero.
	ErrWeight = errors.New("cluster: invalid sample weight")
	// ErrDomain reports a value that a transform cannot take, such as a value
	// at or below -1 in a column fitted with log1p.
	ErrDomain = errors.New("cluster: value outside the domain of the transform")
)

// DataError locates a bad value in a row-major matrix or weight vector.
// Row and Col are zero-based; Col is -1 for a sample weight.
type DataError struct {
	Row, Col int
	Value    float64
	Err      error
}

func (e *DataError) Error() string {
	if e.Col < 0 {
		return fmt.Sprintf("%v: weight of row %d is %v", e.Err, e.Row, e.Value)
	}
	return fmt.Sprintf("%v: row %d, column %d is %v", e.Err, e.Row, e.Col, e.Value)
}

// Unwrap returns the sentinel error that classifies the problem.
func (e *DataError) Unwrap() error { return e.Err }

// MaxAbs returns the largest magnitude a value may have in a rows×cols
// matrix: up to it, the unweighted sum over all rows of squared Euclidean
// distances between rows and points of their bounding box stays finite
// (it is at most MaxFloat64/4). It is about 8e149 for a million rows of 16
// columns.
func MaxAbs(rows, cols int) float64 {
	n := float64(max(rows, 1)) * float64(max(cols, 1))
	return math.Sqrt(math.MaxFloat64/(4*n)) / 2
}

// checkMatrix panics on misuse (length mismatch) and returns a *DataError
// for the first NaN, Inf or too-large value, scanning row by row.
func checkMatrix(data []float64, rows, cols int) error {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("cluster: negative dimensions %d×%d", rows, cols))
	}
	if len(data) != rows*cols {
		panic(fmt.Sprintf("cluster: len(data) = %d, want rows*cols = %d×%d = %d", len(data), rows, cols, rows*cols))
	}
	if rows > 0 && cols == 0 {
		return ErrNoColumns
	}
	limit := MaxAbs(rows, cols)
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &DataError{Row: i / cols, Col: i % cols, Value: v, Err: ErrNonFinite}
		}
		if v > limit || v < -limit {
			return &DataError{Row: i / cols, Col: i % cols, Value: v, Err: ErrRange}
		}
	}
	return nil
}

// checkWeights panics if weights has the wrong length and returns a
// *DataError for a negative or non-finite weight, or ErrWeight when every
// weight is zero. A nil slice is valid and means unit weights.
func checkWeights(weights []float64, rows int) error {
	if weights == nil {
		return nil
	}
	if len(weights) != rows {
		panic(fmt.Sprintf("cluster: len(Weights) = %d, want rows = %d", len(weights), rows))
	}
	var total float64
	for i, w := range weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return &DataError{Row: i, Col: -1, Value: w, Err: ErrNonFinite}
		}
		if w < 0 {
			return &DataError{Row: i, Col: -1, Value: w, Err: ErrWeight}
		}
		total += w
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return fmt.Errorf("%w: weights sum to %v", ErrWeight, total)
	}
	return nil
}

package mixture

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/segmint/segmint/cluster"
)

// Rows are split into chunks of at least minChunkRows rows, and enough
// rows that the chunks' partial sums hold at most maxChunkFloats values
// (as package cluster chunks its fits); each chunk's statistics are summed
// on their own and added up in chunk order, so the result does not depend
// on the number of threads.
const (
	minChunkRows   = 512
	maxChunkFloats = 1 << 22
)

// chunkRows returns the rows per chunk for rows rows whose statistics are
// perRow values for each of k components.
func chunkRows(rows, perRow, k int) int {
	return max(minChunkRows, (rows*k*perRow+maxChunkFloats-1)/maxChunkFloats)
}

// parallel calls fn(w, c) for every chunk c in [0, n) on threads
// goroutines; w in [0, threads) identifies the goroutine, for scratch
// space.
func parallel(threads, n int, fn func(w, c int)) {
	threads = min(threads, n)
	if threads <= 1 {
		for c := range n {
			fn(0, c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= n {
					return
				}
				fn(w, c)
			}
		}()
	}
	wg.Wait()
}

// validate checks the matrix and the weights as cluster.KMeans does: the
// same errors for the same data.
func validate(data []float64, rows, cols, k int, weights []float64) error {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("mixture: len(data) = %d, want rows*cols = %d×%d", len(data), rows, cols))
	}
	if rows > 0 && cols == 0 {
		return cluster.ErrNoColumns
	}
	limit := cluster.MaxAbs(rows, cols)
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &cluster.DataError{Row: i / cols, Col: i % cols, Value: v, Err: cluster.ErrNonFinite}
		}
		if v > limit || v < -limit {
			return &cluster.DataError{Row: i / cols, Col: i % cols, Value: v, Err: cluster.ErrRange}
		}
	}
	if weights != nil {
		if len(weights) != rows {
			panic(fmt.Sprintf("mixture: len(Weights) = %d, want rows = %d", len(weights), rows))
		}
		var total float64
		for i, w := range weights {
			if math.IsNaN(w) || math.IsInf(w, 0) {
				return &cluster.DataError{Row: i, Col: -1, Value: w, Err: cluster.ErrNonFinite}
			}
			if w < 0 {
				return &cluster.DataError{Row: i, Col: -1, Value: w, Err: cluster.ErrWeight}
			}
			total += w
		}
		if !(total > 0) {
			return fmt.Errorf("%w: every weight is zero", cluster.ErrWeight)
		}
	}
	if rows < k {
		return fmt.Errorf("%w: %d rows, K = %d", cluster.ErrTooFewRows, rows, k)
	}
	return nil
}

package clv

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// block is the number of items a goroutine takes at a time. Blocks are
// fixed by the item count alone, and partial sums are combined in block
// order, so results do not depend on the number of goroutines.
const block = 2048

// workersOr returns n, or GOMAXPROCS when n <= 0.
func workersOr(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// forBlocks calls fn(b, lo, hi) for every block b = [lo, hi) of n items on
// up to workers goroutines, and returns when all calls have returned.
func forBlocks(n, workers int, fn func(b, lo, hi int)) {
	nb := (n + block - 1) / block
	workers = min(workersOr(workers), nb)
	if workers <= 1 {
		for b := range nb {
			fn(b, b*block, min(n, (b+1)*block))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				fn(b, b*block, min(n, (b+1)*block))
			}
		}()
	}
	wg.Wait()
}

// sumBlocks returns the sum over blocks of the k-vector that fn adds into
// its dst for the items [lo, hi), summed block by block in order.
func sumBlocks(n, k, workers int, fn func(dst []float64, lo, hi int)) []float64 {
	nb := (n + block - 1) / block
	part := make([]float64, nb*k)
	forBlocks(n, workers, func(b, lo, hi int) {
		fn(part[b*k:(b+1)*k], lo, hi)
	})
	sum := make([]float64, k)
	for b := range nb {
		for j := range k {
			sum[j] += part[b*k+j]
		}
	}
	return sum
}

package cluster

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// fanOut runs task(i, t) for every i in [0, n), at most threads tasks at
// once, each told to use t goroutines of its own so that together they use
// about threads (threads ≤ 0 means runtime.GOMAXPROCS(0)). Independent fits
// of a small sample keep two cores busier side by side, one goroutine each,
// than one after another with both: a fit's phases are too short for its
// own goroutines to stay busy. Tasks are started from the highest i down,
// so that where the cost grows with i (k-means over k) the longest start
// first.
//
// Each task must write only its own slot of the caller's results, and its
// result must not depend on t (k-means' does not: see Settings.Threads), so
// the outcome is the same on any number of threads. After a task fails no
// new task starts; the error returned is that of the lowest failed i.
func fanOut(n, threads int, task func(i, threads int) error) error {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	at := min(threads, n)
	if at <= 1 {
		for i := n - 1; i >= 0; i-- {
			if err := task(i, threads); err != nil {
				return err
			}
		}
		return nil
	}
	each := max(1, threads/at)
	errs := make([]error, n)
	var (
		next   atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	wg.Add(at)
	for range at {
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := n - 1 - int(next.Add(1)-1)
				if i < 0 {
					return
				}
				if errs[i] = task(i, each); errs[i] != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

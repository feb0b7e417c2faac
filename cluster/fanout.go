package cluster

import (
	"runtime"
	"sync/atomic"
)

// fanOut runs task(i, t) for every i in [0, n) on a pool of at most
// threads goroutines (threads ≤ 0 means runtime.GOMAXPROCS(0)), one task at
// a time each, each task told to use t goroutines of its own so that
// together they use about threads. Independent fits of a small sample keep
// two cores busier side by side, one goroutine each, than one after another
// with both: a fit's phases are too short for its own goroutines to stay
// busy. Tasks are started from the highest i down, so that where the cost
// grows with i (k-means over k) the longest start first.
//
// Each task must write only its own slot of the caller's results, and its
// result must not depend on t (k-means' does not: see Settings.Threads), so
// the outcome is the same on any number of threads. After a task fails no
// new task starts; the error returned is that of the lowest failed i.
func fanOut(n, threads int, task func(i, threads int) error) error {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	at := max(1, min(threads, n))
	each := max(1, threads/at)
	p := newPool(at)
	defer p.close()
	errs := make([]error, n)
	var failed atomic.Bool
	p.run(n, func(_, c int) {
		if i := n - 1 - c; !failed.Load() {
			if errs[i] = task(i, each); errs[i] != nil {
				failed.Store(true)
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

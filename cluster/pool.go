package cluster

import (
	"sync"
	"sync/atomic"
)

// pool runs a function over chunk indices 0..n-1 on a fixed set of
// goroutines started once per fit. Each chunk writes only its own slot of
// the caller's per-chunk buffers, so the work is deterministic whatever
// order the goroutines take chunks in; reductions over chunks are done by
// the caller in chunk order. Dispatching a phase does not allocate.
type pool struct {
	threads int
	workers int // goroutines besides the caller
	wake    chan struct{}
	wg      sync.WaitGroup
	next    atomic.Int64
	n       int
	fn      func(worker, chunk int)
}

// newPool starts threads-1 helper goroutines; the caller is the last
// thread. Close must be called to stop them.
func newPool(threads int) *pool {
	p := &pool{threads: threads, workers: threads - 1}
	if p.workers > 0 {
		p.wake = make(chan struct{}, p.workers)
		for w := range p.workers {
			go p.loop(p.wake, w+1)
		}
	}
	return p
}

func (p *pool) loop(wake <-chan struct{}, worker int) {
	for range wake {
		p.drain(worker)
		p.wg.Done()
	}
}

func (p *pool) drain(worker int) {
	for {
		c := int(p.next.Add(1)) - 1
		if c >= p.n {
			return
		}
		p.fn(worker, c)
	}
}

// run calls fn(w, c) for every chunk c in [0, n) and returns when all are
// done; w in [0, threads) identifies the goroutine, for per-goroutine
// scratch space (results must not depend on it). fn must be a function
// value created once, not a fresh closure per call, to keep the call
// allocation-free.
func (p *pool) run(n int, fn func(worker, chunk int)) {
	if p.workers == 0 || n == 1 {
		for c := range n {
			fn(0, c)
		}
		return
	}
	p.fn = fn
	p.n = n
	p.next.Store(0)
	helpers := min(p.workers, n-1)
	p.wg.Add(helpers)
	for range helpers {
		p.wake <- struct{}{}
	}
	p.drain(0)
	p.wg.Wait()
	p.fn = nil
}

// close stops the helper goroutines.
func (p *pool) close() {
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
}

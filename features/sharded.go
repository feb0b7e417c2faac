package features

import (
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Sharded is an aggregator that several goroutines add batches to at once.
// Customers are spread over shards by a hash of their id; each shard is an
// Aggregator behind a mutex, and a goroutine adding a batch takes each
// shard's lock once for all of the batch's rows of that shard. Every
// customer lives in exactly one shard, so memory holds one accumulator per
// customer whatever the number of goroutines, and there is no merge of
// per-worker partials at the end.
//
// Exact duplicates are dropped per split, before the events reach the
// shards: each goroutine reads whole splits in order, calls
// ShardBuffer.Split at the start of each, and its buffer's Dedup sees the
// split's events in input order. So what is dropped does not depend on how
// the goroutines interleave, and equals what an Aggregator per split drops.
type Sharded struct {
	shift  uint
	shards []shardAgg
	dups   atomic.Int64
}

type shardAgg struct {
	mu sync.Mutex
	g  *Aggregator
	_  [40]byte // keep shards' locks on separate cache lines
}

// ShardBuffer is one goroutine's scratch for Sharded.Add, with the
// duplicate-detection memory of the split it is reading.
type ShardBuffer struct {
	keep  []int32
	dedup Dedup
	// runs holds the kept rows of the batch being added, grouped by shard:
	// shard k's rows are runs[start[k]:start[k+1]], in input order.
	runs  Batch
	start []int32
	to    []int32 // each kept row's index in runs
	next  []int32
}

// Split starts a new split: the duplicate-detection memory is reset.
func (buf *ShardBuffer) Split() { buf.dedup.Reset() }

// NewSharded returns a sharded aggregator with at least n shards (rounded
// up to a power of two), reading product launches from launch.
func NewSharded(launch *Launches, n int) *Sharded {
	b := bits.Len(uint(max(n, 1) - 1))
	s := &Sharded{shift: uint(64 - b), shards: make([]shardAgg, 1<<b)}
	for i := range s.shards {
		s.shards[i].g = NewAggregator(launch)
	}
	return s
}

func (s *Sharded) shardOf(id int64) int {
	if len(s.shards) == 1 {
		return 0
	}
	return int((uint64(id) * 0x9E3779B97F4A7C15) >> s.shift)
}

// Add folds every event of b, except exact duplicates within the current
// split of buf, into the accumulators. It is safe for concurrent use; buf
// is the calling goroutine's own scratch.
//
// The kept rows are first copied, column by column, into runs of one shard
// each (a counting sort by shard, stable, so each shard's rows keep their
// input order), and each shard folds its run under its lock. The fold then
// reads the batch's columns in order, where folding the rows of one shard
// in place would read a cache line of every column for each row, 64 shards
// apart.
func (s *Sharded) Add(b *Batch, buf *ShardBuffer) {
	buf.keep = buf.dedup.Keep(b, buf.keep[:0])
	keep := buf.keep
	if d := b.Len - len(keep); d > 0 {
		s.dups.Add(int64(d))
	}
	n := len(s.shards)
	if len(buf.start) != n+1 {
		buf.start, buf.next = make([]int32, n+1), make([]int32, n)
	}
	clear(buf.start)
	buf.to = slices.Grow(buf.to[:0], len(keep))[:len(keep)]
	for r, i := range keep {
		k := s.shardOf(b.Customer[i])
		buf.to[r] = int32(k)
		buf.start[k+1]++
	}
	for k := 1; k <= n; k++ {
		buf.start[k] += buf.start[k-1]
	}
	copy(buf.next, buf.start[:n])
	for r, k := range buf.to {
		buf.to[r] = buf.next[k]
		buf.next[k]++
	}
	buf.runs.scatter(b, keep, buf.to)
	var run Batch
	for k := range n {
		lo, hi := int(buf.start[k]), int(buf.start[k+1])
		if lo == hi {
			continue
		}
		buf.runs.slice(&run, lo, hi)
		sh := &s.shards[k]
		sh.mu.Lock()
		sh.g.foldRun(&run)
		sh.mu.Unlock()
	}
	// Hold no string of the batch past the call.
	clear(buf.runs.CustomerID)
	clear(buf.runs.Country)
}

// Stats returns the data-set counts of everything added.
func (s *Sharded) Stats() Stats {
	var st Stats
	for k := range s.shards {
		st.merge(&s.shards[k].g.Stats)
	}
	st.Duplicates += s.dups.Load()
	return st
}

// Customers is the number of distinct customers added.
func (s *Sharded) Customers() int {
	n := 0
	for k := range s.shards {
		n += len(s.shards[k].g.ids)
	}
	return n
}

// Finalise computes the feature table, as Aggregator.Finalise does, straight
// from the shards (no copy of the accumulators). It first runs a full
// garbage collection: the scan leaves its per-batch garbage (decoded
// columns, batches, the readers' buffers) behind the accumulators, and
// collecting it lets the table reuse that memory instead of growing the
// heap, which lowers the stage's peak resident memory by about a tenth
// (BENCHMARKS.md).
func (s *Sharded) Finalise(ctx Context) *Table {
	runtime.GC()
	n := s.Customers()
	ids := make([]int64, 0, n)
	accs := make([]*Acc, 0, n)
	var names []string
	for k := range s.shards {
		g := s.shards[k].g
		if g.names != nil && names == nil {
			names = make([]string, len(ids), n)
		}
		ids = append(ids, g.ids...)
		if names != nil {
			names = append(names, g.names...)
			for len(names) < len(ids) {
				names = append(names, "")
			}
		}
		for i := range g.accs.len() {
			accs = append(accs, g.accs.at(int32(i)))
		}
	}
	return finalise(ctx, ids, names, accs)
}

// Err returns the first IDCollisionError any shard met, or nil.
func (s *Sharded) Err() error {
	for k := range s.shards {
		if err := s.shards[k].g.err; err != nil {
			return err
		}
	}
	return nil
}

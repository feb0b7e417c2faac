package features

import (
	"math/bits"
	"sync"
)

// Sharded is an aggregator that several goroutines add batches to at once.
// Customers are spread over shards by a hash of their id; each shard is an
// Aggregator behind a mutex, and a goroutine adding a batch takes each
// shard's lock once for all of the batch's rows of that shard. Every
// customer lives in exactly one shard, so memory holds one accumulator per
// customer whatever the number of goroutines, and there is no merge of
// per-worker partials at the end.
type Sharded struct {
	shift  uint
	shards []shardAgg
}

type shardAgg struct {
	mu sync.Mutex
	g  *Aggregator
	_  [40]byte // keep shards' locks on separate cache lines
}

// ShardBuffer is one goroutine's scratch for Sharded.Add.
type ShardBuffer struct {
	rows [][]int32
}

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

// Add folds every event of b into the accumulators. It is safe for
// concurrent use; buf is the calling goroutine's own scratch.
func (s *Sharded) Add(b *Batch, buf *ShardBuffer) {
	if len(buf.rows) != len(s.shards) {
		buf.rows = make([][]int32, len(s.shards))
	}
	for k := range buf.rows {
		buf.rows[k] = buf.rows[k][:0]
	}
	for i := 0; i < b.Len; i++ {
		k := s.shardOf(b.Customer[i])
		buf.rows[k] = append(buf.rows[k], int32(i))
	}
	for k, rows := range buf.rows {
		if len(rows) == 0 {
			continue
		}
		sh := &s.shards[k]
		sh.mu.Lock()
		sh.g.addRows(b, rows)
		sh.mu.Unlock()
	}
}

// Stats returns the data-set counts of everything added.
func (s *Sharded) Stats() Stats {
	var st Stats
	for k := range s.shards {
		st.merge(&s.shards[k].g.Stats)
	}
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
// from the shards (no copy of the accumulators).
func (s *Sharded) Finalise(ctx Context) *Table {
	n := s.Customers()
	ids := make([]int64, 0, n)
	accs := make([]*Acc, 0, n)
	for k := range s.shards {
		g := s.shards[k].g
		ids = append(ids, g.ids...)
		for i := range g.accs {
			accs = append(accs, &g.accs[i])
		}
	}
	return finalise(ctx, ids, accs)
}

package features

import (
	"cmp"
	"slices"
)

// keySet is a small map from 64-bit keys to values of type V, the
// per-customer store for sessions (flagSet: the flag bits of each session),
// orders (orderSet: the earliest purchase time and the spend) and categories
// (keySet[noVal]: keys alone, no value stored).
//
// It is built for the fold, where a set is written far more often than it
// is read, and where the customer's state is usually cold (the rows of a
// file sorted by time interleave customers): put appends the key and its
// value, without searching the set, so it touches only the set's last
// entry, and combines the value into that entry when the key is the same
// (a run of one order's lines, one category carted twice). A key may thus
// appear more than once; when the set is full, put first compacts it
// (sorts it by key and combines the values of each key, through V's
// combine, which is associative and commutative), and grows it only when
// compaction freed less than half of it. Readers compact first, after which
// every key appears once, in ascending order.
//
// Memory is proportional to the number of distinct keys, never to the
// number of events (fewer than four entries per distinct key, and about one
// in the common case where keys do not repeat): 16 bytes per session, 24 per
// order, 8 per category, in one array per set. There is no hash index: the
// fold never searches a set, and finalisation reads each set once in key
// order.
type keySet[V combiner[V]] struct {
	ents []keyEnt[V]
	// sorted is the length of the prefix of ents that is compacted: in
	// ascending key order, each key once.
	sorted int32
}

// keyEnt is one entry of a keySet. The value comes first, so that a set of
// keys alone (V of size zero) takes 8 bytes an entry, not 16.
type keyEnt[V any] struct {
	val V
	key uint64
}

// combiner is a keySet's value: combine returns the value of a key put
// with both v and o; it is associative and commutative.
type combiner[V any] interface{ combine(o V) V }

// noVal is the value of a set of keys alone.
type noVal struct{}

func (noVal) combine(noVal) noVal { return noVal{} }

// keySetFirstCap is the capacity of a set's first array: a customer with
// one session, order or category mostly gets more, so it starts at four,
// skipping the arrays of one and two that would become garbage at once.
const keySetFirstCap = 4

// keySetScanAt is the size up to which put searches the whole set.
const keySetScanAt = 8

// put adds key k with value v: v combines with k's value when k is present.
func (s *keySet[V]) put(k uint64, v V) {
	n := len(s.ents)
	if n <= keySetScanAt {
		// A small set lies in the line or two that the append would
		// touch anyway: search it, so that each key stays once.
		for i := n - 1; i >= 0; i-- {
			if s.ents[i].key == k {
				s.ents[i].val = s.ents[i].val.combine(v)
				return
			}
		}
	} else if s.ents[n-1].key == k {
		s.ents[n-1].val = s.ents[n-1].val.combine(v)
		return
	}
	if n == cap(s.ents) {
		s.makeRoom()
		n = len(s.ents)
	}
	if int(s.sorted) == n && (n == 0 || s.ents[n-1].key < k) {
		s.sorted++ // still compacted
	}
	s.ents = append(s.ents, keyEnt[V]{val: v, key: k})
}

// makeRoom is put's slow path on a full set: compact it, and grow it when
// compaction freed less than half of it.
func (s *keySet[V]) makeRoom() {
	if s.ents == nil {
		s.ents = make([]keyEnt[V], 0, keySetFirstCap)
		return
	}
	s.compact()
	if c := cap(s.ents); 2*len(s.ents) > c {
		grown := make([]keyEnt[V], len(s.ents), 2*c)
		copy(grown, s.ents)
		s.ents = grown
	}
}

// compact sorts the set by key and combines the values of each key, so
// that every key appears once.
func (s *keySet[V]) compact() {
	if int(s.sorted) == len(s.ents) {
		return
	}
	ents := s.ents
	if int(s.sorted) < len(ents)-1 || (s.sorted > 0 && ents[s.sorted-1].key > ents[s.sorted].key) {
		slices.SortFunc(ents, func(x, y keyEnt[V]) int { return cmp.Compare(x.key, y.key) })
	}
	w := 0
	for r := 1; r < len(ents); r++ {
		if ents[r].key == ents[w].key {
			ents[w].val = ents[w].val.combine(ents[r].val)
			continue
		}
		w++
		ents[w] = ents[r]
	}
	s.ents = ents[:w+1]
	s.sorted = int32(len(s.ents))
}

// len is the number of distinct keys.
func (s *keySet[V]) len() int {
	s.compact()
	return len(s.ents)
}

// add inserts key k if it is absent (for a set of keys alone).
func (s *keySet[V]) add(k uint64) {
	var zero V
	s.put(k, zero)
}

// merge puts every key of o, with its value, into s; o is only read.
func (s *keySet[V]) merge(o *keySet[V]) {
	for _, e := range o.ents {
		s.put(e.key, e.val)
	}
}

// sessFlags are a session's flag bits (sessView, sessCart, sessPurchase).
type sessFlags uint8

func (f sessFlags) combine(o sessFlags) sessFlags { return f | o }

// flagSet maps sessions to their flag bits.
type flagSet struct{ keySet[sessFlags] }

// or sets the bits of v on key k.
func (s *flagSet) or(k uint64, v uint8) { s.put(k, sessFlags(v)) }

// orderVal is what an orderSet keeps of an order: its earliest purchase
// time and its spend (money, micro-units).
type orderVal struct{ first, spend int64 }

func (v orderVal) combine(o orderVal) orderVal {
	return orderVal{first: min(v.first, o.first), spend: v.spend + o.spend}
}

// orderSet maps orders to their earliest purchase time and spend.
type orderSet struct{ keySet[orderVal] }

// fold adds a purchase row of order k at time t with the given spend:
// the order's time is its earliest row's, its spend the sum of its rows'.
func (s *orderSet) fold(k uint64, t, spend int64) { s.put(k, orderVal{t, spend}) }

// times appends the orders' times to dst[:0] in ascending order and returns
// the extended slice.
func (s *orderSet) times(dst []int64) []int64 {
	s.compact()
	dst = dst[:0]
	for _, e := range s.ents {
		dst = append(dst, e.val.first)
	}
	slices.Sort(dst)
	return dst
}

// firstSpend returns the spend of the first order: the earliest, of the
// smaller key on equal times (0 without orders). It depends on the orders
// alone, not on the order they were added in.
func (s *orderSet) firstSpend() int64 {
	s.compact()
	best := -1
	for i, e := range s.ents {
		// Keys ascend, so the first of equal times has the smaller key.
		if best < 0 || e.val.first < s.ents[best].val.first {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return s.ents[best].val.spend
}

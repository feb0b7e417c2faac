package features

import "slices"

// keySet is a small map from 64-bit keys to values of type V, the
// per-customer store for sessions (flagSet: one byte of flag bits per
// session), orders (orderSet: the earliest purchase time and the spend) and categories
// (keySet[struct{}]: keys alone, no value stored). Most customers have a
// handful of keys, so it is a pair of slices searched linearly, promoted to
// a hash index past keySetIndexAt keys. Memory is proportional to the
// number of distinct keys, never to the number of events: 9 bytes per
// session, 24 per order, 8 per category.
type keySet[V any] struct {
	keys []uint64
	vals []V
	idx  map[uint64]int32
	// last is 1 + the index of the key found or inserted last (0: none):
	// a customer's events come in runs of one session, so most look-ups
	// are for the previous key.
	last int32
}

const keySetIndexAt = 24

// keySetFirstCap is the capacity of a key set's first arrays.
const keySetFirstCap = 4

func (s *keySet[V]) find(k uint64) int {
	if s.last > 0 && s.keys[s.last-1] == k {
		return int(s.last - 1)
	}
	if s.idx != nil {
		if i, ok := s.idx[k]; ok {
			s.last = i + 1
			return int(i)
		}
		return -1
	}
	for i, x := range s.keys {
		if x == k {
			s.last = int32(i + 1)
			return i
		}
	}
	return -1
}

func (s *keySet[V]) insert(k uint64, v V) {
	if s.keys == nil {
		// A customer with one session, order or category mostly gets
		// more: start at four, skipping the arrays of one and two that
		// would become garbage at once.
		s.keys = make([]uint64, 0, keySetFirstCap)
		s.vals = make([]V, 0, keySetFirstCap)
	}
	s.keys = append(s.keys, k)
	s.vals = append(s.vals, v)
	s.last = int32(len(s.keys))
	if s.idx != nil {
		s.idx[k] = int32(len(s.keys) - 1)
	} else if len(s.keys) > keySetIndexAt {
		s.idx = make(map[uint64]int32, 2*len(s.keys))
		for i, x := range s.keys {
			s.idx[x] = int32(i)
		}
	}
}

func (s *keySet[V]) len() int { return len(s.keys) }

// add inserts key k if it is absent (for a set of keys alone).
func (s *keySet[V]) add(k uint64) {
	if s.find(k) < 0 {
		var zero V
		s.insert(k, zero)
	}
}

// mergeKeys adds every key of o into s (for a set of keys alone).
func (s *keySet[V]) mergeKeys(o *keySet[V]) {
	for _, k := range o.keys {
		s.add(k)
	}
}

// flagSet maps sessions to their flag bits (sessView, sessCart,
// sessPurchase).
type flagSet struct{ keySet[uint8] }

// or sets the bits of v on key k.
func (s *flagSet) or(k uint64, v uint8) {
	if i := s.find(k); i >= 0 {
		s.vals[i] |= v
		return
	}
	s.insert(k, v)
}

// mergeOr adds every key of o into s, OR-ing values.
func (s *flagSet) mergeOr(o *flagSet) {
	for i, k := range o.keys {
		s.or(k, o.vals[i])
	}
}

// orderVal is what an orderSet keeps of an order: its earliest purchase
// time and its spend (money, micro-units).
type orderVal struct{ first, spend int64 }

// orderSet maps orders to their earliest purchase time and spend.
type orderSet struct{ keySet[orderVal] }

// fold adds a purchase row of order k at time t with the given spend:
// the order's time is its earliest row's, its spend the sum of its rows'.
func (s *orderSet) fold(k uint64, t, spend int64) {
	if i := s.find(k); i >= 0 {
		v := &s.vals[i]
		v.first = min(v.first, t)
		v.spend += spend
		return
	}
	s.insert(k, orderVal{t, spend})
}

// merge adds every order of o into s.
func (s *orderSet) merge(o *orderSet) {
	for i, k := range o.keys {
		s.fold(k, o.vals[i].first, o.vals[i].spend)
	}
}

// times returns the orders' times in ascending order in a new slice.
func (s *orderSet) times() []int64 {
	out := make([]int64, len(s.vals))
	for i, v := range s.vals {
		out[i] = v.first
	}
	slices.Sort(out)
	return out
}

// firstSpend returns the spend of the first order: the earliest, of the
// smaller key on equal times (0 without orders). It depends on the orders
// alone, not on the order they were added in.
func (s *orderSet) firstSpend() int64 {
	best := -1
	for i, v := range s.vals {
		if best < 0 || v.first < s.vals[best].first || (v.first == s.vals[best].first && s.keys[i] < s.keys[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return s.vals[best].spend
}

package features

import "slices"

// keySet is a small map from 64-bit keys to int64 values, the per-customer
// store for sessions (value: flag bits), orders (value: earliest time) and
// categories (value unused). Most customers have a handful of keys, so it is
// a pair of slices searched linearly, promoted to a hash index past
// keySetIndexAt keys. Memory is proportional to the number of distinct keys,
// never to the number of events.
type keySet struct {
	keys []uint64
	vals []int64
	idx  map[uint64]int32
	// last is 1 + the index of the key found or inserted last (0: none):
	// a customer's events come in runs of one session, so most look-ups
	// are for the previous key.
	last int32
}

const keySetIndexAt = 24

func (s *keySet) find(k uint64) int {
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

func (s *keySet) insert(k uint64, v int64) {
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

// or sets the bits of v on key k.
func (s *keySet) or(k uint64, v int64) {
	if i := s.find(k); i >= 0 {
		s.vals[i] |= v
		return
	}
	s.insert(k, v)
}

// min keeps the smallest value seen for key k.
func (s *keySet) min(k uint64, v int64) {
	if i := s.find(k); i >= 0 {
		if v < s.vals[i] {
			s.vals[i] = v
		}
		return
	}
	s.insert(k, v)
}

func (s *keySet) len() int { return len(s.keys) }

// mergeOr adds every key of o into s, OR-ing values.
func (s *keySet) mergeOr(o *keySet) {
	for i, k := range o.keys {
		s.or(k, o.vals[i])
	}
}

// mergeMin adds every key of o into s, keeping the smaller value.
func (s *keySet) mergeMin(o *keySet) {
	for i, k := range o.keys {
		s.min(k, o.vals[i])
	}
}

// sortedVals returns the values in ascending order in a new slice.
func (s *keySet) sortedVals() []int64 {
	out := slices.Clone(s.vals)
	slices.Sort(out)
	return out
}

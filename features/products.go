package features

import "math/bits"

// productTable maps products to their first time seen: the table behind
// Launches, read once per event in the first pass and once per purchase in
// the second. It is an open-addressing hash table with linear probing whose
// entries hold the product and the time side by side, so a look-up touches
// one cache line; product 0 (no product) is never stored and marks an empty
// entry.
type productTable struct {
	ents  []productEnt
	n     int
	shift uint32
}

type productEnt struct{ p, t int64 }

// min records time t for product p (p != 0), keeping the earliest.
func (x *productTable) min(p, t int64) {
	if 2*(x.n+1) > len(x.ents) {
		x.grow()
	}
	mask := uint64(len(x.ents) - 1)
	for i := idHash(p) >> x.shift; ; i = (i + 1) & mask {
		e := &x.ents[i]
		if e.p == p {
			if t < e.t {
				e.t = t
			}
			return
		}
		if e.p == 0 {
			e.p, e.t = p, t
			x.n++
			return
		}
	}
}

// get returns the time recorded for p, and whether there is one.
func (x *productTable) get(p int64) (int64, bool) {
	if x.n == 0 || p == 0 {
		return 0, false
	}
	mask := uint64(len(x.ents) - 1)
	for i := idHash(p) >> x.shift; ; i = (i + 1) & mask {
		e := &x.ents[i]
		if e.p == p {
			return e.t, true
		}
		if e.p == 0 {
			return 0, false
		}
	}
}

func (x *productTable) grow() {
	size := max(2*len(x.ents), idIndexMinSize)
	old := x.ents
	x.ents = make([]productEnt, size)
	x.shift = uint32(64 - bits.TrailingZeros(uint(size)))
	x.n = 0
	for _, e := range old {
		if e.p != 0 {
			x.min(e.p, e.t)
		}
	}
}

// len is the number of products recorded.
func (x *productTable) len() int { return x.n }

// each calls f for every product and its time, in no particular order.
func (x *productTable) each(f func(p, t int64)) {
	for _, e := range x.ents {
		if e.p != 0 {
			f(e.p, e.t)
		}
	}
}

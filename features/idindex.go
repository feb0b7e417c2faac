package features

import "math/bits"

// idIndex maps customer ids to dense slots (int32), the look-up that every
// run of a customer's events pays. It is an open-addressing hash table with
// linear probing whose entries hold the key and the slot side by side, so a
// look-up touches one cache line in the common case, where a general map
// reads a control word and then the slot, and through a directory once it
// is large. It never deletes; clear empties it for reuse (Dedup does so at
// every split).
type idIndex struct {
	ents  []idEnt
	n     int    // entries in use
	shift uint32 // 64 - log2(len(ents))
}

// idEnt is one entry; slot1 is the slot + 1, so that 0 marks an empty entry.
type idEnt struct {
	id    int64
	slot1 int32
}

// idIndexMinSize is the number of entries of a new index.
const idIndexMinSize = 64

// idHash spreads an id over the table. The ids may be small consecutive
// integers or already hashed, and Sharded picks a shard from the top bits
// of another multiplicative hash, so the id is fully mixed (the splitmix64
// finaliser) before the top bits are taken.
func idHash(id int64) uint64 {
	h := uint64(id)
	h ^= h >> 30
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 27
	h *= 0x94D049BB133111EB
	return h ^ h>>31
}

// get returns id's slot, or -1.
func (x *idIndex) get(id int64) int32 {
	if x.n == 0 {
		return -1
	}
	mask := uint64(len(x.ents) - 1)
	for i := idHash(id) >> x.shift; ; i = (i + 1) & mask {
		e := &x.ents[i]
		if e.slot1 == 0 {
			return -1
		}
		if e.id == id {
			return e.slot1 - 1
		}
	}
}

// getOrPut returns id's slot, inserting it with slot next when absent; added
// reports whether it was.
func (x *idIndex) getOrPut(id int64, next int32) (slot int32, added bool) {
	if 2*(x.n+1) > len(x.ents) {
		x.grow()
	}
	mask := uint64(len(x.ents) - 1)
	for i := idHash(id) >> x.shift; ; i = (i + 1) & mask {
		e := &x.ents[i]
		if e.slot1 == 0 {
			e.id, e.slot1 = id, next+1
			x.n++
			return next, true
		}
		if e.id == id {
			return e.slot1 - 1, false
		}
	}
}

// grow doubles the table (at most half full, so probe runs stay short).
func (x *idIndex) grow() {
	size := max(2*len(x.ents), idIndexMinSize)
	old := x.ents
	x.ents = make([]idEnt, size)
	x.shift = uint32(64 - bits.TrailingZeros(uint(size)))
	mask := uint64(size - 1)
	for _, e := range old {
		if e.slot1 == 0 {
			continue
		}
		i := idHash(e.id) >> x.shift
		for x.ents[i].slot1 != 0 {
			i = (i + 1) & mask
		}
		x.ents[i] = e
	}
}

// clear empties the index, keeping its memory.
func (x *idIndex) clear() {
	if x.n > 0 {
		clear(x.ents)
		x.n = 0
	}
}

package clv

import (
	"cmp"
	"slices"
)

// triples holds the distinct (x, t_x, T) of a set of customers with the
// number of customers sharing each, and the distinct values of each
// coordinate, so that terms depending on one coordinate are computed once
// per distinct value.
type triples struct {
	x, tx, t []float64 // per triple
	weight   []float64 // customers per triple
	ix       []int32   // per triple: index into xs
	itx, it  []int32   // per triple: index into txs, ts
	xs       []float64 // distinct x, ascending
	txs, ts  []float64 // distinct t_x and T, ascending
	of       []int32   // per customer: its triple
	total    float64   // sum of weights
	sumX     float64   // weighted sum of x
}

type tripleKey struct{ x, tx, t float64 }

// packBits is the width of each coordinate in a packed key.
const packBits = 21

// packedKeys returns the summaries packed into one integer each,
// x<<42 | t_x<<21 | T, which orders them as (x, t_x, T) do, when every
// coordinate is a whole number below 2^21, as they are for day counts;
// else false. Integer keys hash and compare faster than triples of floats.
func packedKeys(cs []Customer) ([]uint64, bool) {
	const lim = 1 << packBits
	keys := make([]uint64, len(cs))
	for i, c := range cs {
		x, tx, t := uint64(c.X), uint64(c.TX), uint64(c.T)
		if x >= lim || tx >= lim || t >= lim || float64(x) != c.X || float64(tx) != c.TX || float64(t) != c.T {
			return nil, false
		}
		keys[i] = x<<(2*packBits) | tx<<packBits | t
	}
	return keys, true
}

// collapseTriples groups customers by (X, TX, T). Triples are numbered in
// ascending (x, t_x, T) order, so the numbering does not depend on the
// order of the customers.
func collapseTriples(cs []Customer) *triples {
	if keys, ok := packedKeys(cs); ok {
		return collapseBy(keys, cmp.Compare[uint64], func(k uint64) tripleKey {
			const mask = 1<<packBits - 1
			return tripleKey{float64(k >> (2 * packBits)), float64(k >> packBits & mask), float64(k & mask)}
		})
	}
	keys := make([]tripleKey, len(cs))
	for i, c := range cs {
		keys[i] = tripleKey{c.X, c.TX, c.T}
	}
	return collapseBy(keys, func(a, b tripleKey) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		if c := cmp.Compare(a.tx, b.tx); c != 0 {
			return c
		}
		return cmp.Compare(a.t, b.t)
	}, func(k tripleKey) tripleKey { return k })
}

// collapseBy groups customers by their keys, numbering the groups in the
// order of compare; triple maps a key to its summary.
func collapseBy[K comparable](keys []K, compare func(a, b K) int, triple func(K) tripleKey) *triples {
	index := make(map[K]int32, min(len(keys)/4, 1<<20))
	of := make([]int32, len(keys))
	var uniq []K
	var counts []float64
	for i, k := range keys {
		j, ok := index[k]
		if !ok {
			j = int32(len(uniq))
			index[k] = j
			uniq = append(uniq, k)
			counts = append(counts, 0)
		}
		counts[j]++
		of[i] = j
	}
	order := make([]int32, len(uniq))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return compare(uniq[a], uniq[b]) })
	rank := make([]int32, len(uniq))
	for r, j := range order {
		rank[j] = int32(r)
	}
	for i := range of {
		of[i] = rank[of[i]]
	}
	n := len(uniq)
	tr := &triples{
		x: make([]float64, n), tx: make([]float64, n), t: make([]float64, n),
		weight: make([]float64, n), of: of,
	}
	for r, j := range order {
		k := triple(uniq[j])
		tr.x[r], tr.tx[r], tr.t[r], tr.weight[r] = k.x, k.tx, k.t, counts[j]
		tr.total += counts[j]
		tr.sumX += counts[j] * k.x
	}
	tr.xs, tr.ix = distinct(tr.x)
	tr.txs, tr.itx = distinct(tr.tx)
	tr.ts, tr.it = distinct(tr.t)
	return tr
}

// distinct returns the distinct values of v in ascending order and the
// index of each element of v among them.
func distinct(v []float64) ([]float64, []int32) {
	vals := slices.Clone(v)
	slices.Sort(vals)
	vals = slices.Compact(vals)
	idx := make([]int32, len(v))
	for i, x := range v {
		j, _ := slices.BinarySearch(vals, x)
		idx[i] = int32(j)
	}
	return vals, idx
}

// customer returns triple i as a Customer.
func (tr *triples) customer(i int) Customer {
	return Customer{X: tr.x[i], TX: tr.tx[i], T: tr.t[i]}
}

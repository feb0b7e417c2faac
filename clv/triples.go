package clv

import (
	"cmp"
	"math/bits"
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

func compareTriple(a, b tripleKey) int {
	if c := cmp.Compare(a.x, b.x); c != 0 {
		return c
	}
	if c := cmp.Compare(a.tx, b.tx); c != 0 {
		return c
	}
	return cmp.Compare(a.t, b.t)
}

// collapseTriples groups customers by (X, TX, T). Triples are numbered in
// ascending (x, t_x, T) order, so the numbering does not depend on the
// order of the customers.
func collapseTriples(cs []Customer) *triples {
	if tr, ok := collapseWhole(cs); ok {
		return tr
	}
	index := make(map[tripleKey]int32, min(len(cs)/4, 1<<20))
	of := make([]int32, len(cs))
	var uniq []tripleKey
	var counts []float64
	for i, c := range cs {
		k := tripleKey{c.X, c.TX, c.T}
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
	slices.SortFunc(order, func(a, b int32) int { return compareTriple(uniq[a], uniq[b]) })
	rank := make([]int32, len(uniq))
	sorted := make([]tripleKey, len(uniq))
	sortedCounts := make([]float64, len(uniq))
	for r, j := range order {
		rank[j] = int32(r)
		sorted[r], sortedCounts[r] = uniq[j], counts[j]
	}
	for i := range of {
		of[i] = rank[of[i]]
	}
	return newTriples(sorted, sortedCounts, of)
}

// collapseWhole collapses summaries whose coordinates are all whole
// numbers, as day counts are, without hashing: each summary is packed
// into one integer, x, t_x and T side by side in as many bits as their
// largest values need, which orders them as (x, t_x, T) do, and the keys
// are sorted by an LSD radix sort. It reports false when a coordinate is
// fractional or the key would not fit in 63 bits.
func collapseWhole(cs []Customer) (*triples, bool) {
	var maxX, maxTX, maxT uint64
	for _, c := range cs {
		x, tx, t := uint64(c.X), uint64(c.TX), uint64(c.T)
		if float64(x) != c.X || float64(tx) != c.TX || float64(t) != c.T {
			return nil, false
		}
		maxX, maxTX, maxT = max(maxX, x), max(maxTX, tx), max(maxT, t)
	}
	bt, btx := uint(bits.Len64(maxT)), uint(bits.Len64(maxTX))
	used := int(uint(bits.Len64(maxX)) + btx + bt)
	if used > 63 {
		return nil, false
	}
	n := len(cs)
	keys, idx := make([]uint64, n), make([]int32, n)
	for i, c := range cs {
		keys[i] = uint64(c.X)<<(btx+bt) | uint64(c.TX)<<bt | uint64(c.T)
		idx[i] = int32(i)
	}
	const digit = 11
	var count [1<<digit + 1]int
	tmpKeys, tmpIdx := make([]uint64, n), make([]int32, n)
	for shift := 0; shift < used; shift += digit {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&(1<<digit-1)+1]++
		}
		for d := 1; d < len(count); d++ {
			count[d] += count[d-1]
		}
		for i, k := range keys {
			d := (k >> shift) & (1<<digit - 1)
			tmpKeys[count[d]], tmpIdx[count[d]] = k, idx[i]
			count[d]++
		}
		keys, tmpKeys, idx, tmpIdx = tmpKeys, keys, tmpIdx, idx
	}
	of := make([]int32, n)
	var uniq []tripleKey
	var counts []float64
	for i, k := range keys {
		if i == 0 || k != keys[i-1] {
			uniq = append(uniq, tripleKey{
				float64(k >> (btx + bt)), float64(k >> bt & (1<<btx - 1)), float64(k & (1<<bt - 1)),
			})
			counts = append(counts, 0)
		}
		counts[len(counts)-1]++
		of[idx[i]] = int32(len(uniq) - 1)
	}
	return newTriples(uniq, counts, of), true
}

// newTriples builds the triples from the distinct summaries in ascending
// order, their counts, and each customer's triple.
func newTriples(uniq []tripleKey, counts []float64, of []int32) *triples {
	n := len(uniq)
	tr := &triples{
		x: make([]float64, n), tx: make([]float64, n), t: make([]float64, n),
		weight: counts, of: of,
	}
	for r, k := range uniq {
		tr.x[r], tr.tx[r], tr.t[r] = k.x, k.tx, k.t
		tr.total += counts[r]
		tr.sumX += counts[r] * k.x
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
	if !slices.IsSorted(vals) {
		slices.Sort(vals)
	}
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

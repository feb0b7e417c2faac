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

// collapseTriples groups customers by (X, TX, T). Triples are numbered in
// ascending (x, t_x, T) order, so the numbering does not depend on the
// order of the customers.
func collapseTriples(cs []Customer) *triples {
	index := make(map[tripleKey]int32, 1024)
	of := make([]int32, len(cs))
	var keys []tripleKey
	var counts []float64
	for i, c := range cs {
		k := tripleKey{c.X, c.TX, c.T}
		j, ok := index[k]
		if !ok {
			j = int32(len(keys))
			index[k] = j
			keys = append(keys, k)
			counts = append(counts, 0)
		}
		counts[j]++
		of[i] = j
	}
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ka, kb := keys[a], keys[b]
		if c := cmp.Compare(ka.x, kb.x); c != 0 {
			return c
		}
		if c := cmp.Compare(ka.tx, kb.tx); c != 0 {
			return c
		}
		return cmp.Compare(ka.t, kb.t)
	})
	rank := make([]int32, len(keys))
	for r, j := range order {
		rank[j] = int32(r)
	}
	for i := range of {
		of[i] = rank[of[i]]
	}
	n := len(keys)
	tr := &triples{
		x: make([]float64, n), tx: make([]float64, n), t: make([]float64, n),
		weight: make([]float64, n), of: of,
	}
	for r, j := range order {
		k := keys[j]
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

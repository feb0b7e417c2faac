package features

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// Merge folds o into s.
func (s *Stats) Merge(o *Stats) { s.merge(o) }

// Available returns the features of the catalogue that can be computed on
// a data set described by c, in catalogue order, and the absent ones.
func (c *Context) Available() (available []*Feature, absent []Absence) {
	for _, f := range Catalogue() {
		if why := f.Unavailable(c); why != "" {
			absent = append(absent, Absence{Feature: f.Name, Reason: why})
			continue
		}
		available = append(available, f)
	}
	return available, absent
}

// Values finalises the features feats of one customer into dst (grown as
// needed); NaN means null.
func (a *Acc) Values(c *Context, feats []*Feature, dst []float64) []float64 {
	dst = dst[:0]
	cc := *c
	cc.row = &rowCache{}
	for _, f := range feats {
		v, ok := f.Value(a, &cc)
		if !ok || math.IsInf(v, 0) {
			v = math.NaN()
		}
		dst = append(dst, v)
	}
	return dst
}

// accVersion is the first byte of an encoded Acc.
// Version 2 dropped the duplicate-detection memory, which moved to Dedup;
// version 3 added each order's spend.
const accVersion = 3

// ErrBadEncoding is returned by UnmarshalBinary for data that is not an
// encoded Acc.
var ErrBadEncoding = errors.New("features: not an encoded accumulator")

// MarshalBinary encodes a (for shuffling partial accumulators between
// workers). The encoding is stable across processes and machines.
func (a *Acc) MarshalBinary() ([]byte, error) {
	a.flushSession()
	b := make([]byte, 0, 160+16*(a.sessions.len()+a.categories.len()+a.carted.len())+24*a.orders.len())
	b = append(b, accVersion)
	for _, v := range []int64{a.FirstEvent, a.LastEvent, a.FirstPurchase, a.LastPurchase, a.Views, a.CartAdds, a.CartRemoves, a.PurchaseRows, a.Units, a.Spend, a.CouponRows, a.Discount, a.RefundRows, a.RefundAmount, a.Subscribes, a.TrendRows, a.CountryTime} {
		b = binary.AppendVarint(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Country)))
	b = append(b, a.Country...)
	// Each set as its count and (key, value) pairs, values as varints
	// (0 for the sets of keys alone), the same bytes whatever the values'
	// type in memory; an order's value is its time then its spend.
	b = appendSet(b, &a.sessions.keySet, func(b []byte, v sessFlags) []byte { return binary.AppendVarint(b, int64(v)) })
	b = appendSet(b, &a.orders.keySet, func(b []byte, v orderVal) []byte {
		return binary.AppendVarint(binary.AppendVarint(b, v.first), v.spend)
	})
	b = appendSet(b, &a.categories, func(b []byte, _ noVal) []byte { return binary.AppendVarint(b, 0) })
	b = appendSet(b, &a.carted, func(b []byte, _ noVal) []byte { return binary.AppendVarint(b, 0) })
	return b, nil
}

// appendSet appends the set ks, compacted, in ascending key order.
func appendSet[V combiner[V]](b []byte, ks *keySet[V], appendVal func([]byte, V) []byte) []byte {
	ks.compact()
	b = binary.AppendUvarint(b, uint64(len(ks.ents)))
	for _, e := range ks.ents {
		b = binary.LittleEndian.AppendUint64(b, e.key)
		b = appendVal(b, e.val)
	}
	return b
}

// UnmarshalBinary decodes an Acc encoded by MarshalBinary into a.
func (a *Acc) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != accVersion {
		return ErrBadEncoding
	}
	r := data[1:]
	bad := false
	varint := func() int64 {
		v, n := binary.Varint(r)
		if n <= 0 {
			bad = true
			return 0
		}
		r = r[n:]
		return v
	}
	uvarint := func() uint64 {
		v, n := binary.Uvarint(r)
		if n <= 0 {
			bad = true
			return 0
		}
		r = r[n:]
		return v
	}
	u64 := func() uint64 {
		if len(r) < 8 {
			bad = true
			return 0
		}
		v := binary.LittleEndian.Uint64(r)
		r = r[8:]
		return v
	}
	*a = Acc{}
	for _, p := range []*int64{&a.FirstEvent, &a.LastEvent, &a.FirstPurchase, &a.LastPurchase, &a.Views, &a.CartAdds, &a.CartRemoves, &a.PurchaseRows, &a.Units, &a.Spend, &a.CouponRows, &a.Discount, &a.RefundRows, &a.RefundAmount, &a.Subscribes, &a.TrendRows, &a.CountryTime} {
		*p = varint()
	}
	n := uvarint()
	if bad || n > uint64(len(r)) {
		return ErrBadEncoding
	}
	a.Country = string(r[:n])
	r = r[n:]
	// readSet reads one set written by appendSet; insert reads the value
	// (varint reads one number) and rejects one the set cannot hold.
	readSet := func(insert func(k uint64) bool) bool {
		m := uvarint()
		if bad || m > uint64(len(r))/9+1 {
			return false
		}
		for range m {
			k := u64()
			if bad {
				return false
			}
			if ok := insert(k); !ok || bad {
				return false
			}
		}
		return true
	}
	if !readSet(func(k uint64) bool { v := varint(); a.sessions.or(k, uint8(v)); return v >= 0 && v <= 0xff }) ||
		!readSet(func(k uint64) bool { a.orders.put(k, orderVal{first: varint(), spend: varint()}); return true }) ||
		!readSet(func(k uint64) bool { a.categories.add(k); return varint() == 0 }) ||
		!readSet(func(k uint64) bool { a.carted.add(k); return varint() == 0 }) {
		return ErrBadEncoding
	}
	if bad || len(r) != 0 {
		return ErrBadEncoding
	}
	return nil
}

// MarshalBinary encodes the product launches (for a distributed runner's
// side input).
func (l *Launches) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 32+16*l.first.len())
	b = append(b, accVersion)
	for _, v := range []int64{l.MinTime, l.MaxTime, l.windowStart, l.trendWindow} {
		b = binary.AppendVarint(b, v)
	}
	b = binary.AppendUvarint(b, uint64(l.first.len()))
	ents := make([]productEnt, 0, l.first.len())
	l.first.each(func(p, t int64) { ents = append(ents, productEnt{p, t}) })
	slices.SortFunc(ents, func(x, y productEnt) int { return cmp.Compare(x.p, y.p) }) // a stable encoding
	for _, e := range ents {
		b = binary.AppendVarint(b, e.p)
		b = binary.AppendVarint(b, e.t)
	}
	return b, nil
}

// UnmarshalBinary decodes launches encoded by MarshalBinary into l.
func (l *Launches) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != accVersion {
		return ErrBadEncoding
	}
	r := data[1:]
	next := func() (int64, bool) {
		v, n := binary.Varint(r)
		if n <= 0 {
			return 0, false
		}
		r = r[n:]
		return v, true
	}
	var head [4]int64
	for i := range head {
		v, ok := next()
		if !ok {
			return ErrBadEncoding
		}
		head[i] = v
	}
	n, k := binary.Uvarint(r)
	if k <= 0 || n > uint64(len(r)) {
		return ErrBadEncoding
	}
	r = r[k:]
	*l = Launches{MinTime: head[0], MaxTime: head[1], windowStart: head[2], trendWindow: head[3]}
	for range n {
		p, ok1 := next()
		t, ok2 := next()
		if !ok1 || !ok2 || p == 0 {
			return ErrBadEncoding
		}
		l.first.min(p, t)
	}
	if len(r) != 0 {
		return ErrBadEncoding
	}
	return nil
}

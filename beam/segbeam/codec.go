package segbeam

import (
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/segmint/segmint/features"
)

// ErrBadElement is returned by the coders for bytes that are not an
// encoded element of the expected type.
var ErrBadElement = errors.New("segbeam: malformed encoded element")

// The elements that cross a shuffle or a side input have explicit binary
// coders: Beam's default (JSON) coder cannot see features.Acc's unexported
// state and would be slow and lossy for NaN. Every coder is a plain
// function pair registered in init, so any runner's workers can decode
// what another worker encoded.
func init() {
	beam.RegisterCoder(reflect.TypeOf((*features.Acc)(nil)), encodeAcc, decodeAcc)
	beam.RegisterCoder(reflect.TypeOf(features.Stats{}), encodeStats, decodeStats)
	beam.RegisterCoder(reflect.TypeOf(launchSet{}), encodeLaunchSet, decodeLaunchSet)
	beam.RegisterCoder(reflect.TypeOf((*launchAcc)(nil)), encodeLaunchAcc, decodeLaunchAcc)
	beam.RegisterCoder(reflect.TypeOf(featureRow{}), encodeFeatureRow, decodeFeatureRow)
	beam.RegisterCoder(reflect.TypeOf(customerRow{}), encodeCustomerRow, decodeCustomerRow)
	beam.RegisterCoder(reflect.TypeOf((*bottomK)(nil)), encodeBottomK, decodeBottomK)
	beam.RegisterCoder(reflect.TypeOf(splitCounts{}), encodeSplitCounts, decodeSplitCounts)
}

// encoder appends values to a byte slice.
type encoder struct{ b []byte }

func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) float(v float64)  { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v)) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }

// decoder reads what encoder wrote; the first problem sticks in err.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err = ErrBadElement; d.b = nil }

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// length reads a count of items of at least min bytes each.
func (d *decoder) length(minBytes int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/max(minBytes, 1)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) rawBytes() []byte {
	n := d.length(1)
	if d.err != nil {
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) str() string { return string(d.rawBytes()) }

// done reports the first error, or ErrBadElement when bytes are left over.
func (d *decoder) done() error {
	if d.err == nil && len(d.b) != 0 {
		return ErrBadElement
	}
	return d.err
}

// encodeAcc and decodeAcc use the accumulator's own stable encoding.
func encodeAcc(a *features.Acc) ([]byte, error) { return a.MarshalBinary() }

func decodeAcc(b []byte) (*features.Acc, error) {
	a := new(features.Acc)
	if err := a.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return a, nil
}

func encodeStats(s features.Stats) []byte {
	e := encoder{b: make([]byte, 0, 32)}
	e.varint(s.Events)
	e.varint(s.Duplicates)
	e.uvarint(uint64(len(s.ByType)))
	for _, n := range s.ByType {
		e.varint(n)
	}
	e.uvarint(uint64(s.Present))
	return e.b
}

func decodeStats(b []byte) (features.Stats, error) {
	var s features.Stats
	d := decoder{b: b}
	s.Events = d.varint()
	s.Duplicates = d.varint()
	if n := d.length(1); n != len(s.ByType) {
		return s, ErrBadElement
	}
	for i := range s.ByType {
		s.ByType[i] = d.varint()
	}
	s.Present = features.Columns(d.uvarint())
	return s, d.done()
}

// launchSet is the first appearance of each product in part of the data
// (Product ascending, First[i] the launch of Product[i]), with the part's
// earliest and latest event times. It is how product launches travel
// between workers: features.Launches has no encoding of its own.
type launchSet struct {
	MinTime, MaxTime int64
	Product, First   []int64
}

func encodeLaunchSet(s launchSet) []byte {
	e := encoder{b: make([]byte, 0, 16+8*len(s.Product))}
	e.varint(s.MinTime)
	e.varint(s.MaxTime)
	e.uvarint(uint64(len(s.Product)))
	var prev int64
	for i, p := range s.Product {
		e.varint(p - prev) // ascending: small deltas
		e.varint(s.First[i] - s.MinTime)
		prev = p
	}
	return e.b
}

func decodeLaunchSet(b []byte) (launchSet, error) {
	var s launchSet
	d := decoder{b: b}
	s.MinTime = d.varint()
	s.MaxTime = d.varint()
	n := d.length(2)
	s.Product = make([]int64, n)
	s.First = make([]int64, n)
	var prev int64
	for i := range n {
		prev += d.varint()
		s.Product[i] = prev
		s.First[i] = d.varint() + s.MinTime
	}
	return s, d.done()
}

func encodeLaunchAcc(a *launchAcc) []byte { return encodeLaunchSet(a.set()) }

func decodeLaunchAcc(b []byte) (*launchAcc, error) {
	s, err := decodeLaunchSet(b)
	if err != nil {
		return nil, err
	}
	a := newLaunchAcc()
	a.add(s)
	return a, nil
}

// featureRow is one customer's finalised features: Values[j] is the j-th
// available feature of the catalogue (features.Context.Available order),
// NaN where undefined.
type featureRow struct {
	Customer int64
	Country  string
	Values   []float64
	// Abandoned are the categories the customer added to a cart and never
	// bought (features.Table.Abandoned), ascending; nil when none.
	Abandoned []int64
}

func (r *featureRow) encode(e *encoder) {
	e.varint(r.Customer)
	e.str(r.Country)
	e.uvarint(uint64(len(r.Values)))
	for _, v := range r.Values {
		e.float(v)
	}
	e.uvarint(uint64(len(r.Abandoned)))
	for _, c := range r.Abandoned {
		e.varint(c)
	}
}

func (r *featureRow) decode(d *decoder) {
	r.Customer = d.varint()
	r.Country = d.str()
	n := d.length(8)
	r.Values = make([]float64, n)
	for j := range r.Values {
		r.Values[j] = d.float()
	}
	if n := d.length(1); n > 0 {
		r.Abandoned = make([]int64, n)
		for j := range r.Abandoned {
			r.Abandoned[j] = d.varint()
		}
	}
}

func encodeFeatureRow(r featureRow) []byte {
	e := encoder{b: make([]byte, 0, 16+len(r.Country)+8*len(r.Values))}
	r.encode(&e)
	return e.b
}

func decodeFeatureRow(b []byte) (featureRow, error) {
	var r featureRow
	d := decoder{b: b}
	r.decode(&d)
	return r, d.done()
}

// customerRow is one customer's features and what the assignment found:
// the nearest cluster and the distance to it, the primary segment by the
// catalogue's precedence (before it is reconciled with the cluster), the
// life-cycle stage and the segments whose rules the customer meets.
type customerRow struct {
	featureRow
	Cluster  int32
	Distance float64
	Primary  int32 // index into the catalogue's segments, -1 for none
	Stage    int32 // index into the catalogue's life-cycle stages, -1 for unknown
	// Member[s] says whether the customer meets segment s's rule.
	Member []bool
}

func encodeCustomerRow(r customerRow) []byte {
	e := encoder{b: make([]byte, 0, 48+len(r.Country)+8*len(r.Values)+len(r.Member)/8)}
	r.featureRow.encode(&e)
	e.varint(int64(r.Cluster))
	e.float(r.Distance)
	e.varint(int64(r.Primary))
	e.varint(int64(r.Stage))
	e.uvarint(uint64(len(r.Member)))
	bits := make([]byte, (len(r.Member)+7)/8)
	for s, in := range r.Member {
		if in {
			bits[s/8] |= 1 << (s % 8)
		}
	}
	e.b = append(e.b, bits...)
	return e.b
}

func decodeCustomerRow(b []byte) (customerRow, error) {
	var r customerRow
	d := decoder{b: b}
	r.featureRow.decode(&d)
	r.Cluster = int32(d.varint())
	r.Distance = d.float()
	r.Primary = int32(d.varint())
	r.Stage = int32(d.varint())
	n := int(d.uvarint())
	if d.err == nil && (n+7)/8 > len(d.b) {
		d.fail()
	}
	if d.err == nil {
		r.Member = make([]bool, n)
		for s := range r.Member {
			r.Member[s] = d.b[s/8]&(1<<(s%8)) != 0
		}
		d.b = d.b[(n+7)/8:]
	}
	return r, d.done()
}

// splitCounts are the rows read and skipped (by reason) in part of the
// input, for the manifest.
type splitCounts struct {
	Rows    int64
	Skipped map[string]int64
}

func (c *splitCounts) merge(o splitCounts) {
	c.Rows += o.Rows
	for k, v := range o.Skipped {
		if c.Skipped == nil {
			c.Skipped = map[string]int64{}
		}
		c.Skipped[k] += v
	}
}

func encodeSplitCounts(c splitCounts) []byte {
	e := encoder{}
	e.varint(c.Rows)
	keys := slices.Sorted(maps.Keys(c.Skipped))
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.varint(c.Skipped[k])
	}
	return e.b
}

func decodeSplitCounts(b []byte) (splitCounts, error) {
	var c splitCounts
	d := decoder{b: b}
	c.Rows = d.varint()
	n := d.length(2)
	for range n {
		k := d.str()
		v := d.varint()
		if d.err == nil {
			if c.Skipped == nil {
				c.Skipped = map[string]int64{}
			}
			c.Skipped[k] = v
		}
	}
	return c, d.done()
}

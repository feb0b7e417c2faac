package features

import (
	"errors"
	"slices"
	"testing"
)

// stringBatch is batchOf with string customer ids: each event's cust is
// replaced by IDKey of names[cust], unless keys overrides it.
func stringBatch(names []string, keys []int64, evs ...ev) *Batch {
	b := batchOf(ColTime|ColType|ColCustomer|ColPrice, evs...)
	b.CustomerID = make([]string, len(evs))
	for i, e := range evs {
		b.CustomerID[i] = names[e.cust]
		b.Customer[i] = IDKey(names[e.cust])
		if keys != nil {
			b.Customer[i] = keys[e.cust]
		}
	}
	return b
}

// TestStringIDs: string ids are kept once per customer, in byte order, and
// agree whether the events go through one aggregator, two merged ones or
// the shards.
func TestStringIDs(t *testing.T) {
	names := []string{"zed@example.com", "0a1b", "Émile", "0a1b "}
	evs := []ev{
		{cust: 0, day: 1, typ: EventPurchase, price: 10},
		{cust: 1, day: 2, typ: EventView},
		{cust: 2, day: 3, typ: EventPurchase, price: 4},
		{cust: 3, day: 4, typ: EventPurchase, price: 7},
		{cust: 1, day: 5, typ: EventPurchase, price: 2},
	}
	want := []string{"0a1b", "0a1b ", "zed@example.com", "Émile"}
	check := func(name string, tb *Table) {
		t.Helper()
		if tb.IDKind != IDString || !slices.Equal(tb.IDs, want) {
			t.Fatalf("%s: ids %v %q, want %q", name, tb.IDKind, tb.IDs, want)
		}
		spend := tb.Column("total_spend")
		if !slices.Equal(spend, []float64{2, 7, 10, 4}) {
			t.Errorf("%s: total_spend %v, want [2 7 10 4] in id order", name, spend)
		}
		for i, s := range tb.IDs {
			if tb.Customers[i] != IDKey(s) || tb.ID(i) != s {
				t.Errorf("%s: row %d key %d, ID %q; want IDKey(%q)", name, i, tb.Customers[i], tb.ID(i), s)
			}
		}
	}
	ctx := Context{AsOf: at(10), WindowStart: at(0)}

	g := NewAggregator(nil)
	b := stringBatch(names, nil, evs...)
	g.Add(b)
	// The aggregator keeps copies: the batch's strings may be reused.
	for i := range b.CustomerID {
		b.CustomerID[i] = "reused"
	}
	ctx.Stats = g.Stats
	check("one aggregator", g.Finalise(ctx))

	a1, a2 := NewAggregator(nil), NewAggregator(nil)
	a1.Add(stringBatch(names, nil, evs[:3]...))
	a2.Add(stringBatch(names, nil, evs[3:]...))
	a1.Merge(a2)
	if a1.Err() != nil {
		t.Fatal(a1.Err())
	}
	check("merged", a1.Finalise(ctx))

	s := NewSharded(nil, 8)
	var buf ShardBuffer
	s.Add(stringBatch(names, nil, evs...), &buf)
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	check("sharded", s.Finalise(ctx))
}

// TestIDCollision: two ids with one key are an error, not one customer,
// whether they meet in one batch, across batches or in a merge.
func TestIDCollision(t *testing.T) {
	names := []string{"alice", "bob"}
	keys := []int64{42, 42}
	evs := []ev{{cust: 0, day: 1, typ: EventView}, {cust: 1, day: 2, typ: EventView}}
	var ce *IDCollisionError

	g := NewAggregator(nil)
	g.Add(stringBatch(names, keys, evs...))
	if !errors.As(g.Err(), &ce) || ce.A != "alice" || ce.B != "bob" {
		t.Errorf("one batch: Err %v, want a collision of alice and bob", g.Err())
	}

	g = NewAggregator(nil)
	g.Add(stringBatch(names, keys, evs[0]))
	g.Add(stringBatch(names, keys, evs[1]))
	if !errors.As(g.Err(), &ce) {
		t.Errorf("two batches: Err %v, want a collision", g.Err())
	}

	a1, a2 := NewAggregator(nil), NewAggregator(nil)
	a1.Add(stringBatch(names, keys, evs[0]))
	a2.Add(stringBatch(names, keys, evs[1]))
	if a1.Err() != nil || a2.Err() != nil {
		t.Fatal("no collision within a partial")
	}
	a1.Merge(a2)
	if !errors.As(a1.Err(), &ce) {
		t.Errorf("merge: Err %v, want a collision", a1.Err())
	}

	s := NewSharded(nil, 4)
	var buf ShardBuffer
	s.Add(stringBatch(names, keys, evs...), &buf)
	if !errors.As(s.Err(), &ce) {
		t.Errorf("sharded: Err %v, want a collision", s.Err())
	}
}

package features

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// eventsOf turns a batch into one Event per row.
func eventsOf(b *Batch) []Event {
	out := make([]Event, b.Len)
	for i := range out {
		e := Event{Customer: b.Customer[i], Time: b.Time[i], Type: b.Type[i], Quantity: b.Quantity[i]}
		if b.Present&ColPrice != 0 {
			e.Price = b.Price[i]
		}
		if b.Present&ColProduct != 0 {
			e.Product = b.Product[i]
		}
		if b.Present&ColCategory != 0 {
			e.Category = b.Category[i]
		}
		if b.Present&ColSession != 0 {
			e.Session = b.Session[i]
		}
		if b.Present&ColOrder != 0 {
			e.Order = b.Order[i]
		}
		if b.Present&ColCoupon != 0 {
			e.Coupon = b.Coupon[i]
		}
		if b.Present&ColDiscount != 0 {
			e.Discount = b.Discount[i]
		}
		if b.Present&ColCountry != 0 {
			e.Country = b.Country[i]
		}
		if b.Present&ColAmount != 0 {
			e.Amount = b.Amount[i]
		}
		out[i] = e
	}
	return out
}

// TestEventPathMatchesBatchPath: accumulating events one at a time (as a
// distributed combiner does), encoding the partials, decoding and merging
// them, gives exactly the table of the batch path.
func TestEventPathMatchesBatchPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var evs []ev
	for i, e := range randomEvents(rng, 3000, 40) {
		evs = append(evs, e)
		if i%37 == 0 {
			evs = append(evs, e) // an exact repeat, as dumps have
		}
	}
	b := batchOf(allColumns, evs...)
	launch := NewLaunches()
	launch.Add(b)
	launch.Freeze(launch.MinTime, DefaultTrendWindowDays)

	g := NewAggregator(launch)
	g.Add(b)
	ctx := Context{AsOf: launch.MaxTime, WindowStart: launch.MinTime, Stats: g.Stats}
	want := g.Finalise(ctx)

	// Two "workers" each see half of the events, one at a time, after the
	// exact duplicates of the split are dropped.
	var d Dedup
	keep := d.Keep(b, nil)
	if len(keep) == b.Len {
		t.Fatal("the random events have no exact duplicates to drop")
	}
	all := eventsOf(b)
	parts := [2]map[int64]*Acc{{}, {}}
	var stats Stats
	for i, r := range keep {
		e := all[r]
		p := parts[i%2]
		a := p[e.Customer]
		if a == nil {
			acc := NewAcc()
			a = &acc
			p[e.Customer] = a
		}
		a.AddEvent(&e, b.Present, launch)
		stats.AddEvent(&e, b.Present)
	}
	// Shuffle: encode every partial, decode, merge per customer.
	merged := map[int64]*Acc{}
	for _, p := range parts {
		for id, a := range p {
			data, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back Acc
			if err := back.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			if m := merged[id]; m != nil {
				m.Merge(&back)
			} else {
				merged[id] = &back
			}
		}
	}
	ctx2 := Context{AsOf: launch.MaxTime, WindowStart: launch.MinTime, Stats: stats}
	feats, absent := ctx2.Available()
	if !reflect.DeepEqual(absent, want.Absent) {
		t.Fatalf("absent %v, want %v", absent, want.Absent)
	}
	for r, id := range want.Customers {
		got := merged[id].Values(&ctx2, feats, nil)
		for j, f := range feats {
			if !sameFloat(got[j], want.Columns[j][r]) {
				t.Fatalf("customer %d %s: event path %v, batch path %v", id, f.Name, got[j], want.Columns[j][r])
			}
		}
	}
	if len(merged) != len(want.Customers) {
		t.Errorf("%d customers, want %d", len(merged), len(want.Customers))
	}
}

func TestAccEncodingRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	b := batchOf(allColumns, randomEvents(rng, 2000, 3)...)
	g := NewAggregator(nil)
	g.Add(b)
	for _, id := range g.ids {
		a := g.Acc(id)
		data, _ := a.MarshalBinary()
		var back Acc
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		again, _ := back.MarshalBinary()
		if !slices.Equal(data, again) {
			t.Fatalf("customer %d: re-encoding differs", id)
		}
		if back.Sessions() != a.Sessions() || back.Orders() != a.Orders() || back.Spend != a.Spend || back.Country != a.Country {
			t.Fatalf("customer %d: decoded accumulator differs", id)
		}
	}
	var x Acc
	for _, bad := range [][]byte{nil, {0}, {accVersion}, {accVersion, 1, 2}} {
		if err := x.UnmarshalBinary(bad); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func FuzzAccUnmarshalBinary(f *testing.F) {
	a := NewAcc()
	e := Event{Customer: 1, Time: 5, Type: EventPurchase, Price: 10, Quantity: 1, Session: 3, Country: "RO"}
	a.AddEvent(&e, ColTime|ColType|ColCustomer|ColPrice|ColQuantity|ColSession|ColCountry, nil)
	good, _ := a.MarshalBinary()
	f.Add(good)
	f.Add([]byte{accVersion, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		var x Acc
		if x.UnmarshalBinary(data) != nil {
			return
		}
		again, err := x.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var y Acc
		if err := y.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded data does not decode: %v", err)
		}
	})
}

func TestLaunchesEncodingRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	b := batchOf(allColumns, randomEvents(rng, 500, 10)...)
	l := NewLaunches()
	l.Add(b)
	l.Freeze(l.MinTime, DefaultTrendWindowDays)
	data, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Launches
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if back.MinTime != l.MinTime || back.MaxTime != l.MaxTime || back.Products() != l.Products() {
		t.Fatalf("decoded launches differ")
	}
	for p, first := range launchMap(l) {
		for _, dt := range []int64{0, 10 * MicrosPerDay, 20 * MicrosPerDay} {
			tm := first + dt
			if back.IsTrendPurchase(p, tm) != l.IsTrendPurchase(p, tm) {
				t.Fatalf("product %d at %d: trend purchase differs", p, tm)
			}
		}
	}
	if err := back.UnmarshalBinary(data[:len(data)-1]); err == nil {
		t.Error("truncated encoding: want an error")
	}
}

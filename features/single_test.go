package features

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestPartialsMergeToTheBatchTable: two workers each aggregate their own
// share of the events left after the exact duplicates are dropped, encode
// their partial accumulators, and the decoded partials merged per customer
// give exactly the table of one aggregator over every event, as a
// distributed runner's shuffle does.
func TestPartialsMergeToTheBatchTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var evs []ev
	for i, e := range randomEvents(rng, 3000, 40) {
		evs = append(evs, e)
		if i%37 == 0 {
			evs = append(evs, e) // an exact repeat, as dumps have
		}
	}
	b := batchOf(allColumns, evs...)
	var d Dedup
	keep := d.Keep(b, nil)
	if len(keep) == b.Len {
		t.Fatal("the random events have no exact duplicates to drop")
	}
	var halves [2][]ev
	for i, r := range keep {
		halves[i%2] = append(halves[i%2], evs[r])
	}
	launch := NewLaunches()
	launch.Add(b)
	launch.Freeze(launch.MinTime, DefaultTrendWindowDays)

	g := NewAggregator(launch)
	g.Add(b)
	ctx := Context{AsOf: launch.MaxTime, WindowStart: launch.MinTime, Stats: g.Stats}
	want := g.Finalise(ctx)

	// Shuffle: encode every partial, decode, merge per customer.
	merged := map[int64]*Acc{}
	var stats Stats
	for _, half := range halves {
		w := NewAggregator(launch)
		w.Add(batchOf(allColumns, half...))
		stats.Merge(&w.Stats)
		for _, id := range w.ids {
			data, err := w.Acc(id).MarshalBinary()
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
				t.Fatalf("customer %d %s: merged partials %v, one aggregator %v", id, f.Name, got[j], want.Columns[j][r])
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
	g := NewAggregator(nil)
	g.Add(batchOf(allColumns, randomEvents(rand.New(rand.NewPCG(3, 4)), 20, 1)...))
	good, _ := g.Acc(g.ids[0]).MarshalBinary()
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

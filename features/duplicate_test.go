package features

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestDuplicateEventsDropped(t *testing.T) {
	p := ev{cust: 1, day: 2, typ: EventPurchase, product: 5, category: 3, price: 10, qty: 2, session: 7, order: 9, discount: 1}
	v := ev{cust: 1, day: 1, typ: EventView, product: 5, session: 7}
	evs := append(background(), v, v, v, p, p)
	tab := run(t, 10, batchOf(allColumns, evs...))
	if tab.Stats.Duplicates != 3 || tab.Stats.Events != int64(len(evs)-3) {
		t.Errorf("Duplicates, Events = %d, %d; want 3, %d", tab.Stats.Duplicates, tab.Stats.Events, len(evs)-3)
	}
	if tab.Stats.Seen(EventView) != 2 || tab.Stats.Seen(EventPurchase) != 2 {
		t.Errorf("by type: %v; duplicates must not be counted", tab.Stats.ByType)
	}
	for name, want := range map[string]float64{"views": 1, "total_spend": 20, "items_per_order": 2, "coupon_ratio": 1, "discount_share": 1.0 / 21} {
		if got := value(t, tab, name, 1); !closeTo(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func TestDuplicateNeedsEveryColumnEqual(t *testing.T) {
	base := ev{cust: 1, day: 2, typ: EventPurchase, product: 5, category: 3, price: 10, qty: 1, session: 7, order: 9}
	variants := map[string]func(e *ev){
		"type":     func(e *ev) { e.typ = EventCart },
		"product":  func(e *ev) { e.product = 6 },
		"price":    func(e *ev) { e.price = 11 },
		"quantity": func(e *ev) { e.qty = 2 },
		"session":  func(e *ev) { e.session = 8 },
		"order":    func(e *ev) { e.order = 10 },
		"discount": func(e *ev) { e.discount = 1 },
		"time":     func(e *ev) { e.day += 1e-9 },
		"customer": func(e *ev) { e.cust = 2 },
	}
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			other := base
			change(&other)
			tab := run(t, 10, batchOf(allColumns, append(background(), base, other)...))
			if tab.Stats.Duplicates != 0 {
				t.Errorf("events differing in %s dropped as duplicates", name)
			}
		})
	}
}

func TestDuplicateIgnoredColumns(t *testing.T) {
	base := ev{cust: 1, day: 2, typ: EventPurchase, product: 5, category: 3, price: 10, qty: 1, session: 7, order: 9}
	for name, change := range map[string]func(e *ev){
		"category": func(e *ev) { e.category = 4 },
		"coupon":   func(e *ev) { e.coupon = true },
		"country":  func(e *ev) { e.country = "RO" },
	} {
		other := base
		change(&other)
		tab := run(t, 10, batchOf(allColumns, append(background(), base, other)...))
		if tab.Stats.Duplicates != 0 {
			t.Errorf("events differing in %s dropped as duplicates", name)
		}
	}
}

func TestDuplicateAcrossBatchesAndSplits(t *testing.T) {
	v := ev{cust: 1, day: 1, typ: EventView, product: 5, session: 7}
	later := ev{cust: 1, day: 3, typ: EventView, product: 5, session: 8}

	// Consecutive batches of one split: the repeat is caught.
	g := NewAggregator(nil)
	g.Add(batchOf(allColumns, v))
	g.Add(batchOf(allColumns, v))
	if g.Stats.Duplicates != 1 || g.Acc(1).Views != 1 {
		t.Errorf("across batches: %d duplicates, %d views; want 1, 1", g.Stats.Duplicates, g.Acc(1).Views)
	}

	// Documented limits: a repeat after a later event, or in another
	// split, counts as a new event.
	g = NewAggregator(nil)
	g.Add(batchOf(allColumns, v, later, v))
	if g.Stats.Duplicates != 0 || g.Acc(1).Views != 3 {
		t.Errorf("repeat after a later event: %d duplicates, %d views; want 0, 3", g.Stats.Duplicates, g.Acc(1).Views)
	}
	g = NewAggregator(nil)
	g.Add(batchOf(allColumns, v))
	g.Split()
	g.Add(batchOf(allColumns, v))
	if g.Stats.Duplicates != 0 || g.Acc(1).Views != 2 {
		t.Errorf("repeat in the next split: %d duplicates, %d views; want 0, 2", g.Stats.Duplicates, g.Acc(1).Views)
	}
	g, o := NewAggregator(nil), NewAggregator(nil)
	g.Add(batchOf(allColumns, v))
	o.Add(batchOf(allColumns, v))
	g.Merge(o)
	if g.Stats.Duplicates != 0 || g.Acc(1).Views != 2 {
		t.Errorf("repeat in another partial: %d duplicates, %d views; want 0, 2", g.Stats.Duplicates, g.Acc(1).Views)
	}
}

// TestDuplicateManyAtOneInstant: an invoice of many lines shares one time;
// a repeat of any line is caught, however many distinct lines come first.
func TestDuplicateManyAtOneInstant(t *testing.T) {
	var evs []ev
	for k := range 40 {
		evs = append(evs, ev{cust: 1, day: 2, typ: EventPurchase, product: int64(k + 1), price: 3, order: 9})
	}
	evs = append(evs, evs[37], evs[2], evs[39])
	tab := run(t, 10, batchOf(allColumns, append(background(), evs...)...))
	if tab.Stats.Duplicates != 3 {
		t.Errorf("Duplicates = %d, want 3", tab.Stats.Duplicates)
	}
	if got := value(t, tab, "total_spend", 1); !closeTo(got, 120) {
		t.Errorf("total_spend = %v, want 120", got)
	}
}

// TestShardedDuplicatesIndependentOfSchedule: what Sharded drops depends
// only on the splits, not on the order in which goroutines add them; it
// equals one Aggregator per split, merged.
func TestShardedDuplicatesIndependentOfSchedule(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	evs := randomEvents(rng, 4000, 30)
	slices.SortStableFunc(evs, func(a, b ev) int { return cmp.Compare(a.day, b.day) })
	// Splits of 500 events; every 7th event is repeated right after
	// itself, and the last event of each split is repeated at the start
	// of the next one (not a duplicate: another split).
	var splits [][]ev
	for lo := 0; lo < len(evs); lo += 500 {
		var s []ev
		if lo > 0 {
			s = append(s, evs[lo-1])
		}
		for i, e := range evs[lo:min(lo+500, len(evs))] {
			s = append(s, e)
			if i%7 == 0 {
				s = append(s, e)
			}
		}
		splits = append(splits, s)
	}
	launch := NewLaunches()
	for _, s := range splits {
		launch.Add(batchOf(allColumns, s...))
	}
	launch.Freeze(launch.MinTime, DefaultTrendWindowDays)

	want := NewAggregator(launch)
	for _, s := range splits {
		g := NewAggregator(launch)
		// Two batches per split, as a reader hands over a row group.
		h := len(s) / 2
		g.Add(batchOf(allColumns, s[:h]...))
		g.Add(batchOf(allColumns, s[h:]...))
		want.Merge(g)
	}
	if want.Stats.Duplicates == 0 {
		t.Fatal("no duplicates in the test data")
	}
	ctx := Context{AsOf: launch.MaxTime, WindowStart: launch.MinTime, Stats: want.Stats}
	wantTab := want.Finalise(ctx)

	for _, order := range [][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1, 0}, {3, 0, 7, 1, 6, 2, 5, 4}} {
		sh := NewSharded(launch, 8)
		// Two goroutines' buffers, alternating whole splits; the halves
		// of the splits interleave between the buffers.
		var bufs [2]ShardBuffer
		for k := 0; k < len(order); k += 2 {
			a, b := splits[order[k]], splits[order[k+1]]
			bufs[0].Split()
			bufs[1].Split()
			sh.Add(batchOf(allColumns, a[:len(a)/2]...), &bufs[0])
			sh.Add(batchOf(allColumns, b[:len(b)/2]...), &bufs[1])
			sh.Add(batchOf(allColumns, a[len(a)/2:]...), &bufs[0])
			sh.Add(batchOf(allColumns, b[len(b)/2:]...), &bufs[1])
		}
		st := sh.Stats()
		if st.Duplicates != want.Stats.Duplicates || st.Events != want.Stats.Events {
			t.Errorf("order %v: %d duplicates, %d events; want %d, %d", order, st.Duplicates, st.Events, want.Stats.Duplicates, want.Stats.Events)
		}
		got := sh.Finalise(Context{AsOf: launch.MaxTime, WindowStart: launch.MinTime, Stats: st})
		sameTable(t, got, wantTab)
	}
}

// TestDedupKeep: the worker-side Dedup keeps every event but the repeats,
// however many distinct events share the instant, until Reset.
func TestDedupKeep(t *testing.T) {
	var evs []ev
	for k := range 5 {
		evs = append(evs, ev{cust: 1, day: 2, typ: EventPurchase, product: int64(k + 1), price: 3, order: 9})
	}
	evs = append(evs, evs[3], ev{cust: 2, day: 2, typ: EventPurchase, product: 4, price: 3, order: 9})
	b := batchOf(allColumns, evs...)
	var d Dedup
	if got, want := d.Keep(b, nil), []int32{0, 1, 2, 3, 4, 6}; !slices.Equal(got, want) {
		t.Errorf("first pass kept %v, want %v", got, want)
	}
	if got := d.Keep(b, nil); len(got) != 0 {
		t.Errorf("same split again kept %v, want nothing", got)
	}
	d.Reset()
	if got, want := d.Keep(b, []int32{99}), []int32{99, 0, 1, 2, 3, 4, 6}; !slices.Equal(got, want) {
		t.Errorf("after Reset kept %v, want %v", got, want)
	}
}

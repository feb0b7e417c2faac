package features

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// randomEvents returns n events of a few customers over 60 days, with every
// column filled (absent columns are dropped by batchOf).
func randomEvents(rng *rand.Rand, n, customers int) []ev {
	countries := []string{"", "DE", "RO", "KR", "US"}
	evs := make([]ev, n)
	for i := range evs {
		e := ev{
			cust:     int64(rng.IntN(customers)) - 3, // some negative ids
			day:      float64(rng.IntN(60*24*60)) / (24 * 60),
			typ:      EventType(rng.IntN(int(numEventTypes))),
			product:  int64(rng.IntN(40)),
			category: int64(rng.IntN(6)),
			price:    float64(rng.IntN(100000)) / 100,
			qty:      int64(rng.IntN(4)) - 1, // -1..2, 0 becomes 1
			session:  uint64(rng.IntN(30)),
			order:    uint64(rng.IntN(25)),
			coupon:   rng.IntN(5) == 0,
			country:  countries[rng.IntN(len(countries))],
		}
		if rng.IntN(4) == 0 {
			e.discount = float64(rng.IntN(1000)) / 100
		}
		if rng.IntN(3) == 0 {
			// many sessions for a few customers, past the key-set index
			e.session = uint64(rng.IntN(200))
		}
		evs[i] = e
	}
	return evs
}

// splitBatch cuts b into consecutive batches at random points (empty
// batches included).
func splitBatch(rng *rand.Rand, b *Batch) []*Batch {
	var out []*Batch
	for lo := 0; lo < b.Len; {
		hi := min(b.Len, lo+rng.IntN(b.Len/3+2))
		out = append(out, sliceBatch(b, lo, hi))
		lo = hi
	}
	return out
}

// sliceBatch returns rows [lo, hi) of b, sharing its memory; nil columns
// stay nil.
func sliceBatch(b *Batch, lo, hi int) *Batch {
	cut := func(s any) any {
		v := reflect.ValueOf(s)
		if v.IsNil() {
			return s
		}
		return v.Slice(lo, hi).Interface()
	}
	return &Batch{
		Len: hi - lo, Present: b.Present,
		Customer: b.Customer[lo:hi], Time: b.Time[lo:hi], Type: b.Type[lo:hi],
		Product: cut(b.Product).([]int64), Category: cut(b.Category).([]int64),
		Price: cut(b.Price).([]int64), Quantity: b.Quantity[lo:hi],
		Session: cut(b.Session).([]uint64), Order: cut(b.Order).([]uint64),
		Coupon: cut(b.Coupon).([]bool), Discount: cut(b.Discount).([]int64),
		Country: cut(b.Country).([]string),
	}
}

// mergeRandomly folds the parts into one in a random order and tree shape.
func mergeRandomly[T any](rng *rand.Rand, parts []T, merge func(dst, src T)) T {
	parts = slices.Clone(parts)
	for len(parts) > 1 {
		i, j := rng.IntN(len(parts)), rng.IntN(len(parts)-1)
		if j >= i {
			j++
		}
		merge(parts[i], parts[j])
		parts = slices.Delete(parts, j, j+1)
	}
	return parts[0]
}

// sameTable reports the first difference between two tables, comparing
// values bit for bit.
func sameTable(t *testing.T, got, want *Table) {
	t.Helper()
	if !slices.Equal(got.Customers, want.Customers) {
		t.Fatalf("customers differ: %d vs %d", len(got.Customers), len(want.Customers))
	}
	if !slices.Equal(got.Country, want.Country) || (got.Country == nil) != (want.Country == nil) {
		t.Errorf("countries differ")
	}
	if !reflect.DeepEqual(got.Absent, want.Absent) {
		t.Errorf("absent differ: %v vs %v", got.Absent, want.Absent)
	}
	if got.Context != want.Context {
		t.Errorf("context differs: %+v vs %+v", got.Context, want.Context)
	}
	if len(got.Features) != len(want.Features) {
		t.Fatalf("%d features, want %d", len(got.Features), len(want.Features))
	}
	for j, f := range want.Features {
		if got.Features[j] != f {
			t.Fatalf("feature %d is %s, want %s", j, got.Features[j].Name, f.Name)
		}
		for i := range want.Columns[j] {
			g, w := got.Columns[j][i], want.Columns[j][i]
			if math.Float64bits(g) != math.Float64bits(w) && !(math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("%s of customer %d: %v (%#x), want %v (%#x)", f.Name, want.Customers[i], g, math.Float64bits(g), w, math.Float64bits(w))
				return
			}
		}
	}
}

func TestAggregatorSplitMergeInvariance(t *testing.T) {
	optional := []Columns{ColProduct, ColCategory, ColPrice, ColSession, ColOrder, ColCoupon, ColDiscount, ColCountry}
	for trial := range 40 {
		rng := rand.New(rand.NewPCG(uint64(trial), 0x5e9))
		present := ColTime | ColType | ColCustomer | ColQuantity
		for _, c := range optional {
			if trial < 4 || rng.IntN(3) > 0 { // the first trials have every column
				present |= c
			}
		}
		evs := randomEvents(rng, 200+rng.IntN(2000), 5+rng.IntN(40))
		all := batchOf(present, evs...)
		want := run(t, 61, all)

		// The same events shuffled, split into batches, spread over
		// workers and merged in a random order.
		rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		shuffled := batchOf(present, evs...)
		batches := splitBatch(rng, shuffled)

		launchParts := make([]*Launches, 1+rng.IntN(6))
		for i := range launchParts {
			launchParts[i] = NewLaunches()
		}
		for _, b := range batches {
			launchParts[rng.IntN(len(launchParts))].Add(b)
		}
		launch := mergeRandomly(rng, launchParts, func(dst, src *Launches) { dst.Merge(src) })
		launch.Freeze(launch.MinTime, DefaultTrendWindowDays)

		workers := make([]*Aggregator, 1+rng.IntN(7))
		for i := range workers {
			workers[i] = NewAggregator(launch)
		}
		for _, b := range batches {
			workers[rng.IntN(len(workers))].Add(b)
		}
		g := mergeRandomly(rng, workers, func(dst, src *Aggregator) { dst.Merge(src) })
		got := g.Finalise(Context{AsOf: at(61), WindowStart: launch.MinTime, Stats: g.Stats})

		t.Logf("trial %d: %d events, %d batches, %d workers, %d launch parts, columns %v",
			trial, len(evs), len(batches), len(workers), len(launchParts), present.Names())
		sameTable(t, got, want)
		if t.Failed() {
			return
		}
	}
}

func TestLaunchesSplitMergeInvariance(t *testing.T) {
	for trial := range 30 {
		rng := rand.New(rand.NewPCG(uint64(trial), 0x1a))
		evs := randomEvents(rng, 100+rng.IntN(1000), 20)
		all := batchOf(allColumns, evs...)
		want := NewLaunches()
		want.Add(all)
		// Reference by brute force.
		first := make(map[int64]int64)
		for i := range all.Len {
			if p := all.Product[i]; p != 0 {
				if f, ok := first[p]; !ok || all.Time[i] < f {
					first[p] = all.Time[i]
				}
			}
		}
		if !maps.Equal(launchMap(want), first) || want.Products() != len(first) {
			t.Fatalf("trial %d: launches differ from brute force", trial)
		}
		if want.MinTime != slices.Min(all.Time) || want.MaxTime != slices.Max(all.Time) {
			t.Fatalf("trial %d: MinTime, MaxTime = %d, %d", trial, want.MinTime, want.MaxTime)
		}

		rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		parts := make([]*Launches, 1+rng.IntN(8))
		for i := range parts {
			parts[i] = NewLaunches()
		}
		for _, b := range splitBatch(rng, batchOf(allColumns, evs...)) {
			parts[rng.IntN(len(parts))].Add(b)
		}
		got := mergeRandomly(rng, parts, func(dst, src *Launches) { dst.Merge(src) })
		if !maps.Equal(launchMap(got), launchMap(want)) || got.MinTime != want.MinTime || got.MaxTime != want.MaxTime || got.Products() != want.Products() {
			t.Fatalf("trial %d: merged launches differ: %d products, want %d", trial, got.Products(), want.Products())
		}
		for p, f := range first {
			if l, ok := got.Launch(p); !ok || l != f {
				t.Fatalf("trial %d: Launch(%d) = %d, %v; want %d", trial, p, l, ok, f)
			}
		}
		if _, ok := got.Launch(0); ok {
			t.Fatalf("trial %d: product 0 (none) has a launch", trial)
		}
	}
}

func TestLaunchesWithoutProductColumn(t *testing.T) {
	l := NewLaunches()
	l.Add(batchOf(allColumns&^ColProduct, ev{cust: 1, day: 3, typ: EventView, product: 5}, ev{cust: 1, day: 1, typ: EventView}))
	if l.Products() != 0 || l.MinTime != at(1) || l.MaxTime != at(3) {
		t.Errorf("Products, MinTime, MaxTime = %d, %d, %d; want 0, %d, %d", l.Products(), l.MinTime, l.MaxTime, at(1), at(3))
	}
	empty := NewLaunches()
	l.Merge(empty)
	if l.MinTime != at(1) || l.MaxTime != at(3) {
		t.Error("merging an empty Launches changed the window")
	}
}

func TestIsTrendPurchase(t *testing.T) {
	l := NewLaunches()
	l.Add(batchOf(allColumns,
		ev{cust: 1, day: 0, typ: EventView, product: 1},
		ev{cust: 1, day: 20, typ: EventView, product: 2},
	))
	l.Freeze(at(0), 14)
	cases := []struct {
		product int64
		day     float64
		want    bool
	}{
		{1, 1, false}, // first seen at the window start: launch unknown
		{2, 20, true}, // bought at launch
		{2, 34, true}, // 14 days after
		{2, 34.0001, false},
		{3, 25, false}, // never seen
	}
	for _, tc := range cases {
		if got := l.IsTrendPurchase(tc.product, at(tc.day)); got != tc.want {
			t.Errorf("IsTrendPurchase(%d, day %v) = %v, want %v", tc.product, tc.day, got, tc.want)
		}
	}
	// A wider trend window changes both the unknown-launch period and
	// the adoption window.
	l.Freeze(at(0), 30)
	if l.IsTrendPurchase(2, at(21)) {
		t.Error("with a 30-day window, a product first seen on day 20 has no known launch")
	}
}

// snapshot deep-copies a, so later changes to a cannot reach it.
func snapshot(a *Acc) Acc {
	c := *a
	cloneSet(&c.sessions.keySet)
	cloneSet(&c.orders.keySet)
	cloneSet(&c.categories)
	cloneSet(&c.carted)
	return c
}

// sortedVals returns the values of s in ascending order in a new slice.
func sortedVals[V interface {
	cmp.Ordered
	combiner[V]
}](s *keySet[V]) []V {
	s.compact()
	var out []V
	for _, e := range s.ents {
		out = append(out, e.val)
	}
	slices.Sort(out)
	return out
}

func cloneSet[V combiner[V]](ks *keySet[V]) {
	ks.ents = slices.Clone(ks.ents)
}

func TestAccMergeLeavesPartialUnchanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var evsA, evsB []ev
	for i := range 300 {
		e := ev{cust: 1, day: float64(i) / 10, typ: EventType(1 + rng.IntN(6)), price: 1, session: uint64(rng.IntN(80)), order: uint64(1 + rng.IntN(60)), category: int64(1 + rng.IntN(100)), country: "DE"}
		if i%3 == 0 {
			e.typ = EventPurchase
		}
		if i%2 == 0 {
			evsA = append(evsA, e)
		} else {
			e.country = "RO"
			evsB = append(evsB, e)
		}
	}
	ga, gb := NewAggregator(nil), NewAggregator(nil)
	ga.Add(batchOf(allColumns, evsA...))
	gb.Add(batchOf(allColumns, evsB...))
	a, o := ga.Acc(1), gb.Acc(1)
	if len(o.sessions.ents) < 32 || len(o.orders.ents) < 32 || len(o.categories.ents) < 32 {
		t.Fatal("test needs key sets compacted more than once")
	}
	before := snapshot(o)
	a.Merge(o)
	if !reflect.DeepEqual(*o, before) {
		t.Fatal("Acc.Merge changed the merged-in partial")
	}
	// a shares no memory with o: growing a leaves o as it was.
	for k := range 500 {
		a.sessions.or(uint64(1000+k), sessCart)
		a.orders.fold(uint64(1000+k), 1, 1)
		a.categories.add(uint64(1000 + k))
	}
	for i := range a.sessions.ents {
		a.sessions.ents[i].val |= sessPurchase
	}
	for i := range a.orders.ents {
		a.orders.ents[i].val = orderVal{-1, -1}
	}
	if !reflect.DeepEqual(*o, before) {
		t.Fatal("changing the merged accumulator changed the partial: they share memory")
	}

	// The merged result equals one accumulator over all the events.
	gall := NewAggregator(nil)
	gall.Add(batchOf(allColumns, append(slices.Clone(evsA), evsB...)...))
	ga2 := NewAggregator(nil)
	ga2.Add(batchOf(allColumns, evsA...))
	m := ga2.Acc(1)
	m.Merge(gb.Acc(1))
	want := gall.Acc(1)
	if m.Sessions() != want.Sessions() || m.Orders() != want.Orders() || m.categories.len() != want.categories.len() {
		t.Errorf("sessions, orders, categories = %d, %d, %d; want %d, %d, %d",
			m.Sessions(), m.Orders(), m.categories.len(), want.Sessions(), want.Orders(), want.categories.len())
	}
	if !slices.Equal(sortedVals(&m.sessions.keySet), sortedVals(&want.sessions.keySet)) || !slices.Equal(m.orders.times(nil), want.orders.times(nil)) || m.orders.firstSpend() != want.orders.firstSpend() {
		t.Error("merged session flags, order times or first order's spend differ from one pass")
	}
	if m.Country != want.Country || m.Country != "RO" {
		t.Errorf("country = %q, want %q (latest event)", m.Country, want.Country)
	}
}

func TestAggregatorMergeDisjointAndEmpty(t *testing.T) {
	g, o := NewAggregator(nil), NewAggregator(nil)
	g.Add(batchOf(allColumns, ev{cust: 1, day: 1, typ: EventView, session: 1}))
	o.Add(batchOf(allColumns, ev{cust: 2, day: 2, typ: EventCart, session: 1}, ev{cust: 1, day: 3, typ: EventView, session: 2}))
	g.Merge(o)
	g.Merge(NewAggregator(nil))
	if g.Customers() != 2 {
		t.Fatalf("Customers = %d, want 2", g.Customers())
	}
	if a := g.Acc(1); a.Views != 2 || a.Sessions() != 2 || a.FirstEvent != at(1) || a.LastEvent != at(3) {
		t.Errorf("customer 1: views %d, sessions %d, first %d, last %d", a.Views, a.Sessions(), a.FirstEvent, a.LastEvent)
	}
	if a := g.Acc(2); a == nil || a.CartAdds != 1 {
		t.Errorf("customer 2 = %+v, want one cart add", a)
	}
	if g.Acc(3) != nil {
		t.Error("Acc of an unknown customer is not nil")
	}
	if g.Stats.Events != 3 || g.Stats.Seen(EventView) != 2 || g.Stats.Seen(EventCart) != 1 {
		t.Errorf("Stats = %+v", g.Stats)
	}
}

func TestManySessionsPastIndex(t *testing.T) {
	// Customers with 100 sessions (and 100 orders) each: the key sets are
	// compacted many times and still count exactly, in bounded memory.
	var evs []ev
	for c := int64(1); c <= 3; c++ {
		for s := range 100 {
			day := float64(s) / 4
			evs = append(evs, ev{cust: c, day: day, typ: EventView, session: uint64(1000*c) + uint64(s)})
			if s%3 == 0 {
				evs = append(evs, ev{cust: c, day: day + 1.0/1024, typ: EventPurchase, price: 2, session: uint64(1000*c) + uint64(s), category: int64(s)})
			}
			if s%2 == 0 {
				evs = append(evs, ev{cust: c, day: day + 2.0/1024, typ: EventCart, session: uint64(1000*c) + uint64(s)})
			}
		}
	}
	// Split in two halves over two aggregators, so promoted sets merge.
	rng := rand.New(rand.NewPCG(8, 8))
	rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	g1, g2 := NewAggregator(nil), NewAggregator(nil)
	g1.Add(batchOf(allColumns&^ColOrder, evs[:len(evs)/2]...))
	g2.Add(batchOf(allColumns&^ColOrder, evs[len(evs)/2:]...))
	g1.Merge(g2)
	tab := g1.Finalise(Context{AsOf: at(30), WindowStart: at(0), Stats: g1.Stats})
	for c := int64(1); c <= 3; c++ {
		a := g1.Acc(c)
		if n := a.sessions.len(); cap(a.sessions.ents) >= 4*n {
			t.Errorf("customer %d: session set of %d keys holds %d entries", c, n, cap(a.sessions.ents))
		}
		checks := map[string]float64{
			"sessions":              100,
			"orders":                34, // sessions 0, 3, ..., 99
			"browse_without_buy":    66.0 / 100,
			"cart_abandonment_rate": 33.0 / 50, // even sessions not divisible by 3
			"distinct_categories":   33,        // category 0 is none
			"mean_gap_days":         0.75,
		}
		for name, want := range checks {
			if got := value(t, tab, name, c); !closeTo(got, want) {
				t.Errorf("customer %d: %s = %v, want %v", c, name, got, want)
			}
		}
	}
}

func TestKeySet(t *testing.T) {
	var s orderSet
	for k := range 100 {
		s.fold(uint64(k*7+1), int64(1000-k), 1)
		if s.len() != k+1 {
			t.Fatalf("len = %d after %d inserts", s.len(), k+1)
		}
		// every key so far is found
		for j := 0; j <= k; j++ {
			if i := s.find(uint64(j*7 + 1)); i < 0 || s.ents[i].key != uint64(j*7+1) {
				t.Fatalf("with %d keys, find(%d) = %d", s.len(), j*7+1, i)
			}
		}
		if s.find(uint64(k*7+2)) != -1 {
			t.Fatalf("find of a missing key is not -1")
		}
	}
	s.fold(1, 5000, 2) // later: the time is kept, the spend added
	s.fold(8, -1, 2)   // earlier: the time replaced
	if v1, v8 := s.ents[s.find(1)].val, s.ents[s.find(8)].val; v1 != (orderVal{1000, 3}) || v8 != (orderVal{-1, 3}) {
		t.Errorf("fold: %v, %v; want {1000 3}, {-1 3}", v1, v8)
	}
	if got := s.firstSpend(); got != 3 {
		t.Errorf("firstSpend = %d, want 3 (order 8, now the earliest)", got)
	}
	s.fold(2, -1, 7) // as early as order 8, with a smaller key: first
	if got := s.firstSpend(); got != 7 {
		t.Errorf("firstSpend = %d, want 7 (the smaller key on equal times)", got)
	}
	var f flagSet
	for k := range 30 {
		f.or(uint64(k), 1)
	}
	var g flagSet
	for k := range 40 {
		g.or(uint64(k+10), 2)
	}
	f.merge(&g.keySet)
	if f.len() != 50 {
		t.Fatalf("union has %d keys, want 50", f.len())
	}
	for k := range 50 {
		want := sessFlags(0)
		if k < 30 {
			want |= 1
		}
		if k >= 10 {
			want |= 2
		}
		if got := f.ents[f.find(uint64(k))].val; got != want {
			t.Errorf("key %d = %b, want %b", k, got, want)
		}
	}
	if v := s.times(nil); !slices.IsSorted(v) || len(v) != s.len() {
		t.Error("times are not the sorted order times")
	}
	// A set of keys alone: add is idempotent and stores no values.
	var c keySet[noVal]
	for k := range 60 {
		c.add(uint64(k % 35))
	}
	var d keySet[noVal]
	d.add(100)
	d.add(3)
	c.merge(&d)
	if c.len() != 36 || c.find(100) < 0 || c.find(34) < 0 || c.find(35) >= 0 {
		t.Errorf("key set: %d keys, want 36", c.len())
	}
	if size := unsafe.Sizeof(c.ents[0]); size != 8 {
		t.Errorf("an entry of a set of keys alone takes %d bytes, want 8", size)
	}
}

// TestAccLayout checks the cache lines Acc's comment promises: 320 bytes,
// a view in a running session within the first line, a new session's set
// at the start of the second.
func TestAccLayout(t *testing.T) {
	var a Acc
	if size := unsafe.Sizeof(a); size != 320 {
		t.Errorf("Acc takes %d bytes, want 320", size)
	}
	if end := unsafe.Offsetof(a.Country) + unsafe.Sizeof(a.Country); end > 64 {
		t.Errorf("the first line's fields end at byte %d", end)
	}
	if off := unsafe.Offsetof(a.sessions); off != 64 {
		t.Errorf("the session set starts at byte %d, want 64", off)
	}
	if off := unsafe.Offsetof(a.FirstPurchase); off != 128 {
		t.Errorf("the purchase sums start at byte %d, want 128", off)
	}
}

// TestKeySetRepeats puts keys that repeat in every pattern the fold meets
// (runs of one key, keys coming back after others, one key alternating
// with new ones) and checks the set against a map, and that its memory
// stays proportional to the distinct keys.
func TestKeySetRepeats(t *testing.T) {
	patterns := []struct {
		name string
		key  func(i int, rng *rand.Rand) uint64
	}{
		{"runs", func(i int, _ *rand.Rand) uint64 { return uint64(i / 5) }},
		{"few keys at random", func(_ int, rng *rand.Rand) uint64 { return uint64(rng.IntN(7)) }},
		{"many keys at random", func(_ int, rng *rand.Rand) uint64 { return uint64(rng.IntN(500)) }},
		{"alternating with new", func(i int, _ *rand.Rand) uint64 {
			if i%2 == 0 {
				return 1 << 40
			}
			return uint64(i)
		}},
		{"descending", func(i int, _ *rand.Rand) uint64 { return uint64(100_000 - i) }},
	}
	for _, p := range patterns {
		t.Run(p.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			var s orderSet
			want := map[uint64]orderVal{}
			for i := range 3000 {
				k, tm, spend := p.key(i, rng), rng.Int64N(1000), rng.Int64N(10)
				s.fold(k, tm, spend)
				if v, ok := want[k]; ok {
					want[k] = orderVal{min(v.first, tm), v.spend + spend}
				} else {
					want[k] = orderVal{tm, spend}
				}
				if c := cap(s.ents); c > keySetFirstCap && c >= 4*len(want) {
					t.Fatalf("after %d puts: %d entries for %d keys", i+1, c, len(want))
				}
			}
			if s.len() != len(want) {
				t.Fatalf("len = %d, want %d", s.len(), len(want))
			}
			for i, e := range s.ents {
				if i > 0 && s.ents[i-1].key >= e.key {
					t.Fatal("compacted set not in ascending key order")
				}
				if want[e.key] != e.val {
					t.Fatalf("key %d = %v, want %v", e.key, e.val, want[e.key])
				}
			}
		})
	}
}

func TestAddDoesNotModifyBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := batchOf(allColumns, randomEvents(rng, 500, 10)...)
	want := Batch{
		Customer: slices.Clone(b.Customer), Time: slices.Clone(b.Time), Price: slices.Clone(b.Price),
		Session: slices.Clone(b.Session), Order: slices.Clone(b.Order), Country: slices.Clone(b.Country),
	}
	l := NewLaunches()
	l.Add(b)
	l.Freeze(l.MinTime, DefaultTrendWindowDays)
	NewAggregator(l).Add(b)
	if !slices.Equal(b.Customer, want.Customer) || !slices.Equal(b.Time, want.Time) || !slices.Equal(b.Price, want.Price) ||
		!slices.Equal(b.Session, want.Session) || !slices.Equal(b.Order, want.Order) || !slices.Equal(b.Country, want.Country) {
		t.Error("Add modified the batch")
	}
}

func TestBatchReset(t *testing.T) {
	b := batchOf(allColumns, ev{cust: 1, day: 1, typ: EventView}, ev{cust: 2, day: 2, typ: EventCart})
	capCustomer := cap(b.Customer)
	b.Reset(ColTime | ColType | ColCustomer | ColQuantity)
	if b.Len != 0 || b.Present != ColTime|ColType|ColCustomer|ColQuantity || len(b.Customer) != 0 || len(b.Country) != 0 || len(b.Session) != 0 {
		t.Errorf("Reset left %+v", b)
	}
	if cap(b.Customer) != capCustomer {
		t.Error("Reset dropped the buffers")
	}
}

// launchMap returns the launches of l as a map from product to time.
func launchMap(l *Launches) map[int64]int64 {
	m := make(map[int64]int64)
	l.first.each(func(p, t int64) { m[p] = t })
	return m
}

// find returns the index in ents of key k, or -1 (it compacts the set, so
// the index holds until the next put).
func (s *keySet[V]) find(k uint64) int {
	s.compact()
	i, ok := slices.BinarySearchFunc(s.ents, k, func(e keyEnt[V], k uint64) int { return cmp.Compare(e.key, k) })
	if !ok {
		return -1
	}
	return i
}

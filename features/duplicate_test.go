package features

import "testing"

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

func TestDuplicateAcrossBatchesAndPartials(t *testing.T) {
	v := ev{cust: 1, day: 1, typ: EventView, product: 5, session: 7}
	later := ev{cust: 1, day: 3, typ: EventView, product: 5, session: 8}

	// Consecutive batches of one aggregator: the repeat is caught.
	g := NewAggregator(nil)
	g.Add(batchOf(allColumns, v))
	g.Add(batchOf(allColumns, v))
	if g.Stats.Duplicates != 1 || g.Acc(1).Views != 1 {
		t.Errorf("across batches: %d duplicates, %d views; want 1, 1", g.Stats.Duplicates, g.Acc(1).Views)
	}

	// Documented limits: a repeat after a later event, or in another
	// partial, counts as a new event.
	g = NewAggregator(nil)
	g.Add(batchOf(allColumns, v, later, v))
	if g.Stats.Duplicates != 0 || g.Acc(1).Views != 3 {
		t.Errorf("repeat after a later event: %d duplicates, %d views; want 0, 3", g.Stats.Duplicates, g.Acc(1).Views)
	}
	g, o := NewAggregator(nil), NewAggregator(nil)
	g.Add(batchOf(allColumns, v))
	o.Add(batchOf(allColumns, v))
	g.Merge(o)
	if g.Stats.Duplicates != 0 || g.Acc(1).Views != 2 {
		t.Errorf("repeat in another partial: %d duplicates, %d views; want 0, 2", g.Stats.Duplicates, g.Acc(1).Views)
	}
	// After the merge the remembered events carry over.
	g.Add(batchOf(allColumns, v))
	if g.Stats.Duplicates != 1 {
		t.Errorf("repeat after a merge: %d duplicates, want 1", g.Stats.Duplicates)
	}
}

package features

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Stats are data-set-level counts gathered with the accumulators; they merge
// by addition like everything else.
type Stats struct {
	Events int64
	// Duplicates counts exact duplicate events dropped (see Acc).
	Duplicates int64
	ByType     [numEventTypes]int64
	Present    Columns // union of the columns of every batch added
}

// Seen reports how many events of type t were added.
func (s *Stats) Seen(t EventType) int64 { return s.ByType[t] }

func (s *Stats) merge(o *Stats) {
	s.Events += o.Events
	s.Duplicates += o.Duplicates
	for i := range s.ByType {
		s.ByType[i] += o.ByType[i]
	}
	s.Present |= o.Present
}

// Aggregator holds one Acc per customer. One Aggregator is used by one
// goroutine; parallel workers each own one and the partials are merged with
// Merge. Memory is proportional to the number of customers (plus their
// distinct sessions, orders and categories), never to the number of events.
//
// Add drops exact duplicate events (see Dedup) among everything the
// Aggregator is given: use one Aggregator per split (as a distributed
// runner does), or call Split between splits, so that what is dropped
// depends only on the input. Its memory is kept beside each customer's
// accumulator, so it costs no second look-up.
type Aggregator struct {
	launch *Launches
	index  idIndex
	ids    []int64
	accs   accStore
	// names[i] is customer ids[i]'s string or binary id, copied once; nil
	// while every batch has integer ids.
	names []string
	err   error // the first IDCollisionError
	Stats Stats

	epoch uint32       // the current split, for dups
	dups  []dedupState // per slot; only Add uses it

	staged []*Acc // foldRun's scratch: the accumulator of each row
	sink   int64  // foldRun's touched words, so the loads are kept
}

// NewAggregator returns an empty aggregator that reads product launches from
// launch (which may be nil when the data has no product column).
func NewAggregator(launch *Launches) *Aggregator {
	return &Aggregator{launch: launch, epoch: 1}
}

// Customers is the number of distinct customers added so far.
func (g *Aggregator) Customers() int { return len(g.ids) }

// Err returns the first IDCollisionError met, or nil. The accumulators of a
// collision's customers are not to be trusted; callers stop the run.
func (g *Aggregator) Err() error { return g.err }

// slot returns the accumulator index of customer id, whose string id (when
// the batch has them) is name; a new customer's name is copied.
func (g *Aggregator) slot(id int64, name *string) int32 {
	i, added := g.index.getOrPut(id, int32(len(g.ids)))
	if !added {
		return i
	}
	g.ids = append(g.ids, id)
	g.accs.add(newAcc())
	if name != nil {
		g.addName(strings.Clone(*name))
	} else if g.names != nil {
		g.addName("")
	}
	return i
}

// addName records the id of the newest customer, padding names when
// earlier customers came without one.
func (g *Aggregator) addName(s string) {
	for len(g.names) < len(g.ids)-1 {
		g.names = append(g.names, "")
	}
	g.names = append(g.names, s)
}

// checkName records a collision when customer slot k's id is not name.
func (g *Aggregator) checkName(k int32, name string) {
	if g.names[k] != name && g.err == nil {
		a, b := min(g.names[k], name), max(g.names[k], name)
		g.err = &IDCollisionError{A: a, B: b}
	}
}

// Add folds every event of b, except exact duplicates within the current
// split (see Dedup; none are dropped from a batch with KeepRepeats), into
// the per-customer accumulators.
func (g *Aggregator) Add(b *Batch) { g.addRows(b, nil, !b.KeepRepeats) }

// Split starts a new split: the duplicate-detection memory is reset.
func (g *Aggregator) Split() { g.epoch++ }

// addRows folds the events of b at the given rows (every row when rows is
// nil) into the per-customer accumulators, dropping exact duplicates when
// dedup is set.
func (g *Aggregator) addRows(b *Batch, rows []int32, dedup bool) {
	g.Stats.Present |= b.Present
	launch := g.launch
	if b.Present&ColProduct == 0 {
		launch = nil
	}
	var last int64
	k := int32(-1)
	var acc *Acc
	var dups int64
	n := b.Len
	if rows != nil {
		n = len(rows)
	}
	for r := 0; r < n; r++ {
		i := r
		if rows != nil {
			i = int(rows[r])
		}
		// Consecutive events of one customer are common (sessions are
		// written together), so the previous slot is reused.
		if id := b.Customer[i]; k < 0 || id != last {
			var name *string
			if b.CustomerID != nil {
				name = &b.CustomerID[i]
			}
			k, last = g.slot(id, name), id
			acc = g.accs.at(k)
			if dedup && int(k) >= len(g.dups) {
				g.dups = append(g.dups, make([]dedupState, int(k)+1-len(g.dups))...)
			}
		}
		if b.CustomerID != nil {
			g.checkName(k, b.CustomerID[i])
		}
		if dedup && g.dups[k].seen(g.epoch, b.Time[i], signature(b, i)) {
			dups++
			continue
		}
		g.Stats.ByType[b.Type[i]]++
		acc.add(b, i, launch)
	}
	g.Stats.Duplicates += dups
	g.Stats.Events += int64(n) - dups
}

// foldRun folds every event of b (duplicates already dropped) into the
// accumulators in three passes: find every row's accumulator, load the
// words of each that the fold will touch, then fold. The events of a
// time-sorted file interleave customers, so nearly every row's id entry
// and accumulator is a cache miss; in the first two passes no iteration
// depends on another, so the processor has many of those misses in flight
// at once, where the fold, one row after another, would wait for each.
func (g *Aggregator) foldRun(b *Batch) {
	g.Stats.Present |= b.Present
	launch := g.launch
	if b.Present&ColProduct == 0 {
		launch = nil
	}
	if cap(g.staged) < b.Len {
		g.staged = make([]*Acc, b.Len)
	}
	staged := g.staged[:b.Len]
	var last int64
	var acc *Acc
	k := int32(-1)
	for i, id := range b.Customer[:b.Len] {
		if acc == nil || id != last {
			var name *string
			if b.CustomerID != nil {
				name = &b.CustomerID[i]
			}
			k, last = g.slot(id, name), id
			acc = g.accs.at(k)
		}
		if b.CustomerID != nil {
			g.checkName(k, b.CustomerID[i])
		}
		staged[i] = acc
	}
	var sink int64
	if b.Present&ColSession != 0 {
		for i, a := range staged {
			sink += a.LastEvent
			// A row that starts a session will append to the session
			// set: load its last entry too.
			if a.curSession != b.Session[i] {
				if n := len(a.sessions.ents); n > 0 {
					sink += int64(a.sessions.ents[n-1].key)
				}
			}
		}
	} else {
		for _, a := range staged {
			sink += a.LastEvent
		}
	}
	g.sink += sink
	for i, a := range staged {
		g.Stats.ByType[b.Type[i]]++
		a.add(b, i, launch)
	}
	g.Stats.Events += int64(b.Len)
	clear(staged) // hold no accumulator past the call
}

// Merge folds the partial o into g. o must not be used afterwards. The
// duplicate-detection memory is not merged: g's own stays as it was.
func (g *Aggregator) Merge(o *Aggregator) {
	g.Stats.merge(&o.Stats)
	if g.err == nil {
		g.err = o.err
	}
	for i, id := range o.ids {
		if j, added := g.index.getOrPut(id, int32(len(g.ids))); !added {
			if o.names != nil {
				g.checkName(j, o.names[i])
			}
			g.accs.at(j).Merge(o.accs.at(int32(i)))
			continue
		}
		g.ids = append(g.ids, id)
		g.accs.add(*o.accs.at(int32(i)))
		if o.names != nil {
			g.addName(o.names[i])
		} else if g.names != nil {
			g.addName("")
		}
	}
}

// Acc returns the accumulator of customer id, or nil.
func (g *Aggregator) Acc(id int64) *Acc {
	if i := g.index.get(id); i >= 0 {
		return g.accs.at(i)
	}
	return nil
}

// Table is the finalised per-customer feature table: one row per customer in
// ascending id order, one column per available feature.
type Table struct {
	// Customers are the customers' integer ids, or the keys (IDKey) of
	// their string or binary ids.
	Customers []int64
	// IDKind is the type of the input's ids; for strings and bytes, IDs[i]
	// is customer i's id as the input spells it, and rows are in ascending
	// byte order of IDs.
	IDKind   IDKind
	IDs      []string
	Country  []string // "" where unknown; nil when the data has no country column
	Features []*Feature
	// Columns[j][i] is Features[j] for Customers[i]; NaN means null (the
	// feature is undefined for that customer, for example average order
	// value without orders).
	Columns [][]float64
	// Abandoned[i] lists the categories customer i added to a cart and
	// never bought (nil when none, or without a category column).
	Abandoned [][]int64
	// Absent lists the catalogue's features that could not be computed,
	// with the reason. They are never zero-filled.
	Absent []Absence
	Context
}

// Absence says why a feature was not computed.
type Absence struct {
	Feature string `json:"feature"`
	Reason  string `json:"reason"`
}

// ID returns customer i's id as text, for messages.
func (t *Table) ID(i int) string {
	if t.IDs != nil {
		return t.IDs[i]
	}
	return strconv.FormatInt(t.Customers[i], 10)
}

// Column returns the values of the named feature, or nil when it is absent.
func (t *Table) Column(name string) []float64 {
	for j, f := range t.Features {
		if f.Name == name {
			return t.Columns[j]
		}
	}
	return nil
}

// Context is what finalisation needs to know about the whole data set.
type Context struct {
	AsOf        int64 // µs; recency is measured from it
	WindowStart int64 // µs; the earliest event
	Stats       Stats

	// row, when set, is the derived-value cache of the one goroutine that
	// finalises with this Context (see rowCache); nil elsewhere.
	row *rowCache
}

// WindowDays is the length of the observation window in days.
func (c *Context) WindowDays() float64 { return float64(c.AsOf-c.WindowStart) / MicrosPerDay }

// Finalise computes the feature table. Features whose inputs the data lacks
// are listed in Table.Absent instead of being computed.
func (g *Aggregator) Finalise(ctx Context) *Table {
	accs := make([]*Acc, len(g.ids))
	for i := range accs {
		accs[i] = g.accs.at(int32(i))
	}
	return finalise(ctx, g.ids, g.names, accs)
}

// finalise builds the table of the customers ids (with string ids names,
// or nil) with accumulators accs, in any order; the table is sorted by
// names when given, by id otherwise. The table's IDKind is IDString when
// names are given; a caller that knows them to be bytes says so.
//
// Customers are finalised row by row, each by one goroutine that computes
// every feature of the customer in turn (so the values derived from its key
// sets are computed once), and the rows are spread over GOMAXPROCS
// goroutines in contiguous ranges. Every value depends on its customer
// alone, so the table does not depend on the number of goroutines.
func finalise(ctx Context, ids []int64, names []string, accs []*Acc) *Table {
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	if names != nil {
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
	} else {
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(ids[a], ids[b]) })
	}
	t := &Table{Context: ctx}
	t.Customers = make([]int64, len(order))
	for r, i := range order {
		t.Customers[r] = ids[i]
	}
	if names != nil {
		t.IDKind = IDString
		t.IDs = make([]string, len(order))
		for r, i := range order {
			t.IDs[r] = names[i]
		}
	}
	if ctx.Stats.Present&ColCountry != 0 {
		t.Country = make([]string, len(order))
	}
	if ctx.Stats.Present&ColCategory != 0 {
		t.Abandoned = make([][]int64, len(order))
	}
	available, absent := ctx.Available()
	t.Absent = absent
	t.Features = available
	t.Columns = make([][]float64, len(available))
	for j := range t.Columns {
		t.Columns[j] = make([]float64, len(order))
	}
	parallelRanges(len(order), finaliseChunk, func(lo, hi int) {
		c := ctx
		c.row = new(rowCache)
		var sink int64
		for r := lo; r < hi; r++ {
			if (r-lo)%finaliseBlock == 0 {
				// The accumulators are read in id order, not in
				// memory order, so each is a run of cache misses:
				// load the next block's lines and key sets in a
				// loop of independent loads first, so that their
				// misses overlap, where the features, one customer
				// after another, would wait for each.
				for _, k := range order[r:min(r+finaliseBlock, hi)] {
					sink += touch(accs[k])
				}
			}
			a := accs[order[r]]
			if t.Country != nil {
				t.Country[r] = a.Country
			}
			if t.Abandoned != nil {
				if ab := a.AbandonedCategories(nil); len(ab) > 0 {
					t.Abandoned[r] = ab
				}
			}
			for j, f := range available {
				v, ok := f.Value(a, &c)
				if !ok || math.IsInf(v, 0) {
					v = math.NaN()
				}
				t.Columns[j][r] = v
			}
		}
		c.row.sink = sink
	})
	t.Context.row = nil
	return t
}

// finaliseChunk is the fewest customers worth a goroutine of their own.
const finaliseChunk = 16384

// finaliseBlock is the number of customers whose accumulators finalise
// loads at once.
const finaliseBlock = 32

// touch loads a word of each cache line of a and the first entry of each of
// its key sets, and returns their sum, so that the loads are kept.
func touch(a *Acc) int64 {
	s := a.Views + a.PurchaseRows + a.Spend + a.TrendRows
	if len(a.sessions.ents) > 0 {
		s += int64(a.sessions.ents[0].key)
	}
	if len(a.orders.ents) > 0 {
		s += int64(a.orders.ents[0].key)
	}
	if len(a.categories.ents) > 0 {
		s += int64(a.categories.ents[0].key)
	}
	if len(a.carted.ents) > 0 {
		s += int64(a.carted.ents[0].key)
	}
	return s
}

// parallelRanges calls f on contiguous ranges covering [0, n), at most
// GOMAXPROCS of them at once and none smaller than minChunk (one range,
// on the calling goroutine, when n is small), and returns when all are done.
func parallelRanges(n, minChunk int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), max(n/minChunk, 1))
	if w <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := range w {
		lo, hi := k*n/w, (k+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

package segbeam

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
)

func init() {
	beam.RegisterType(reflectTypeOf[source.Split]())
	beam.RegisterType(reflectTypeOf[window]())
	register.DoFn3x1[context.Context, source.Split, func(launchSet), error](&readProductsFn{})
	register.Emitter1[launchSet]()
	register.Combiner3[*launchAcc, launchSet, launchSet](&launchCombineFn{})
	register.DoFn2x1[launchSet, func(window), error](&windowFn{})
	register.Emitter1[window]()
	register.DoFn6x1[context.Context, source.Split, func(*launchSet) bool, func(int64, *features.Acc), func(features.Stats), func(splitCounts), error](&readEventsFn{})
	register.Emitter1[splitCounts]()
	register.Combiner1[splitCounts](&countsCombineFn{})
	register.Iter1[launchSet]()
	register.Emitter2[int64, *features.Acc]()
	register.Emitter1[features.Stats]()
	register.Combiner1[features.Stats](&statsCombineFn{})
	register.DoFn6x0[context.Context, int64, func(**features.Acc) bool, window, features.Stats, func(featureRow)](&finaliseFn{})
	register.Emitter1[featureRow]()
	register.Iter1[*features.Acc]()
}

// window is the observation window of the data set: recency is measured
// from AsOf, and WindowStart is the earliest event (µs since the epoch).
type window struct {
	AsOf, WindowStart int64
	// Products is the number of distinct products (features.Launches.Products).
	Products int
}

// readProductsFn is the first pass over one split: the products and event
// times (source.PassProducts), folded into a features.Launches.
type readProductsFn struct {
	Layout source.Layout
	AsOf   int64 // µs; drops later events when not zero
}

func (f *readProductsFn) ProcessElement(ctx context.Context, split source.Split, emit func(launchSet)) error {
	l := features.NewLaunches()
	products := make(map[int64]struct{})
	_, _, err := readSplit(ctx, split, f.Layout, f.AsOf, source.PassProducts, func(b *features.Batch) {
		l.Add(b)
		if b.Present&features.ColProduct != 0 {
			for _, p := range b.Product[:b.Len] {
				if p != 0 {
					products[p] = struct{}{}
				}
			}
		}
	})
	if err != nil {
		return err
	}
	emit(launchesToSet(l, products))
	return nil
}

// launchesToSet lists the launches of the given products.
func launchesToSet(l *features.Launches, products map[int64]struct{}) launchSet {
	s := launchSet{MinTime: l.MinTime, MaxTime: l.MaxTime, Product: slices.Sorted(maps.Keys(products))}
	s.First = make([]int64, len(s.Product))
	for i, p := range s.Product {
		s.First[i], _ = l.Launch(p)
	}
	return s
}

// launchAcc accumulates launchSets into a features.Launches, so that the
// merge is the features package's own; products remembers the keys, which
// Launches does not list.
type launchAcc struct {
	launches *features.Launches
	products map[int64]struct{}
}

func newLaunchAcc() *launchAcc {
	return &launchAcc{launches: features.NewLaunches(), products: make(map[int64]struct{})}
}

// add folds s into a: each product's first appearance is offered to
// Launches.Add as an event, which keeps the earliest.
func (a *launchAcc) add(s launchSet) {
	if len(s.Product) > 0 {
		a.launches.Add(&features.Batch{Len: len(s.Product), Present: features.ColTime | features.ColProduct, Time: s.First, Product: s.Product})
	}
	a.launches.MinTime = min(a.launches.MinTime, s.MinTime)
	a.launches.MaxTime = max(a.launches.MaxTime, s.MaxTime)
	for _, p := range s.Product {
		a.products[p] = struct{}{}
	}
}

func (a *launchAcc) set() launchSet { return launchesToSet(a.launches, a.products) }

// launchCombineFn is the global combine of the first pass.
type launchCombineFn struct{}

func (launchCombineFn) CreateAccumulator() *launchAcc { return newLaunchAcc() }

func (launchCombineFn) AddInput(a *launchAcc, s launchSet) *launchAcc {
	a.add(s)
	return a
}

func (launchCombineFn) MergeAccumulators(a, b *launchAcc) *launchAcc {
	a.launches.Merge(b.launches)
	for p := range b.products {
		a.products[p] = struct{}{}
	}
	return a
}

func (launchCombineFn) ExtractOutput(a *launchAcc) launchSet { return a.set() }

// frozenLaunches rebuilds the product side input as segmint's own
// features.Launches, frozen exactly as the single-node run freezes it.
func frozenLaunches(s launchSet) *features.Launches {
	a := newLaunchAcc()
	a.add(s)
	a.launches.Freeze(s.MinTime, features.DefaultTrendWindowDays)
	return a.launches
}

// windowFn derives the observation window from the first pass: the as-of
// instant is the latest event unless given.
type windowFn struct {
	AsOf int64
}

func (f *windowFn) ProcessElement(s launchSet, emit func(window)) error {
	if s.MaxTime < s.MinTime {
		// No usable event: no window, hence no customer downstream; the
		// submitter reports the rows rejected (Run).
		return nil
	}
	w := window{AsOf: f.AsOf, WindowStart: s.MinTime, Products: len(s.Product)}
	if w.AsOf == 0 {
		w.AsOf = s.MaxTime
	}
	emit(w)
	return nil
}

// readEventsFn is the second pass over one split: every column
// (source.PassEvents), folded per customer by a features.Aggregator with
// the product launches as a side input, exactly as one single-node worker
// folds its row groups. It emits one partial accumulator per customer of
// the split, the split's Stats and its rows read and skipped.
//
// Combining here, rather than emitting one (customer, event) pair per row
// to a CombinePerKey, is deliberate: a CombineFn cannot read a side input
// in Beam's Go SDK (the launches are needed to count trend purchases), and
// the SDK's lifted combine keeps at most 2,000 keys per bundle with random
// eviction, which would both multiply the shuffle on time-ordered data
// (customers interleave) and make the removal of exact duplicates, which
// works within one split, depend on the eviction order.
type readEventsFn struct {
	Layout source.Layout
	AsOf   int64

	launches *features.Launches // decoded once per instance
}

func (f *readEventsFn) ProcessElement(ctx context.Context, split source.Split, launchIter func(*launchSet) bool, emit func(int64, *features.Acc), emitStats func(features.Stats), emitCounts func(splitCounts)) error {
	if f.launches == nil {
		var s launchSet
		if !launchIter(&s) {
			return fmt.Errorf("segbeam: no product launches")
		}
		f.launches = frozenLaunches(s)
	}
	agg := features.NewAggregator(f.launches)
	var ids []int64
	seen := make(map[int64]struct{})
	textIDs := false
	skipped, rows, err := readSplit(ctx, split, f.Layout, f.AsOf, source.PassEvents, func(b *features.Batch) {
		if b.CustomerID != nil {
			textIDs = true
			return
		}
		agg.Add(b)
		last, first := int64(0), true
		for _, id := range b.Customer[:b.Len] {
			if !first && id == last {
				continue
			}
			first, last = false, id
			if _, ok := seen[id]; !ok {
				seen[id] = struct{}{}
				ids = append(ids, id)
			}
		}
	})
	if err != nil {
		return err
	}
	if textIDs {
		return fmt.Errorf("segbeam: %s: the customer ids are strings or bytes; the Beam pipeline keys customers by integer id only (segmint run keeps string and binary ids)", split.Path)
	}
	for reason, n := range skipped {
		beam.NewCounter(metricNamespace, "skipped_"+reason).Inc(ctx, n)
	}
	beam.NewCounter(metricNamespace, "events").Inc(ctx, agg.Stats.Events)
	beam.NewCounter(metricNamespace, "rows").Inc(ctx, rows)
	beam.NewCounter(metricNamespace, "skipped_"+source.SkipDuplicate).Inc(ctx, agg.Stats.Duplicates)
	for _, id := range ids {
		emit(id, agg.Acc(id))
	}
	emitStats(agg.Stats)
	emitCounts(splitCounts{Rows: rows, Skipped: skipped})
	return nil
}

// countsCombineFn sums the rows read and skipped.
type countsCombineFn struct{}

func (countsCombineFn) MergeAccumulators(a, b splitCounts) splitCounts {
	var out splitCounts
	out.merge(a)
	out.merge(b)
	return out
}

// metricNamespace is the namespace of the pipeline's counters.
const metricNamespace = "segmint"

// statsCombineFn sums the data-set statistics.
type statsCombineFn struct{}

func (statsCombineFn) MergeAccumulators(a, b features.Stats) features.Stats {
	a.Merge(&b)
	return a
}

// finaliseFn merges the partial accumulators of one customer (one per
// split holding its events, grouped by a GroupByKey) with Acc.Merge and
// turns the result into the customer's feature row.
//
// The merge follows a GroupByKey rather than a CombinePerKey: the partials
// are already combined per split in the read, so the SDK's lifted combine
// (a cache of accumulators per bundle before the shuffle) found little to
// merge: on 5.2 M events under Prism a profile put 4.5 of the job's 83
// CPU-s in it. End to end the difference is within this machine's noise
// (docs/scale-out.md), and the graph has one stage fewer.
type finaliseFn struct {
	feats []*features.Feature
	ctx   features.Context
}

func (f *finaliseFn) ProcessElement(ctx context.Context, id int64, partials func(**features.Acc) bool, w window, stats features.Stats, emit func(featureRow)) {
	beam.NewCounter(metricNamespace, "customers").Inc(ctx, 1)
	var acc, p *features.Acc
	for partials(&p) {
		if acc == nil {
			acc = p
		} else {
			acc.Merge(p)
		}
		p = nil
	}
	if f.feats == nil || f.ctx.Stats != stats || f.ctx.AsOf != w.AsOf || f.ctx.WindowStart != w.WindowStart {
		f.ctx = features.Context{AsOf: w.AsOf, WindowStart: w.WindowStart, Stats: stats}
		f.feats, _ = f.ctx.Available()
	}
	row := featureRow{Customer: id, Values: acc.Values(&f.ctx, f.feats, make([]float64, 0, len(f.feats)))}
	if stats.Present&features.ColCountry != 0 {
		row.Country = acc.Country
	}
	if stats.Present&features.ColCategory != 0 {
		row.Abandoned = acc.AbandonedCategories(nil)
	}
	emit(row)
}

// datasetContext returns the finalisation context and the available features of
// a data set.
func datasetContext(w window, stats features.Stats) (features.Context, []*features.Feature, []features.Absence) {
	c := features.Context{AsOf: w.AsOf, WindowStart: w.WindowStart, Stats: stats}
	avail, absent := c.Available()
	return c, avail, absent
}

package segbeam

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// TestShuffleSizes measures what the job shuffles: the encoded partial
// accumulator of every (customer, split) pair that readEventsFn emits and
// of every merged customer, on generated data (or on the files named by
// $SEGBEAM_SIZES_EVENTS), and checks that each round-trips through its
// coder. Run with -v to see the figures quoted in docs/scale-out.md.
func TestShuffleSizes(t *testing.T) {
	ctx := context.Background()
	events := os.Getenv("SEGBEAM_SIZES_EVENTS")
	if events == "" {
		dir := t.TempDir()
		if _, err := synth.Generate(ctx, dir, synth.Settings{Customers: 2000, Seed: 5}); err != nil {
			t.Fatal(err)
		}
		events = filepath.Join(dir, "events-*.parquet")
	}
	splits, err := source.Splits([]string{events}, source.Layout{})
	if err != nil {
		t.Fatal(err)
	}
	la := newLaunchAcc()
	start := time.Now()
	for _, sp := range splits {
		l := features.NewLaunches()
		products := make(map[int64]struct{})
		if _, err := source.ReadSplit(ctx, sp, source.Layout{}, 0, source.PassProducts, func(b *features.Batch) {
			l.Add(b)
			for _, p := range b.Product[:b.Len] {
				if p != 0 {
					products[p] = struct{}{}
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		la.add(launchesToSet(l, products))
	}
	pass1 := time.Since(start)
	launchBytes := len(encodeLaunchAcc(la))
	launches := frozenLaunches(la.set())

	merged := make(map[int64]*features.Acc)
	var partial []int
	var evs int64
	var pass2 time.Duration
	for _, sp := range splits {
		start := time.Now()
		agg := features.NewAggregator(launches)
		var ids []int64
		seen := make(map[int64]bool)
		if _, err := source.ReadSplit(ctx, sp, source.Layout{}, 0, source.PassEvents, func(b *features.Batch) {
			agg.Add(b)
			for _, id := range b.Customer[:b.Len] {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		evs += agg.Stats.Events
		pass2 += time.Since(start)
		for _, id := range ids {
			a := agg.Acc(id)
			b, err := encodeAcc(a)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeAcc(b)
			if err != nil {
				t.Fatal(err)
			}
			if b2, _ := encodeAcc(back); !bytes.Equal(b, b2) {
				t.Fatalf("customer %d: accumulator does not round-trip", id)
			}
			partial = append(partial, len(b))
			if m, ok := merged[id]; ok {
				m.Merge(a)
			} else {
				merged[id] = back // a decoded copy: a stays the aggregator's
			}
		}
	}
	var full []int
	for _, a := range merged {
		b, _ := encodeAcc(a)
		full = append(full, len(b))
	}
	report := func(name string, sizes []int) {
		slices.Sort(sizes)
		var sum int
		for _, s := range sizes {
			sum += s
		}
		q := func(p float64) int { return sizes[int(p*float64(len(sizes)-1))] }
		t.Logf("%s: n=%d mean=%.1f B p50=%d p90=%d p99=%d max=%d total=%d B", name, len(sizes), float64(sum)/float64(len(sizes)), q(0.5), q(0.9), q(0.99), sizes[len(sizes)-1], sum)
	}
	t.Logf("%d events, %d splits, %d customers; launches side input %d B for %d products", evs, len(splits), len(merged), launchBytes, launches.Products())
	t.Logf("one goroutine: products pass %.0f events/s, events pass (decode and fold) %.0f events/s", float64(evs)/pass1.Seconds(), float64(evs)/pass2.Seconds())
	report("partial accumulators (shuffled)", partial)
	report("merged accumulators", full)
}

package synth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// blockSize is the number of consecutive customers one worker generates
// as a unit.
const blockSize = 256

// block is the output of blockSize consecutive customers.
type block struct {
	first  int
	n      int
	events []event     // the customers' events, customer after customer
	ends   []int       // ends[k] is the end of customer first+k in events
	arch   []archetype // archetype of customer first+k
	done   chan struct{}
}

// producer generates blocks on cfg.workers goroutines and hands them out
// in customer order.
type producer struct {
	out    chan *block
	free   chan *block
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startProducer(ctx context.Context, cfg *config, cat *catalogue) *producer {
	ctx, cancel := context.WithCancel(ctx)
	inflight := 2 * cfg.workers
	p := &producer{
		out:    make(chan *block, inflight),
		free:   make(chan *block, inflight+2),
		cancel: cancel,
	}
	jobs := make(chan *block, inflight)
	for range cfg.workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			g := newGenerator(cfg, cat)
			for b := range jobs {
				g.out = b.events[:0]
				b.ends, b.arch = b.ends[:0], b.arch[:0]
				for i := b.first; i < b.first+b.n; i++ {
					b.arch = append(b.arch, g.customer(uint32(i)))
					b.ends = append(b.ends, len(g.out))
				}
				b.events = g.out
				close(b.done)
			}
		}()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.out)
		defer close(jobs)
		for first := 0; first < cfg.Customers; first += blockSize {
			var b *block
			select {
			case b = <-p.free:
			default:
				b = &block{}
			}
			b.first, b.n = first, min(blockSize, cfg.Customers-first)
			b.done = make(chan struct{})
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
			select {
			case p.out <- b:
			case <-ctx.Done():
				<-b.done
				return
			}
		}
	}()
	return p
}

// release returns a consumed block for reuse.
func (p *producer) release(b *block) {
	select {
	case p.free <- b:
	default:
	}
}

// stop ends generation and waits for every goroutine to return.
func (p *producer) stop() {
	p.cancel()
	for b := range p.out {
		<-b.done
	}
	p.wg.Wait()
}

// Generate writes a synthetic event data set into dir (created if
// missing): events-00000.parquet, events-00001.parquet, ... and
// labels.parquet. Files are written under hidden temporary names and
// renamed only when all of them are complete, so a failed or cancelled
// run leaves no partial file; events files numbered beyond the new set,
// left by an earlier run, are removed. The output depends only on s (not
// on Workers or the machine).
func Generate(ctx context.Context, dir string, s Settings) (*Summary, error) {
	cfg, err := resolve(s, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	cat := newCatalogue(cfg.Seed, cfg.Days)
	sum := &Summary{
		Customers:   cfg.Customers,
		Products:    len(cat.products),
		ByArchetype: make(map[string]int, numArchetypes),
		AsOf:        cfg.start.Add(time.Duration(cfg.Days) * 24 * time.Hour),
		Seed:        cfg.Seed,
	}
	var temps []string
	ok := false
	defer func() {
		if !ok {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()

	labels := make([]archetype, cfg.Customers)
	id := newIDs(cfg, cat)
	shard := make([]event, 0, min(cfg.EventsPerFile, 64*cfg.Customers)+1024)
	var keys, scratch []uint64
	// The shard holds customers shardLo..next-1.
	shardLo, next := 0, 0
	var nz *noiser
	if cfg.NoiseShare > 0 {
		nz = newNoiser(cfg, cat)
	}
	write := func(events []event, order []uint64) error {
		name := eventsName(len(temps))
		var tmp string
		var err error
		if cfg.rees46 {
			tmp, err = writeEvents(ctx, dir, name, cfg, id, events, order, fillREES46)
		} else {
			tmp, err = writeEvents(ctx, dir, name, cfg, id, events, order, fillFull)
		}
		if err != nil {
			return err
		}
		temps = append(temps, tmp)
		sum.Files = append(sum.Files, filepath.Join(dir, name))
		sum.Events += int64(len(events))
		return nil
	}
	// In OrderTime the groups of whole customers go to a spill, sorted by
	// time, and are written once every customer is generated.
	var spill *timeSpill
	if cfg.Order == OrderTime {
		if spill, err = newTimeSpill(dir, cfg.window, cfg.Days); err != nil {
			return nil, err
		}
		defer spill.remove()
	}
	groups := 0
	// flush ends the group of customers shardLo..next-1: it adds the
	// group's noise, sorts it by time and writes it as a file
	// (OrderSession) or spills it (OrderTime).
	flush := func() error {
		if nz != nil {
			planted := len(shard)
			shard = nz.add(shard, groups, shardLo, next)
			sum.Noise += int64(len(shard) - planted)
		}
		groups++
		keys, scratch = sortByTime(shard, keys, scratch)
		var err error
		if spill != nil {
			err = spill.add(shard, keys)
		} else {
			err = write(shard, keys)
		}
		if err != nil {
			return err
		}
		shard = shard[:0]
		shardLo = next
		return nil
	}

	prod := startProducer(ctx, cfg, cat)
	defer prod.stop()
	for b := range prod.out {
		<-b.done
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("synth: generate: %w", err)
		}
		start := 0
		for k, end := range b.ends {
			labels[b.first+k] = b.arch[k]
			evs := b.events[start:end]
			start = end
			if n := len(shard) + len(evs); len(shard) > 0 && n+cfg.noiseRows(n) > cfg.EventsPerFile {
				if err := flush(); err != nil {
					return nil, err
				}
			}
			shard = append(shard, evs...)
			next = b.first + k + 1
		}
		prod.release(b)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("synth: generate: %w", err)
	}
	if len(shard) > 0 || groups == 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if spill != nil {
		if err := writeTimeOrder(ctx, spill, shard, cfg.EventsPerFile, write); err != nil {
			return nil, err
		}
	}
	shard, keys, scratch = nil, nil, nil
	tmp, err := writeLabels(ctx, dir, cfg, labels)
	if err != nil {
		return nil, err
	}
	temps = append(temps, tmp)
	sum.Labels = filepath.Join(dir, "labels.parquet")
	for _, a := range archetypeIDs {
		sum.ByArchetype[a] = 0
	}
	for _, a := range labels {
		sum.ByArchetype[archetypeIDs[a]]++
	}

	finals := append(append([]string{}, sum.Files...), sum.Labels)
	for i, t := range temps {
		if err := os.Rename(t, finals[i]); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	ok = true
	if err := removeStale(dir, len(sum.Files)); err != nil {
		return sum, err
	}
	return sum, nil
}

// writeTimeOrder writes the spilled events in time order, in files of
// perFile rows (the last may hold fewer; one empty file when there is no
// event). Events of one second keep the order they were spilled in: group
// after group, each group's events in its own time order. buf is memory
// to reuse for the files' events.
func writeTimeOrder(ctx context.Context, spill *timeSpill, buf []event, perFile int, write func([]event, []uint64) error) error {
	file := buf[:0]
	var bucket []event
	var keys, scratch, identity []uint64
	flush := func() error {
		for len(identity) < len(file) {
			identity = append(identity, uint64(len(identity)))
		}
		err := write(file, identity[:len(file)])
		file = file[:0]
		return err
	}
	written := false
	for k := range spill.buckets() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("synth: generate: %w", err)
		}
		var err error
		if bucket, err = spill.read(k, bucket); err != nil {
			return err
		}
		spill.release(k)
		keys, scratch = sortByTime(bucket, keys, scratch)
		for _, key := range keys {
			file = append(file, bucket[uint32(key)])
			if len(file) == perFile {
				if err := flush(); err != nil {
					return err
				}
				written = true
			}
		}
	}
	if len(file) > 0 || !written {
		return flush()
	}
	return nil
}

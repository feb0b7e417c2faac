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
	flush := func() error {
		name := eventsName(len(temps))
		if nz != nil {
			planted := len(shard)
			shard = nz.add(shard, len(temps), shardLo, next)
			sum.Noise += int64(len(shard) - planted)
		}
		keys, scratch = sortByTime(shard, keys, scratch)
		var tmp string
		var err error
		if cfg.rees46 {
			tmp, err = writeEvents(ctx, dir, name, cfg, id, shard, keys, fillREES46)
		} else {
			tmp, err = writeEvents(ctx, dir, name, cfg, id, shard, keys, fillFull)
		}
		if err != nil {
			return err
		}
		temps = append(temps, tmp)
		sum.Files = append(sum.Files, filepath.Join(dir, name))
		sum.Events += int64(len(shard))
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
	if len(shard) > 0 || len(temps) == 0 {
		if err := flush(); err != nil {
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

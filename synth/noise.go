package synth

import (
	"math"
	"math/rand/v2"
)

// Settings.NoiseShare: rows that belong to no archetype's behaviour,
// added to each events file after its customers are generated, so that
// the planted events, the labels and the files' customers stay those of
// the run without noise.

// Noise composition.
const (
	noiseUnknownShare = 0.10 // rows of NoiseEventType
	noiseCartShare    = 0.30 // of the other rows, cart adds (the rest views)
	noiseMaxRows      = 3    // rows per noise session, 1 to this
)

// noiseRows is the number of noise rows added to a file of n planted rows.
func (c *config) noiseRows(n int) int {
	if c.NoiseShare <= 0 {
		return 0
	}
	return int(math.Round(c.NoiseShare * float64(n)))
}

// noiser makes the noise rows of the events files.
type noiser struct {
	cfg      *config
	cat      *catalogue
	pcg      rand.PCG
	rng      *rand.Rand
	cust     rand.PCG // re-seeded to recover a customer's country
	sessions []uint32 // per customer of the file, its last visit number
	country  []int16  // per customer of the file, its country; -1 unknown
}

func newNoiser(cfg *config, cat *catalogue) *noiser {
	z := &noiser{cfg: cfg, cat: cat}
	z.rng = rand.New(&z.pcg)
	return z
}

// countryOf returns the country of customer i: the second draw of its
// structure stream, as in generator.customer.
func (z *noiser) countryOf(i uint32) uint8 {
	a, b := customerSeed(z.cfg.Seed, i)
	z.cust.Seed(a, b)
	r := rand.New(&z.cust)
	r.Float64() // the archetype
	return uint8(drawCum(countryCum, r.Float64()))
}

// add appends to shard, the planted events of customers lo..hi-1 of the
// file numbered file, the file's noise rows and returns it. The noise
// stream is derived from the seed and the file number, so it depends
// neither on Workers nor on the planted streams.
func (z *noiser) add(shard []event, file, lo, hi int) []event {
	want := z.cfg.noiseRows(len(shard))
	if want == 0 || hi <= lo {
		return shard
	}
	z.pcg.Seed(splitmix64(z.cfg.Seed^0x0015e_5a1e), splitmix64(uint64(file)))
	n := hi - lo
	z.sessions = append(z.sessions[:0], make([]uint32, n)...)
	z.country = z.country[:0]
	for range n {
		z.country = append(z.country, -1)
	}
	for i := range shard {
		e := &shard[i]
		k := int(e.customer) - lo
		z.sessions[k] = max(z.sessions[k], e.session)
		z.country[k] = int16(e.country)
	}
	window := z.cfg.window
	for added := 0; added < want; {
		k := z.rng.IntN(n)
		c := uint32(lo + k)
		if z.country[k] < 0 {
			// A customer with no planted row in the file (a lead whose
			// only rows are not written in LayoutREES46).
			z.country[k] = int16(z.countryOf(c))
		}
		z.sessions[k]++
		rows := min(1+z.rng.IntN(noiseMaxRows), want-added)
		// Room for the visit's gaps (at most 900 s each) before as-of.
		t := z.rng.Int64N(window - int64(noiseMaxRows)*900)
		var last int32 = -1
		for r := range rows {
			if r > 0 {
				t += z.gap()
			}
			e := event{t: uint32(t), customer: c, product: -1, session: z.sessions[k],
				qty: 1, country: uint8(z.country[k])}
			switch u := z.rng.Float64(); {
			case u < noiseUnknownShare:
				e.kind = kindNoise
			case u < noiseUnknownShare+(1-noiseUnknownShare)*noiseCartShare:
				e.kind = kindCart
				if last < 0 {
					last = z.product(t)
				}
				e.product = last
			default:
				e.kind = kindView
				last = z.product(t)
				e.product = last
			}
			if e.product >= 0 {
				e.price = z.cat.products[e.product].price
			}
			shard = append(shard, e)
		}
		added += rows
	}
	return shard
}

// product draws a product that exists at t: a category by attention, then
// a product of it by popularity.
func (z *noiser) product(t int64) int32 {
	for range 64 {
		if p := z.cat.pick(z.rng, z.cat.drawCategory(z.rng.Float64()), t); p >= 0 {
			return p
		}
	}
	// Products launched before Start exist at every t.
	return int32(z.rng.IntN(initialProducts))
}

// gap is the time between two rows of a noise visit, the law of
// generator.gap: log-normal, median 35 s, 2 s to 15 min.
func (z *noiser) gap() int64 {
	s := 35 * math.Exp(0.8*z.rng.NormFloat64())
	return int64(min(max(s, 2), 900))
}

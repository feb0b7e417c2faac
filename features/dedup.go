package features

// Dedup drops exact duplicate events from the batches of one split: a row
// group, a CSV file, or any other unit of input that one reader hands over
// in order. Dumps repeat events (the REES46 dump repeats some views many
// times at the same timestamp; the UCI Online Retail file repeats invoice
// lines), and a repeated purchase line would count its spend twice.
//
// An event is a duplicate when the same customer already has, earlier in
// the same split, an event at the same time with every other column equal
// (type, product, category, price, quantity, session, order, coupon,
// discount and country). The columns are compared through a 64-bit hash,
// the signature, so two different events of one customer at one instant
// are taken for repeats with a chance of about 2^-64. For each customer of
// the split, Dedup remembers every distinct event at the customer's latest
// time, so memory is proportional to the customers of one split and the
// largest number of events one customer has at one instant, never to the
// number of events. An exact repeat that comes after a later event of the
// same customer, or in another split, counts as a new event.
//
// Because every split is read in order by one reader and the memory is
// reset between splits, which events are dropped depends only on the
// input, never on how splits are scheduled over workers or machines.
//
// A split sorted by time (a dump exported in time order, or a file sorted
// by time as the generator writes them) is checked without a look-up per
// event: while every event is at or after the one before, an event can
// repeat only one of the same instant, so Dedup compares it with the
// split's events at that instant alone, and logs each kept event (24
// bytes each, at most maxDedupLog of them). At the first event earlier
// than the one before, or when the log is full, the log is replayed into
// the per-customer memory and the split goes on as an unsorted one; so
// what is dropped is the same either way.
type Dedup struct {
	epoch  uint32
	index  idIndex
	states []dedupState
	// The sorted path: unsorted is set once the split goes back in time;
	// log holds the split's kept events, the last instant's from run on.
	unsorted bool
	log      []dedupEvent
	run      int
}

// dedupEvent is one kept event of a sorted split.
type dedupEvent struct {
	customer int64
	time     int64
	sig      uint64
}

// maxDedupRun is the most events at one instant that the sorted path
// compares pairwise before it turns to the per-customer memory.
const maxDedupRun = 64

// maxDedupLog bounds the sorted path's log: a longer sorted split (a large
// CSV file) goes on through the per-customer memory.
const maxDedupLog = 1 << 20

// dedupState is one customer's memory: the distinct events at its latest
// time in the split (the first two inline, so that the common case of one
// or two events at an instant allocates nothing).
type dedupState struct {
	epoch uint32 // the split this state belongs to; older ones are empty
	n     uint32 // signatures remembered
	time  int64
	sig   [2]uint64
	more  []uint64
}

// Reset forgets every event: call it at the start of each split.
func (d *Dedup) Reset() {
	d.epoch++
	d.index.clear()
	d.states = d.states[:0]
	d.unsorted, d.log, d.run = false, d.log[:0], 0
}

// Keep appends to rows the indexes of the events of b that are not
// duplicates, in order, and returns the extended slice. Every row of a
// batch with KeepRepeats is kept.
func (d *Dedup) Keep(b *Batch, rows []int32) []int32 {
	if b.KeepRepeats {
		for i := 0; i < b.Len; i++ {
			rows = append(rows, int32(i))
		}
		return rows
	}
	if d.epoch == 0 {
		d.epoch = 1
	}
	start := 0
	if !d.unsorted {
		start, rows = d.keepSorted(b, rows)
		if start == b.Len {
			return rows
		}
		d.replay()
	}
	var last int64
	var st *dedupState
	for i := start; i < b.Len; i++ {
		// A customer's events come in runs, so the previous state is
		// reused.
		if id := b.Customer[i]; st == nil || id != last {
			st, last = d.state(id), id
		}
		if !st.seen(d.epoch, b.Time[i], signature(b, i)) {
			rows = append(rows, int32(i))
		}
	}
	return rows
}

// keepSorted is Keep's sorted path: it appends the kept rows of b up to
// the first that is earlier than the one before it (or that would make the
// instant's events too many to compare) and returns that row's index (b.Len
// when every row was checked).
func (d *Dedup) keepSorted(b *Batch, rows []int32) (int, []int32) {
	for i := 0; i < b.Len; i++ {
		t := b.Time[i]
		if n := len(d.log); n > 0 {
			if prev := d.log[n-1].time; t < prev || (t == prev && n-d.run >= maxDedupRun) || n >= maxDedupLog {
				return i, rows
			} else if t > prev {
				d.run = n
			}
		}
		e := dedupEvent{customer: b.Customer[i], time: t, sig: signature(b, i)}
		dup := false
		for _, x := range d.log[d.run:] {
			if x.customer == e.customer && x.sig == e.sig {
				dup = true
				break
			}
		}
		if !dup {
			d.log = append(d.log, e)
			rows = append(rows, int32(i))
		}
	}
	return b.Len, rows
}

// replay moves the sorted path's log into the per-customer memory, as if
// the split's events so far had been read by the unsorted path, which reads
// the rest of the split.
func (d *Dedup) replay() {
	d.unsorted = true
	for _, e := range d.log {
		d.state(e.customer).seen(d.epoch, e.time, e.sig)
	}
	d.log, d.run = d.log[:0], 0
}

func (d *Dedup) state(id int64) *dedupState {
	if k, added := d.index.getOrPut(id, int32(len(d.states))); !added {
		return &d.states[k]
	}
	if len(d.states) < cap(d.states) {
		// A state of an earlier split, with its buffer; its old epoch
		// makes it empty.
		d.states = d.states[:len(d.states)+1]
	} else {
		d.states = append(d.states, dedupState{})
	}
	return &d.states[len(d.states)-1]
}

// seen reports whether an event at time t with signature sig was already
// remembered in split epoch, and remembers it otherwise.
func (s *dedupState) seen(epoch uint32, t int64, sig uint64) bool {
	if s.epoch != epoch || t > s.time {
		s.epoch, s.time, s.n, s.more = epoch, t, 1, s.more[:0]
		s.sig[0] = sig
		return false
	}
	if t < s.time {
		return false
	}
	for _, x := range s.sig[:min(s.n, 2)] {
		if x == sig {
			return true
		}
	}
	for _, x := range s.more {
		if x == sig {
			return true
		}
	}
	if s.n < 2 {
		s.sig[s.n] = sig
	} else {
		s.more = append(s.more, sig)
	}
	s.n++
	return false
}

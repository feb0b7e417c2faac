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
type Dedup struct {
	epoch  uint32
	index  idIndex
	states []dedupState
}

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
	var last int64
	var st *dedupState
	for i := 0; i < b.Len; i++ {
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

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
// discount and country: the signature). For each customer of the split,
// Dedup remembers every distinct event at the customer's latest time, so
// memory is proportional to the customers of one split and the largest
// number of events one customer has at one instant, never to the number
// of events. An exact repeat that comes after a later event of the same
// customer, or in another split, counts as a new event.
//
// Because every split is read in order by one reader and the memory is
// reset between splits, which events are dropped depends only on the
// input, never on how splits are scheduled over workers or machines.
type Dedup struct {
	index  map[int64]int32
	states []dedupState
}

type dedupState struct {
	time int64
	sigs []uint64
}

// Reset forgets every event: call it at the start of each split.
func (d *Dedup) Reset() {
	clear(d.index)
	d.states = d.states[:0]
}

// Keep appends to rows the indexes of the events of b that are not
// duplicates, in order, and returns the extended slice.
func (d *Dedup) Keep(b *Batch, rows []int32) []int32 {
	if d.index == nil {
		d.index = make(map[int64]int32)
	}
	var last int64
	var st *dedupState
	for i := 0; i < b.Len; i++ {
		// A customer's events come in runs, so the previous state is
		// reused.
		if id := b.Customer[i]; st == nil || id != last {
			st, last = d.state(id), id
		}
		if !st.seen(b.Time[i], signature(b, i)) {
			rows = append(rows, int32(i))
		}
	}
	return rows
}

func (d *Dedup) state(id int64) *dedupState {
	if k, ok := d.index[id]; ok {
		return &d.states[k]
	}
	d.index[id] = int32(len(d.states))
	if len(d.states) < cap(d.states) {
		// Reuse a state of an earlier split, with its signature buffer.
		d.states = d.states[:len(d.states)+1]
		st := &d.states[len(d.states)-1]
		st.time, st.sigs = minTime, st.sigs[:0]
		return st
	}
	d.states = append(d.states, dedupState{time: minTime})
	return &d.states[len(d.states)-1]
}

const minTime = -1 << 63

// seen reports whether an event at time t with signature sig was already
// remembered, and remembers it otherwise.
func (s *dedupState) seen(t int64, sig uint64) bool {
	if t < s.time {
		return false
	}
	if t > s.time {
		s.time, s.sigs = t, s.sigs[:0]
	}
	for _, x := range s.sigs {
		if x == sig {
			return true
		}
	}
	s.sigs = append(s.sigs, sig)
	return false
}

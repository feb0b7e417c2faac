package synth

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// timeSpill holds a data set's events on disk, in buckets of consecutive
// spans of the window, so that Generate can write them in one time order
// across every file (OrderTime) with no more than one bucket and one file's
// events in memory. A bucket keeps its events in the order they were added.
type timeSpill struct {
	dir    string
	span   int64 // seconds of the window per bucket
	files  []*os.File
	bufs   []*bufio.Writer
	counts []int
	rec    [eventRecord]byte
}

// maxSpillBuckets bounds the buckets, and so the files open at once.
const maxSpillBuckets = 256

// eventRecord is the size of an event on disk.
const eventRecord = 40

// newTimeSpill creates the buckets of a window of window seconds and days
// days (one bucket per day, at most maxSpillBuckets) in a new hidden
// directory inside dir.
func newTimeSpill(dir string, window int64, days int) (*timeSpill, error) {
	tmp, err := os.MkdirTemp(dir, ".spill-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	n := int64(min(max(days, 1), maxSpillBuckets))
	s := &timeSpill{dir: tmp, span: (window + n - 1) / n}
	for k := range n {
		f, err := os.Create(fmt.Sprintf("%s/bucket-%03d", tmp, k))
		if err != nil {
			s.remove()
			return nil, fmt.Errorf("synth: %w", err)
		}
		s.files = append(s.files, f)
		s.bufs = append(s.bufs, bufio.NewWriterSize(f, 64<<10))
		s.counts = append(s.counts, 0)
	}
	return s, nil
}

// add appends events, in the given order (the low 32 bits of each key index
// events), to their buckets.
func (s *timeSpill) add(events []event, order []uint64) error {
	for _, k := range order {
		e := &events[uint32(k)]
		b := min(int(int64(e.t)/s.span), len(s.bufs)-1)
		encodeEvent(s.rec[:], e)
		if _, err := s.bufs[b].Write(s.rec[:]); err != nil {
			return fmt.Errorf("synth: spill: %w", err)
		}
		s.counts[b]++
	}
	return nil
}

// buckets is the number of buckets.
func (s *timeSpill) buckets() int { return len(s.files) }

// read returns bucket k's events in the order they were added, in dst's
// memory when it is large enough.
func (s *timeSpill) read(k int, dst []event) ([]event, error) {
	if err := s.bufs[k].Flush(); err != nil {
		return nil, fmt.Errorf("synth: spill: %w", err)
	}
	f := s.files[k]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("synth: spill: %w", err)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	dst = dst[:0]
	var rec [eventRecord]byte
	for range s.counts[k] {
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			return nil, fmt.Errorf("synth: spill: %w", err)
		}
		dst = append(dst, decodeEvent(rec[:]))
	}
	return dst, nil
}

// release closes and truncates bucket k once it has been read.
func (s *timeSpill) release(k int) {
	s.files[k].Truncate(0)
	s.files[k].Close()
}

// remove deletes every bucket.
func (s *timeSpill) remove() {
	for _, f := range s.files {
		f.Close()
	}
	os.RemoveAll(s.dir)
}

func encodeEvent(b []byte, e *event) {
	le := binary.LittleEndian
	le.PutUint64(b[0:], math.Float64bits(e.price))
	le.PutUint64(b[8:], math.Float64bits(e.discount))
	le.PutUint32(b[16:], e.t)
	le.PutUint32(b[20:], e.customer)
	le.PutUint32(b[24:], uint32(e.product))
	le.PutUint32(b[28:], e.session)
	le.PutUint32(b[32:], e.order)
	b[36], b[37], b[38], b[39] = uint8(e.kind), e.qty, e.coupon, e.country
}

func decodeEvent(b []byte) event {
	le := binary.LittleEndian
	return event{
		price:    math.Float64frombits(le.Uint64(b[0:])),
		discount: math.Float64frombits(le.Uint64(b[8:])),
		t:        le.Uint32(b[16:]),
		customer: le.Uint32(b[20:]),
		product:  int32(le.Uint32(b[24:])),
		session:  le.Uint32(b[28:]),
		order:    le.Uint32(b[32:]),
		kind:     eventKind(b[36]),
		qty:      b[37],
		coupon:   b[38],
		country:  b[39],
	}
}

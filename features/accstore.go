package features

// accStore holds an aggregator's accumulators in fixed chunks, so that
// adding customers never copies the ones already there (a growing slice
// would copy them all at every doubling, and hold both copies until the
// next collection) and an accumulator's address stays fixed.
type accStore struct {
	chunks [][]Acc
	n      int
}

// accChunk is the number of accumulators per chunk.
const accChunk = 1024

// add appends a and returns its slot.
func (s *accStore) add(a Acc) int32 {
	if s.n%accChunk == 0 {
		s.chunks = append(s.chunks, make([]Acc, 0, accChunk))
	}
	c := &s.chunks[len(s.chunks)-1]
	*c = append(*c, a)
	s.n++
	return int32(s.n - 1)
}

// at returns the accumulator in slot i.
func (s *accStore) at(i int32) *Acc { return &s.chunks[i/accChunk][i%accChunk] }

// len is the number of accumulators.
func (s *accStore) len() int { return s.n }

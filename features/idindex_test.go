package features

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The index agrees with a map on ids of every shape: small consecutive
// integers, zero and negative ids, the extremes, random 64-bit hashes, and
// ids that share their low or high bits; through growth and after clear.
func TestIDIndexMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ids []int64
	for i := range int64(3000) {
		ids = append(ids, i, -i, i<<40, i<<52, int64(r.Uint64()))
	}
	ids = append(ids, math.MinInt64, math.MaxInt64)
	var x idIndex
	for round := range 2 {
		want := map[int64]int32{}
		for _, id := range ids {
			next := int32(len(want))
			got, added := x.getOrPut(id, next)
			w, ok := want[id]
			if !ok {
				want[id] = next
				w = next
			}
			if added == ok || got != w {
				t.Fatalf("round %d: getOrPut(%d) = %d, %v; want %d, %v", round, id, got, added, w, !ok)
			}
		}
		if x.len() != len(want) {
			t.Fatalf("round %d: len %d, want %d", round, x.len(), len(want))
		}
		for id, w := range want {
			if got := x.get(id); got != w {
				t.Fatalf("round %d: get(%d) = %d, want %d", round, id, got, w)
			}
		}
		for _, id := range []int64{7 << 60, -(1 << 61), 123456789012345} {
			if _, ok := want[id]; !ok && x.get(id) != -1 {
				t.Fatalf("round %d: get(%d) of an absent id = %d", round, id, x.get(id))
			}
		}
		x.clear()
		if x.len() != 0 || x.get(ids[1]) != -1 {
			t.Fatalf("round %d: clear left %d ids", round, x.len())
		}
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	}
}

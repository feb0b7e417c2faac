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

// The product table keeps the earliest time of every product, as a map
// does, through growth, for products of every shape (0 is never stored).
func TestProductTableMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var x productTable
	want := map[int64]int64{}
	for i := range 50_000 {
		var p int64
		switch i % 3 {
		case 0:
			p = 1 + r.Int64N(5000)
		case 1:
			p = -1 - r.Int64N(5000)
		default:
			p = int64(r.Uint64()) | 1
		}
		tm := r.Int64N(1 << 40)
		x.min(p, tm)
		if f, ok := want[p]; !ok || tm < f {
			want[p] = tm
		}
	}
	if x.len() != len(want) {
		t.Fatalf("len %d, want %d", x.len(), len(want))
	}
	for p, w := range want {
		if got, ok := x.get(p); !ok || got != w {
			t.Fatalf("get(%d) = %d, %v; want %d", p, got, ok, w)
		}
	}
	if _, ok := x.get(0); ok {
		t.Fatal("product 0 found")
	}
	n := 0
	x.each(func(p, tm int64) {
		n++
		if want[p] != tm {
			t.Fatalf("each: %d at %d, want %d", p, tm, want[p])
		}
	})
	if n != len(want) {
		t.Fatalf("each visited %d products, want %d", n, len(want))
	}
}

// len is the number of ids in the index.
func (x *idIndex) len() int { return x.n }

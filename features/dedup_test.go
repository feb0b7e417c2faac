package features

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// keepReference is Dedup's rule written plainly: a row is dropped when an
// earlier row of the split has the same customer, the same time, the same
// signature, and no row of that customer in between is later.
func keepReference(splits [][]*Batch) [][]int32 {
	var out [][]int32
	for _, split := range splits {
		type key struct{ customer int64 }
		latest := map[key]int64{}
		sigs := map[key]map[uint64]bool{}
		for _, b := range split {
			var kept []int32
			for i := 0; i < b.Len; i++ {
				k, t, sig := key{b.Customer[i]}, b.Time[i], signature(b, i)
				lt, ok := latest[k]
				switch {
				case !ok || t > lt:
					latest[k], sigs[k] = t, map[uint64]bool{sig: true}
				case t < lt:
				case sigs[k][sig]:
					continue
				default:
					sigs[k][sig] = true
				}
				kept = append(kept, int32(i))
			}
			out = append(out, kept)
		}
	}
	return out
}

// TestDedupSortedPath: on splits sorted by time, sorted at first and then
// not, unsorted, and with instants of more events than the sorted path
// compares, Dedup keeps exactly the rows of the plain rule.
func TestDedupSortedPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	split := func(n, customers, instants int, sorted bool, burst int) []ev {
		var evs []ev
		for len(evs) < n {
			e := ev{cust: int64(1 + rng.IntN(customers)), day: float64(rng.IntN(instants)) / 1000, typ: EventType(1 + rng.IntN(4)), product: int64(1 + rng.IntN(3)), price: 2, session: uint64(1 + rng.IntN(3))}
			evs = append(evs, e)
			if rng.IntN(4) == 0 {
				evs = append(evs, e) // an exact repeat
			}
		}
		for range burst {
			evs = append(evs, ev{cust: int64(1 + rng.IntN(customers)), day: 0.5, typ: EventView, product: int64(1 + rng.IntN(2)), price: 2, session: 1})
		}
		if sorted {
			slices.SortStableFunc(evs, func(a, b ev) int { return cmp.Compare(a.day, b.day) })
		}
		return evs
	}
	for _, tc := range []struct {
		name     string
		parts    [][]ev
		unsorted bool // whether the split ends on the unsorted path
	}{
		{"sorted", [][]ev{split(3000, 40, 400, true, 0)}, false},
		{"sorted then not", [][]ev{split(2000, 40, 400, true, 0), split(2000, 40, 400, false, 0)}, true},
		{"unsorted", [][]ev{split(3000, 40, 400, false, 0)}, true},
		{"long instant", [][]ev{split(3000, 30, 800, true, 300)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var all []ev
			for _, p := range tc.parts {
				all = append(all, p...)
			}
			// Batches of 500 rows, one split, then the same split again
			// after Reset.
			var batches []*Batch
			for lo := 0; lo < len(all); lo += 500 {
				batches = append(batches, batchOf(allColumns, all[lo:min(lo+500, len(all))]...))
			}
			want := keepReference([][]*Batch{batches})
			var d Dedup
			for round := range 2 {
				d.Reset()
				for k, b := range batches {
					got := d.Keep(b, nil)
					if !slices.Equal(got, want[k]) {
						t.Fatalf("round %d batch %d: kept %d rows, want %d (%s)", round, k, len(got), len(want[k]), fmt.Sprint(diffRows(got, want[k])))
					}
				}
				if d.unsorted != tc.unsorted {
					t.Errorf("round %d: ended on the unsorted path %v, want %v", round, d.unsorted, tc.unsorted)
				}
			}
			dropped := 0
			for k, b := range batches {
				dropped += b.Len - len(want[k])
			}
			if dropped == 0 {
				t.Fatal("no duplicates in the test data")
			}
		})
	}
}

func diffRows(a, b []int32) []int32 {
	var out []int32
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, -x-1)
		}
	}
	return out
}

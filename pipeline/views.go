package pipeline

import (
	"cmp"
	"fmt"

	"slices"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/report"
	"github.com/segmint/segmint/segments"
)

// overlaps counts the customers meeting each pair of evaluated non-facet
// segment rules, and how many such rules each customer meets.
func overlaps(mem *segments.Memberships) (ids []string, counts [][]int, perCustomer []int) {
	var idx []int
	for s, seg := range mem.Catalogue.Segments {
		if mem.Evaluated(s) && !seg.Facet {
			idx = append(idx, s)
			ids = append(ids, seg.ID)
		}
	}
	counts = make([][]int, len(idx))
	for a := range counts {
		counts[a] = make([]int, len(idx))
	}
	var in []int
	for i := range mem.Primary {
		in = in[:0]
		for a, s := range idx {
			if mem.Member[s][i] {
				in = append(in, a)
			}
		}
		for _, a := range in {
			for _, b := range in {
				counts[a][b]++
			}
		}
		for len(perCustomer) <= len(in) {
			perCustomer = append(perCustomer, 0)
		}
		perCustomer[len(in)]++
	}
	return ids, counts, perCustomer
}

// abandonedCategories counts, over the members of the cart_abandoners
// segment (or, when it was not evaluated, every customer), the customers
// who left each category in a cart; the top n, named where a category_code
// is known.
func abandonedCategories(t *features.Table, mem *segments.Memberships, lookup func([]int64) map[int64]string, n int) []report.Count {
	if t.Abandoned == nil {
		return nil
	}
	var who []bool
	for s, seg := range mem.Catalogue.Segments {
		if seg.ID == "cart_abandoners" && mem.Evaluated(s) {
			who = mem.Member[s]
		}
	}
	counts := make(map[int64]int64)
	for i, cats := range t.Abandoned {
		if who != nil && !who[i] {
			continue
		}
		for _, c := range cats {
			counts[c]++
		}
	}
	ids := make([]int64, 0, len(counts))
	for c := range counts {
		ids = append(ids, c)
	}
	slices.SortFunc(ids, func(a, b int64) int {
		if counts[a] != counts[b] {
			return cmp.Compare(counts[b], counts[a])
		}
		return cmp.Compare(a, b)
	})
	ids = ids[:min(len(ids), n)]
	names := lookup(ids)
	out := make([]report.Count, 0, len(ids))
	for _, c := range ids {
		label, ok := names[c]
		if !ok {
			label = fmt.Sprintf("category %d", c)
		}
		out = append(out, report.Count{Label: label, N: counts[c]})
	}
	return out
}

// countrySegments counts customers per (country, primary segment) for the
// top countries by customers.
func countrySegments(t *features.Table, mem *segments.Memberships, top int) []report.CountrySegment {
	if t.Country == nil {
		return nil
	}
	per := make(map[string]int64)
	for _, c := range t.Country {
		per[c]++
	}
	countries := make([]string, 0, len(per))
	for c := range per {
		countries = append(countries, c)
	}
	slices.SortFunc(countries, func(a, b string) int {
		if per[a] != per[b] {
			return cmp.Compare(per[b], per[a])
		}
		return cmp.Compare(a, b)
	})
	keep := make(map[string]bool)
	for _, c := range countries[:min(len(countries), top)] {
		keep[c] = true
	}
	type key struct{ c, s string }
	counts := make(map[key]int64)
	for i, c := range t.Country {
		if keep[c] {
			counts[key{c, mem.PrimaryID(i)}]++
		}
	}
	var out []report.CountrySegment
	for k, n := range counts {
		name := k.c
		if name == "" {
			name = "unknown"
		}
		out = append(out, report.CountrySegment{Country: name, Segment: k.s, N: n})
	}
	slices.SortFunc(out, func(a, b report.CountrySegment) int {
		if c := cmp.Compare(per[b.Country], per[a.Country]); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Country, b.Country); c != 0 {
			return c
		}
		if a.N != b.N {
			return cmp.Compare(b.N, a.N)
		}
		return cmp.Compare(a.Segment, b.Segment)
	})
	return out
}

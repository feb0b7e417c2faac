package planted

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/synth"
)

// DefaultTableFeatures are the features Archetypes shows by default: what
// the archetypes of synth/doc.go plant.
var DefaultTableFeatures = []string{"total_spend", "orders", "sessions", "views", "recency_days", "tenure_days", "coupon_ratio",
	"trend_adoption", "refund_rate", "abandoned_carts", "mean_gap_days", "distinct_categories", "subscribed"}

// Archetypes writes, per planted archetype, its customers, the share of
// them in the top decile of total_spend, and the mean of each named
// feature over the customers for whom it is defined (– where it is defined for
// none), as the feature stage
// reads the generated data: the planted behaviour, for reading beside
// synth/doc.go.
func Archetypes(w io.Writer, tab *features.Table, arch []string, names []string) error {
	cols := make([][]float64, len(names))
	for j, n := range names {
		i := slices.IndexFunc(tab.Features, func(f *features.Feature) bool { return f.Name == n })
		if i < 0 {
			return fmt.Errorf("no feature %q in the table", n)
		}
		cols[j] = tab.Columns[i]
	}
	spend := slices.IndexFunc(tab.Features, func(f *features.Feature) bool { return f.Name == "total_spend" })
	p90 := math.Inf(1)
	if spend >= 0 {
		s := slices.Clone(tab.Columns[spend])
		slices.Sort(s)
		p90 = s[len(s)*9/10]
	}
	fmt.Fprintf(w, "%d customers; total_spend p90 %.2f\n\n| archetype | customers | top decile of spend |", len(arch), p90)
	for _, n := range names {
		fmt.Fprintf(w, " %s |", n)
	}
	fmt.Fprintf(w, "\n|---|---|---|%s\n", strings.Repeat("---|", len(names)))
	for _, a := range append(synth.Archetypes(), synth.UnlistedArchetypes()...) {
		var rows []int
		for i, x := range arch {
			if x == a {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			continue
		}
		top := 0
		for _, i := range rows {
			if spend >= 0 && tab.Columns[spend][i] >= p90 {
				top++
			}
		}
		fmt.Fprintf(w, "| %s | %d | %.2f |", a, len(rows), float64(top)/float64(len(rows)))
		for _, c := range cols {
			var sum float64
			var n int
			for _, i := range rows {
				if !math.IsNaN(c[i]) {
					sum += c[i]
					n++
				}
			}
			if n == 0 {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %.2f |", sum/float64(n))
		}
		fmt.Fprintln(w)
	}
	return nil
}

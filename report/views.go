package report

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
)

// The views below reshape Data for the tables of the page; they do no
// analysis beyond shares of the counts they are given.

// topCountries is how many countries the location tables show.
const topCountries = 12

// cell is one coloured table cell.
type cell struct {
	N     int64
	Share float64 // NaN when there is no row total
	Style template.CSS
}

// matrixRow is one labelled row of coloured cells.
type matrixRow struct {
	Label string
	Total int64
	Cells []cell
}

// shareColour fills a cell by a share in [0,1]: white to blue, on a
// square-root scale so that shares of a few per cent still show.
func shareColour(share float64) template.CSS {
	if !finite(share) || share <= 0 {
		return ""
	}
	t := math.Sqrt(math.Min(1, share))
	r, g, b := 255-t*(255-49), 255-t*(255-130), 255-t*(255-189)
	css := fmt.Sprintf("background:rgb(%d,%d,%d)", int(r), int(g), int(b))
	if t > 0.6 {
		css += ";color:#fff"
	}
	return template.CSS(css)
}

// overlapRows is the overlap matrix with each cell's share of the row
// segment (the diagonal is 100 %).
func overlapRows(d *Data) []matrixRow {
	rows := make([]matrixRow, 0, len(d.Overlap))
	for a, counts := range d.Overlap {
		row := matrixRow{Label: label(d.OverlapIDs, a)}
		if a < len(counts) {
			row.Total = int64(counts[a])
		}
		for b, n := range counts {
			share := math.NaN()
			if row.Total > 0 {
				share = float64(n) / float64(row.Total)
			}
			st := shareColour(share)
			if a == b {
				st = "background:#e8e8e8"
			}
			row.Cells = append(row.Cells, cell{N: int64(n), Share: share, Style: st})
		}
		rows = append(rows, row)
	}
	return rows
}

func label(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprint(i)
}

// bar is one row of a table with an inline bar.
type bar struct {
	Label string
	N     int64
	Share float64
	Width template.CSS
}

// bars turns counts into rows whose bar width is relative to the largest.
func bars(counts []Count, total int64) []bar {
	var top int64
	if total == 0 {
		for _, c := range counts {
			total += c.N
		}
	}
	for _, c := range counts {
		top = max(top, c.N)
	}
	out := make([]bar, 0, len(counts))
	for _, c := range counts {
		b := bar{Label: c.Label, N: c.N, Share: math.NaN(), Width: "width:0"}
		if total > 0 {
			b.Share = float64(c.N) / float64(total)
		}
		if top > 0 {
			b.Width = template.CSS(fmt.Sprintf("width:%.1f%%", 100*float64(c.N)/float64(top)))
		}
		out = append(out, b)
	}
	return out
}

// memberships is the distribution of the number of segments per customer.
func memberships(d *Data) []bar {
	counts := make([]Count, len(d.MembershipsPerCustomer))
	for n, c := range d.MembershipsPerCustomer {
		counts[n] = Count{Label: fmt.Sprint(n), N: int64(c)}
	}
	return bars(counts, 0)
}

// manySegments is the share of customers meeting three or more segment
// rules; NaN when unknown.
func manySegments(d *Data) float64 {
	var total, many int
	for n, c := range d.MembershipsPerCustomer {
		total += c
		if n >= 3 {
			many += c
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return float64(many) / float64(total)
}

// countryBars is the customers of the largest countries.
func countryBars(d *Data) []bar {
	cs := slices.Clone(d.Countries)
	slices.SortStableFunc(cs, func(a, b Count) int { return cmp.Compare(b.N, a.N) })
	var total int64
	for _, c := range cs {
		total += c.N
	}
	if len(cs) > topCountries {
		var rest int64
		for _, c := range cs[topCountries:] {
			rest += c.N
		}
		cs = append(cs[:topCountries:topCountries], Count{Label: fmt.Sprintf("%d other countries", len(d.Countries)-topCountries), N: rest})
	}
	return bars(cs, total)
}

// countryMatrix is the country × primary segment table for the largest
// countries, segments ordered by their total, cells coloured by the share
// of the country's customers.
type countryMatrix struct {
	Segments []string
	Rows     []matrixRow
}

func countrySegments(d *Data) countryMatrix {
	if len(d.CountrySegments) == 0 {
		return countryMatrix{}
	}
	bySeg := map[string]int64{}
	byCountry := map[string]int64{}
	cells := map[[2]string]int64{}
	for _, cs := range d.CountrySegments {
		bySeg[cs.Segment] += cs.N
		byCountry[cs.Country] += cs.N
		cells[[2]string{cs.Country, cs.Segment}] += cs.N
	}
	rank := func(m map[string]int64) []string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
		})
		return keys
	}
	out := countryMatrix{Segments: rank(bySeg)}
	countries := rank(byCountry)
	if len(countries) > topCountries {
		countries = countries[:topCountries]
	}
	for _, c := range countries {
		row := matrixRow{Label: c, Total: byCountry[c]}
		for _, s := range out.Segments {
			n := cells[[2]string{c, s}]
			share := float64(n) / float64(max(row.Total, 1))
			row.Cells = append(row.Cells, cell{N: n, Share: share, Style: shareColour(share)})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// movementRows is the transition matrix as coloured table rows.
func movementRows(m *Movement) []matrixRow {
	if m == nil {
		return nil
	}
	rows := make([]matrixRow, 0, len(m.Counts))
	for from, counts := range m.Counts {
		row := matrixRow{Label: label(m.Segments, from)}
		for _, n := range counts {
			row.Total += n
		}
		for _, n := range counts {
			share := math.NaN()
			if row.Total > 0 {
				share = float64(n) / float64(row.Total)
			}
			row.Cells = append(row.Cells, cell{N: n, Share: share, Style: shareColour(share)})
		}
		rows = append(rows, row)
	}
	return rows
}

// match is one current cluster and the previous cluster it matched.
type match struct {
	Cluster  string
	Previous int // -1: none
}

func clusterMatches(d *Data) []match {
	if d.Movement == nil {
		return nil
	}
	names := map[int]string{}
	for _, c := range d.Clusters {
		names[c.ID] = clusterName(c)
	}
	out := make([]match, 0, len(d.Movement.ClusterMatch))
	for id, prev := range d.Movement.ClusterMatch {
		name, ok := names[id]
		if !ok {
			name = fmt.Sprint(id)
		}
		out = append(out, match{Cluster: name, Previous: prev})
	}
	return out
}

// lifecycleOrder is document D's order of the life-cycle stages:
// acquisition, onboarding, retention and loyalty, then lapsing.
var lifecycleOrder = []string{"prospect", "new", "active", "loyal", "hero", "loyal_or_hero", "loyal or hero", "at_risk", "at risk", "dormant"}

// stages returns the life-cycle counts in stage order; labels the order
// does not know keep their place after the known ones. The caller's slice
// is not changed.
func stages(counts []Count) []Count {
	rank := func(label string) int {
		if i := slices.Index(lifecycleOrder, strings.ToLower(label)); i >= 0 {
			return i
		}
		return len(lifecycleOrder)
	}
	out := slices.Clone(counts)
	slices.SortStableFunc(out, func(a, b Count) int { return cmp.Compare(rank(a.Label), rank(b.Label)) })
	return out
}

// document returns the source document with the given id, or nil.
func document(d *Data, id string) *Document {
	for i := range d.Documents {
		if d.Documents[i].ID == id {
			return &d.Documents[i]
		}
	}
	return nil
}

// readSegments lists the segments evaluated through a fallback reading.
func readSegments(d *Data) []Segment {
	var out []Segment
	for _, s := range d.Segments {
		if s.Evaluated && s.Reading != "" {
			out = append(out, s)
		}
	}
	return out
}

// notEvaluated lists the segments that could not be evaluated.
func notEvaluated(d *Data) []Segment {
	var out []Segment
	for _, s := range d.Segments {
		if !s.Evaluated {
			out = append(out, s)
		}
	}
	return out
}

// evaluatedFirst returns the segments with the evaluated ones first, each
// part in catalogue order. The caller's slice is not changed.
func evaluatedFirst(segs []Segment) []Segment {
	out := slices.Clone(segs)
	slices.SortStableFunc(out, func(a, b Segment) int {
		switch {
		case a.Evaluated == b.Evaluated:
			return 0
		case a.Evaluated:
			return -1
		}
		return 1
	})
	return out
}

// predicted reports whether d has predictions: the models spoke for the
// data.
func predicted(d *Data) bool { return d.Predictions != nil && d.Predictions.Reason == "" }

package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// sizeBars draws one horizontal bar per cluster, labelled with its mapping.
func sizeBars(d *Data) template.HTML {
	const w, rowH, left = 760, 22, 300
	h := rowH*len(d.Clusters) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="cluster sizes">`, w, h, w, h)
	maxShare := 0.0
	for _, c := range d.Clusters {
		maxShare = math.Max(maxShare, c.Share)
	}
	for i, c := range d.Clusters {
		y := 5 + i*rowH
		bw := 0.0
		if maxShare > 0 {
			bw = (w - left - 80) * c.Share / maxShare
		}
		colour := "#4e79a7"
		if c.Segment == "" {
			colour = "#bab0ac"
		}
		label := fmt.Sprintf("%d · %s", c.ID, c.Label)
		if r := []rune(label); len(r) > 44 {
			label = string(r[:43]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12">%s</text>`, left-6, y+15, esc(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`, left, y+3, bw, rowH-6, colour, esc(fmt.Sprintf("cluster %d: %d customers", c.ID, c.Size)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s (%.1f%%)</text>`, float64(left)+bw+4, y+15, commas(int64(c.Size)), 100*c.Share)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// linePlot draws y over x with the chosen x marked.
func linePlot(title string, xs []int, ys []float64, chosen int) string {
	const w, h, pad = 240, 150, 34
	var pts []string
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range ys {
		if !math.IsNaN(y) && !math.IsInf(y, 0) {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	x0, x1 := float64(xs[0]), float64(xs[len(xs)-1])
	if x1 == x0 {
		x1 = x0 + 1
	}
	px := func(x float64) float64 { return pad + (x-x0)/(x1-x0)*(w-pad-8) }
	py := func(y float64) float64 { return h - pad + 14 - (y-lo)/(hi-lo)*(h-pad-10) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart small" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, w, h+10, w, h+10, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="12" font-size="12" font-weight="bold">%s</text>`, pad, esc(title))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, pad, h-pad+14, w-8, h-pad+14)
	for i, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(float64(xs[i])), py(y)))
		r, fill := 2.5, "#4e79a7"
		if xs[i] == chosen {
			r, fill = 5, "#e15759"
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"><title>k=%d: %.4g</title></circle>`, px(float64(xs[i])), py(y), r, fill, xs[i], y)
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#4e79a7" points="%s"/>`, strings.Join(pts, " "))
	for _, x := range []int{xs[0], xs[len(xs)-1]} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">k=%d</text>`, px(float64(x)), h+6, x)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func kPlots(k *KSelection) template.HTML {
	if k == nil || len(k.Ks) == 0 {
		return ""
	}
	return template.HTML(linePlot("inertia", k.Ks, k.Inertia, k.Chosen) +
		linePlot("silhouette (higher is better)", k.Ks, k.Silhouette, k.Chosen) +
		linePlot("Calinski–Harabasz (higher)", k.Ks, k.CalinskiHarabasz, k.Chosen) +
		linePlot("Davies–Bouldin (lower)", k.Ks, k.DaviesBouldin, k.Chosen))
}

func paretoPlot(d *Data) template.HTML {
	if len(d.Pareto) < 2 {
		return ""
	}
	const w, h, pad = 320, 220, 36
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="revenue concentration">`, w, h, w, h)
	fmt.Fprintf(&b, `<rect x="%d" y="8" width="%d" height="%d" fill="none" stroke="#999"/>`, pad, w-pad-8, h-pad-8)
	var pts []string
	for _, p := range d.Pareto {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", pad+p[0]*float64(w-pad-8), float64(h-pad)-p[1]*float64(h-pad-8)))
	}
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#e15759" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="8" stroke="#bbb" stroke-dasharray="4"/>`, pad, h-pad, w-8)
	x20 := pad + 0.2*float64(w-pad-8)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="8" x2="%.1f" y2="%d" stroke="#4e79a7" stroke-dasharray="2"/>`, x20, x20, h-pad)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">share of customers (by spend, descending)</text>`, pad, h-12)
	fmt.Fprintf(&b, `<text x="%.1f" y="24" font-size="11">top 20%%: %.0f%% of revenue</text>`, x20+4, 100*d.Top20Share)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

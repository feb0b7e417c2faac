package report

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"image/color"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The charts are drawn with gonum/plot onto its SVG canvas and inlined in
// the page. Fonts are named, not embedded: the SVG asks for Liberation Sans
// (the metrics gonum/plot lays text out with) and falls back to the
// metric-compatible Arial or Helvetica, then to any sans-serif, so the page
// fetches nothing.

// sans is the face every chart uses.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// fontStack replaces the single family vgsvg writes.
const fontStack = "font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"

// clusterColours is the Tableau 10 palette without its grey, which marks
// clusters that match no named segment, followed by darker tones from
// Tableau 20 so that a dozen clusters keep distinct colours.
var clusterColours = []color.NRGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff},
	{0x76, 0xb7, 0xb2, 0xff}, {0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff},
	{0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff}, {0x9c, 0x75, 0x5f, 0xff},
	{0x49, 0x98, 0x94, 0xff}, {0xb6, 0x99, 0x2d, 0xff}, {0xd3, 0x72, 0x95, 0xff},
	{0x86, 0xbc, 0xb6, 0xff}, {0x8c, 0xd1, 0x7d, 0xff},
}

var (
	unmatchedGrey = color.NRGBA{0xba, 0xb0, 0xac, 0xff}
	markRed       = color.RGBA{0xc0, 0x39, 0x2b, 0xff}
	lineBlue      = color.RGBA{0x4e, 0x79, 0xa7, 0xff}
	axisInk       = color.RGBA{0x55, 0x55, 0x55, 0xff}
	gridInk       = color.RGBA{0xe4, 0xe4, 0xe4, 0xff}
	textInk       = color.RGBA{0x22, 0x22, 0x22, 0xff}
)

// clusterColour is the colour of cluster id in every chart.
func clusterColour(id int) color.NRGBA {
	if id < 0 {
		return unmatchedGrey
	}
	return clusterColours[id%len(clusterColours)]
}

// clusterGlyph varies the mark's shape once the colours repeat.
func clusterGlyph(id int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}
	return shapes[(max(id, 0)/len(clusterColours))%len(shapes)]
}

// newPlot returns a plot in the report's style.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 14)
	p.Title.TextStyle.Color = textInk
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 12)
		a.Label.TextStyle.Color = textInk
		a.Tick.Label.Font = font.From(sans, 11)
		a.Tick.Label.Color = axisInk
		a.Color = axisInk
		a.Tick.Color = axisInk
		a.Padding = vg.Points(4)
	}
	p.Legend.TextStyle.Font = font.From(sans, 11)
	p.Legend.TextStyle.Color = textInk
	return p
}

// grid returns light major grid lines; vertical and horizontal choose which.
func grid(vertical, horizontal bool) *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridInk, gridInk
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	return g
}

// labelStyle is the style of text placed in a chart's data area.
func labelStyle(size vg.Length, c color.Color) draw.TextStyle {
	return draw.TextStyle{Font: font.From(sans, size), Color: c, Handler: plot.DefaultTextHandler}
}

// percentTicks marks 0 %, 20 %, … 100 % of a [0,1] axis.
var percentTicks = plot.ConstantTicks{
	{Value: 0, Label: "0%"}, {Value: 0.2, Label: "20%"}, {Value: 0.4, Label: "40%"},
	{Value: 0.6, Label: "60%"}, {Value: 0.8, Label: "80%"}, {Value: 1, Label: "100%"},
}

// thousandsTicks labels the default ticks with thousands separators.
type thousandsTicks struct{}

func (thousandsTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" && ts[i].Value == math.Trunc(ts[i].Value) && math.Abs(ts[i].Value) < 1e15 {
			ts[i].Label = commas(int64(ts[i].Value))
		}
	}
	return ts
}

// chartNote is shown in place of a chart that cannot be drawn.
func chartNote(msg string) template.HTML {
	return template.HTML(`<p class="muted">` + esc(msg) + `</p>`)
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// chartMargin is the blank margin around every chart.
const chartMargin = vg.Length(4)

// renderSVG draws onto a w × h SVG canvas and returns the SVG inline. A
// failure (gonum/plot panics on some degenerate input) becomes a note, so
// one odd chart never loses the report.
func renderSVG(w, h vg.Length, label string, paint func(dc draw.Canvas) error) (out template.HTML) {
	defer func() {
		if r := recover(); r != nil {
			out = chartNote(fmt.Sprintf("%s: chart not drawn (%v)", label, r))
		}
	}()
	c := vgsvg.NewWith(vgsvg.UseWH(w, h))
	// gonum/plot sets text flush with the canvas's edge by the glyphs'
	// extent; a browser's text box, a line's height, reaches a pixel or
	// two further, beyond the SVG's box, where it is cut off.
	if err := paint(draw.Crop(draw.New(c), chartMargin, -chartMargin, chartMargin, -chartMargin)); err != nil {
		return chartNote(fmt.Sprintf("%s: chart not drawn (%v)", label, err))
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return chartNote(fmt.Sprintf("%s: chart not drawn (%v)", label, err))
	}
	return template.HTML(inlineSVG(buf.String(), w, h, label))
}

// inlineSVG turns a standalone SVG document into an element for an HTML
// page: no XML prolog, no namespace declarations (HTML supplies them), a
// size in CSS pixels, an accessible name and the font stack.
func inlineSVG(doc string, w, h vg.Length, label string) string {
	start := strings.Index(doc, "<svg")
	if start < 0 {
		return ""
	}
	end := strings.IndexByte(doc[start:], '>')
	body := doc[start+end+1:]
	body = strings.ReplaceAll(body, "font-family:Liberation Sans;", fontStack)
	return fmt.Sprintf(`<svg class="chart" width="%.0f" height="%.0f" viewBox="0 0 %.5g %.5g" role="img" aria-label="%s">`,
		w.Points(), h.Points(), w.Points(), h.Points(), esc(label)) + body
}

// paintPlot is a paint function that draws p over the whole canvas.
func paintPlot(p *plot.Plot) func(draw.Canvas) error {
	return func(dc draw.Canvas) error { p.Draw(dc); return nil }
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// fullText remembers the full text of the labels a chart abbreviates, so
// that each abbreviation shows its full text on hover.
type fullText map[string]string

// shorten is shorten(s, n), remembering s when it is cut. Two labels cut
// to the same text share one hover text naming both.
func (f fullText) shorten(s string, n int) string {
	return f.shortenBefore(s, "", n)
}

// shortenBefore is f.shorten(s+suffix, n) that cuts s alone and keeps
// suffix whole ("Hero customers or Loyal… (42)").
func (f fullText) shortenBefore(s, suffix string, n int) string {
	short := shorten(s, max(n-utf8.RuneCountInString(suffix), 2)) + suffix
	s += suffix
	if short == s {
		return s
	}
	if prev, ok := f[short]; ok && prev != s && !strings.Contains(prev, s) {
		s = prev + " / " + s
	}
	f[short] = s
	return short
}

// titled gives every text element of svg whose content an abbreviation
// of f is an SVG <title> child with the full text: the browser shows it
// on hover, and it is the text's accessible name.
func (f fullText) titled(svg template.HTML) template.HTML {
	if len(f) == 0 {
		return svg
	}
	out := string(svg)
	for short, full := range f {
		text := ">" + html.EscapeString(short) + "</text>"
		out = strings.ReplaceAll(out, text, "><title>"+html.EscapeString(full)+"</title>"+text[1:])
	}
	return template.HTML(out)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// clusterName is a cluster's label in charts: its id and its segment's
// name, or the descriptive label of an unmatched cluster.
func clusterName(c Cluster) string {
	name := c.Label
	if name == "" {
		name = c.Segment
	}
	if name == "" {
		return fmt.Sprintf("%d", c.ID)
	}
	return fmt.Sprintf("%d · %s", c.ID, name)
}

// kCharts draws the four k-selection curves with the chosen k marked.
// markGreen marks the k actually used when the validity indices chose
// another.
var markGreen = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}

func kCharts(k *KSelection) template.HTML {
	if k == nil || len(k.Ks) == 0 {
		return ""
	}
	curves := []struct {
		title string
		ys    []float64
	}{
		{"inertia (elbow)", k.Inertia},
		{"silhouette (higher is better)", k.Silhouette},
		{"Calinski–Harabasz (higher is better)", k.CalinskiHarabasz},
		{"Davies–Bouldin (lower is better)", k.DaviesBouldin},
	}
	var b strings.Builder
	for i, c := range curves {
		knee := 0
		if i == 0 && k.Knee != k.Chosen {
			knee = k.Knee
		}
		b.WriteString(string(kChart(c.title, k.Ks, c.ys, k.Chosen, knee, k.Used)))
	}
	if k.Stability != nil {
		b.WriteString(string(kChart("bootstrap stability (mean Jaccard)", k.Ks, k.Stability, k.StableChoice, 0, k.Used)))
	}
	return template.HTML(b.String())
}

// kChart draws one curve of a score over k; chosen is marked in red, a
// knee (when it differs) with a ring, and the k actually used (when it
// differs from chosen) with a green square.
func kChart(title string, ks []int, ys []float64, chosen, knee, used int) template.HTML {
	var pts plotter.XYs
	for i, y := range ys {
		if i < len(ks) && finite(y) {
			pts = append(pts, plotter.XY{X: float64(ks[i]), Y: y})
		}
	}
	if len(pts) == 0 {
		return chartNote(title + ": no values")
	}
	p := newPlot(title)
	p.X.Label.Text = "k"
	var ticks plot.ConstantTicks
	for _, k := range ks {
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: fmt.Sprint(k)})
	}
	if len(ks) > 12 { // keep every other label
		for i := range ticks {
			if i%2 == 1 {
				ticks[i].Label = ""
			}
		}
	}
	p.X.Tick.Marker = ticks
	p.Y.Tick.Marker = thousandsTicks{}
	p.Add(grid(false, true))
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return chartNote(title + ": " + err.Error())
	}
	line.Color, line.Width = lineBlue, vg.Points(1.5)
	points.Color, points.Shape, points.Radius = lineBlue, draw.CircleGlyph{}, vg.Points(2.5)
	p.Add(line, points)
	for _, pt := range pts {
		switch int(pt.X) {
		case chosen:
			s, _ := plotter.NewScatter(plotter.XYs{pt})
			s.Color, s.Shape, s.Radius = markRed, draw.CircleGlyph{}, vg.Points(5)
			p.Add(s)
		case knee:
			s, _ := plotter.NewScatter(plotter.XYs{pt})
			s.Color, s.Shape, s.Radius = markRed, draw.RingGlyph{}, vg.Points(5)
			p.Add(s)
		}
		if used != chosen && int(pt.X) == used {
			s, _ := plotter.NewScatter(plotter.XYs{pt})
			s.Color, s.Shape, s.Radius = markGreen, draw.BoxGlyph{}, vg.Points(5)
			p.Add(s)
		}
	}
	if len(pts) == 1 {
		p.X.Min, p.X.Max = pts[0].X-1, pts[0].X+1
	}
	return renderSVG(vg.Points(520), vg.Points(230), title, paintPlot(p))
}

// sizeChart draws one horizontal bar per cluster, labelled with its
// mapping, grey when the cluster matches no named segment, outlined in
// red and flagged when it is unstable.
func sizeChart(d *Data) template.HTML {
	n := len(d.Clusters)
	if n == 0 {
		return chartNote("No clusters.")
	}
	p := newPlot("")
	p.X.Label.Text = "customers"
	p.X.Tick.Marker = thousandsTicks{}
	p.Add(grid(true, false))
	names := make([]string, n)
	full := fullText{}
	maxSize := 1.0
	var labels plotter.XYLabels
	var styles []draw.TextStyle
	for i, c := range d.Clusters {
		pos := float64(n - 1 - i) // cluster 0 at the top
		names[n-1-i] = full.shorten(clusterName(c), 44)
		bar, err := plotter.NewBarChart(plotter.Values{float64(c.Size)}, vg.Points(16))
		if err != nil {
			return chartNote("cluster sizes: " + err.Error())
		}
		bar.Horizontal, bar.XMin = true, pos
		bar.Color = clusterColour(c.ID)
		if c.Segment == "" {
			bar.Color = unmatchedGrey
		}
		bar.LineStyle.Width = 0
		if c.Unstable {
			bar.LineStyle = draw.LineStyle{Color: markRed, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
		}
		p.Add(bar)
		maxSize = math.Max(maxSize, float64(c.Size))
		text := fmt.Sprintf("%s (%.1f%%)", commas(int64(c.Size)), 100*c.Share)
		sty := labelStyle(11, textInk)
		if c.Unstable {
			text += " · unstable"
			sty.Color = markRed
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: float64(c.Size), Y: pos})
		labels.Labels = append(labels.Labels, text)
		styles = append(styles, sty)
	}
	lab, err := plotter.NewLabels(labels)
	if err != nil {
		return chartNote("cluster sizes: " + err.Error())
	}
	for i := range styles {
		styles[i].YAlign = draw.YCenter
	}
	lab.TextStyle, lab.Offset = styles, vg.Point{X: vg.Points(4)}
	p.Add(lab)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, maxSize*1.3
	return full.titled(renderSVG(vg.Points(820), vg.Points(float64(26*n+56)), "cluster sizes", paintPlot(p)))
}

// projectionChart draws the customers on the first two principal
// components, one colour per cluster, with the legend beside the plot.
func projectionChart(d *Data) template.HTML {
	if len(d.Projection) == 0 {
		return ""
	}
	byCluster := map[int]plotter.XYs{}
	var ids []int
	for _, pt := range d.Projection {
		if !finite(pt.X) || !finite(pt.Y) {
			continue
		}
		if _, ok := byCluster[pt.Cluster]; !ok {
			ids = append(ids, pt.Cluster)
		}
		byCluster[pt.Cluster] = append(byCluster[pt.Cluster], plotter.XY{X: pt.X, Y: pt.Y})
	}
	if len(ids) == 0 {
		return chartNote("projection: no finite points")
	}
	slices.Sort(ids)
	names := map[int]string{}
	full := fullText{}
	for _, c := range d.Clusters {
		names[c.ID] = clusterName(c)
	}
	p := newPlot("")
	p.X.Label.Text = fmt.Sprintf("PC1 (%s of variance)", pct(d.ExplainedVariance[0]))
	p.Y.Label.Text = fmt.Sprintf("PC2 (%s of variance)", pct(d.ExplainedVariance[1]))
	p.Add(grid(true, true))
	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(sans, 12)
	legend.TextStyle.Color = textInk
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(10)
	legend.Padding = vg.Points(4)
	for _, id := range ids {
		s, err := plotter.NewScatter(byCluster[id])
		if err != nil {
			return chartNote("projection: " + err.Error())
		}
		c := clusterColour(id)
		c.A = 0xb4
		s.Color, s.Shape, s.Radius = c, clusterGlyph(id), vg.Points(2.2)
		p.Add(s)
		thumb := *s // a larger mark for the legend
		thumb.Color, thumb.Radius = clusterColour(id), vg.Points(4)
		name, ok := names[id]
		if !ok {
			name = fmt.Sprintf("cluster %d", id)
		}
		legend.Add(full.shortenBefore(name, " ("+commas(int64(len(byCluster[id])))+")", 40), &thumb)
	}
	const w, h = 760, 460
	return full.titled(renderSVG(vg.Points(w), vg.Points(h), "principal-component projection", func(dc draw.Canvas) error {
		lw := legend.Rectangle(dc).Size().X + vg.Points(16)
		lw = min(lw, vg.Points(w/2))
		p.Draw(draw.Crop(dc, 0, -lw, 0, 0))
		legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw+vg.Points(10), 0, 0, -vg.Points(8)))
		return nil
	}))
}

// paretoChart draws the revenue concentration curve with the top-20 %
// point marked.
func paretoChart(d *Data) template.HTML {
	var pts plotter.XYs
	for _, pt := range d.Pareto {
		if finite(pt[0]) && finite(pt[1]) {
			pts = append(pts, plotter.XY{X: pt[0], Y: pt[1]})
		}
	}
	if len(pts) < 2 {
		return ""
	}
	p := newPlot("")
	p.X.Label.Text = "share of customers (by spend, descending)"
	p.Y.Label.Text = "share of revenue"
	p.X.Tick.Marker, p.Y.Tick.Marker = percentTicks, percentTicks
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Add(grid(true, true))
	equal, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	equal.Color, equal.Dashes = unmatchedGrey, []vg.Length{vg.Points(4), vg.Points(3)}
	curve, err := plotter.NewLine(pts)
	if err != nil {
		return chartNote("revenue concentration: " + err.Error())
	}
	curve.Color, curve.Width = markRed, vg.Points(2)
	p.Add(equal, curve)
	if finite(d.Top20Share) {
		at := plotter.XYs{{X: 0.2, Y: d.Top20Share}}
		guide, _ := plotter.NewLine(plotter.XYs{{X: 0.2, Y: 0}, {X: 0.2, Y: d.Top20Share}, {X: 0, Y: d.Top20Share}})
		guide.Color, guide.Dashes = lineBlue, []vg.Length{vg.Points(2), vg.Points(2)}
		mark, _ := plotter.NewScatter(at)
		mark.Color, mark.Shape, mark.Radius = lineBlue, draw.CircleGlyph{}, vg.Points(4)
		lab, _ := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: []string{fmt.Sprintf("top 20%%: %.0f%% of revenue", 100*d.Top20Share)}})
		lab.TextStyle[0] = labelStyle(11, textInk)
		lab.TextStyle[0].YAlign = draw.YTop
		lab.Offset = vg.Point{X: vg.Points(10), Y: -vg.Points(8)}
		p.Add(guide, mark, lab)
	}
	return renderSVG(vg.Points(460), vg.Points(340), "revenue concentration", paintPlot(p))
}

// funnelChart draws the life-cycle stages as bars in the given order.
func funnelChart(stages []Count) template.HTML {
	if len(stages) == 0 {
		return ""
	}
	p := newPlot("")
	p.Y.Label.Text = "customers"
	p.Y.Tick.Marker = thousandsTicks{}
	p.Add(grid(false, true))
	var names []string
	full := fullText{}
	var labels plotter.XYLabels
	top := 1.0
	for i, s := range stages {
		bar, err := plotter.NewBarChart(plotter.Values{float64(s.N)}, vg.Points(44))
		if err != nil {
			return chartNote("life-cycle stages: " + err.Error())
		}
		bar.XMin, bar.LineStyle.Width = float64(i), 0
		bar.Color = lineBlue
		p.Add(bar)
		names = append(names, full.shorten(s.Label, 18))
		labels.XYs = append(labels.XYs, plotter.XY{X: float64(i), Y: float64(s.N)})
		labels.Labels = append(labels.Labels, commas(s.N))
		top = math.Max(top, float64(s.N))
	}
	lab, err := plotter.NewLabels(labels)
	if err != nil {
		return chartNote("life-cycle stages: " + err.Error())
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i] = labelStyle(11, textInk)
		lab.TextStyle[i].XAlign = draw.XCenter
	}
	lab.Offset = vg.Point{Y: vg.Points(3)}
	p.Add(lab)
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, top*1.12
	w := max(360, 90*len(stages)+90)
	return full.titled(renderSVG(vg.Points(float64(w)), vg.Points(260), "life-cycle funnel", paintPlot(p)))
}

// blues is a white-to-blue ramp for heat maps.
type blues int

func (n blues) Colors() []color.Color {
	out := make([]color.Color, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = color.RGBA{uint8(247 - t*(247-8)), uint8(251 - t*(251-81)), uint8(255 - t*(255-156)), 0xff}
	}
	return out
}

// shareGrid is Counts as a grid of row shares for plotter.HeatMap: column
// c is the current segment, row r counts from the bottom.
type shareGrid struct {
	counts [][]int64
	rowSum []int64
}

func (g shareGrid) Dims() (c, r int) { return len(g.counts[0]), len(g.counts) }
func (g shareGrid) X(c int) float64  { return float64(c) }
func (g shareGrid) Y(r int) float64  { return float64(r) }
func (g shareGrid) Z(c, r int) float64 {
	from := len(g.counts) - 1 - r
	if g.rowSum[from] == 0 || c >= len(g.counts[from]) {
		return 0
	}
	return float64(g.counts[from][c]) / float64(g.rowSum[from])
}

// movementChart draws the transition matrix as a heat map coloured by the
// share of the previous segment's customers, with the counts in the cells.
func movementChart(m *Movement) template.HTML {
	if m == nil || len(m.Counts) == 0 || len(m.Counts[0]) == 0 {
		return ""
	}
	rows, cols := len(m.Counts), len(m.Counts[0])
	g := shareGrid{counts: m.Counts, rowSum: make([]int64, rows)}
	for i, row := range m.Counts {
		if len(row) != cols {
			return chartNote("movement: ragged transition matrix")
		}
		for _, n := range row {
			g.rowSum[i] += n
		}
	}
	full := fullText{}
	label := func(i int) string {
		if i < len(m.Segments) {
			return full.shorten(m.Segments[i], 22)
		}
		return fmt.Sprint(i)
	}
	p := newPlot("")
	p.X.Label.Text = "this run"
	p.Y.Label.Text = "previous run"
	heat := plotter.NewHeatMap(g, blues(64))
	heat.Min, heat.Max = 0, 1
	p.Add(heat)
	var labels plotter.XYLabels
	var styles []draw.TextStyle
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			from := rows - 1 - r
			if m.Counts[from][c] == 0 {
				continue
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, commas(m.Counts[from][c]))
			sty := labelStyle(11, textInk)
			if g.Z(c, r) > 0.55 {
				sty.Color = color.White
			}
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			styles = append(styles, sty)
		}
	}
	if len(labels.XYs) > 0 {
		lab, err := plotter.NewLabels(labels)
		if err != nil {
			return chartNote("movement: " + err.Error())
		}
		lab.TextStyle = styles
		p.Add(lab)
	}
	xs := make([]string, cols)
	for c := range xs {
		xs[c] = label(c)
	}
	ys := make([]string, rows)
	for r := range ys {
		ys[r] = label(rows - 1 - r)
	}
	p.NominalX(xs...)
	p.NominalY(ys...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter

	p.X.Min, p.X.Max = -0.5, float64(cols)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
	w := min(1100, 200+64*cols)
	h := min(900, 170+36*rows)
	return full.titled(renderSVG(vg.Points(float64(w)), vg.Points(float64(h)), "movement between segments", paintPlot(p)))
}

// pct formats a share as a percentage, "–" when not a number.
func pct(x float64) string {
	if !finite(x) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

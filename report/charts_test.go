package report

import (
	"fmt"
	"html/template"
	"image/color"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// charts returns every chart of d by name.
func charts(d *Data) map[string]template.HTML {
	return map[string]template.HTML{
		"k":          kCharts(d.KSelection),
		"sizes":      sizeChart(d),
		"projection": projectionChart(d),
		"pareto":     paretoChart(d),
		"funnel":     funnelChart(d.Lifecycle),
		"movement":   movementChart(d.Movement),
	}
}

func TestChartsAreInlineSVG(t *testing.T) {
	for name, chart := range charts(fullData()) {
		t.Run(name, func(t *testing.T) {
			s := string(chart)
			if !strings.HasPrefix(s, `<svg class="chart"`) {
				t.Fatalf("not an inline SVG: %.200s", s)
			}
			if strings.Contains(s, "<?xml") || strings.Contains(s, "<!--") {
				t.Error("XML prolog or comment left in the inline SVG")
			}
			if strings.Contains(s, "Liberation Sans;") || !strings.Contains(s, fontStack) {
				t.Error("text does not use the font stack with fallbacks")
			}
			if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
				t.Error("NaN or Inf in the chart")
			}
			if strings.Count(s, "<svg") != strings.Count(s, "</svg>") || strings.Count(s, "<g") != strings.Count(s, "</g>") {
				t.Error("unbalanced <svg> or <g>")
			}
		})
	}
}

// TestChartsNoRemoteReferences checks that no chart can make the page
// fetch anything: no URLs, links, images, embedded HTML or style imports.
func TestChartsNoRemoteReferences(t *testing.T) {
	for name, chart := range charts(fullData()) {
		t.Run(name, func(t *testing.T) {
			s := strings.ToLower(string(chart))
			for _, bad := range []string{"url(", "http:", "https:", "//", "@import", "<image", "<foreignobject", "<use", "<script", "<style", "@font-face"} {
				if strings.Contains(s, bad) {
					i := strings.Index(s, bad)
					t.Errorf("chart contains %q: …%s…", bad, s[max(0, i-60):min(len(s), i+60)])
				}
			}
			z := html.NewTokenizer(strings.NewReader(string(chart)))
			for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
				tok := z.Token()
				for _, a := range tok.Attr {
					if strings.Contains(a.Key, "href") || a.Key == "src" || strings.HasPrefix(a.Key, "xmlns") {
						t.Errorf("<%s %s=%q>", tok.Data, a.Key, a.Val)
					}
				}
			}
		})
	}
}

// svgColour is the fill vgsvg writes for a colour (it un-premultiplies,
// which can shift a channel by one for translucent colours).
func svgColour(c color.Color) string {
	r, g, b, a := c.RGBA()
	k := 255.0 / float64(a)
	return fmt.Sprintf("#%02X%02X%02X", int(float64(r)*k), int(float64(g)*k), int(float64(b)*k))
}

func TestProjectionOneMarkPerPoint(t *testing.T) {
	d := fullData()
	// Many points, clusters past the palette's length, and a point of a
	// cluster the report does not list.
	d.Projection = nil
	for i := range 700 {
		id := i % 17
		d.Projection = append(d.Projection, Point{X: float64(i%23) - 11, Y: math.Sin(float64(i)), Cluster: id})
	}
	d.Projection = append(d.Projection, Point{X: math.NaN(), Y: 0, Cluster: 0}) // dropped
	out := string(projectionChart(d))
	marks := regexp.MustCompile(`style="fill:(#[0-9A-F]{6});fill-opacity:0\.70588"`).FindAllStringSubmatch(out, -1)
	if len(marks) != 700 {
		t.Fatalf("%d translucent marks, want one per finite point (700)", len(marks))
	}
	got := map[string]int{}
	for _, m := range marks {
		got[m[1]]++
	}
	want := map[string]int{}
	for i := range 700 {
		c := clusterColour(i % 17)
		c.A = 0xb4
		want[svgColour(c)]++
	}
	if !maps(got, want) {
		t.Errorf("marks per colour %v, want %v", got, want)
	}
	// One legend entry per cluster, named and counted.
	// A long label is cut before its count, which stays whole, and the
	// entry's title gives it in full.
	for _, wantText := range []string{"0 · Loyal customers (42)", "1 · high views, low orders (42)", "2 · Hero customers or Loyal custom… (42)", "cluster 16 (41)"} {
		if !strings.Contains(out, esc(wantText)) {
			t.Errorf("legend lacks %q", wantText)
		}
	}
	if want := "<title>" + esc("2 · Hero customers or Loyal customers (42)") + "</title>"; !strings.Contains(out, want) {
		t.Errorf("legend lacks %q", want)
	}
	if !strings.Contains(out, "PC1 (41.2% of variance)") || !strings.Contains(out, "PC2 (23.7% of variance)") {
		t.Error("axis labels do not give the explained variance")
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSizeChart(t *testing.T) {
	d := fullData()
	out := string(sizeChart(d))
	for _, want := range []string{"0 · Loyal customers", "1 · high views, low orders", "3,000 (69.4%)", "1,000 (23.1%) · unstable"} {
		if !strings.Contains(out, want) {
			t.Errorf("size chart lacks %q", want)
		}
	}
	// The unmatched cluster is grey, the matched ones in their colour, the
	// unstable one outlined in red.
	for _, want := range []string{svgColour(unmatchedGrey), svgColour(clusterColour(0)), svgColour(clusterColour(2)), "stroke:" + svgColour(markRed)} {
		if !strings.Contains(out, want) {
			t.Errorf("size chart lacks colour %s", want)
		}
	}
	if strings.Contains(out, "fill:"+svgColour(clusterColour(1))) {
		t.Error("the unmatched cluster 1 is drawn in a cluster colour")
	}
}

func TestKChartsMarkChosen(t *testing.T) {
	k := fullData().KSelection
	out := string(kCharts(k))
	if n := strings.Count(out, "<svg"); n != 4 {
		t.Fatalf("%d k charts, want 4", n)
	}
	for _, title := range []string{"inertia (elbow)", "silhouette (higher is better)", "Calinski–Harabasz (higher is better)", "Davies–Bouldin (lower is better)"} {
		if !strings.Contains(out, title) {
			t.Errorf("no %q chart", title)
		}
	}
	// The chosen k is a red mark in every chart whose value there is finite.
	if n := strings.Count(out, "fill:"+svgColour(markRed)); n != 4 {
		t.Errorf("%d red marks, want the chosen k in each of the 4 charts", n)
	}
}

func TestChartsDegenerate(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		d    *Data
	}{
		{"empty", &Data{}},
		{"all NaN k curves", &Data{KSelection: &KSelection{Ks: []int{2, 3}, Inertia: []float64{nan, nan}, Silhouette: []float64{nan, math.Inf(1)},
			CalinskiHarabasz: []float64{nan, nan}, DaviesBouldin: []float64{nan, nan}, Chosen: 2}}},
		{"single k", &Data{KSelection: &KSelection{Ks: []int{4}, Inertia: []float64{1}, Silhouette: []float64{0.3}, CalinskiHarabasz: []float64{9}, DaviesBouldin: []float64{1}, Chosen: 4}}},
		{"zero-sized clusters", &Data{Clusters: []Cluster{{ID: 0}, {ID: 1, Unstable: true}}}},
		{"one projection point", &Data{Projection: []Point{{X: 1, Y: 1}}, ExplainedVariance: [2]float64{nan, nan}}},
		{"NaN projection", &Data{Projection: []Point{{X: nan, Y: 1}}}},
		{"flat Pareto", &Data{Pareto: [][2]float64{{0, 0}, {1, 0}}, Top20Share: nan}},
		{"zero stages", &Data{Lifecycle: []Count{{Label: "prospect"}, {Label: "new"}}}},
		{"empty movement", &Data{Movement: &Movement{}}},
		{"all-zero movement", &Data{Movement: &Movement{Segments: []string{"a", "(gone)"}, Counts: [][]int64{{0, 0}, {0, 0}}}}},
		{"ragged movement", &Data{Movement: &Movement{Segments: []string{"a", "b"}, Counts: [][]int64{{1, 2}, {3}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for name, chart := range charts(tc.d) {
				s := string(chart)
				if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
					t.Errorf("%s: NaN or Inf printed: %.300s", name, s)
				}
			}
			render(t, tc.d)
		})
	}
}

func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abcdef", 5, "abcd…"}, {"고객고객고객", 4, "고객고…"}} {
		if got := shorten(tc.in, tc.n); got != tc.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestNewSections(t *testing.T) {
	newIDs := []string{"projection", "overlaps", "abandoned-categories", "location", "lifecycle", "movement"}
	t.Run("filled", func(t *testing.T) {
		page := render(t, fullData())
		sections, _, _ := wellFormed(t, page)
		for _, id := range newIDs {
			if !slices.Contains(sections, id) {
				t.Errorf("no section %q", id)
			}
		}
		for _, want := range []string{
			// overlaps: counts coloured by the share of the row segment
			`title="10.0% of the row segment">250</td>`,
			`title="83.3% of the row segment">250</td>`,
			"11.6% of customers meet three or more segment rules",
			// abandoned categories
			"<td>electronics.smartphone</td><td class=\"n\">320</td><td class=\"n\">74.4%</td>",
			// location: totals and the country × segment table
			"<td>RO</td><td class=\"n\">2,000</td><td class=\"n\">57.1%</td>",
			`title="92.3% of the country">1,200</td>`,
			// movement
			"<b>2,030</b><span>stayed in their segment</span>",
			"<b>160</b><span>moved to another segment</span>",
			"<b>190</b><span>new customers</span>",
			"<b>90</b><span>gone since then</span>",
			"Compared with runs/2024-02 (as of 2024-03-01)",
			"<td>1 · high views, low orders</td><td><i>none (new cluster)</i></td>",
			"<td>2 · Hero customers or Loyal customers</td><td>1</td>",
			// life-cycle funnel chart
			`aria-label="life-cycle funnel"`,
			`aria-label="principal-component projection"`,
			`aria-label="movement between segments"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("absent", func(t *testing.T) {
		page := render(t, minimalData())
		sections, _, _ := wellFormed(t, page)
		for _, id := range newIDs {
			if !slices.Contains(sections, id) {
				t.Errorf("no section %q when its data is absent", id)
			}
		}
		for _, want := range []string{
			"No previous run (use --previous DIR).",
			"No projection was computed for this run.",
			"No overlap matrix for this run.",
			"No abandoned categories",
			"The input has no country",
			"No life-cycle stages",
			"k was not searched",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks the note %q", want)
			}
		}
	})
}

func TestCountryViews(t *testing.T) {
	d := &Data{}
	for i := range 15 {
		d.Countries = append(d.Countries, Count{Label: fmt.Sprintf("C%02d", i), N: int64(i + 1)})
		d.CountrySegments = append(d.CountrySegments, CountrySegment{Country: fmt.Sprintf("C%02d", i), Segment: "loyal", N: int64(i + 1)})
	}
	rows := countryBars(d)
	if len(rows) != topCountries+1 || rows[0].Label != "C14" || rows[topCountries].Label != "3 other countries" || rows[topCountries].N != 1+2+3 {
		t.Errorf("country rows: %+v", rows)
	}
	if d.Countries[0].Label != "C00" {
		t.Error("countryBars reordered the caller's slice")
	}
	m := countrySegments(d)
	if len(m.Rows) != topCountries || !slices.Equal(m.Segments, []string{"loyal"}) || m.Rows[0].Label != "C14" || m.Rows[0].Cells[0].Share != 1 {
		t.Errorf("country × segment: %+v", m)
	}
}

func TestStagesInOrder(t *testing.T) {
	in := []Count{{Label: "prospect"}, {Label: "dormant"}, {Label: "at_risk"}, {Label: "new"}, {Label: "other"}, {Label: "loyal_or_hero"}, {Label: "active"}}
	var got []string
	for _, c := range stages(in) {
		got = append(got, c.Label)
	}
	want := []string{"prospect", "new", "active", "loyal_or_hero", "at_risk", "dormant", "other"}
	if !slices.Equal(got, want) {
		t.Errorf("stages %v, want %v", got, want)
	}
	if in[1].Label != "dormant" {
		t.Error("stages reordered the caller's slice")
	}
}

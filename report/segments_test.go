package report

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// sectionOf returns the HTML of the section with the given id.
func sectionOf(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<section id="`+id+`">`)
	if start < 0 {
		t.Fatalf("no section %s", id)
	}
	end := strings.Index(page[start:], "</section>")
	return page[start : start+end]
}

func TestSegmentTableOpensTheReport(t *testing.T) {
	page := render(t, fullData())
	sections, _, _ := wellFormed(t, page)
	if len(sections) < 3 || sections[0] != "summary" || sections[1] != "segment-table" || sections[2] != "segments" {
		t.Fatalf("sections %v: want summary, the segment table, then the segment cards", sections)
	}
	for _, diag := range []string{"k-selection", "projection", "profiles"} {
		if slices.Index(sections, diag) < slices.Index(sections, "segments") {
			t.Errorf("diagnostic %s comes before the segment cards: %v", diag, sections)
		}
	}
	table := sectionOf(t, page, "segment-table")
	for _, want := range []string{
		"<th>segment</th><th class=\"n\">customers</th><th class=\"n\">share</th><th class=\"n\">revenue share</th><th class=\"n\">average spend</th><th>first action</th>",
		`<td><a href="#segment-loyal">Loyal customers</a></td><td class="n">2,000</td><td class="n">46.3%</td><td class="n">71.0%</td><td class="n">61.7</td><td>Reward them.</td>`,
		`<a href="#unnamed-1"><span class="tag">not in the catalogue</span> high views, low orders</a>`,
		// the segments read through a fallback, and those not evaluated
		`<a href="#segment-hero">Hero customers</a> (see each card)`,
		`<a href="#segment-cart_abandoners">cart_abandoners</a> (needs cart_adds (input has no cart events))`,
	} {
		if !strings.Contains(table, want) {
			t.Errorf("segment table lacks %q", want)
		}
	}
	// The rows keep the table's order.
	if a, b := strings.Index(table, "#segment-loyal"), strings.Index(table, "#segment-hero\">Hero customers</a></td>"); a < 0 || b < 0 || a > b {
		t.Errorf("rows out of order (loyal at %d, hero at %d)", a, b)
	}
}

// TestAnchorsResolve: every in-page link of the report (segment table to
// cards, doc tags to the documents) points at an element of the page.
func TestAnchorsResolve(t *testing.T) {
	page := render(t, fullData())
	_, attrs, _ := wellFormed(t, page)
	ids := map[string]bool{}
	for _, a := range attrs {
		if a.Key == "id" {
			ids[a.Val] = true
		}
	}
	links := 0
	for _, a := range attrs {
		if a.Key == "href" && strings.HasPrefix(a.Val, "#") {
			links++
			if !ids[a.Val[1:]] {
				t.Errorf("link %s points at nothing", a.Val)
			}
		}
	}
	if links < 6 {
		t.Errorf("%d in-page links, want the segment table's and the doc tags'", links)
	}
}

func TestDocTagsLinkTheDocuments(t *testing.T) {
	d := fullData()
	d.Segments[2].Docs = []string{"A", "Z"} // Z is not a listed document
	page := render(t, d)
	cards := sectionOf(t, page, "segments")
	if !strings.Contains(cards, `<a class="tag" href="#doc-A" title="Guide A">doc A</a><a class="tag" href="#doc-B" title="Guide B">doc B</a>`) {
		t.Error("loyal's doc tags do not link to documents A and B")
	}
	if !strings.Contains(cards, `<span class="tag">doc Z</span>`) || strings.Contains(page, `href="#doc-Z"`) {
		t.Error("a tag without a listed document must stay plain text")
	}
	docs := sectionOf(t, page, "documents")
	for _, want := range []string{`<li id="doc-A"><b>A</b>: Guide A<div class="muted">가이드 A (Korean)</div></li>`, `<li id="doc-D"><b>D</b>: Guide D</li>`} {
		if !strings.Contains(docs, want) {
			t.Errorf("documents lack %q", want)
		}
	}
	d.Documents = nil
	if page := render(t, d); !strings.Contains(page, "The catalogue lists no source documents.") || strings.Contains(page, `href="#doc-`) {
		t.Error("without documents: want a note and no doc links")
	}
}

func TestCardsMarkReadingsAndUnnamedGroups(t *testing.T) {
	page := render(t, fullData())
	cards := sectionOf(t, page, "segments")
	hero := cards[strings.Index(cards, `id="segment-hero"`):]
	hero = hero[:strings.Index(hero, `<div class="card`)]
	for _, want := range []string{
		`<span class="tag read">read from the inputs present</span>`,
		"<b>Read from the inputs present:</b> Without sessions, visits read as purchases.",
		"Rule evaluated: <code>pct.total_spend &gt;= 0.9 &amp;&amp; pct.order_frequency &gt;= 0.9</code>",
		"own rule, <code>pct.total_spend &gt;= 0.9 &amp;&amp; pct.sessions &gt;= 0.9</code>, reads features this input lacks",
		"20 of them as the profile they are nearest (they meet no rule)",
		"Needs 30 days of history.",
	} {
		if !strings.Contains(hero, want) {
			t.Errorf("hero's card lacks %q", want)
		}
	}
	if strings.Contains(cards[strings.Index(cards, `id="segment-loyal"`):strings.Index(cards, `id="segment-hero"`)], "read from the inputs present") {
		t.Error("loyal, read by its own rule, is marked as read from the inputs present")
	}
	unnamed := cards[strings.Index(cards, `id="unnamed-1"`):]
	for _, want := range []string{
		"<b>21</b> customers (0.5%) meet no segment's rule and their cluster, 1, maps to no segment",
		"What sets their cluster apart: many views (all customers: 3).",
		`Closest segment: <a href="#segment-loyal">loyal</a> (20.0% of the cluster meet its rule, lift 0.40)`,
	} {
		if !strings.Contains(unnamed, want) {
			t.Errorf("the unnamed group's card lacks %q", want)
		}
	}
	// Evaluated cards come first, the segments not evaluated last.
	if strings.Index(cards, `id="segment-cart_abandoners"`) < strings.Index(cards, `id="segment-location"`) {
		t.Error("a card not evaluated comes before an evaluated one")
	}
}

func TestShortWindowShown(t *testing.T) {
	d := fullData()
	d.WindowStart = time.Date(2019, 10, 1, 0, 0, 3, 0, time.UTC)
	d.AsOf = d.WindowStart.Add(2*time.Hour + 50*time.Minute)
	d.Warnings = []string{"the data covers 2.8 hours, less than the 90 days of history dormant needs"}
	page := render(t, d)
	summary := sectionOf(t, page, "summary")
	for _, want := range []string{"<b>2019-10-01 00:00 → 02:50</b>", "observation window (as of): 2.8 hours", `<p class="warn" role="alert"><b>Warning:</b> the data covers 2.8 hours`} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	md := string(RenderMarkdown(d))
	if !strings.Contains(md, "| observation window | 2019-10-01 00:00 → 02:50 (2.8 hours) |") || !strings.Contains(md, "> **Warning:** the data covers 2.8 hours") {
		t.Errorf("markdown summary does not show the short window and its warning:\n%s", md[:min(len(md), 900)])
	}
	if m := regexp.MustCompile(`Warning:.*\n`).FindStringIndex(md); m == nil || m[0] > strings.Index(md, "## Segments at a glance") {
		t.Error("the markdown warning must come before the segment table")
	}
}

func TestWindowFormats(t *testing.T) {
	day := time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		start, end time.Time
		want       string
	}{
		{day, day.Add(170 * time.Minute), "2019-10-01 00:00 → 02:50"},
		{day.Add(22 * time.Hour), day.Add(26 * time.Hour), "2019-10-01 22:00 → 2019-10-02 02:00"},
		{day, day.AddDate(0, 0, 2), "2019-10-01 → 2019-10-03"},
		{day, day.AddDate(1, 0, 0), "2019-10-01 → 2020-10-01"},
	} {
		if got := windowDates(tc.start, tc.end); got != tc.want {
			t.Errorf("windowDates(%v, %v) = %q, want %q", tc.start, tc.end, got, tc.want)
		}
	}
	for in, want := range map[float64]string{
		0: "0 minutes", 50.0 / 60 / 24: "50 minutes", 1.0 / 24: "1 hour", 170.0 / 60 / 24: "2.8 hours",
		1.99: "47.7 hours", 2: "2 days", 89.999: "89.9 days", 90: "90 days", 373.25: "373.2 days", -1: "–",
	} {
		if got := days(in); got != want {
			t.Errorf("days(%v) = %q, want %q", in, got, want)
		}
	}
}

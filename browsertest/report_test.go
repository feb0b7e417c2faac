package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmint/segmint/demo"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/report"
)

// sections are the section ids every report has, in page order: the
// segment table first after the summary, then the segment cards, the
// clustering diagnostics after them.
var sections = []string{"summary", "segment-table", "segments", "overlaps", "lifecycle", "revenue", "predictions", "abandoned-categories",
	"location", "movement", "features", "k-selection", "clusters", "profiles", "projection", "mapping", "documents"}

// pageFacts is what the page script reports about the rendered DOM.
type pageFacts struct {
	Sections []string `json:"sections"`
	SVGs     int      `json:"svgs"`
	TinySVGs []string `json:"tinySvgs"` // charts laid out smaller than 40 × 40 px
	Overlaps []string `json:"overlaps"` // chart text boxes that overlap each other
	// Outside lists chart labels drawn (partly) outside their chart's box,
	// where they are cut off; Untitled the abbreviated ones ("…") that do
	// not carry their full text for the hover.
	Outside  []string `json:"outside"`
	Untitled []string `json:"untitled"`
	// Overflowing lists table cells and tags whose text is wider than
	// their box.
	Overflowing []string `json:"overflowing"`
	// BrokenLinks are in-page links to no element; DocLinks counts the
	// doc tags that link to the list of documents.
	BrokenLinks []string `json:"brokenLinks"`
	DocLinks    int      `json:"docLinks"`
	// FirstRow is the segment table's first row, as text.
	FirstRow string `json:"firstRow"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

const factsScript = `(() => {
  const sections = [...document.querySelectorAll('section[id]')].map(s => s.id);
  const svgs = [...document.querySelectorAll('svg')];
  const tinySvgs = svgs.filter(s => { const r = s.getBoundingClientRect(); return r.width < 40 || r.height < 40; })
    .map(s => s.getAttribute('aria-label') || '?');
  const overlaps = [];
  for (const s of svgs) {
    const boxes = [...s.querySelectorAll('text')].filter(t => t.textContent.trim() !== '')
      .map(t => ({t: t.textContent, r: t.getBoundingClientRect()}));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1 && w * h > 0.15 * Math.min(a.width * a.height, b.width * b.height))
        overlaps.push((s.getAttribute('aria-label') || '?') + ': "' + boxes[i].t + '" and "' + boxes[j].t + '"');
    }
  }
  const outside = [], untitled = [];
  for (const s of svgs) {
    const box = s.getBoundingClientRect();
    for (const t of s.querySelectorAll('text')) {
      const text = [...t.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
      if (text === '') continue;
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        outside.push((s.getAttribute('aria-label') || '?') + ': "' + text + '" (' +
          [r.left - box.left, box.right - r.right, r.top - box.top, box.bottom - r.bottom].map(v => v.toFixed(1)).join(', ') + ' px inside left, right, top, bottom)');
      if (text.includes('…') && !t.querySelector('title'))
        untitled.push((s.getAttribute('aria-label') || '?') + ': "' + text + '"');
    }
  }
  const overflowing = [...document.querySelectorAll('td, th, .tag, .kpi b, .card h3')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline')
    .map(e => e.tagName.toLowerCase() + ': "' + e.textContent.trim().slice(0, 60) + '"');
  const brokenLinks = [...document.querySelectorAll('a[href^="#"]')]
    .filter(a => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
    .map(a => a.getAttribute('href'));
  const docLinks = [...document.querySelectorAll('a.tag[href^="#doc-"]')]
    .filter(a => document.getElementById(a.getAttribute('href').slice(1))?.closest('section')?.id === 'documents').length;
  const first = document.querySelector('#segment-table tr:nth-child(2)');
  const el = document.documentElement;
  return {sections, svgs: svgs.length, tinySvgs, overlaps, outside, untitled, overflowing, brokenLinks, docLinks,
    firstRow: first ? first.textContent : '', width: el.scrollWidth, height: el.scrollHeight};
})()`

func TestReportInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline and renders its reports in headless Chromium")
	}
	chromium := chromiumPath(t)
	cases := []struct {
		name  string
		write func(t *testing.T, dir string) string // returns the report's path
		svgs  int                                   // at least this many charts
	}{
		{"pipeline-demo", func(t *testing.T, dir string) string {
			events, cleanup, err := demo.File()
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			out := filepath.Join(dir, "run")
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			if _, err := pipeline.Run(ctx, pipeline.RunOptions{Events: []string{events}, Out: out,
				Cluster: pipeline.ClusterOptions{Seed: 1, KMax: 8, StabilityBoots: 3}}); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(out, "report.html")
		}, 1 + 4 + 1}, // sizes, the k curves, the Pareto curve
		{"every-section", func(t *testing.T, dir string) string {
			path := filepath.Join(dir, "report.html")
			if err := report.WriteHTML(path, fullData()); err != nil {
				t.Fatal(err)
			}
			return path
		}, 1 + 4 + 1 + 1 + 1 + 1}, // and the projection, the funnel and the movement map
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.write(t, t.TempDir())
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b := startBrowser(t, chromium)
			p, err := b.newPage(ctx, 1280, 900)
			if err != nil {
				t.Fatal(err)
			}
			url := "file://" + path
			if err := p.navigate(ctx, url); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // let late console messages arrive
			for _, problem := range p.problems(url) {
				t.Errorf("page problem: %s", problem)
			}

			var facts pageFacts
			if err := p.eval(ctx, factsScript, &facts); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(facts.Sections, sections) {
				t.Errorf("rendered sections %v, want %v", facts.Sections, sections)
			}
			if facts.SVGs < tc.svgs {
				t.Errorf("%d charts rendered, want at least %d", facts.SVGs, tc.svgs)
			}
			if len(facts.TinySVGs) > 0 {
				t.Errorf("charts laid out with no room: %v", facts.TinySVGs)
			}
			for _, o := range facts.Overlaps {
				t.Errorf("chart labels overlap: %s", o)
			}
			for _, o := range facts.Outside {
				t.Errorf("chart label cut off by its chart's box: %s", o)
			}
			for _, o := range facts.Untitled {
				t.Errorf("abbreviated chart label without its full text on hover: %s", o)
			}
			for _, o := range facts.Overflowing {
				t.Errorf("text overflows its box: %s", o)
			}
			for _, l := range facts.BrokenLinks {
				t.Errorf("in-page link %s points at nothing", l)
			}
			if facts.DocLinks == 0 {
				t.Error("no doc tag links to the list of source documents")
			}
			if facts.FirstRow == "" {
				t.Error("the segment table has no rows")
			}
			if facts.Width > 1280 {
				t.Errorf("page is %d px wide in a 1280 px window: something overflows", facts.Width)
			}

			shot, err := p.screenshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("SEGMINT_BROWSERTEST_OUT"); dir != "" {
				os.WriteFile(filepath.Join(dir, tc.name+".png"), shot, 0o644)  //nolint:errcheck // for a person to look at
				page, _ := os.ReadFile(path)                                   //nolint:errcheck
				os.WriteFile(filepath.Join(dir, tc.name+".html"), page, 0o644) //nolint:errcheck
			}
			if err := notBlank(shot, facts.Height); err != nil {
				t.Error(err)
			}
		})
	}
}

// notBlank decodes the screenshot and requires a page's worth of height,
// many distinct colours and a good share of non-white pixels.
func notBlank(shot []byte, pageHeight int) error {
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		return fmt.Errorf("screenshot is not a PNG: %w", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() < 400 || bounds.Dy() < min(pageHeight, 2000) {
		return fmt.Errorf("screenshot is %v, want the full %d px page", bounds.Size(), pageHeight)
	}
	colours := map[[3]uint8]int{}
	var ink, all int
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			c := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
			colours[[3]uint8{c[0] &^ 7, c[1] &^ 7, c[2] &^ 7}]++
			all++
			if c[0] < 0xf0 || c[1] < 0xf0 || c[2] < 0xf0 {
				ink++
			}
		}
	}
	if len(colours) < 64 {
		return fmt.Errorf("screenshot has %d distinct colours, want a rendered report with charts", len(colours))
	}
	if share := float64(ink) / float64(all); share < 0.03 {
		return fmt.Errorf("only %.1f%% of the screenshot is not white", 100*share)
	}
	return nil
}

// TestBrowserSeesProblems checks the checks: a page with a console error,
// an uncaught exception and a remote image must be reported, and a blank
// page must fail the screenshot check.
func TestBrowserSeesProblems(t *testing.T) {
	chromium := chromiumPath(t)
	path := filepath.Join(t.TempDir(), "bad.html")
	bad := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>bad</title></head><body>
<section id="summary"></section>
<img src="https://example.invalid/pixel.png" alt="">
<script>console.error("boom"); undefinedFunction();</script>
</body></html>`
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b := startBrowser(t, chromium)
	p, err := b.newPage(ctx, 800, 600)
	if err != nil {
		t.Fatal(err)
	}
	url := "file://" + path
	if err := p.navigate(ctx, url); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	problems := strings.Join(p.problems(url), "\n")
	for _, want := range []string{"console.error", "uncaught exception", "request for https://example.invalid/pixel.png", "failed load"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems do not mention %q:\n%s", want, problems)
		}
	}
	shot, err := p.screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if notBlank(shot, 0) == nil {
		t.Error("a blank page passed the screenshot check")
	}
}

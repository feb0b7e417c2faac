package report

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRenderMarkdownContent(t *testing.T) {
	md := string(RenderMarkdown(fullData()))
	if !utf8.ValidString(md) {
		t.Fatal("markdown is not valid UTF-8")
	}
	for _, want := range []string{
		"# Customer segments\n",
		"segmint v0.1.0 · generated 2024-04-01 09:30 UTC · input: `events/2024-*.parquet`",
		"| events | 1,234,567 |",
		"| customers | 4,321 |",
		"| clusters (k) | 3 |",
		"| observation window | 2024-01-01 → 2024-03-31 (90 days) |",
		// the segment table opens the report
		"## Segments at a glance\n\n| segment | customers | share | revenue share | average spend | first action |",
		"| Loyal customers `loyal` | 2,000 | 46.3% | 71.0% | 61.7 | Reward them. |",
		"| not in the catalogue: _high views, low orders_ | 21 | 0.5% | 1.0% | 3.20 | No segment's rule describes them. |",
		"| revenue from the top 20% of customers | 62.0% |",
		"| stability (mean adjusted Rand index, 20 refits) | 0.87 |",
		"- Rows skipped, bad time: 12",
		// absent features
		"- `sessions`: input has no user\\_session column",
		// chosen k and rule
		"k = 3, seed 42: k chosen by silhouette.",
		// clusters: id, size, share, segment or label, confidence, stability
		"| cluster | size | share | segment or label | confidence | stability |",
		"| 0 | 3,000 | 69.4% | `loyal` | 80.0% | 0.90 |",
		"| 1 | 1,000 | 23.1% | new, not in the catalogue: _high views, low orders_ | – | 0.40 **unstable** |",
		// a label that names more than the segment: shown, with its share
		"| 2 | 321 | 7.4% | `hero` Hero customers or Loyal customers | 45.0% (label: 75.0%) | 0.70 |",
		// segments: id, members, primary, revenue, clusters or the reason
		"(1,234 customers differ from the first rule met in catalogue order); a customer who meets no rule takes the segment whose profile it is nearest (56 customers), unless its cluster is a behaviour the catalogue lacks.",
		"| segment | docs | members | primary | revenue | carried by clusters |",
		"| `loyal` | A, B | 2,500 | 2,000 | 123,457 | 0 |",
		"| `cart_abandoners` | A | – | – | – | not evaluated: needs cart\\_adds (input has no cart events) |",
		"| `location` (facet) | A | 4,000 | 0 | 0.00 | – |",
		"| `hero` (read from the inputs present) | D | 300 | 300 | 5,000 | – |",
		"- `hero`, read from the inputs present: Without sessions, visits read as purchases. Rule evaluated: `pct.total_spend >= 0.9 && pct.order_frequency >= 0.9`.",
		"- Not in the catalogue, 21 customers of cluster 1 (high views, low orders)",
		"## Source documents\n\n- **A**: Guide A (가이드 A (Korean))\n- **B**: Guide B\n",
		"Present in the rules but not a cluster of their own: `thrifty`.",
		// life cycle, revenue, movement
		"| prospect | 100 |",
		"The top 20% of customers by spend bring 62.0% of revenue.",
		"Compared with `runs/2024-02` (as of 2024-03-01):",
		"| 2,030 | 160 | 190 | 90 |",
		"Cluster matches (now ← previous): 0 ← 0, 1 ← none, 2 ← 1.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// Every table row has as many cells as its header.
	var cols int
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1)) - 1
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("line %d has %d cells, its table %d: %s", i+1, n, cols, line)
		}
	}
}

func TestRenderMarkdownNoHTML(t *testing.T) {
	const evil = `<script>alert("x")</script> | **bold** [link](http://x) ` + "`code`"
	d := fullData()
	d.Title = evil
	d.Clusters[1].Label = evil
	d.Segments[2].Reason = evil
	d.Absent[0].Reason = evil
	d.Lifecycle[0].Label = evil
	d.KRule = evil
	md := string(RenderMarkdown(d))
	if regexp.MustCompile(`<[a-zA-Z/]`).MatchString(md) {
		t.Errorf("markdown contains an HTML tag")
	}
	if strings.Contains(md, "**bold**") || strings.Contains(md, "[link]") {
		t.Error("user text became markup")
	}
	if !strings.Contains(md, `&lt;script&gt;alert("x")&lt;/script&gt; \| \*\*bold\*\* \[link\](http://x) \`+"`code\\`") {
		t.Errorf("user text not escaped as expected:\n%s", md)
	}
}

func TestRenderMarkdownAbsent(t *testing.T) {
	for _, d := range []*Data{{}, minimalData()} {
		md := string(RenderMarkdown(d))
		for _, want := range []string{"# ", "## Summary", "## Clusters", "## Segments", "No previous run (use --previous DIR).", "The input has no spend."} {
			if !strings.Contains(md, want) {
				t.Errorf("markdown lacks %q:\n%s", want, md)
			}
		}
		if strings.Contains(md, "## Life-cycle") {
			t.Error("empty life-cycle table rendered")
		}
	}
}

func TestRenderMarkdownNaN(t *testing.T) {
	d := fullData()
	d.MeanARI = math.NaN()
	d.Top20Share = math.NaN()
	d.Clusters[0].Jaccard = math.NaN()
	d.Clusters[0].Confidence = math.Inf(1)
	d.Clusters[0].Share = math.NaN()
	d.Segments[0].Revenue = math.NaN()
	md := string(RenderMarkdown(d))
	if strings.Contains(md, "NaN") || strings.Contains(md, "Inf") {
		t.Errorf("NaN or Inf printed:\n%s", md)
	}
	for _, want := range []string{"| 0 | 3,000 | – | `loyal` | – | – |", "| `loyal` | A, B | 2,500 | 2,000 | – | 0 |", "20 refits) | – |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	d := fullData()
	path := filepath.Join(t.TempDir(), "report.md")
	if err := WriteMarkdown(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, RenderMarkdown(d)) {
		t.Error("file differs from RenderMarkdown")
	}
	if err := WriteMarkdown(filepath.Join(t.TempDir(), "missing", "report.md"), d); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

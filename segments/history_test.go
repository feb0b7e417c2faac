package segments

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
)

// windowTable is a table of n customers over a window of the given length
// in days, with the columns given (every customer the same values).
func windowTable(windowDays float64, n int, cols map[string]float64, absent ...features.Absence) *features.Table {
	ids := make([]int64, n)
	values := make(map[string][]float64, len(cols))
	for name, v := range cols {
		values[name] = make([]float64, n)
		for i := range n {
			values[name][i] = v + float64(i%5) // a little spread for the percentiles
		}
	}
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	t := table(ids, nil, values, absent...)
	t.WindowStart = 1_570_000_000_000_000
	t.AsOf = t.WindowStart + int64(windowDays*features.MicrosPerDay)
	return t
}

// purchaseColumns are the purchase features a transaction log provides.
var purchaseColumns = map[string]float64{
	"total_spend": 100, "orders": 3, "order_frequency": 1, "recency_days": 0.05, "days_since_last_event": 0.05,
	"tenure_days": 0.1, "avg_order_value": 30, "items_per_order": 2, "avg_item_price": 15, "trend_adoption": 0,
	"mean_gap_days": 0.03, "gap_regularity": 0.2, "overdue_ratio": 1, "refund_rate": 0,
}

// TestShortWindowNotEvaluated: on an extract of 2 h 50 min, every segment
// that needs more history than that is not evaluated, with the reason,
// whatever its features; the others are.
func TestShortWindowNotEvaluated(t *testing.T) {
	const window = (2*60 + 50) / (24 * 60.0)
	cols := map[string]float64{"sessions": 2, "views": 5, "cart_adds": 1, "abandoned_carts": 1, "cart_abandonment_rate": 0.5,
		"browse_without_buy": 0.5}
	for k, v := range purchaseColumns {
		cols[k] = v
	}
	cat := Default()
	m, err := Evaluate(cat, windowTable(window, 40, cols,
		features.Absence{Feature: "coupon_ratio", Reason: "input has none of the coupon_code, discount columns"},
		features.Absence{Feature: "distinct_categories", Reason: "input has no category_id column"},
		features.Absence{Feature: "subscribed", Reason: "input has no subscribe events"}), 1)
	if err != nil {
		t.Fatal(err)
	}
	long := 0
	for s, seg := range cat.Segments {
		if seg.NeedsDays > window {
			long++
			want := "needs " + Days(seg.NeedsDays) + " of history; the data covers 2.8 hours"
			if m.Evaluated(s) || !strings.Contains(m.Reason[s], want) {
				t.Errorf("%s (needs %v days): evaluated %v, reason %q; want not evaluated, %q", seg.ID, seg.NeedsDays, m.Evaluated(s), m.Reason[s], want)
			}
			if m.Sizes[s] != 0 {
				t.Errorf("%s not evaluated but has %d members", seg.ID, m.Sizes[s])
			}
			continue
		}
		absent := seg.ID == "coupon_customers" || seg.ID == "newsletter_subscribers" || seg.ID == "leads"
		if m.Evaluated(s) == absent {
			t.Errorf("%s (no history needed): evaluated %v, reason %q", seg.ID, m.Evaluated(s), m.Reason[s])
		}
	}
	for _, id := range []string{"dormant", "hero", "new_customers", "one_time_buyers", "active", "loyal", "at_risk"} {
		if s := cat.Index(id); m.Evaluated(s) {
			t.Errorf("%s evaluated on 2.8 hours of data", id)
		}
	}
	if long < 8 {
		t.Errorf("only %d segments need more than 2.8 hours of history", long)
	}
	// The stages that need history are skipped, with the reason.
	for k, st := range cat.Lifecycle {
		if (st.NeedsDays > window) != (m.StageReason[k] != "") {
			t.Errorf("stage %s (needs %v days): reason %q", st.Stage, st.NeedsDays, m.StageReason[k])
		}
	}
	for i := range m.Stage {
		if name := m.StageName(i); name == "dormant" || name == "new" {
			t.Fatalf("customer %d in stage %s on 2.8 hours of data", i, name)
		}
	}
	w := cat.HistoryWarning(window)
	for _, want := range []string{"the data covers 2.8 hours", "less than the 90 days of history dormant needs", "dormant (90 days)", "hero (30 days)", "active (14 days)"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q lacks %q", w, want)
		}
	}
}

func TestHistoryNeedBoundary(t *testing.T) {
	cat := Default()
	dormant := cat.Index("dormant")
	for _, tc := range []struct {
		window    float64
		evaluated bool
		warned    bool
	}{
		{89.99, false, true},
		{90, true, false},
		{400, true, false},
		{0, false, true},
	} {
		m, err := Evaluate(cat, windowTable(tc.window, 10, purchaseColumns), 1)
		if err != nil {
			t.Fatal(err)
		}
		if m.Evaluated(dormant) != tc.evaluated {
			t.Errorf("window %v days: dormant evaluated %v, want %v (%s)", tc.window, m.Evaluated(dormant), tc.evaluated, m.Reason[dormant])
		}
		if w := cat.HistoryWarning(tc.window); (w != "") != tc.warned {
			t.Errorf("window %v days: warning %q", tc.window, w)
		}
	}
	if got := Default().Index("location"); Default().Segments[got].NeedsDays != 0 {
		t.Error("a facet needs no history")
	}
}

// TestEverySegmentStatesItsNeed: the catalogue file gives every segment a
// needs_days, 0 included, so that no need is left out by omission.
func TestEverySegmentStatesItsNeed(t *testing.T) {
	var raw struct {
		Segments []map[string]any `yaml:"segments"`
	}
	if err := yaml.Unmarshal(defaultCatalogue, &raw); err != nil {
		t.Fatal(err)
	}
	for _, s := range raw.Segments {
		if _, ok := s["needs_days"]; !ok {
			t.Errorf("segment %v states no needs_days", s["id"])
		}
	}
	want := map[string]float64{"dormant": 90, "hero": 30, "new_customers": 30, "one_time_buyers": 30, "active": 14, "loyal": 60}
	cat := Default()
	for id, days := range want {
		if got := cat.Segments[cat.Index(id)].NeedsDays; got != days {
			t.Errorf("%s needs %v days, want %v", id, got, days)
		}
	}
	if days, id := cat.LongestNeed(); days != 90 || id != "dormant" {
		t.Errorf("longest need %v days (%s), want 90 (dormant)", days, id)
	}
}

// TestFallbacks: a segment whose rule reads an absent feature is evaluated
// through its first fallback whose features are present, and marked so;
// with the feature present, its own rule runs.
func TestFallbacks(t *testing.T) {
	cat, err := Parse([]byte(`
segments:
  - id: engaged
    needs_days: 14
    rule: sessions >= 3
    fallbacks:
      - rule: views >= 3
        reading: from views
      - rule: orders >= 2
        reading: from orders
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	sessions := features.Absence{Feature: "sessions", Reason: "input has no user_session column"}
	views := features.Absence{Feature: "views", Reason: "input has no view events"}
	orders := features.Absence{Feature: "orders", Reason: "input has no purchase events"}
	cases := []struct {
		name     string
		window   float64
		cols     map[string]float64
		absent   []features.Absence
		fallback int // -1: the rule itself
		reason   string
		members  int
	}{
		{"own rule", 30, map[string]float64{"sessions": 1, "views": 9, "orders": 9}, nil, -1, "", 3},
		{"first fallback", 30, map[string]float64{"views": 1, "orders": 9}, []features.Absence{sessions}, 0, "", 3},
		{"second fallback", 30, map[string]float64{"orders": 0}, []features.Absence{sessions, views}, 1, "", 3},
		{"none readable", 30, map[string]float64{"total_spend": 1}, []features.Absence{sessions, views, orders}, -1, "needs sessions (input has no user_session column)", 0},
		{"fallback, short window", 7, map[string]float64{"views": 1}, []features.Absence{sessions}, -1, "needs 14 days of history; the data covers 7 days", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Evaluate(cat, windowTable(tc.window, 5, tc.cols, tc.absent...), 1)
			if err != nil {
				t.Fatal(err)
			}
			if m.Fallback[0] != tc.fallback || m.Reason[0] != tc.reason || m.Sizes[0] != tc.members {
				t.Fatalf("fallback %d, reason %q, %d members; want %d, %q, %d", m.Fallback[0], m.Reason[0], m.Sizes[0], tc.fallback, tc.reason, tc.members)
			}
			f := m.FallbackOf(0)
			switch {
			case tc.fallback < 0 && (f != nil || m.RuleOf(0) != "sessions >= 3"):
				t.Errorf("own rule: FallbackOf %v, RuleOf %q", f, m.RuleOf(0))
			case tc.fallback >= 0 && (f == nil || m.RuleOf(0) != cat.Segments[0].Fallbacks[tc.fallback].Rule || f.Reading == ""):
				t.Errorf("fallback %d: FallbackOf %v, RuleOf %q", tc.fallback, f, m.RuleOf(0))
			}
		})
	}
	// Memberships built without Fallback (by hand) read as the own rule.
	m := &Memberships{Catalogue: cat, Reason: []string{""}}
	if m.FallbackOf(0) != nil || m.RuleOf(0) != "sessions >= 3" {
		t.Error("Memberships without Fallback do not read as the own rule")
	}
}

// TestDefaultFallbacksOnATransactionLog: without sessions or categories,
// hero, active and thrifty are read through their documented fallbacks,
// which read only features a transaction log has.
func TestDefaultFallbacksOnATransactionLog(t *testing.T) {
	cat := Default()
	tab := windowTable(365, 50, purchaseColumns,
		features.Absence{Feature: "sessions", Reason: "input has no user_session column"},
		features.Absence{Feature: "distinct_categories", Reason: "input has no category_id column"})
	m, err := Evaluate(cat, tab, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"hero", "active", "thrifty"} {
		s := cat.Index(id)
		f := m.FallbackOf(s)
		if !m.Evaluated(s) || f == nil {
			t.Errorf("%s: evaluated %v, fallback %v; want read through its fallback", id, m.Evaluated(s), f)
			continue
		}
		for _, u := range f.Uses() {
			if tab.Column(u) == nil {
				t.Errorf("%s's fallback reads %s, which a transaction log lacks", id, u)
			}
		}
	}
	for _, id := range []string{"cart_abandoners", "indecisive_prospects", "curious_prospects"} {
		if s := cat.Index(id); m.Evaluated(s) {
			t.Errorf("%s evaluated without sessions", id)
		}
	}
}

func TestParseFallbackAndNeedErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, problem string }{
		{"bad fallback rule", "segments:\n  - id: a\n    rule: sessions >= 1\n    fallbacks:\n      - rule: orderz >= 1\n        reading: r\n", "fallback 1"},
		{"fallback without reading", "segments:\n  - id: a\n    rule: sessions >= 1\n    fallbacks:\n      - rule: orders >= 1\n", "no reading"},
		{"negative need", "segments:\n  - id: a\n    rule: orders >= 1\n    needs_days: -3\n", "needs_days"},
		{"stage with negative need", "segments:\n  - id: a\n    rule: orders >= 1\nlifecycle:\n  - stage: s\n    rule: \"true\"\n    needs_days: -1\n", "needs_days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "my.yaml")
			var re *RuleError
			if !errors.As(err, &re) || !strings.Contains(re.Problem, tc.problem) {
				t.Errorf("error %v, want a *RuleError mentioning %q", err, tc.problem)
			}
		})
	}
	if _, err := Parse([]byte("documents:\n  - id: A\nsegments:\n  - id: a\n    rule: orders >= 1\n"), "my.yaml"); err == nil || !strings.Contains(err.Error(), "title") {
		t.Errorf("a document without a title: error %v", err)
	}
}

// TestDocuments: the catalogue lists the four source documents by title,
// every segment's doc tags name one of them, and each title is the one
// its document carries (SEGMENTS.md: A is 000 and 001, B 002, C 003, D
// 004 of the seeds).
func TestDocuments(t *testing.T) {
	cat := Default()
	if len(cat.Documents) != 4 {
		t.Fatalf("%d documents, want A, B, C and D", len(cat.Documents))
	}
	for _, s := range cat.Segments {
		for _, tag := range s.Docs {
			if cat.Document(tag) == nil {
				t.Errorf("segment %s: doc %s is not a listed document", s.ID, tag)
			}
		}
	}
	seeds := filepath.Join("..", "..", "shared", "seeds")
	files, err := filepath.Glob(filepath.Join(seeds, "00*.txt"))
	if err != nil || len(files) != 5 {
		t.Skipf("the source documents are not at %s (%d files): the titles are not checked", seeds, len(files))
	}
	firstLine := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		return strings.TrimSpace(line)
	}
	for i, id := range []string{"A", "A", "B", "C", "D"} {
		title := firstLine(files[i])
		found := false
		for _, o := range cat.Document(id).Originals {
			found = found || strings.HasPrefix(o, title)
		}
		if !found {
			t.Errorf("document %s does not carry the title of %s, %q: %q", id, filepath.Base(files[i]), title, cat.Document(id).Originals)
		}
	}
}

func TestLoadKeepsDocuments(t *testing.T) {
	c, err := LoadBytes([]byte("documents:\n  - id: E\n    title: Our guide\nsegments:\n  - id: vip\n    docs: [E]\n    rule: total_spend >= 1000\n"), "mine.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Documents) != 5 || c.Document("E") == nil || c.Document("A") == nil {
		t.Errorf("extended documents %v, want A to D and E", c.Documents)
	}
	c, err = LoadBytes([]byte("segments:\n  - id: vip\n    rule: total_spend >= 1000\n"), "mine.yaml", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Documents) != 4 {
		t.Errorf("a whole catalogue without documents keeps the default ones, got %v", c.Documents)
	}
}

func TestDays(t *testing.T) {
	for in, want := range map[float64]string{
		170.0 / 60 / 24: "2.8 hours", 1.0 / 24: "1 hour", 20.0 / 60 / 24: "20 minutes", 1.5: "36 hours",
		2: "2 days", 89.99: "89.9 days", 90: "90 days", 1: "24 hours", math.Inf(1): "+Inf days",
	} {
		if got := Days(in); got != want {
			t.Errorf("Days(%v) = %q, want %q", in, got, want)
		}
	}
}

const onlineRetailData = "../../shared/data/online_retail.parquet"

// TestOnlineRetailReadings evaluates the catalogue on the real UCI Online
// Retail data, a transaction log without sessions, categories or
// discounts: hero, active and thrifty are read through their fallbacks and
// find customers; what needs sessions, carts or sign-ups is not evaluated.
func TestOnlineRetailReadings(t *testing.T) {
	if _, err := os.Stat(onlineRetailData); err != nil {
		t.Skipf("the Online Retail data set is not at %s (CI has it): %v", onlineRetailData, err)
	}
	layout, err := source.Preset("online-retail")
	if err != nil {
		t.Fatal(err)
	}
	tab, _, err := source.ComputeFeatures(context.Background(), []string{onlineRetailData}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	cat := Default()
	m, err := Evaluate(cat, tab, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tab.Customers)
	for _, id := range []string{"hero", "active", "thrifty"} {
		s := cat.Index(id)
		if m.FallbackOf(s) == nil || m.Sizes[s] == 0 {
			t.Errorf("%s: fallback %v, %d members; want read through its fallback, with members", id, m.FallbackOf(s), m.Sizes[s])
		}
		t.Logf("%s, read through its fallback: %d customers (%.1f%%)", id, m.Sizes[s], 100*float64(m.Sizes[s])/float64(n))
	}
	for _, id := range []string{"cart_abandoners", "coupon_customers", "newsletter_subscribers", "curious_prospects"} {
		if s := cat.Index(id); m.Evaluated(s) {
			t.Errorf("%s evaluated on a transaction log", id)
		}
	}
	if w := cat.HistoryWarning(tab.WindowDays()); w != "" {
		t.Errorf("a year of data warned: %s", w)
	}
	unmatched := 0
	for _, p := range m.Primary {
		if p < 0 {
			unmatched++
		}
	}
	t.Logf("customers meeting no rule: %d of %d (%.1f%%)", unmatched, n, 100*float64(unmatched)/float64(n))
}

package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// rejectRow is one event in the REES46 layout, with a nullable customer.
type rejectRow struct {
	EventTime string  `parquet:"event_time"`
	EventType string  `parquet:"event_type"`
	UserID    *int64  `parquet:"user_id,optional"`
	ProductID int64   `parquet:"product_id"`
	Price     float64 `parquet:"price"`
}

// goodRows returns a small shop's events: customers views and purchases
// over a month, with a few customers buying often and most once or never.
func goodRows(customers int) []rejectRow {
	var rows []rejectRow
	for c := range customers {
		id := int64(1000 + c)
		for e := range 1 + c%5 {
			day := 1 + (c*7+e*3)%27
			ts := fmt.Sprintf("2024-03-%02d 10:%02d:00 UTC", day, e)
			typ := "view"
			if (c+e)%3 == 0 {
				typ = "purchase"
			}
			rows = append(rows, rejectRow{EventTime: ts, EventType: typ, UserID: &id, ProductID: int64(1 + (c+e)%9), Price: float64(5 + (c*13+e)%40)})
		}
	}
	return rows
}

func writeRejectRows(t *testing.T, path string, rows []rejectRow) {
	t.Helper()
	if err := parquet.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
}

// TestAllRowsRejected: an input whose rows the filters all reject is bad
// input (exit 3) whose error gives the counts by reason, with no output.
func TestAllRowsRejected(t *testing.T) {
	one := int64(7)
	good := goodRows(20)
	cases := []struct {
		name   string
		mutate func(i int, r *rejectRow)
		want   []string
	}{
		{"every user_id null", func(_ int, r *rejectRow) { r.UserID = nil }, []string{"rejected all", "null customer id: "}},
		{"every event_type unknown", func(_ int, r *rejectRow) { r.EventType = "click" }, []string{"rejected all", "unknown event_type: "}},
		{"every price negative", func(_ int, r *rejectRow) { r.EventType = "purchase"; r.Price = -3 }, []string{"rejected all", "negative, NaN or absurd price: "}},
		{"every time unparseable", func(_ int, r *rejectRow) { r.EventTime = "yesterday" }, []string{"rejected all", "unparseable event_time: "}},
		{"one customer left", func(i int, r *rejectRow) {
			if i > 0 {
				r.UserID = nil
			} else {
				r.UserID = &one
			}
		}, []string{"only 1 customer(s) left", "null customer id: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rows := make([]rejectRow, len(good))
			copy(rows, good)
			for i := range rows {
				tc.mutate(i, &rows[i])
			}
			in := filepath.Join(dir, "events.parquet")
			writeRejectRows(t, in, rows)
			out := filepath.Join(dir, "out")
			code, _, stderr := runCLI(t, "run", "--events", in, "--out", out, "--quiet")
			if code != ExitInput {
				t.Errorf("exit %d, want %d; stderr %s", code, ExitInput, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output directory exists after a rejected run")
			}
			if tc.name == "one customer left" {
				return // the feature stage alone can run on one customer
			}
			feat := filepath.Join(dir, "features.parquet")
			code, _, stderr = runCLI(t, "features", "--events", in, "--out", feat, "--quiet")
			if code != ExitInput || !strings.Contains(stderr, tc.want[1]) {
				t.Errorf("features: exit %d, want %d; stderr %s", code, ExitInput, stderr)
			}
			if _, err := os.Stat(feat); !os.IsNotExist(err) {
				t.Errorf("feature file exists after a rejected run")
			}
		})
	}
}

// TestRejectedShareWarning: a run whose filters reject more than
// --max-rejected-share of the rows succeeds and says so in the manifest and
// the report; under the threshold it does not.
func TestRejectedShareWarning(t *testing.T) {
	dir := t.TempDir()
	rows := goodRows(60)
	ok := len(rows)
	for i := range ok + ok/2 { // 60 % of all rows have an unknown type
		r := rows[i%ok]
		r.EventType = "page_ping"
		rows = append(rows, r)
	}
	rejected := len(rows) - ok
	in := filepath.Join(dir, "events.parquet")
	writeRejectRows(t, in, rows)
	for _, tc := range []struct {
		share string
		warn  bool
	}{{"", true}, {"0.7", false}, {"0", true}, {"1", false}} {
		t.Run("share="+tc.share, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"run", "--events", in, "--out", out, "--k", "3", "--log-format", "json"}
			if tc.share != "" {
				args = append(args, "--max-rejected-share", tc.share)
			}
			code, _, stderr := runCLI(t, args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var m struct {
				Input struct {
					Rows          int64    `json:"rows"`
					Rejected      int64    `json:"rejected"`
					RejectedShare float64  `json:"rejected_share"`
					Warnings      []string `json:"warnings"`
				} `json:"input"`
			}
			b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m.Input.Rows != int64(len(rows)) || m.Input.Rejected != int64(rejected) {
				t.Errorf("manifest rows %d rejected %d, want %d and %d", m.Input.Rows, m.Input.Rejected, len(rows), rejected)
			}
			md, err := os.ReadFile(filepath.Join(out, "report.md"))
			if err != nil {
				t.Fatal(err)
			}
			html, err := os.ReadFile(filepath.Join(out, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			count := fmt.Sprintf("type: %d", rejected) // "event\\_type" in Markdown
			// The data's 26 days also raise the short-window warning.
			got := slices.ContainsFunc(m.Input.Warnings, func(w string) bool { return strings.Contains(w, "rejected") })
			if got != tc.warn {
				t.Fatalf("manifest warnings %q, want a warning: %v", m.Input.Warnings, tc.warn)
			}
			for name, text := range map[string]string{"manifest": strings.Join(m.Input.Warnings, "\n"), "report.md": string(md), "report.html": string(html), "log": stderr} {
				if has := strings.Contains(text, "rejected") && strings.Contains(text, count); has != tc.warn {
					t.Errorf("%s: warning with %q present %v, want %v", name, count, has, tc.warn)
				}
			}
		})
	}
}

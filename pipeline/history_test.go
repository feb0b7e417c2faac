package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// writeShortExtract writes a REES46-style event log (views, cart adds and
// purchases in sessions) of customers over the given span, as CSV.
func writeShortExtract(t *testing.T, path string, customers int, span time.Duration) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	start := time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n")
	row := func(at time.Duration, typ string, product, user int, session string) {
		price := 5 + float64(product%40)*3.25
		fmt.Fprintf(&b, "%s,%s,%d,%d,,brand%d,%.2f,%d,%s\n", start.Add(at).Format("2006-01-02 15:04:05 UTC"), typ, product, 2000+product%7, product%5, price, user, session)
	}
	// The first and the last event fix the window.
	row(0, "view", 1, 1, "s-first")
	for u := 1; u <= customers; u++ {
		for s := range 1 + rng.IntN(3) {
			session := fmt.Sprintf("s-%d-%d", u, s)
			at := time.Duration(rng.Int64N(int64(span - 10*time.Minute)))
			product := 1 + rng.IntN(60)
			for v := range 1 + rng.IntN(4) {
				row(at+time.Duration(v)*time.Minute, "view", product+v, u, session)
			}
			if rng.IntN(2) == 0 {
				row(at+5*time.Minute, "cart", product, u, session)
				if rng.IntN(2) == 0 {
					row(at+6*time.Minute, "purchase", product, u, session)
				}
			}
		}
	}
	row(span, "view", 2, 2, "s-last")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestShortExtractWarnsAndSkipsLongNeeds: an extract of 2 h 50 min runs,
// warns about its window in the manifest and at the top of the report,
// and evaluates no segment that needs more history than it has.
// segmentRow is the part of a row of segments.parquet the test reads.
type segmentRow struct {
	Segment        string  `parquet:"segment"`
	Evaluated      bool    `parquet:"evaluated"`
	Reason         *string `parquet:"reason,optional"`
	Members        int64   `parquet:"members"`
	PrimaryMembers int64   `parquet:"primary_members"`
}

func TestShortExtractWarnsAndSkipsLongNeeds(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.csv")
	span := 2*time.Hour + 50*time.Minute
	writeShortExtract(t, events, 150, span)
	out := filepath.Join(dir, "out")
	m, err := Run(context.Background(), RunOptions{Events: []string{events}, Out: out, Cluster: ClusterOptions{Seed: 1, StabilityBoots: -1, KMax: 6}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.AsOf.Sub(m.WindowStart); got != span {
		t.Fatalf("window %v, want %v", got, span)
	}
	var warning string
	for _, w := range m.Input.Warnings {
		if strings.Contains(w, "history") {
			warning = w
		}
	}
	if !strings.Contains(warning, "the data covers 2.8 hours, less than the 90 days of history dormant needs") {
		t.Fatalf("manifest warnings %q lack the window's", m.Input.Warnings)
	}
	cat := segments.Default()
	rows, err := parquet.ReadFile[segmentRow](filepath.Join(out, "segments.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]segmentRow)
	for _, r := range rows {
		byID[r.Segment] = r
	}
	for _, seg := range cat.Segments {
		r, ok := byID[seg.ID]
		if !ok {
			t.Errorf("segments.parquet has no row for %s", seg.ID)
			continue
		}
		if seg.NeedsDays > span.Hours()/24 {
			if r.Evaluated || r.Reason == nil || !strings.Contains(*r.Reason, "of history; the data covers 2.8 hours") || r.Members != 0 || r.PrimaryMembers != 0 {
				t.Errorf("%s (needs %v days): evaluated %v, reason %v, %d members, %d primary", seg.ID, seg.NeedsDays, r.Evaluated, r.Reason, r.Members, r.PrimaryMembers)
			}
		}
	}
	for _, id := range []string{"dormant", "hero", "new_customers", "active"} {
		if byID[id].Evaluated {
			t.Errorf("%s evaluated on 2.8 hours", id)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	summaryEnd := strings.Index(html, `<section id="segment-table">`)
	top := html[:max(summaryEnd, 0)]
	if !strings.Contains(top, "<b>Warning:</b> the data covers 2.8 hours") || !strings.Contains(top, "2019-10-01 00:00 → 02:50") {
		t.Error("the report's summary does not warn about the window or show its times")
	}
	if !strings.Contains(html, "Not evaluated: needs 90 days of history; the data covers 2.8 hours.") {
		t.Error("dormant's card does not say why it is not evaluated")
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "> **Warning:** the data covers 2.8 hours") {
		t.Error("report.md does not warn about the window")
	}
}

const onlineRetailData = "../../shared/data/online_retail.parquet"

// onlineRetailLayout skips the test when onlineRetailData is absent and
// returns the layout that reads it.
func onlineRetailLayout(t *testing.T) source.Layout {
	t.Helper()
	if _, err := os.Stat(onlineRetailData); err != nil {
		t.Skipf("the Online Retail data set is not at %s (CI has it): %v", onlineRetailData, err)
	}
	layout, err := source.Preset("online-retail")
	if err != nil {
		t.Fatal(err)
	}
	return layout
}

// TestOnlineRetailNoneShare runs the shared UCI Online Retail data with
// default flags: at most 10 % of its customers keep the primary segment
// none, and every customer who does belongs to a group the report
// explains with a card; the segment table covers every customer.
func TestOnlineRetailNoneShare(t *testing.T) {
	layout := onlineRetailLayout(t)
	out := filepath.Join(t.TempDir(), "out")
	m, err := Run(context.Background(), RunOptions{Events: []string{onlineRetailData}, Out: out, Scan: source.ScanOptions{Layout: layout}})
	if err != nil {
		t.Fatal(err)
	}
	n := m.Input.Customers
	primary := 0
	for _, s := range m.Segments {
		primary += s.Primary
	}
	none := n - primary
	t.Logf("primary none: %d of %d customers (%.1f%%); %d meet no rule and take the segment whose profile they are nearest", none, n, 100*float64(none)/float64(n), m.FromProfile)
	if float64(none) > 0.10*float64(n) {
		t.Errorf("%d of %d customers (%.1f%%) keep the primary segment none, want at most 10%%", none, n, 100*float64(none)/float64(n))
	}
	for _, id := range []string{"hero", "active", "thrifty"} {
		for _, s := range m.Segments {
			if s.ID == id {
				t.Logf("%s (read through its fallback): %d members, %d primary", id, s.Members, s.Primary)
				if !s.Evaluated || s.Members == 0 {
					t.Errorf("%s not read on a transaction log: %s", id, s.Reason)
				}
			}
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	if none > 0 && strings.Count(html, `<div class="card unnamed"`) == 0 {
		t.Error("customers keep none, but the report has no card for them")
	}
	if !strings.Contains(html, "<b>Read from the inputs present:</b>") {
		t.Error("the report does not mark the segments read through a fallback")
	}
}

package source_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
)

// writeEvents writes a small REES46-layout file with string timestamps, as
// the public dump's CSV converted to Parquet has them.
func writeEvents(t *testing.T, path string, cols []output.Column) {
	t.Helper()
	var buf bytes.Buffer
	if err := output.WriteColumns(&buf, cols, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rees46Columns() []output.Column {
	return []output.Column{
		{Name: "event_time", String: []string{"2019-10-01 00:00:00 UTC", "2019-10-01 00:01:00 UTC", "2019-10-01 00:02:00 UTC", "2019-10-20 10:00:00 UTC", "2019-10-31 23:59:59 UTC"}},
		{Name: "event_type", String: []string{"view", "cart", "purchase", "view", "purchase"}},
		{Name: "product_id", Int64: []int64{10, 10, 10, 11, 11}},
		{Name: "category_id", Int64: []int64{100, 100, 100, 101, 101}},
		{Name: "category_code", String: []string{"electronics.smartphone", "electronics.smartphone", "electronics.smartphone", "", ""}, NullEmpty: true},
		{Name: "brand", String: []string{"acme", "acme", "acme", "", ""}, NullEmpty: true},
		{Name: "price", Float64: []float64{99.5, 99.5, 99.5, 10, 10}},
		{Name: "user_id", Int64: []int64{1, 1, 1, 2, 2}},
		{Name: "user_session", String: []string{"s1", "s1", "s1", "s2", "s3"}},
	}
}

func TestREES46StringTimestampsNoConfiguration(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "2019-Oct.parquet")
	writeEvents(t, path, rees46Columns())
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{dir}, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 5 || len(tbl.Customers) != 2 {
		t.Fatalf("events %d customers %d, want 5 and 2", rep.Events, len(tbl.Customers))
	}
	spend := tbl.Column("total_spend")
	if spend[0] != 99.5 || spend[1] != 10 {
		t.Errorf("total_spend = %v, want [99.5 10]", spend)
	}
	rec := tbl.Column("recency_days")
	if rec[1] != 0 {
		t.Errorf("customer 2 bought at the as-of time, recency %v", rec[1])
	}
	wantRec := (features.MicrosPerDay*30 + 23*3600e6 + 59*60e6 + 59e6 - 2*60e6) / float64(features.MicrosPerDay)
	if diff := rec[0] - wantRec; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("customer 1 recency %v, want %v", rec[0], wantRec)
	}
	// No refund, subscribe, coupon or discount events/columns in REES46.
	absent := map[string]bool{}
	for _, a := range tbl.Absent {
		absent[a.Feature] = true
	}
	for _, f := range []string{"refund_rate", "subscribed", "discount_share"} {
		if !absent[f] {
			t.Errorf("%s should be absent on REES46 data", f)
		}
	}
}

func TestBadInputNamesFileAndWritesNothing(t *testing.T) {
	good := rees46Columns()
	without := func(name string) []output.Column {
		var out []output.Column
		for _, c := range good {
			if c.Name != name {
				out = append(out, c)
			}
		}
		return out
	}
	replace := func(name string, c output.Column) []output.Column {
		out := without(name)
		c.Name = name
		return append(out, c)
	}
	cases := []struct {
		name  string
		write func(t *testing.T, path string)
		want  []string // substrings of the error
	}{
		{"missing required column", func(t *testing.T, p string) { writeEvents(t, p, without("user_id")) }, []string{"user_id", "required column is missing"}},
		{"wrong column type", func(t *testing.T, p string) {
			writeEvents(t, p, replace("event_type", output.Column{Int64: []int64{1, 2, 3, 4, 5}}))
		}, []string{"event_type", "want a string"}},
		{"boolean customer ids", func(t *testing.T, p string) {
			writeEvents(t, p, replace("user_id", output.Column{Bool: []bool{true, false, true, false, true}}))
		}, []string{"user_id", "want an integer, a string or bytes"}},
		{"empty file", func(t *testing.T, p string) { os.WriteFile(p, nil, 0o644) }, []string{"empty file"}},
		{"not Parquet", func(t *testing.T, p string) {
			os.WriteFile(p, []byte("event_time,event_type\n2019-10-01,view\n"), 0o644)
		}, []string{"not a readable Parquet file"}},
		{"truncated Parquet", func(t *testing.T, p string) {
			writeEvents(t, p, good)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, data[:len(data)/2], 0o644)
		}, []string{"Parquet"}},
		{"corrupt footer", func(t *testing.T, p string) {
			writeEvents(t, p, good)
			data, _ := os.ReadFile(p)
			for i := len(data) - 40; i < len(data)-8; i++ {
				data[i] ^= 0x5a
			}
			os.WriteFile(p, data, 0o644)
		}, []string{"Parquet"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "events.parquet")
			tc.write(t, path)
			out := filepath.Join(dir, "out")
			_, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: []string{path}, Out: out})
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			var ie *source.InputError
			var ce *source.ColumnError
			if !errors.As(err, &ie) && !errors.As(err, &ce) {
				t.Errorf("error %T is neither an InputError nor a ColumnError", err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the directory holds %v, want only the input (no output, no staging)", names)
			}
		})
	}
}

func TestRowsSkippedByReason(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e.parquet")
	writeEvents(t, path, []output.Column{
		{Name: "event_time", String: []string{"2019-10-01 00:00:00 UTC", "yesterday", "2019-10-02 00:00:00 UTC", "2019-10-03 00:00:00 UTC", "2019-10-04 00:00:00 UTC"}},
		{Name: "event_type", String: []string{"view", "view", "teleport", "purchase", "purchase"}},
		{Name: "price", Float64: []float64{1, 1, 1, -5, 3}},
		{Name: "user_id", Float64: []float64{1, 2, 3, 4, 5.5}},
	})
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{source.SkipBadTime: 1, source.SkipUnknownType: 1, source.SkipBadPrice: 1, source.SkipNullCustomer: 1}
	for k, v := range want {
		if rep.Skipped[k] != v {
			t.Errorf("skipped[%q] = %d, want %d (all: %v)", k, rep.Skipped[k], v, rep.Skipped)
		}
	}
	if len(tbl.Customers) != 1 || tbl.Customers[0] != 1 {
		t.Errorf("customers %v, want [1]", tbl.Customers)
	}
}

func TestResolveFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.parquet", "b.parquet", "sub/c.parquet", "notes.txt"} {
		p := filepath.Join(dir, n)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	got, err := source.ResolveFiles([]string{dir, filepath.Join(dir, "a.parquet")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet"), filepath.Join(dir, "sub/c.parquet")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	got, err = source.ResolveFiles([]string{filepath.Join(dir, "*.parquet")})
	if err != nil || len(got) != 2 {
		t.Errorf("glob: %v %v", got, err)
	}
	if _, err := source.ResolveFiles([]string{filepath.Join(dir, "*.csv")}); !errors.Is(err, source.ErrNoInput) {
		t.Errorf("glob with no match: %v, want ErrNoInput", err)
	}
	if _, err := source.ResolveFiles([]string{filepath.Join(dir, "missing.parquet")}); err == nil {
		t.Error("missing file: want an error")
	}
}

// TestDirectoryReadsOnlyEventFiles: of the files a directory or a pattern
// holds, those without a column the layout requires are not event files
// and are skipped, each named with the reason; any other problem, a file
// named explicitly, or a directory with no event file at all is an error.
func TestDirectoryReadsOnlyEventFiles(t *testing.T) {
	dims := []output.Column{
		{Name: "customer_id", Int64: []int64{1, 2}},
		{Name: "archetype", String: []string{"loyal", "dormant"}},
	}
	wrongType := rees46Columns()
	wrongType[1] = output.Column{Name: "event_type", Int64: []int64{1, 2, 3, 4, 5}}
	cases := []struct {
		name    string
		files   map[string][]output.Column
		input   string // below the directory; "" is the directory
		skipped []string
		err     []string // substrings of the error; nil: no error
	}{
		{"events and a table of customers", map[string][]output.Column{"events.parquet": rees46Columns(), "labels.parquet": dims}, "",
			[]string{"labels.parquet"}, nil},
		{"by pattern", map[string][]output.Column{"events.parquet": rees46Columns(), "labels.parquet": dims}, "*.parquet",
			[]string{"labels.parquet"}, nil},
		{"only events", map[string][]output.Column{"a.parquet": rees46Columns(), "b.parquet": rees46Columns()}, "", nil, nil},
		{"named explicitly", map[string][]output.Column{"events.parquet": rees46Columns(), "labels.parquet": dims}, "labels.parquet",
			nil, []string{"labels.parquet", "event_time", "required column is missing"}},
		{"no event file", map[string][]output.Column{"labels.parquet": dims, "more.parquet": dims}, "",
			nil, []string{"labels.parquet", "event_time", "required column is missing"}},
		{"an event file of the wrong type", map[string][]output.Column{"events.parquet": rees46Columns(), "bad.parquet": wrongType}, "",
			nil, []string{"bad.parquet", "event_type", "want a string"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, cols := range tc.files {
				writeEvents(t, filepath.Join(dir, name), cols)
			}
			input := filepath.Join(dir, tc.input)
			ins, err := source.OpenInputs([]string{input}, source.Layout{})
			if tc.err != nil {
				if err == nil {
					t.Fatal("want an error")
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ins.Len() != len(tc.files)-len(tc.skipped) {
				t.Errorf("%d files read, want %d", ins.Len(), len(tc.files)-len(tc.skipped))
			}
			var got []string
			for _, f := range ins.Skipped {
				got = append(got, filepath.Base(f.Path))
				if !strings.Contains(f.Reason, "not an event file") || !strings.Contains(f.Reason, "event_time") {
					t.Errorf("%s skipped for %q: want the missing column named", f.Path, f.Reason)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.skipped, ",") {
				t.Errorf("skipped %v, want %v", got, tc.skipped)
			}
			tbl, rep, err := source.ComputeFeatures(context.Background(), []string{input}, source.ScanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.SkippedFiles) != len(tc.skipped) || len(rep.Files) != ins.Len() {
				t.Errorf("report: files %v, skipped %v", rep.Files, rep.SkippedFiles)
			}
			if want := 2; len(tbl.Customers) != want {
				t.Errorf("%d customers, want %d", len(tbl.Customers), want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	cases := []struct {
		in   string
		want int64 // µs
		ok   bool
	}{
		{"2019-10-01 00:00:00 UTC", 1569888000_000000, true},
		{"2019-10-01T00:00:00Z", 1569888000_000000, true},
		{"2019-10-01 00:00:00", 1569888000_000000, true},
		{"2019-10-01", 1569888000_000000, true},
		{"2019-10-01T02:00:00+02:00", 1569888000_000000, true},
		{"2019-10-01 00:00:00.25 UTC", 1569888000_250000, true},
		{"2020-02-29 12:00:00", 1582977600_000000, true},
		{"2019-02-29 12:00:00", 0, false},
		{"2019-13-01", 0, false},
		{"yesterday", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, err := source.ParseTimestamp(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseTimestamp(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2019-10-01 00:00:00 UTC", "2019-10-01T00:00:00.123456+05:30", "2019-10-01", "0000-00-00", "9999-12-31 23:59:60"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		us, err := source.ParseTimestamp(s)
		if err != nil {
			return
		}
		// A parsed canonical form must parse back to the same instant.
		if len(s) >= 19 && s[10] == ' ' && strings.HasSuffix(s, " UTC") && len(s) == 23 {
			again, err := source.ParseTimestamp(s[:10] + "T" + s[11:19] + "Z")
			if err != nil || again != us {
				t.Errorf("%q -> %d, RFC 3339 form -> %d, %v", s, us, again, err)
			}
		}
	})
}

func TestExactDuplicatesDropped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e.parquet")
	// The REES46 dump repeats some cart events many times at one timestamp.
	times := []string{"2019-10-01 10:00:00 UTC", "2019-10-01 10:00:00 UTC", "2019-10-01 10:00:00 UTC", "2019-10-01 10:00:00 UTC", "2019-10-01 10:05:00 UTC"}
	writeEvents(t, path, []output.Column{
		{Name: "event_time", String: times},
		{Name: "event_type", String: []string{"cart", "cart", "cart", "cart", "purchase"}},
		{Name: "product_id", Int64: []int64{7, 7, 7, 8, 7}},
		{Name: "price", Float64: []float64{5, 5, 5, 5, 5}},
		{Name: "user_id", Int64: []int64{1, 1, 1, 1, 1}},
		{Name: "user_session", String: []string{"s", "s", "s", "s", "s"}},
	})
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped[source.SkipDuplicate] != 2 || rep.Events != 3 {
		t.Errorf("duplicates %d events %d, want 2 and 3", rep.Skipped[source.SkipDuplicate], rep.Events)
	}
	if c := tbl.Column("cart_adds")[0]; c != 2 {
		t.Errorf("cart_adds = %v, want 2 (product 7 once, product 8 once)", c)
	}

	// The same events as CSV, read two rows per batch: a CSV file is one
	// split, so repeats in later batches of the file are dropped too.
	csv := filepath.Join(dir, "e.csv")
	var lines strings.Builder
	lines.WriteString("event_time,event_type,product_id,price,user_id,user_session\n")
	for i, typ := range []string{"cart", "cart", "cart", "cart", "purchase"} {
		fmt.Fprintf(&lines, "%s,%s,%d,5,1,s\n", times[i], typ, []int64{7, 7, 7, 8, 7}[i])
	}
	if err := os.WriteFile(csv, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		_, rep, err := source.ComputeFeatures(context.Background(), []string{csv}, source.ScanOptions{BatchSize: 2, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Skipped[source.SkipDuplicate] != 2 || rep.Events != 3 {
			t.Errorf("CSV, %d workers: duplicates %d events %d, want 2 and 3", workers, rep.Skipped[source.SkipDuplicate], rep.Events)
		}
	}
}

func TestReadSplitsMatchTheScan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e.parquet")
	writeEvents(t, path, rees46Columns())
	splits, err := source.Splits([]string{path}, source.Layout{})
	if err != nil || len(splits) != 1 {
		t.Fatalf("splits %v, %v", splits, err)
	}
	launch := features.NewLaunches()
	if _, err := source.ReadSplit(context.Background(), splits[0], source.Layout{}, 0, source.PassProducts, launch.Add); err != nil {
		t.Fatal(err)
	}
	launch.Freeze(launch.MinTime, features.DefaultTrendWindowDays)
	g := features.NewAggregator(launch)
	if _, err := source.ReadSplit(context.Background(), splits[0], source.Layout{}, 0, source.PassEvents, g.Add); err != nil {
		t.Fatal(err)
	}
	got := g.Finalise(features.Context{AsOf: launch.MaxTime, WindowStart: launch.MinTime, Stats: g.Stats})
	want, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Features) != len(want.Features) {
		t.Fatalf("%d features, want %d", len(got.Features), len(want.Features))
	}
	for j := range want.Features {
		for i := range want.Customers {
			a, b := got.Columns[j][i], want.Columns[j][i]
			if a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Errorf("%s customer %d: %v vs %v", want.Features[j].Name, want.Customers[i], a, b)
			}
		}
	}
}

func TestEventsAfterAsOfExcluded(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e.parquet")
	writeEvents(t, path, rees46Columns())
	asOf, _ := source.ParseTimestamp("2019-10-15")
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped[source.SkipAfterAsOf] != 2 || rep.Events != 3 {
		t.Errorf("after as-of %d, events %d; want 2 and 3", rep.Skipped[source.SkipAfterAsOf], rep.Events)
	}
	if tbl.AsOf != asOf || len(tbl.Customers) != 1 {
		t.Errorf("as-of %d customers %v", tbl.AsOf, tbl.Customers)
	}
	// Recency is measured from the as-of time, not from the last event.
	if r := tbl.Column("recency_days")[0]; math.Abs(r-(14-2.0/60/24)) > 1e-9 {
		t.Errorf("recency %v days, want 14 days less 2 minutes", r)
	}
}

// TestMappedColumnMustExist: a column the user maps by name (--map) must
// be in the file even when the column it feeds is optional; a mistyped
// name is an error naming the file and the column, not a silent loss of
// the features it feeds. The same name without a mapping (an optional
// column absent) is not an error.
func TestMappedColumnMustExist(t *testing.T) {
	dir := t.TempDir()
	pq := filepath.Join(dir, "events.parquet")
	writeEvents(t, pq, rees46Columns())
	csv := filepath.Join(dir, "events.csv")
	if err := os.WriteFile(csv, []byte("event_time,event_type,user_id,price\n2019-10-01 00:00:00 UTC,purchase,1,5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{pq, csv} {
		layout := source.Layout{Columns: map[string]string{source.ColPrice: "nosuch"}}
		_, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
		var ce *source.ColumnError
		if !errors.As(err, &ce) || ce.File != path || ce.Column != "nosuch" || !strings.Contains(err.Error(), "--map price=nosuch") {
			t.Errorf("%s: --map price=nosuch gave %v, want a ColumnError naming the file and column nosuch", path, err)
		}
		// A mapping to a column that exists is fine.
		layout = source.Layout{Columns: map[string]string{source.ColPrice: "price"}}
		if _, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout}); err != nil {
			t.Errorf("%s: --map price=price: %v", path, err)
		}
	}
}

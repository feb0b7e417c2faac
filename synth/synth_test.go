package synth

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// behaviourSettings is the data set of the behavioural checks.
var behaviourSettings = Settings{Customers: 3000, Seed: 7}

var (
	behaviourOnce sync.Once
	behaviourData *dataset
)

// behaviour generates and loads the shared behavioural data set once.
func behaviour(t *testing.T) *dataset {
	t.Helper()
	behaviourOnce.Do(func() {
		dir, err := os.MkdirTemp("", "synth-behaviour-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		sum, err := Generate(context.Background(), dir, behaviourSettings)
		if err != nil {
			t.Fatal(err)
		}
		behaviourData = load(t, sum)
	})
	if behaviourData == nil {
		t.Fatal("behaviour data set failed to generate")
	}
	return behaviourData
}

// dirFiles returns the names and contents of all files in dir.
func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func TestDeterminism(t *testing.T) {
	base := Settings{Customers: 1500, Seed: 42, EventsPerFile: 20_000, RowGroupSize: 5000}
	gen := func(s Settings) map[string][]byte {
		dir := t.TempDir()
		if _, err := Generate(t.Context(), dir, s); err != nil {
			t.Fatal(err)
		}
		return dirFiles(t, dir)
	}
	one := base
	one.Workers = 1
	three := base
	three.Workers = 3
	a, b := gen(one), gen(three)
	if len(a) < 3 {
		t.Fatalf("want several events files, got %d files", len(a))
	}
	if len(a) != len(b) {
		t.Fatalf("same seed: %d files vs %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("same seed, 1 vs 3 workers: %s differs", name)
		}
	}
	other := base
	other.Seed = 43
	c := gen(other)
	for _, name := range []string{"events-00000.parquet", "labels.parquet"} {
		if bytes.Equal(a[name], c[name]) {
			t.Errorf("different seeds: %s identical", name)
		}
	}
}

// column describes an expected leaf column.
type column struct {
	name     string
	kind     parquet.Kind
	logical  string // "timestamp", "string" or ""
	optional bool
}

var rees46Columns = []column{
	{"event_time", parquet.Int64, "timestamp", false},
	{"event_type", parquet.ByteArray, "string", false},
	{"product_id", parquet.Int64, "", false},
	{"category_id", parquet.Int64, "", false},
	{"category_code", parquet.ByteArray, "string", true},
	{"brand", parquet.ByteArray, "string", true},
	{"price", parquet.Double, "", false},
	{"user_id", parquet.Int64, "", false},
	{"user_session", parquet.ByteArray, "string", false},
}

var fullColumns = append(slices.Clone(rees46Columns),
	column{"order_id", parquet.ByteArray, "string", true},
	column{"quantity", parquet.Int32, "", false},
	column{"coupon_code", parquet.ByteArray, "string", true},
	column{"discount", parquet.Double, "", true},
	column{"country", parquet.ByteArray, "string", false},
)

func checkSchema(t *testing.T, path string, want []column) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if seed, ok := pf.Lookup("segmint.synth.seed"); !ok || seed == "" {
		t.Errorf("%s: no seed in the metadata", filepath.Base(path))
	}
	fields := pf.Schema().Fields()
	if len(fields) != len(want) {
		names := []string{}
		for _, fl := range fields {
			names = append(names, fl.Name())
		}
		t.Fatalf("%s: columns %v, want %d columns", filepath.Base(path), names, len(want))
	}
	for i, w := range want {
		fl := fields[i]
		if fl.Name() != w.name {
			t.Errorf("column %d = %q, want %q", i, fl.Name(), w.name)
			continue
		}
		if got := fl.Type().Kind(); got != w.kind {
			t.Errorf("%s: kind %v, want %v", w.name, got, w.kind)
		}
		if fl.Optional() != w.optional {
			t.Errorf("%s: optional %v, want %v", w.name, fl.Optional(), w.optional)
		}
		lt := fl.Type().LogicalType()
		switch w.logical {
		case "timestamp":
			ts, ok := lt.Value.(*format.TimestampType)
			if !ok || !ts.IsAdjustedToUTC {
				t.Errorf("%s: logical type %v, want TIMESTAMP(MICROS, UTC)", w.name, lt)
			} else if _, micros := ts.Unit.Value.(*format.MicroSeconds); !micros {
				t.Errorf("%s: unit %v, want MICROS", w.name, ts.Unit.Value)
			}
		case "string":
			if _, ok := lt.Value.(*format.StringType); !ok {
				t.Errorf("%s: logical type %v, want STRING", w.name, lt)
			}
		default:
			if lt == nil || lt.Value == nil {
				break
			}
			it, ok := lt.Value.(*format.IntType)
			if !ok || !it.IsSigned || (w.kind == parquet.Int64) != (it.BitWidth == 64) {
				t.Errorf("%s: logical type %v, want none or a signed INT", w.name, lt)
			}
		}
	}
}

func TestSchema(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout Layout
		want   []column
		types  []string
	}{
		{"full", LayoutFull, fullColumns, kindNames[:]},
		{"rees46", LayoutREES46, rees46Columns, kindNames[:kindRefund]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum := generateTemp(t, Settings{Customers: 400, Seed: 3, Layout: tc.layout})
			checkSchema(t, sum.Files[0], tc.want)
			checkSchema(t, sum.Labels, []column{
				{"customer_id", parquet.Int64, "", false},
				{"archetype", parquet.ByteArray, "string", false},
			})
			seen := map[string]bool{}
			for _, r := range readRows[REES46Row](t, sum.Files[0]) {
				seen[r.EventType] = true
			}
			got := slices.Sorted(func(yield func(string) bool) {
				for k := range seen {
					if !yield(k) {
						return
					}
				}
			})
			want := slices.Sorted(slices.Values(tc.types))
			if !slices.Equal(got, want) {
				t.Errorf("event types %v, want %v", got, want)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	sum := generateTemp(t, Settings{Customers: 2000, Seed: 11})
	labels := readRows[LabelRow](t, sum.Labels)
	if len(labels) != 2000 || sum.Customers != 2000 {
		t.Fatalf("%d labels, Summary.Customers %d, want 2000", len(labels), sum.Customers)
	}
	counts := map[string]int{}
	for i, l := range labels {
		if l.CustomerID != UserIDBase+int64(i) {
			t.Fatalf("label %d: customer_id %d, want %d", i, l.CustomerID, UserIDBase+int64(i))
		}
		counts[l.Archetype]++
	}
	for _, a := range Archetypes() {
		if counts[a] == 0 {
			t.Errorf("archetype %s absent", a)
		}
		if counts[a] != sum.ByArchetype[a] {
			t.Errorf("%s: %d labels, Summary says %d", a, counts[a], sum.ByArchetype[a])
		}
	}
	if len(counts) != len(Archetypes()) {
		t.Errorf("labels name %d archetypes, want %d", len(counts), len(Archetypes()))
	}
}

func TestMix(t *testing.T) {
	sum := generateTemp(t, Settings{Customers: 300, Seed: 5, Mix: map[string]float64{Leads: 1, Dormant: 1}})
	if got := sum.ByArchetype[Leads] + sum.ByArchetype[Dormant]; got != 300 {
		t.Errorf("leads+dormant = %d, want 300 (%v)", got, sum.ByArchetype)
	}
	if sum.ByArchetype[Leads] < 100 || sum.ByArchetype[Dormant] < 100 {
		t.Errorf("uneven split %v", sum.ByArchetype)
	}
}

// TestFiles checks the files of both orders: named in sequence, each
// sorted by time and inside the window, EventsPerFile bounding the rows.
// OrderSession keeps each customer in one file; OrderTime continues one
// time order from file to file, fills every file but the last, and writes
// the same rows as OrderSession.
func TestFiles(t *testing.T) {
	rowsOf := map[Order][]EventRow{}
	for _, order := range []Order{OrderSession, OrderTime} {
		t.Run(order.String(), func(t *testing.T) {
			s := Settings{Customers: 1000, Seed: 9, EventsPerFile: 10_000, Order: order}
			sum := generateTemp(t, s)
			if len(sum.Files) < 3 {
				t.Fatalf("%d files, want several", len(sum.Files))
			}
			startUS, asOfUS := DefaultStart.UnixMicro(), sum.AsOf.UnixMicro()
			var all []EventRow
			users := map[int64]int{}
			for i, f := range sum.Files {
				if filepath.Base(f) != eventsName(i) {
					t.Errorf("file %d named %s", i, f)
				}
				rows := readRows[EventRow](t, f)
				if len(rows) > s.EventsPerFile {
					t.Errorf("%s: %d rows > EventsPerFile", f, len(rows))
				}
				if order == OrderTime && i < len(sum.Files)-1 && len(rows) != s.EventsPerFile {
					t.Errorf("%s: %d rows, want EventsPerFile (%d) in every file but the last", f, len(rows), s.EventsPerFile)
				}
				if order == OrderTime && len(all) > 0 && len(rows) > 0 && rows[0].EventTime < all[len(all)-1].EventTime {
					t.Errorf("%s starts before the end of the file before it", f)
				}
				for k, r := range rows {
					if k > 0 && r.EventTime < rows[k-1].EventTime {
						t.Fatalf("%s: row %d out of time order", f, k)
					}
					if r.EventTime < startUS || r.EventTime >= asOfUS {
						t.Fatalf("%s: row %d at %d outside the window", f, k, r.EventTime)
					}
					if r.Price < 0 || r.Discount < 0 || math.IsNaN(r.Price) {
						t.Fatalf("%s: row %d price %v discount %v", f, k, r.Price, r.Discount)
					}
					if last, ok := users[r.UserID]; ok && last != i && order == OrderSession {
						t.Fatalf("user %d split across files %d and %d", r.UserID, last, i)
					}
					users[r.UserID] = i
				}
				all = append(all, rows...)
			}
			if int64(len(all)) != sum.Events {
				t.Errorf("%d rows, Summary.Events %d", len(all), sum.Events)
			}
			if got := float64(sum.Events) / float64(s.Customers); got < 30 || got > 60 {
				t.Errorf("%.1f events per customer, want 30-60", got)
			}
			rowsOf[order] = all
		})
	}
	session, byTime := rowsOf[OrderSession], rowsOf[OrderTime]
	if len(session) == 0 || len(byTime) == 0 {
		return
	}
	if !sameRows(session, byTime) {
		t.Error("OrderTime and OrderSession write different rows")
	}
	// Time order interleaves customers: far fewer rows follow a row of
	// the same customer than in OrderSession's files.
	if a, b := sameCustomerShare(byTime), sameCustomerShare(session); a >= b {
		t.Errorf("rows following their customer's row: %.3f in OrderTime, %.3f in OrderSession", a, b)
	}
}

// sameRows reports whether a and b hold the same rows, in any order.
func sameRows(a, b []EventRow) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[EventRow]int{}
	for _, r := range a {
		count[r]++
	}
	for _, r := range b {
		if count[r] == 0 {
			return false
		}
		count[r]--
	}
	return true
}

// sameCustomerShare is the share of rows whose customer is that of the row
// before.
func sameCustomerShare(rows []EventRow) float64 {
	n := 0
	for i := 1; i < len(rows); i++ {
		if rows[i].UserID == rows[i-1].UserID {
			n++
		}
	}
	return float64(n) / float64(len(rows))
}

// TestRows checks the row-level rules of the full layout.
func TestRows(t *testing.T) {
	sum := generateTemp(t, Settings{Customers: 1500, Seed: 13})
	var rows []EventRow
	for _, f := range sum.Files {
		rows = append(rows, readRows[EventRow](t, f)...)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].EventTime < rows[j].EventTime })
	type item struct {
		user    int64
		order   string
		product int64
	}
	bought := map[item]bool{}
	orderUser := map[string]int64{}
	sessionUser := map[string]int64{}
	for i, r := range rows {
		if u, ok := sessionUser[r.UserSession]; ok && u != r.UserID {
			t.Fatalf("row %d: session %s shared by users %d and %d", i, r.UserSession, u, r.UserID)
		}
		sessionUser[r.UserSession] = r.UserID
		if len(r.UserSession) != 36 || r.Country == "" || r.Quantity < 1 {
			t.Fatalf("row %d: %+v", i, r)
		}
		switch r.EventType {
		case "purchase":
			if r.OrderID == "" || r.ProductID == 0 || r.Price <= 0 {
				t.Fatalf("purchase row %d: %+v", i, r)
			}
			if u, ok := orderUser[r.OrderID]; ok && u != r.UserID {
				t.Fatalf("order %s shared by users %d and %d", r.OrderID, u, r.UserID)
			}
			orderUser[r.OrderID] = r.UserID
			bought[item{r.UserID, r.OrderID, r.ProductID}] = true
			if (r.CouponCode == "") != (r.Discount == 0) {
				t.Fatalf("purchase row %d: coupon %q with discount %v", i, r.CouponCode, r.Discount)
			}
			if r.Discount >= r.Price*float64(r.Quantity) {
				t.Fatalf("purchase row %d: discount %v >= value", i, r.Discount)
			}
		case "refund":
			if !bought[item{r.UserID, r.OrderID, r.ProductID}] {
				t.Fatalf("refund row %d references no earlier purchase: %+v", i, r)
			}
		case "subscribe":
			if r.ProductID != 0 || r.CategoryID != 0 || r.Price != 0 || r.OrderID != "" {
				t.Fatalf("subscribe row %d: %+v", i, r)
			}
		default:
			if r.OrderID != "" || r.CouponCode != "" || r.Discount != 0 || r.ProductID == 0 {
				t.Fatalf("%s row %d: %+v", r.EventType, i, r)
			}
		}
	}
}

func TestScale(t *testing.T) {
	base := Settings{Customers: 600, Seed: 21}
	scaled := base
	scaled.Scale = 3
	a, b := generateTemp(t, base), generateTemp(t, scaled)
	ratio := float64(b.Events) / float64(a.Events)
	if ratio < 2.6 || ratio > 3.4 {
		t.Errorf("Scale 3 gives %.2fx events", ratio)
	}
	la, lb := readRows[LabelRow](t, a.Labels), readRows[LabelRow](t, b.Labels)
	if !slices.Equal(la, lb) {
		t.Error("Scale changed the labels")
	}
	orders := func(sum *Summary) map[string]bool {
		out := map[string]bool{}
		for _, f := range sum.Files {
			for _, r := range readRows[EventRow](t, f) {
				if r.EventType == "purchase" {
					out[r.OrderID] = true
				}
			}
		}
		return out
	}
	oa, ob := orders(a), orders(b)
	if len(oa) != len(ob) {
		t.Errorf("Scale changed the number of orders: %d vs %d", len(oa), len(ob))
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Settings
	}{
		{"no customers", Settings{}},
		{"negative customers", Settings{Customers: -1}},
		{"short window", Settings{Customers: 10, Days: 60}},
		{"negative events per file", Settings{Customers: 10, EventsPerFile: -1}},
		{"negative row group", Settings{Customers: 10, RowGroupSize: -5}},
		{"negative scale", Settings{Customers: 10, Scale: -1}},
		{"NaN scale", Settings{Customers: 10, Scale: math.NaN()}},
		{"unknown layout", Settings{Customers: 10, Layout: 7}},
		{"unknown archetype", Settings{Customers: 10, Mix: map[string]float64{"vip": 1}}},
		{"negative weight", Settings{Customers: 10, Mix: map[string]float64{Hero: -1}}},
		{"zero mix", Settings{Customers: 10, Mix: map[string]float64{Hero: 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Generate(t.Context(), dir, tc.s); !errors.Is(err, ErrSettings) {
				t.Errorf("err = %v, want ErrSettings", err)
			}
			if files := dirFiles(t, dir); len(files) != 0 {
				t.Errorf("files left: %v", files)
			}
		})
	}
}

// cancelAfter is a context that reports cancellation from its n-th Err
// call on, so a run can be cancelled at a reproducible point.
type cancelAfter struct {
	context.Context
	calls, after atomic.Int64
	once         sync.Once
	done         chan struct{}
}

func newCancelAfter(n int64) *cancelAfter {
	c := &cancelAfter{Context: context.Background(), done: make(chan struct{})}
	c.after.Store(n)
	return c
}

func (c *cancelAfter) Done() <-chan struct{} { return c.done }

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) > c.after.Load() {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	return nil
}

func TestCancel(t *testing.T) {
	s := Settings{Customers: 1200, Seed: 17, EventsPerFile: 8000, RowGroupSize: 2000}
	// An earlier complete data set in the directory must survive untouched.
	dir := t.TempDir()
	if _, err := Generate(t.Context(), dir, Settings{Customers: 50, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	before := dirFiles(t, dir)
	// Count the checks of a full run, then cancel at points spread over it.
	counter := newCancelAfter(math.MaxInt64)
	if _, err := Generate(counter, t.TempDir(), s); err != nil {
		t.Fatal(err)
	}
	n := counter.calls.Load()
	if n < 10 {
		t.Fatalf("only %d cancellation checks in a run", n)
	}
	for _, after := range []int64{0, 1, n / 4, n / 2, 3 * n / 4, n - 2} {
		t.Run("after_"+strconv.FormatInt(after, 10), func(t *testing.T) {
			ctx := newCancelAfter(after)
			_, err := Generate(ctx, dir, s)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			now := dirFiles(t, dir)
			if len(now) != len(before) {
				names := []string{}
				for n := range now {
					names = append(names, n)
				}
				t.Fatalf("files after cancelled run: %v", names)
			}
			for name, data := range before {
				if !bytes.Equal(now[name], data) {
					t.Errorf("%s changed", name)
				}
			}
		})
	}
	// Sanity: the same run without cancellation succeeds and replaces it.
	sum, err := Generate(t.Context(), dir, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(dirFiles(t, dir)); got != len(sum.Files)+1 {
		t.Errorf("%d files in dir, want %d", got, len(sum.Files)+1)
	}
}

func TestStaleFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(t.Context(), dir, Settings{Customers: 800, Seed: 2, EventsPerFile: 5000}); err != nil {
		t.Fatal(err)
	}
	sum, err := Generate(t.Context(), dir, Settings{Customers: 100, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 1 {
		t.Fatalf("%d files", len(sum.Files))
	}
	if got := dirFiles(t, dir); len(got) != 2 {
		t.Errorf("files %d, want events-00000 and labels only", len(got))
	}
}

func TestEventSize(t *testing.T) {
	if got := unsafe.Sizeof(event{}); got != 40 {
		t.Errorf("event is %d bytes; update the memory note in doc.go", got)
	}
}

func TestSortByTime(t *testing.T) {
	events := []event{{t: 5}, {t: 1 << 23}, {t: 5}, {t: 0}, {t: 70000}, {t: 3}}
	order, _ := sortByTime(events, nil, nil)
	var got []int
	for _, k := range order {
		got = append(got, int(uint32(k)))
	}
	if want := []int{3, 5, 0, 2, 4, 1}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestArchetypeBehaviour checks each archetype's defining behaviour on
// features computed from the written events.
func TestArchetypeBehaviour(t *testing.T) {
	ds := behaviour(t)
	by := ds.byArchetype()
	day := 86400e6
	age := func(us int64) float64 { return float64(ds.asOfUS-us) / day }
	var all []*customerStats
	for _, c := range ds.customers {
		all = append(all, c)
	}
	spends := make([]float64, 0, len(all))
	for _, c := range all {
		spends = append(spends, c.spend)
	}
	sort.Float64s(spends)
	topDecile := spends[len(spends)*9/10]
	meanSpend := mean(all, func(c *customerStats) float64 { return c.spend })
	orderValue := func(c *customerStats) float64 { return c.spend / float64(max(1, len(c.orders))) }
	var buyers []*customerStats
	for _, c := range all {
		if len(c.orders) > 0 {
			buyers = append(buyers, c)
		}
	}
	meanOrderValue := mean(buyers, orderValue)

	type check struct {
		what string
		ok   func(cs []*customerStats) bool
	}
	every := func(f func(c *customerStats) bool) func([]*customerStats) bool {
		return func(cs []*customerStats) bool { return share(cs, f) == 1 }
	}
	most := func(p float64, f func(c *customerStats) bool) func([]*customerStats) bool {
		return func(cs []*customerStats) bool { return share(cs, f) >= p }
	}
	checks := map[string][]check{
		TopSpenders: {
			{"1-3 orders", every(func(c *customerStats) bool { return len(c.orders) >= 1 && len(c.orders) <= 3 })},
			{"90 % in the top spend decile", most(0.90, func(c *customerStats) bool { return c.spend >= topDecile })},
		},
		Hero: {
			{"15+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 15 })},
			{"25+ sessions", every(func(c *customerStats) bool { return len(c.sessions) >= 25 })},
			{"active in the last 7 days", every(func(c *customerStats) bool { return age(c.last) <= 7 })},
			{"spend 5x the mean", func(cs []*customerStats) bool {
				return mean(cs, func(c *customerStats) float64 { return c.spend }) >= 5*meanSpend
			}},
		},
		Loyal: {
			{"8-15 orders", every(func(c *customerStats) bool { return len(c.orders) >= 8 && len(c.orders) <= 15 })},
			{"tenure over 100 days", every(func(c *customerStats) bool { return age(c.first) >= 100 })},
			{"regular gaps of 8-25 days", most(0.9, func(c *customerStats) bool { g := medianGap(c); return g >= 8 && g <= 25 })},
			{"last order within 30 days", most(0.9, func(c *customerStats) bool { return age(c.lastPurchase) <= 30 })},
			{"spend below heroes'", func(cs []*customerStats) bool {
				return mean(cs, func(c *customerStats) float64 { return c.spend }) < 0.3*mean(by[Hero], func(c *customerStats) float64 { return c.spend })
			}},
		},
		Active: {
			{"2-5 orders", every(func(c *customerStats) bool { return len(c.orders) >= 2 && len(c.orders) <= 5 })},
			{"a visit in the last 5 days", every(func(c *customerStats) bool { return age(c.last) <= 5 })},
			{"8+ sessions", every(func(c *customerStats) bool { return len(c.sessions) >= 8 })},
		},
		NewCustomers: {
			{"first event in the last 30 days", every(func(c *customerStats) bool { return age(c.first) <= 30 })},
			{"exactly one order", every(func(c *customerStats) bool { return len(c.orders) == 1 })},
		},
		OneTimeBuyers: {
			{"exactly one order", every(func(c *customerStats) bool { return len(c.orders) == 1 })},
			{"ordered 60+ days ago", every(func(c *customerStats) bool { return age(c.lastPurchase) >= 60 })},
			// "Low value at first sight": a single order in the top spend
			// decile is a top spender's behaviour.
			{"none in the top spend decile", every(func(c *customerStats) bool { return c.spend < topDecile })},
		},
		CouponCustomers: {
			{"coupons on 60 % of purchases", most(0.85, func(c *customerStats) bool {
				return float64(c.couponRows) >= 0.6*float64(c.purchaseRows)
			})},
			{"coupons on 85 % of purchases on average", func(cs []*customerStats) bool {
				return mean(cs, func(c *customerStats) float64 { return float64(c.couponRows) / float64(c.purchaseRows) }) >= 0.85
			}},
			{"3+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 3 })},
		},
		Thrifty: {
			{"one item per order", every(func(c *customerStats) bool { return c.purchaseRows == len(c.orders) })},
			{"gaps of 25-50 days", every(func(c *customerStats) bool { g := medianGap(c); return g >= 25 && g <= 50 })},
			{"at most 3 categories", most(0.9, func(c *customerStats) bool { return len(c.categories) <= 3 })},
			{"low order value", func(cs []*customerStats) bool { return mean(cs, orderValue) < 0.25*meanOrderValue }},
		},
		TrendFollowers: {
			{"most purchases new products", most(0.8, func(c *customerStats) bool {
				return float64(c.newBuys) >= 0.5*float64(c.purchaseRows)
			})},
			{"3+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 3 })},
		},
		CartAbandoners: {
			{"2+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 2 })},
			{"3+ abandoned cart adds", every(func(c *customerStats) bool { return c.abandonedCarts >= 3 })},
		},
		IndecisiveProspects: {
			{"no orders", every(func(c *customerStats) bool { return len(c.orders) == 0 })},
			{"8+ sessions", every(func(c *customerStats) bool { return len(c.sessions) >= 8 })},
			{"cart adds", most(0.95, func(c *customerStats) bool { return c.carts >= 2 })},
		},
		CuriousProspects: {
			{"views only", every(func(c *customerStats) bool { return c.views == c.events })},
			{"1-2 sessions in the last 21 days", every(func(c *customerStats) bool {
				return len(c.sessions) <= 2 && age(c.first) <= 21
			})},
		},
		Leads: {
			{"subscribed", every(func(c *customerStats) bool { return c.subscribes > 0 })},
			{"no orders", every(func(c *customerStats) bool { return len(c.orders) == 0 })},
			{"at most 12 views", every(func(c *customerStats) bool { return c.views <= 12 })},
			{"3 views on average", func(cs []*customerStats) bool {
				return mean(cs, func(c *customerStats) float64 { return float64(c.views) }) <= 4
			}},
		},
		NewsletterSubscribers: {
			{"subscribed", every(func(c *customerStats) bool { return c.subscribes > 0 })},
			{"2+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 2 })},
		},
		AtRisk: {
			{"last order under 90 days ago", every(func(c *customerStats) bool { return age(c.lastPurchase) < 90 })},
			{"silence 1.7-4x the usual gap", most(0.85, func(c *customerStats) bool {
				r := age(c.lastPurchase) / medianGap(c)
				return r >= 1.7 && r <= 4
			})},
			{"3+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 3 })},
		},
		Dormant: {
			{"2+ orders", every(func(c *customerStats) bool { return len(c.orders) >= 2 })},
			{"no event in the last 90 days", every(func(c *customerStats) bool { return age(c.last) >= 90 })},
		},
		NegativeExperience: {
			{"a refund", every(func(c *customerStats) bool { return c.refundRows > 0 })},
			{"35 % of items refunded", func(cs []*customerStats) bool {
				return mean(cs, func(c *customerStats) float64 { return float64(c.refundRows) / float64(c.purchaseRows) }) >= 0.35
			}},
		},
	}
	for _, a := range Archetypes() {
		t.Run(a, func(t *testing.T) {
			cs := by[a]
			if len(cs) < 30 {
				t.Fatalf("%d customers", len(cs))
			}
			if len(checks[a]) == 0 {
				t.Fatal("no checks")
			}
			for _, c := range checks[a] {
				if !c.ok(cs) {
					t.Errorf("%s: fails", c.what)
				}
			}
		})
	}
	// Background rates stay background: ordinary buyers rarely use coupons,
	// refund or buy new products.
	ordinary := append(slices.Clone(by[Loyal]), by[AtRisk]...)
	if r := mean(ordinary, func(c *customerStats) float64 { return float64(c.couponRows) / float64(c.purchaseRows) }); r > 0.15 {
		t.Errorf("ordinary coupon share %.2f", r)
	}
	if r := mean(ordinary, func(c *customerStats) float64 { return float64(c.refundRows) / float64(c.purchaseRows) }); r > 0.1 {
		t.Errorf("ordinary refund share %.2f", r)
	}
}

func TestREES46SameCustomers(t *testing.T) {
	full := generateTemp(t, Settings{Customers: 300, Seed: 8})
	rees := generateTemp(t, Settings{Customers: 300, Seed: 8, Layout: LayoutREES46})
	if !slices.Equal(readRows[LabelRow](t, full.Labels), readRows[LabelRow](t, rees.Labels)) {
		t.Error("labels differ between layouts")
	}
	count := func(sum *Summary) (n int) {
		for _, f := range sum.Files {
			for _, r := range readRows[REES46Row](t, f) {
				if r.EventType != "refund" && r.EventType != "subscribe" {
					n++
				}
			}
		}
		return n
	}
	if a, b := count(full), count(rees); a != b {
		t.Errorf("%d REES46-type events in full layout, %d in REES46 layout", a, b)
	}
}

// TestLaunches checks the catalogue's launch rules against the events:
// nothing is seen before its launch, new products appear soon after it,
// trend followers buy them at launch and nobody else does.
func TestLaunches(t *testing.T) {
	s := Settings{Customers: 3000, Seed: 31}
	sum := generateTemp(t, s)
	cat := newCatalogue(s.Seed, DefaultDays)
	launch := map[int64]int64{} // product_id -> launch, microseconds
	for _, p := range cat.products {
		launch[p.id] = DefaultStart.UnixMicro() + p.launch*1_000_000
	}
	labels := map[int64]string{}
	for _, l := range readRows[LabelRow](t, sum.Labels) {
		labels[l.CustomerID] = l.Archetype
	}
	firstSeen := map[int64]int64{}
	var trendBuys, trendNew, otherBuys, otherYoung int
	for _, f := range sum.Files {
		for _, r := range readRows[EventRow](t, f) {
			if r.ProductID == 0 {
				continue
			}
			l, ok := launch[r.ProductID]
			if !ok {
				t.Fatalf("unknown product %d", r.ProductID)
			}
			if r.EventTime < l {
				t.Fatalf("product %d seen %d us before its launch", r.ProductID, l-r.EventTime)
			}
			if fs, ok := firstSeen[r.ProductID]; !ok || r.EventTime < fs {
				firstSeen[r.ProductID] = r.EventTime
			}
			if r.EventType != "purchase" {
				continue
			}
			age := r.EventTime - l
			if labels[r.UserID] == TrendFollowers {
				trendBuys++
				if age <= int64(trendAge)*1_000_000 {
					trendNew++
				}
			} else {
				otherBuys++
				if age < int64(establishedAge)*1_000_000 {
					otherYoung++
				}
			}
		}
	}
	var delays []float64
	for _, p := range cat.products {
		if fs, ok := firstSeen[p.id]; ok && p.launch >= 0 {
			delays = append(delays, float64(fs-launch[p.id])/86400e6)
		}
	}
	sort.Float64s(delays)
	if len(delays) < len(cat.launched)/2 {
		t.Fatalf("only %d of %d new products seen", len(delays), len(cat.launched))
	}
	if med := delays[len(delays)/2]; med > 1 {
		t.Errorf("new products first seen a median %.1f days after launch", med)
	}
	if share := float64(trendNew) / float64(trendBuys); share < 0.7 {
		t.Errorf("trend followers: %.2f of purchases within 5 days of launch", share)
	}
	if otherYoung != 0 {
		t.Errorf("%d of %d other purchases younger than 21 days", otherYoung, otherBuys)
	}
}

func FuzzSettings(f *testing.F) {
	f.Add(5, uint64(1), 120, 1.0, 0.0, 1.0)
	f.Add(40, uint64(9), 365, 0.3, 2.0, 0.0)
	f.Add(1, uint64(0), 400, 7.5, 1.0, 1.0)
	f.Add(3, uint64(2), 90, -1.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, customers int, seed uint64, days int, scale, leads, dormant float64) {
		if customers > 60 || days > 3000 {
			t.Skip()
		}
		s := Settings{Customers: customers, Seed: seed, Days: days, Scale: scale}
		if leads != 0 || dormant != 0 {
			s.Mix = map[string]float64{Leads: leads, Dormant: dormant}
		}
		dir := t.TempDir()
		sum, err := Generate(t.Context(), dir, s)
		if err != nil {
			if !errors.Is(err, ErrSettings) {
				t.Fatalf("%+v: %v", s, err)
			}
			return
		}
		if sum.Customers != customers || len(sum.Files) == 0 {
			t.Fatalf("summary %+v", sum)
		}
		asOf := sum.AsOf.UnixMicro()
		var n int64
		for _, file := range sum.Files {
			for _, r := range readRows[EventRow](t, file) {
				n++
				if r.EventTime >= asOf || r.Price < 0 || math.IsNaN(r.Price) {
					t.Fatalf("bad row %+v", r)
				}
			}
		}
		if n != sum.Events {
			t.Fatalf("%d rows, summary %d", n, sum.Events)
		}
	})
}

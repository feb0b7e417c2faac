package synth

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/segmint/segmint/features"
)

// Tests of the variation knobs GapScale and NoiseShare, of short and long
// windows, and of the knobs' zero values (PriceScale and QuantityMax have
// theirs in variants_test.go).

// rowsDigest hashes the rows of a data set's files (events as the layout's
// row type, then labels), so that a pin survives Parquet encoding changes
// but not a change of any value.
func rowsDigest(t *testing.T, sum *Summary, layout Layout) string {
	t.Helper()
	h := sha256.New()
	for _, f := range sum.Files {
		if layout == LayoutREES46 {
			for _, r := range readRows[REES46Row](t, f) {
				fmt.Fprintf(h, "%+v\n", r)
			}
			continue
		}
		for _, r := range readRows[EventRow](t, f) {
			fmt.Fprintf(h, "%+v\n", r)
		}
	}
	for _, r := range readRows[LabelRow](t, sum.Labels) {
		fmt.Fprintf(h, "%+v\n", r)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestZeroKnobsPinned: with the knobs at zero (or at their neutral value
// 1) the generator writes exactly the rows it wrote before the knobs
// existed. The digests and counts were taken from the generator without
// GapScale and NoiseShare (and without Order: these data sets fit in one
// file, where both orders write the same rows).
func TestZeroKnobsPinned(t *testing.T) {
	for _, tc := range []struct {
		s      Settings
		events int64
		digest string
	}{
		{Settings{Customers: 300, Seed: 7}, 15418, "ca1e27a099d91c3709fb10ce9275caaa8e9fdad34e2c7b3cd7aa49350c53d98f"},
		{Settings{Customers: 300, Seed: 7, Layout: LayoutREES46}, 15304, "c75d8abbed28417cb81e53e47274eb0bc5d95a5b2289e7307068c91b05598dde"},
	} {
		sum := generateTemp(t, tc.s)
		if got := rowsDigest(t, sum, tc.s.Layout); sum.Events != tc.events || got != tc.digest {
			t.Errorf("%v: %d events, digest %s; want %d, %s", tc.s.Layout, sum.Events, got, tc.events, tc.digest)
		}
		if sum.Noise != 0 {
			t.Errorf("%v: %d noise rows without NoiseShare", tc.s.Layout, sum.Noise)
		}
	}
	// The neutral values given explicitly write the same bytes as zero.
	zero := Settings{Customers: 400, Seed: 21, EventsPerFile: 8000}
	neutral := zero
	neutral.PriceScale, neutral.GapScale, neutral.Scale = 1, 1, 1
	a, b := generateTemp(t, zero), generateTemp(t, neutral)
	fa, fb := dirFiles(t, filepath.Dir(a.Labels)), dirFiles(t, filepath.Dir(b.Labels))
	if len(fa) < 3 || len(fa) != len(fb) {
		t.Fatalf("%d files vs %d", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s: neutral knobs change the bytes", name)
		}
	}
}

// orderTimes returns each customer's order times (event_time of an
// order's first purchase row, microseconds), sorted, and the archetype
// of every customer.
func orderTimes(t *testing.T, sum *Summary) (map[int64][]int64, map[int64]string) {
	t.Helper()
	arch := map[int64]string{}
	for _, l := range readRows[LabelRow](t, sum.Labels) {
		arch[l.CustomerID] = l.Archetype
	}
	first := map[string]int64{}
	user := map[string]int64{}
	for _, f := range sum.Files {
		for _, r := range readRows[EventRow](t, f) {
			if r.EventType != "purchase" {
				continue
			}
			if at, ok := first[r.OrderID]; !ok || r.EventTime < at {
				first[r.OrderID] = r.EventTime
				user[r.OrderID] = r.UserID
			}
		}
	}
	out := map[int64][]int64{}
	for id, at := range first {
		out[user[id]] = append(out[user[id]], at)
	}
	for _, ts := range out {
		slices.Sort(ts)
	}
	return out, arch
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// repurchaseGaps returns, per archetype, every customer's median gap
// between consecutive orders in days (customers with two orders or more),
// and per archetype the mean number of orders.
func repurchaseGaps(t *testing.T, sum *Summary) (map[string][]float64, map[string]float64) {
	t.Helper()
	orders, arch := orderTimes(t, sum)
	gaps := map[string][]float64{}
	count := map[string]float64{}
	members := map[string]float64{}
	for id, a := range arch {
		ts := orders[id]
		count[a] += float64(len(ts))
		members[a]++
		if len(ts) < 2 {
			continue
		}
		var g []float64
		for i := 1; i < len(ts); i++ {
			g = append(g, float64(ts[i]-ts[i-1])/86400e6)
		}
		gaps[a] = append(gaps[a], median(g))
	}
	for a := range count {
		count[a] /= members[a]
	}
	return gaps, count
}

// checkWindow fails if a row lies outside [Start, Start+Days) or belongs
// to no labelled customer; it returns the number of rows.
func checkWindow(t *testing.T, sum *Summary, days int) int {
	t.Helper()
	asOf := sum.AsOf.UnixMicro()
	start := asOf - int64(days)*86400e6
	ids := map[int64]bool{}
	for _, l := range readRows[LabelRow](t, sum.Labels) {
		ids[l.CustomerID] = true
	}
	n := 0
	for _, f := range sum.Files {
		for _, r := range readRows[EventRow](t, f) {
			n++
			if r.EventTime < start || r.EventTime >= asOf {
				t.Fatalf("%s row outside the %d-day window: %+v", filepath.Base(f), days, r)
			}
			if !ids[r.UserID] {
				t.Fatalf("row of an unlabelled user: %+v", r)
			}
		}
	}
	if int64(n) != sum.Events {
		t.Fatalf("%d rows, summary says %d", n, sum.Events)
	}
	return n
}

// TestGapScale: the median repurchase gap of the regular archetypes
// scales by GapScale; every row stays in the window; labels do not move.
func TestGapScale(t *testing.T) {
	mix := map[string]float64{Loyal: 1, Thrifty: 1, AtRisk: 1, Dormant: 1, TrendFollowers: 1, Hero: 0.5, CouponCustomers: 0.5}
	base := Settings{Customers: 700, Seed: 29, Mix: mix}
	ref := generateTemp(t, base)
	refGaps, refOrders := repurchaseGaps(t, ref)
	for _, gs := range []float64{0.5, 1.5} {
		s := base
		s.GapScale = gs
		sum := generateTemp(t, s)
		checkWindow(t, sum, DefaultDays)
		if !equalRows(t, ref.Labels, sum.Labels) {
			t.Errorf("×%g: labels changed", gs)
		}
		gaps, orders := repurchaseGaps(t, sum)
		for _, a := range slices.Sorted(maps.Keys(mix)) {
			ratio := median(gaps[a]) / median(refGaps[a])
			t.Logf("×%g %-16s median gap %5.1f -> %5.1f days (×%.2f), orders %.1f -> %.1f, %d -> %d customers with 2+ orders",
				gs, a, median(refGaps[a]), median(gaps[a]), ratio, refOrders[a], orders[a], len(refGaps[a]), len(gaps[a]))
			switch a {
			case Loyal, Thrifty, AtRisk, TrendFollowers:
				if math.Abs(ratio/gs-1) > 0.12 {
					t.Errorf("×%g %s: median repurchase gap ×%.2f, want ×%g ±12%%", gs, a, ratio, gs)
				}
			}
		}
	}
}

// equalRows reports whether two labels files hold the same rows.
func equalRows(t *testing.T, a, b string) bool {
	return slices.Equal(readRows[LabelRow](t, a), readRows[LabelRow](t, b))
}

// TestNoiseShare: NoiseShare adds about that share of rows, in sessions
// of their own by existing customers, 10 % of them of an unknown type;
// the planted rows and the labels are those of the run without noise.
func TestNoiseShare(t *testing.T) {
	const share = 0.2
	base := Settings{Customers: 600, Seed: 31}
	noisy := base
	noisy.NoiseShare = share
	a, b := generateTemp(t, base), generateTemp(t, noisy)
	if !equalRows(t, a.Labels, b.Labels) {
		t.Fatal("noise changed the labels")
	}
	if len(a.Files) != 1 || len(b.Files) != 1 {
		t.Fatalf("%d and %d files, want one each", len(a.Files), len(b.Files))
	}
	if want := int64(math.Round(share * float64(a.Events))); b.Noise != want || b.Events != a.Events+want {
		t.Fatalf("%d events of which %d noise; planted %d, want %d noise", b.Events, b.Noise, a.Events, want)
	}
	checkWindow(t, b, DefaultDays)
	ra, rb := readRows[EventRow](t, a.Files[0]), readRows[EventRow](t, b.Files[0])
	planted := map[string]bool{}
	for _, r := range ra {
		planted[r.UserSession] = true
	}
	var kept []EventRow
	types := map[string]int{}
	noiseSessions := map[string]int64{}
	for _, r := range rb {
		if planted[r.UserSession] {
			kept = append(kept, r)
			continue
		}
		types[r.EventType]++
		if u, ok := noiseSessions[r.UserSession]; ok && u != r.UserID {
			t.Fatalf("noise session %s shared by users %d and %d", r.UserSession, u, r.UserID)
		}
		noiseSessions[r.UserSession] = r.UserID
		if r.OrderID != "" || r.CouponCode != "" || r.Discount != 0 || r.Quantity != 1 {
			t.Fatalf("noise row with order columns: %+v", r)
		}
		if (r.EventType == "view" || r.EventType == "cart") && (r.ProductID == 0 || r.Price <= 0) {
			t.Fatalf("noise %s without a product: %+v", r.EventType, r)
		}
	}
	if !slices.Equal(kept, ra) {
		t.Fatal("the planted rows of the noisy run differ from the run without noise")
	}
	n := len(rb) - len(ra)
	if int64(n) != b.Noise {
		t.Fatalf("%d rows in noise sessions, summary says %d", n, b.Noise)
	}
	if len(types) != 3 {
		t.Errorf("noise event types %v, want view, cart and %s", types, NoiseEventType)
	}
	unknown := float64(types[NoiseEventType]) / float64(n)
	carts := float64(types["cart"]) / float64(n)
	t.Logf("%d noise rows in %d sessions: %v", n, len(noiseSessions), types)
	if unknown < 0.07 || unknown > 0.13 {
		t.Errorf("%.3f of noise rows are %s, want about 0.10", unknown, NoiseEventType)
	}
	if carts < 0.2 || carts > 0.34 {
		t.Errorf("%.3f of noise rows are cart adds, want about 0.27", carts)
	}
	users := map[int64]bool{}
	for _, u := range noiseSessions {
		users[u] = true
	}
	if len(users) < 300 {
		t.Errorf("noise by %d customers of 600, want them spread", len(users))
	}
}

// TestNoiseFiles: with several files in OrderSession every file holds
// whole customers, its noise is by its own customers, EventsPerFile bounds
// the rows noise included, and the output does not depend on Workers;
// OrderTime writes the same rows, noise included, in time order, also
// whatever the Workers.
func TestNoiseFiles(t *testing.T) {
	const perFile = 6000
	s := Settings{Customers: 500, Seed: 37, EventsPerFile: perFile, NoiseShare: 0.5, Workers: 1, Order: OrderSession}
	one := filepath.Join(t.TempDir(), "one")
	sum, err := Generate(t.Context(), one, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) < 3 {
		t.Fatalf("%d files, want several", len(sum.Files))
	}
	planted := sum.Events - sum.Noise
	if r := float64(sum.Noise) / float64(planted); math.Abs(r-0.5) > 0.001 {
		t.Errorf("noise %d for %d planted rows (%.4f), want 0.5", sum.Noise, planted, r)
	}
	checkWindow(t, sum, DefaultDays)
	owner := map[int64]int{}
	for i, f := range sum.Files {
		rows := readRows[EventRow](t, f)
		if len(rows) > perFile {
			t.Errorf("%s: %d rows, EventsPerFile %d", filepath.Base(f), len(rows), perFile)
		}
		if !sort.SliceIsSorted(rows, func(a, b int) bool { return rows[a].EventTime < rows[b].EventTime }) {
			t.Errorf("%s: not sorted by time", filepath.Base(f))
		}
		for _, r := range rows {
			if o, ok := owner[r.UserID]; ok && o != i {
				t.Fatalf("user %d in files %d and %d", r.UserID, o, i)
			}
			owner[r.UserID] = i
		}
	}
	s.Workers = 3
	three := filepath.Join(t.TempDir(), "three")
	if _, err := Generate(t.Context(), three, s); err != nil {
		t.Fatal(err)
	}
	fa, fb := dirFiles(t, one), dirFiles(t, three)
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("1 vs 3 workers: %s differs", name)
		}
	}
	var sessionRows []EventRow
	for _, f := range sum.Files {
		sessionRows = append(sessionRows, readRows[EventRow](t, f)...)
	}
	var timeRows []EventRow
	for _, workers := range []int{1, 3} {
		ts := s
		ts.Order, ts.Workers = OrderTime, workers
		dir := filepath.Join(t.TempDir(), fmt.Sprint("time", workers))
		tsum, err := Generate(t.Context(), dir, ts)
		if err != nil {
			t.Fatal(err)
		}
		if tsum.Noise != sum.Noise || tsum.Events != sum.Events {
			t.Errorf("OrderTime, %d workers: %d rows, %d noise; OrderSession %d, %d", workers, tsum.Events, tsum.Noise, sum.Events, sum.Noise)
		}
		var rows []EventRow
		for _, f := range tsum.Files {
			rows = append(rows, readRows[EventRow](t, f)...)
		}
		if !sort.SliceIsSorted(rows, func(a, b int) bool { return rows[a].EventTime < rows[b].EventTime }) {
			t.Errorf("OrderTime, %d workers: the files are not in one time order", workers)
		}
		if workers == 1 {
			timeRows = rows
			if !sameRows(rows, sessionRows) {
				t.Error("OrderTime writes other rows than OrderSession")
			}
		} else if !slices.Equal(rows, timeRows) {
			t.Error("OrderTime: 1 vs 3 workers write different rows")
		}
	}
}

// TestWindows: 90-day windows (without dormant, which cannot fit) and
// 365-day windows generate every archetype with every row inside the
// window; 90 days with dormant in the Mix is refused.
func TestWindows(t *testing.T) {
	noDormant := DefaultMix()
	noDormant[Dormant] = 0
	for _, tc := range []struct {
		days int
		mix  map[string]float64
	}{
		{MinDaysWithoutDormant, noDormant},
		{MinDays, nil},
		{365, nil},
	} {
		s := Settings{Customers: 1500, Seed: 41, Days: tc.days, Mix: tc.mix}
		sum := generateTemp(t, s)
		checkWindow(t, sum, tc.days)
		orders, arch := orderTimes(t, sum)
		byArch := map[string][]int{}
		for id, a := range arch {
			byArch[a] = append(byArch[a], len(orders[id]))
		}
		for _, a := range Archetypes() {
			if a == Dormant && tc.mix != nil {
				if sum.ByArchetype[a] != 0 {
					t.Errorf("%d days: %d dormant customers with weight 0", tc.days, sum.ByArchetype[a])
				}
				continue
			}
			if len(byArch[a]) < 20 {
				t.Errorf("%d days: %d %s customers", tc.days, len(byArch[a]), a)
				continue
			}
			lo, hi := slices.Min(byArch[a]), slices.Max(byArch[a])
			// Order counts that define the archetypes hold in every window.
			switch a {
			case NewCustomers, OneTimeBuyers:
				if lo != 1 || hi != 1 {
					t.Errorf("%d days: %s with %d..%d orders, want 1", tc.days, a, lo, hi)
				}
			case CuriousProspects, IndecisiveProspects, Leads:
				if hi != 0 {
					t.Errorf("%d days: %s with up to %d orders, want none", tc.days, a, hi)
				}
			case AtRisk, TrendFollowers, NegativeExperience, CouponCustomers:
				if lo < 3 {
					t.Errorf("%d days: %s with %d orders, want at least 3", tc.days, a, lo)
				}
			case Dormant, CartAbandoners:
				if lo < 2 {
					t.Errorf("%d days: %s with %d orders, want at least 2", tc.days, a, lo)
				}
			}
		}
	}
	for _, s := range []Settings{
		{Customers: 10, Days: 90},
		{Customers: 10, Days: MinDays - 1},
		{Customers: 10, Days: 89, Mix: noDormant},
	} {
		if _, err := Generate(t.Context(), t.TempDir(), s); !errors.Is(err, ErrSettings) {
			t.Errorf("Days %d (dormant weight %v): err = %v, want ErrSettings", s.Days, s.Mix[Dormant], err)
		}
	}
}

// TestKnobsTogether: all knobs at once, on a 90-day and a 365-day window,
// stay in the window, keep the labels, bound quantities and discounts, and
// are byte-identical across Workers.
func TestKnobsTogether(t *testing.T) {
	noDormant := DefaultMix()
	noDormant[Dormant] = 0
	for _, s := range []Settings{
		{Customers: 400, Seed: 43, Days: 90, Mix: noDormant, PriceScale: 0.2, QuantityMax: 300, GapScale: 1.5, NoiseShare: 0.1, Workers: 1},
		{Customers: 400, Seed: 43, Days: 365, PriceScale: 5, QuantityMax: 4, GapScale: 0.5, NoiseShare: 0.05, Workers: 1},
	} {
		sum := generateTemp(t, s)
		checkWindow(t, sum, s.Days)
		plain := s
		plain.PriceScale, plain.QuantityMax, plain.GapScale, plain.NoiseShare = 0, 0, 0, 0
		if !equalRows(t, sum.Labels, generateTemp(t, plain).Labels) {
			t.Errorf("%d days: the knobs changed the labels", s.Days)
		}
		maxQty := int32(0)
		for _, f := range sum.Files {
			for _, r := range readRows[EventRow](t, f) {
				if r.EventType == "purchase" {
					if r.Quantity < 1 || int(r.Quantity) > s.QuantityMax {
						t.Fatalf("quantity %d outside 1..%d", r.Quantity, s.QuantityMax)
					}
					maxQty = max(maxQty, r.Quantity)
					if r.Discount > r.Price*float64(r.Quantity)+1e-9 {
						t.Fatalf("discount %v over %d × %v", r.Discount, r.Quantity, r.Price)
					}
				}
			}
		}
		if s.QuantityMax > 255 && maxQty <= 255 {
			t.Errorf("QuantityMax %d: largest quantity %d", s.QuantityMax, maxQty)
		}
		s.Workers = 2
		other := generateTemp(t, s)
		fa, fb := dirFiles(t, filepath.Dir(sum.Labels)), dirFiles(t, filepath.Dir(other.Labels))
		for name, data := range fa {
			if !bytes.Equal(data, fb[name]) {
				t.Errorf("%d days, 1 vs 2 workers: %s differs", s.Days, name)
			}
		}
	}
}

// TestNoiseEventTypeUnknown: segmint's reader rejects NoiseEventType and
// reads every planted type.
func TestNoiseEventTypeUnknown(t *testing.T) {
	if typ, ok := features.ParseEventType(NoiseEventType); ok {
		t.Errorf("%q is read as event type %v, want unknown", NoiseEventType, typ)
	}
	for _, name := range kindNames {
		if _, ok := features.ParseEventType(name); !ok {
			t.Errorf("planted type %q is unknown to the reader", name)
		}
	}
}

func TestKnobSettingsErrors(t *testing.T) {
	for _, s := range []Settings{
		{Customers: 10, GapScale: -1},
		{Customers: 10, GapScale: 0.1},
		{Customers: 10, GapScale: 5},
		{Customers: 10, GapScale: math.NaN()},
		{Customers: 10, NoiseShare: -0.1},
		{Customers: 10, NoiseShare: 1.5},
		{Customers: 10, NoiseShare: math.NaN()},
	} {
		if _, err := Generate(t.Context(), t.TempDir(), s); !errors.Is(err, ErrSettings) {
			t.Errorf("%+v: err = %v, want ErrSettings", s, err)
		}
	}
}

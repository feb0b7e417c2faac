package source_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/segmint/segmint/source"
)

func TestParseEventNames(t *testing.T) {
	cases := []struct {
		spec    string
		want    map[string]string
		problem string // in the error; "" for none
	}{
		{"view=0,cart=1,purchase=2", map[string]string{"0": "view", "1": "cart", "2": "purchase"}, ""},
		{" purchase = buy , purchase=order_completed,refund=return ", map[string]string{"buy": "purchase", "order_completed": "purchase", "return": "refund"}, ""},
		{"addtocart=atc,remove_from_cart=rfc,subscribe=nl", map[string]string{"atc": "cart", "rfc": "remove_from_cart", "nl": "subscribe"}, ""},
		{"view=0,,", map[string]string{"0": "view"}, ""},
		{"bogus=1", nil, `"bogus" is not a segmint event type (one of view, cart, remove_from_cart, purchase, refund, subscribe)`},
		{"view=", nil, "the input value of view is empty"},
		{"view", nil, "want type=value"},
		{"=3", nil, `"" is not a segmint event type`},
		{"view=1,cart=1", nil, `the input value "1" is already view`},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := source.ParseEventNames(tc.spec, nil)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("err = %v, want one saying %s", err, tc.problem)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Errorf("= %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseEventNames(f *testing.F) {
	f.Add("view=0,cart=1,purchase=2")
	f.Add("=,=,")
	f.Add("purchase=a=b")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := source.ParseEventNames(s, nil)
		if err != nil {
			return
		}
		for k, v := range m {
			if k == "" || strings.TrimSpace(k) != k {
				t.Errorf("%q gave the input value %q", s, k)
			}
			if _, err := source.ParseEventNames(v+"=x", nil); err != nil {
				t.Errorf("%q gave the type %q: %v", s, v, err)
			}
		}
	})
}

// codedEvents writes a REES46-like file whose event column holds the
// integer codes given (0 view, 1 cart, 2 purchase, 7 unknown).
func codedEvents(t *testing.T, path, column string, codes arrow.Array) {
	t.Helper()
	writeArrowColumns(t, path,
		arrowCol{"event_time", stringsOf("2024-03-01 10:00:00", "2024-03-01 10:01:00", "2024-03-01 10:02:00", "2024-03-01 10:03:00", "2024-03-02 10:00:00")},
		arrowCol{column, codes},
		arrowCol{"user_id", int64s(1, 1, 1, 1, 2)},
		arrowCol{"price", float64s([]float64{5, 5, 5, 5, 3}, nil)},
	)
}

// TestIntegerEventCodes: an integer event_type column is read through
// the event names given (its values as decimal strings), in Parquet of
// any integer width and in CSV; without event names it is refused with an
// error that says how to name them.
func TestIntegerEventCodes(t *testing.T) {
	dir := t.TempDir()
	names, err := source.ParseEventNames("view=0,cart=1,purchase=2", nil)
	if err != nil {
		t.Fatal(err)
	}
	layout := source.Layout{}.WithEventNames(names)
	csvPath := filepath.Join(dir, "coded.csv")
	os.WriteFile(csvPath, []byte("event_time,event_type,user_id,price\n"+
		"2024-03-01 10:00:00,0,1,5\n2024-03-01 10:01:00,1,1,5\n2024-03-01 10:02:00,2,1,5\n2024-03-01 10:03:00,7,1,5\n2024-03-02 10:00:00,2,2,3\n"), 0o644)
	inputs := map[string]string{"csv": csvPath}
	for name, codes := range map[string]arrow.Array{"int64": int64s(0, 1, 2, 7, 2), "int32": int32s(0, 1, 2, 7, 2)} {
		inputs[name] = filepath.Join(dir, name+".parquet")
		codedEvents(t, inputs[name], "event_type", codes)
	}
	for name, path := range inputs {
		t.Run(name, func(t *testing.T) {
			tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, MaxRejectedShare: 1})
			if err != nil {
				t.Fatal(err)
			}
			if rep.ByType["view"] != 1 || rep.ByType["cart"] != 1 || rep.ByType["purchase"] != 2 || rep.Skipped[source.SkipUnknownType] != 1 {
				t.Errorf("by type %v skipped %v: want 1 view, 1 cart, 2 purchases, code 7 unknown", rep.ByType, rep.Skipped)
			}
			if got := customerValues(t, tbl, "total_spend"); got[1] != 5 || got[2] != 3 {
				t.Errorf("spend %v, want 5 and 3", got)
			}
			_, _, err = source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{})
			if name == "csv" {
				// CSV holds the codes as text: every row is skipped, with
				// the reason saying how to read them.
				var re *source.RejectedError
				if !errors.As(err, &re) || re.Skipped[source.SkipEventCode] != 5 || !strings.Contains(source.SkipEventCode, "--event-names") {
					t.Errorf("without event names: err = %v, want every row skipped as %q", err, source.SkipEventCode)
				}
				return
			}
			var ce *source.ColumnError
			if !errors.As(err, &ce) || ce.Column != "event_type" || !strings.Contains(ce.Problem, "--event-names view=0,cart=1,purchase=2") {
				t.Errorf("without event names: err = %v, want a ColumnError that names --event-names", err)
			}
		})
	}
}

// TestEventNamesOverPreset: names given are laid over a preset's; the
// values they do not name are read as the preset reads them.
func TestEventNamesOverPreset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.parquet")
	writeArrowColumns(t, path,
		arrowCol{"event_time", stringsOf("2024-03-01 10:00:00", "2024-03-01 10:01:00", "2024-03-01 10:02:00", "2024-03-01 10:03:00")},
		arrowCol{"event_type", stringsOf("view", "buy", "order_completed", "cart")},
		arrowCol{"user_id", int64s(1, 1, 1, 1)},
		arrowCol{"price", float64s([]float64{5, 5, 5, 5}, nil)},
	)
	names, err := source.ParseEventNames("purchase=buy,purchase=order_completed", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: source.Layout{}.WithEventNames(names)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ByType["view"] != 1 || rep.ByType["cart"] != 1 || rep.ByType["purchase"] != 2 || len(rep.Skipped) != 0 {
		t.Errorf("by type %v skipped %v: want buy and order_completed as purchases beside view and cart", rep.ByType, rep.Skipped)
	}
	// The preset's own names are not changed by a layout made from it.
	seg, _ := source.Preset("segment")
	over := seg.WithEventNames(map[string]string{"Checkout Started": "cart"})
	if _, ok := seg.EventNames["Checkout Started"]; ok || over.EventNames["Order Completed"] != "purchase" {
		t.Errorf("WithEventNames changed the preset's map or lost its names: %v", over.EventNames)
	}
}

// TestRetailRocketCodedEvents: a Retail Rocket copy with the event column
// coded 0/1/2 is read as view, addtocart, transaction; a copy coded
// otherwise is read with the codes named over the preset's.
func TestRetailRocketCodedEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.parquet")
	writeArrowColumns(t, path,
		arrowCol{"timestamp", int64s(1433221332117, 1433221999827, 1433222147345, 1433222147345, 1433224214164)},
		arrowCol{"visitorid", int64s(257597, 111016, 111016, 111016, 992329)},
		arrowCol{"event", int64s(0, 1, 2, 2, 0)},
		arrowCol{"itemid", int64s(355908, 318965, 318965, 12345, 248676)},
		arrowCol{"transactionid", float64s([]float64{0, 0, 4000, 4000, 0}, []bool{false, false, true, true, false})},
	)
	layout, err := source.Preset("retailrocket")
	if err != nil {
		t.Fatal(err)
	}
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ByType["view"] != 2 || rep.ByType["cart"] != 1 || rep.ByType["purchase"] != 2 || len(rep.Skipped) != 0 {
		t.Errorf("by type %v skipped %v: want 2 views, 1 cart add, 2 purchase rows", rep.ByType, rep.Skipped)
	}
	if got := customerValues(t, tbl, "orders")[111016]; got != 1 {
		t.Errorf("customer 111016 orders %v, want 1 (transaction 4000)", got)
	}
	// A copy coded 0 view, 1 transaction, 2 addtocart.
	names, _ := source.ParseEventNames("purchase=1,cart=2", nil)
	_, rep, err = source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout.WithEventNames(names)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ByType["view"] != 2 || rep.ByType["cart"] != 2 || rep.ByType["purchase"] != 1 {
		t.Errorf("recoded: by type %v, want 2 views, 2 cart adds, 1 purchase", rep.ByType)
	}
}

package source_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/source"
)

// TestSegmentPreset writes a small warehoused Segment tracks table and
// reads it with only the segment preset: spec event names, order_id,
// coupon and price x quantity.
func TestSegmentPreset(t *testing.T) {
	at := func(day, hour int) int64 {
		return time.Date(2024, 3, day, hour, 0, 0, 0, time.UTC).UnixMicro()
	}
	path := filepath.Join(t.TempDir(), "tracks.parquet")
	writeEvents(t, path, []output.Column{
		{Name: "timestamp", Timestamp: []int64{at(1, 9), at(1, 10), at(1, 11), at(2, 9), at(5, 9), at(3, 9), at(3, 10), at(3, 11), at(3, 12)}},
		{Name: "event", String: []string{"Product Viewed", "Product Added", "Order Completed", "order_completed", "Order Refunded", "Product Viewed", "Product Added", "Product Removed", "Checkout Started"}},
		{Name: "user_id", String: []string{"u-1", "u-1", "u-1", "u-1", "u-1", "u-2", "u-2", "u-2", "u-2"}},
		{Name: "product_id", String: []string{"sku-1", "sku-1", "sku-1", "sku-2", "sku-1", "sku-3", "sku-3", "sku-3", ""}, NullEmpty: true},
		{Name: "order_id", String: []string{"", "", "A", "B", "A", "", "", "", ""}, NullEmpty: true},
		{Name: "price", Float64: []float64{10, 10, 10, 5, 10, 7, 7, 7, 0}},
		{Name: "quantity", Int64: []int64{1, 1, 2, 1, 2, 1, 1, 1, 1}},
		{Name: "coupon", String: []string{"", "", "SAVE", "", "", "", "", "", ""}, NullEmpty: true},
	})
	layout, err := source.Preset("segment")
	if err != nil {
		t.Fatal(err)
	}
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 8 || rep.Skipped[source.SkipOtherEvent] != 1 || len(rep.Skipped) != 1 {
		t.Errorf("events %d, skipped %v: want 8 events and 1 other event (Checkout Started)", rep.Events, rep.Skipped)
	}
	if tbl.IDKind != features.IDString {
		t.Errorf("customer ids are %v, want strings", tbl.IDKind)
	}
	want := map[string]map[string]float64{
		// Order A: 2 x 10 with a coupon, refunded; order B: 1 x 5.
		"u-1": {"orders": 2, "total_spend": 25, "cart_adds": 1, "coupon_ratio": 0.5},
		// A view, a cart add removed again, no orders.
		"u-2": {"orders": 0, "total_spend": 0, "cart_adds": 1},
	}
	if len(tbl.Customers) != len(want) {
		t.Fatalf("customers %v, want u-1 and u-2", tbl.IDs)
	}
	for name := range want["u-1"] {
		col := tbl.Column(name)
		if col == nil {
			t.Errorf("%s not computed", name)
			continue
		}
		for i := range tbl.Customers {
			id := tbl.ID(i)
			wc, ok := want[id]
			if !ok {
				t.Fatalf("customer %q not in the input", id)
			}
			if w, ok := wc[name]; ok && math.Abs(col[i]-w) > 1e-9 {
				t.Errorf("customer %s %s = %v, want %v", id, name, col[i], w)
			}
		}
	}
	if rep.ByType["refund"] != 1 || rep.ByType["remove_from_cart"] != 1 {
		t.Errorf("events by type %v: want one refund and one removal", rep.ByType)
	}
}

// TestSegmentPresetBadColumn: an event column that is not a string names
// the file and the column.
func TestSegmentPresetBadColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracks.parquet")
	writeEvents(t, path, []output.Column{
		{Name: "timestamp", Timestamp: []int64{1}},
		{Name: "event", Int64: []int64{3}},
		{Name: "user_id", Int64: []int64{1}},
	})
	layout, _ := source.Preset("segment")
	_, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout})
	var ce *source.ColumnError
	if !errors.As(err, &ce) || ce.File != path || ce.Column != "event" {
		t.Fatalf("err = %v, want a ColumnError naming %s and column event", err, path)
	}
}

// TestSegmentPresetStringIDs: Segment's user_id is a string, kept as one.
func TestSegmentPresetStringIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracks.parquet")
	writeEvents(t, path, []output.Column{
		{Name: "timestamp", Timestamp: []int64{1_700_000_000_000_000, 1_700_000_001_000_000, 1_700_000_002_000_000}},
		{Name: "event_text", String: []string{"Product Added", "Order Completed", "Order Completed"}},
		{Name: "user_id", String: []string{"u-1", "u-1", "u-2"}},
		{Name: "order_id", String: []string{"", "A", "B"}, NullEmpty: true},
		{Name: "price", Float64: []float64{10, 10, 5}},
		{Name: "quantity", Int64: []int64{1, 2, 1}},
	})
	layout, _ := source.Preset("segment")
	tbl, rep, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{Layout: layout, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Customers) != 2 || rep.Events != 3 {
		t.Fatalf("customers %d events %d, want 2 and 3", len(tbl.Customers), rep.Events)
	}
	if tbl.IDKind != features.IDString || !slices.Equal(tbl.IDs, []string{"u-1", "u-2"}) {
		t.Errorf("ids %v %q, want the strings u-1 and u-2", tbl.IDKind, tbl.IDs)
	}
	var spend, orders float64
	for i := range tbl.Customers {
		spend += tbl.Column("total_spend")[i]
		orders += tbl.Column("orders")[i]
	}
	if spend != 25 || orders != 2 {
		t.Errorf("total spend %v orders %v, want 25 and 2", spend, orders)
	}
}

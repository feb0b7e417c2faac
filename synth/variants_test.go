package synth

import (
	"errors"
	"math"
	"testing"
)

// TestPriceScale: every price and discount is the default run's times the
// scale (to the cent), row for row; nothing else changes.
func TestPriceScale(t *testing.T) {
	base := Settings{Customers: 400, Seed: 13}
	for _, scale := range []float64{0.2, 5} {
		scaled := base
		scaled.PriceScale = scale
		a, b := generateTemp(t, base), generateTemp(t, scaled)
		if a.Events != b.Events || len(a.Files) != len(b.Files) {
			t.Fatalf("×%g: %d events in %d files, default %d in %d", scale, b.Events, len(b.Files), a.Events, len(a.Files))
		}
		var priced int
		for i := range a.Files {
			ra, rb := readRows[EventRow](t, a.Files[i]), readRows[EventRow](t, b.Files[i])
			for j := range ra {
				x, y := ra[j], rb[j]
				if math.Abs(y.Price-math.Max(0.01, math.Round(x.Price*scale*100)/100)) > 1e-9 && x.Price != 0 {
					t.Fatalf("×%g row %d: price %v, default %v", scale, j, y.Price, x.Price)
				}
				if x.Discount != 0 && math.Abs(y.Discount-math.Max(0.01, math.Round(x.Discount*scale*100)/100)) > 1e-9 {
					t.Fatalf("×%g row %d: discount %v, default %v", scale, j, y.Discount, x.Discount)
				}
				x.Price, x.Discount, y.Price, y.Discount = 0, 0, 0, 0
				if x != y {
					t.Fatalf("×%g row %d differs beyond price: %+v vs %+v", scale, j, y, x)
				}
				if ra[j].Price > 0 {
					priced++
				}
			}
		}
		if priced == 0 {
			t.Fatal("no priced rows")
		}
	}
}

// TestQuantityMax: purchase quantities cover 1..QuantityMax uniformly,
// refunds repeat their purchase's quantity, discounts keep their rate.
func TestQuantityMax(t *testing.T) {
	const qmax = 6
	base := Settings{Customers: 500, Seed: 17}
	varied := base
	varied.QuantityMax = qmax
	a, b := generateTemp(t, base), generateTemp(t, varied)
	count := make([]int, qmax+1)
	type line struct {
		order   string
		product int64
	}
	bought := map[line]int32{}
	var refunds []EventRow
	for i := range b.Files {
		ra, rb := readRows[EventRow](t, a.Files[i]), readRows[EventRow](t, b.Files[i])
		for j, r := range rb {
			switch r.EventType {
			case "purchase":
				if r.Quantity < 1 || r.Quantity > qmax {
					t.Fatalf("purchase quantity %d outside 1..%d", r.Quantity, qmax)
				}
				count[r.Quantity]++
				bought[line{r.OrderID, r.ProductID}] = r.Quantity
				if d := ra[j].Discount; d > 0 {
					want := d * float64(r.Quantity) / float64(ra[j].Quantity)
					if math.Abs(r.Discount-want) > 0.006 || r.Discount > r.Price*float64(r.Quantity) {
						t.Fatalf("discount %v for %d units at %v; default %v for %d", r.Discount, r.Quantity, r.Price, d, ra[j].Quantity)
					}
				}
			case "refund":
				refunds = append(refunds, r)
			default:
				if r.Quantity != ra[j].Quantity {
					t.Fatalf("%s row's quantity changed: %d, default %d", r.EventType, r.Quantity, ra[j].Quantity)
				}
			}
		}
	}
	var total int
	for _, n := range count[1:] {
		total += n
	}
	for q := 1; q <= qmax; q++ {
		if share := float64(count[q]) / float64(total); share < 0.12 || share > 0.21 {
			t.Errorf("quantity %d: %.3f of %d purchase lines, want about 1/%d", q, share, total, qmax)
		}
	}
	if len(refunds) == 0 {
		t.Fatal("no refunds")
	}
	for _, r := range refunds {
		if q, ok := bought[line{r.OrderID, r.ProductID}]; ok && q != r.Quantity {
			t.Fatalf("refund of %d units for a purchase of %d (order %s)", r.Quantity, q, r.OrderID)
		}
	}
}

func TestVariantSettingsErrors(t *testing.T) {
	for _, s := range []Settings{
		{Customers: 10, PriceScale: -1},
		{Customers: 10, PriceScale: math.Inf(1)},
		{Customers: 10, QuantityMax: -2},
	} {
		if _, err := Generate(t.Context(), t.TempDir(), s); !errors.Is(err, ErrSettings) {
			t.Errorf("%+v: err = %v, want ErrSettings", s, err)
		}
	}
}

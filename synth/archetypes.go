package synth

import "math"

// archetypeRules holds the generative rules of each archetype; doc.go
// describes them in words. Day offsets d run from 0 (Start) to W (as-of);
// "d days before as-of" is the offset W-d.
//
// Settings.GapScale enters through g.scaled (a gap of a rhythm) and
// g.stretch (the span of a history ending at as-of); both are the
// identity at GapScale 1, so the default rules are exactly as written.
//
// Short windows: Days may go down to MinDaysWithoutDormant (90) when the
// Mix gives dormant no weight. dormant cannot fit in fewer than MinDays
// (120) days. In windows under 120 days some ranges below reach past the
// window and, as everywhere, g.at clamps a visit to the window's first or
// last day: active's first visit (45-100 days before as-of) falls on day 0
// when the window is shorter than the draw; indecisive_prospects' start
// U(0,120) and newsletter_subscribers' U(0,100) can lie past as-of, and
// such a customer's visits are then all on the window's last day.
var archetypeRules = [numArchetypes]func(g *generator){
	archTopSpenders:           topSpenders,
	archHero:                  hero,
	archLoyal:                 loyal,
	archActive:                active,
	archNewCustomers:          newCustomers,
	archOneTimeBuyers:         oneTimeBuyers,
	archCouponCustomers:       couponCustomers,
	archThrifty:               thrifty,
	archTrendFollowers:        trendFollowers,
	archCartAbandoners:        cartAbandoners,
	archIndecisiveProspects:   indecisiveProspects,
	archCuriousProspects:      curiousProspects,
	archLeads:                 leads,
	archNewsletterSubscribers: newsletterSubscribers,
	archAtRisk:                atRisk,
	archDormant:               dormant,
	archNegativeExperience:    negativeExperience,
	archComparisonShoppers:    comparisonShoppers,
}

func topSpenders(g *generator) {
	W := g.W()
	g.favourites(g.intn(1, 3), g.cat.luxury)
	g.focus = 0.9
	g.bias = 5
	g.multiQty = 0.1
	s := g.stretch(g.uniform(0, W-10), W)
	n := 1
	if u := g.rng.Float64(); u < 0.2 {
		n = 3
	} else if u < 0.55 {
		n = 2
	}
	for k, d := range g.days(n, s, W) {
		for range g.intn(0, 2) {
			g.browse(math.Max(s, d-g.scaled(g.uniform(0, 10))), g.views(5))
		}
		items := g.intn(2, 4)
		if k == 0 {
			items = g.intn(3, 5) // the first basket is always a large one
		}
		// Orders stay in the luxury favourites: what makes a top spender
		// is the spend, so no basket falls into a cheap category.
		g.focus = 1
		g.buy(d, g.views(5), items)
		g.focus = 0.9
	}
	g.background(0.8, s, W)
	g.maybeSubscribe(bgSubscribe, s, W)
}

func hero(g *generator) {
	W := g.W()
	// Heroes are the key customers by value: their favourites are
	// everyday and premium categories, never the cheap consumables alone.
	g.favourites(g.intn(3, 6), g.cat.valued)
	g.bias = 2
	s := g.stretch(g.uniform(0, 30), W)
	n := g.intn(15, 28)
	orders := g.days(n, s, W)
	orders[n-1] = W - g.uniform(0, 5) // the latest order is recent
	for _, d := range orders {
		g.buy(d, g.views(3), g.intn(1, 4))
	}
	browses := int(math.Round(float64(n) * g.uniform(0.6, 1.2)))
	for _, d := range g.days(browses, s, W) {
		g.browse(d, g.views(3))
	}
	g.browse(W-g.uniform(0, 3), g.views(3))
	for range g.intn(0, 3) {
		g.abandon(g.uniform(s, W), g.views(4), 1)
	}
	g.maybeSubscribe(0.2, s, W)
}

func loyal(g *generator) {
	W := g.W()
	g.favourites(g.intn(2, 4), g.cat.everyday)
	g.focus = 0.8
	g.bias = -2
	n := g.intn(8, 15)
	s := g.uniform(0, 40)
	gap := (W - s) / (float64(n-1) + g.uniform(0.3, 0.9))
	stretched := g.cfg.gapScale != 1
	if stretched {
		// The rhythm keeps its place relative to as-of (the latest order
		// 0.3-0.9 gaps before it) and its gap scales; orders that would
		// fall before Start are dropped, so a longer gap means fewer
		// orders in the window.
		s = W - g.cfg.gapScale*(W-s)
		gap = g.scaled(gap)
	}
	for k := range n {
		d := s + float64(k)*gap + g.uniform(-0.12, 0.12)*gap
		if stretched && s+float64(k)*gap < 0 {
			continue
		}
		d = math.Min(math.Max(d, 0), W-0.1)
		g.buy(d, g.views(3), g.items(2))
		g.background(0.5, d, math.Min(d+gap, W))
	}
	g.maybeSubscribe(0.2, math.Max(s, 0), W)
}

func active(g *generator) {
	W := g.W()
	s := W - g.uniform(45, 100)
	g.browse(s, g.views(5))
	k := g.intn(7, 14)
	// GapScale stretches the span of the recent visits (the last 60 days),
	// not the first visit's place.
	days := g.days(k, math.Max(s, W-g.scaled(60)), W)
	days[k-1] = W - g.uniform(0, 5)
	buys := g.intn(2, 5)
	for i, d := range days {
		switch {
		case i%(k/buys) == 0 && i/(k/buys) < buys:
			g.buy(d, g.views(5), g.items(3))
		case g.chance(0.1):
			// An ordinary rate: abandoning most carts is another
			// segment's defining behaviour (cart abandoners).
			g.abandon(d, g.views(5), 1)
		default:
			g.browse(d, g.views(5))
		}
	}
	g.maybeSubscribe(bgSubscribe, s, W)
}

// newCustomers, oneTimeBuyers, curiousProspects and leads ignore
// GapScale: they have at most one order, and their visits lie in windows
// that define them (the last 30 or 21 days, before or after the one
// order), not in a rhythm.
func newCustomers(g *generator) {
	W := g.W()
	f := W - g.uniform(0.5, 30)
	k := g.intn(1, 3)
	buyAt := 0
	if k > 1 && g.chance(0.4) {
		buyAt = g.intn(1, k-1)
	}
	days := g.days(k-1, f, W)
	for i := range k {
		d := f
		if i > 0 {
			d = days[i-1]
		}
		if i == buyAt {
			g.buy(d, g.views(5), g.items(3))
		} else {
			g.browse(d, g.views(4))
		}
	}
	g.maybeSubscribe(0.08, f, W)
}

func oneTimeBuyers(g *generator) {
	W := g.W()
	// "Low value at first sight": the one order is an ordinary, cheap one.
	// A single large basket of expensive goods is a top spender's
	// behaviour (who "may have bought once").
	g.bias = -2
	s := g.uniform(0, W-75)
	o := g.uniform(s, W-60)
	for range g.intn(0, 2) {
		g.browse(g.uniform(s, o), g.views(4))
	}
	g.buy(o, g.views(5), g.items(3))
	if g.chance(0.5) {
		for range g.intn(1, 2) {
			g.browse(g.uniform(o+1, W), g.intn(1, 4))
		}
	}
	g.maybeSubscribe(bgSubscribe, s, o+1)
}

func couponCustomers(g *generator) {
	W := g.W()
	g.coupon = g.uniform(0.85, 1)
	s := g.stretch(g.uniform(0, 60), W)
	n := g.intn(3, 8)
	for _, d := range g.days(n, s, W) {
		if g.chance(0.5) {
			g.browse(math.Max(s, d-g.scaled(g.uniform(0, 5))), g.views(4))
		}
		g.buy(d, g.views(5), g.items(3))
	}
	for range g.poisson(0.8) {
		g.abandon(g.uniform(s, W), g.views(4), 1)
	}
	g.background(1, s, W)
	g.maybeSubscribe(0.15, s, W)
}

func thrifty(g *generator) {
	W := g.W()
	g.favourites(g.intn(1, 2), g.cat.consumable)
	g.focus = 0.95
	g.bias = -3
	g.multiQty = 0.15
	g.reviews = 0.1
	gap := g.scaled(g.uniform(30, 45))
	for d := g.uniform(0, gap); d < W-0.5; d += gap * g.uniform(0.9, 1.1) {
		g.buy(d, g.intn(1, 4), 1)
	}
	g.background(0.5, 0, W)
	g.maybeSubscribe(bgSubscribe, 0, W)
}

func trendFollowers(g *generator) {
	W := g.W()
	g.favourites(g.intn(3, 6), nil)
	g.trend = g.uniform(0.75, 0.95)
	s := g.uniform(0, 40)
	meanGap := g.scaled(g.uniform(6, 10))
	buyShare := g.uniform(0.2, 0.4)
	orders := 0
	for d := s; d < W; d += -meanGap * math.Log(1-g.rng.Float64()) {
		if g.chance(buyShare) {
			g.buy(d, g.views(3), g.items(2))
			orders++
		} else {
			g.browse(d, g.views(3))
		}
	}
	for ; orders < 3; orders++ {
		g.buy(g.uniform(math.Max(s, 10), W), g.views(4), g.items(2))
	}
	g.maybeSubscribe(bgSubscribe, s, W)
}

func cartAbandoners(g *generator) {
	W := g.W()
	s := g.stretch(g.uniform(0, 90), W)
	for _, d := range g.days(g.intn(2, 4), s, W) {
		g.buy(d, g.views(5), g.items(2))
	}
	// Abandoned carts gather in the categories of interest.
	interest := g.favs[0]
	for range g.intn(3, 7) {
		v := visit{kind: visitAbandon, views: g.views(4), items: g.intn(1, 3), cat: -1}
		if g.chance(0.7) {
			v.cat = interest
		}
		if v.items > 1 && g.chance(0.3) {
			v.removes = 1
		}
		g.session(g.at(g.uniform(s, W)), v)
	}
	g.background(1, s, W)
	g.maybeSubscribe(bgSubscribe, s, W)
}

func indecisiveProspects(g *generator) {
	W := g.W()
	s := g.stretch(g.uniform(0, 120), W)
	for _, d := range g.days(g.intn(8, 15), s, W) {
		if g.chance(0.6) {
			g.abandon(d, g.views(5), g.intn(1, 3))
		} else {
			g.browse(d, g.views(5))
		}
	}
	g.maybeSubscribe(0.03, s, W)
}

func curiousProspects(g *generator) {
	W := g.W()
	g.favourites(1, nil)
	g.focus = 1
	g.reviews = 0.6
	for _, d := range g.days(g.intn(1, 2), W-21, W) {
		g.browse(d, g.intn(2, 6))
	}
}

func leads(g *generator) {
	W := g.W()
	sd := g.uniform(0, W)
	g.session(g.at(sd), visit{kind: visitBrowse, views: g.intn(0, 2), subscribe: true, cat: -1})
	for range g.intn(0, 2) {
		g.browse(g.uniform(math.Max(0, sd-30), W), g.intn(1, 3))
	}
	if g.chance(0.1) {
		g.abandon(g.uniform(sd, W), g.intn(1, 3), 1)
	}
}

func newsletterSubscribers(g *generator) {
	W := g.W()
	s := g.stretch(g.uniform(0, 100), W)
	g.session(g.at(s), visit{kind: visitBrowse, views: g.views(3), subscribe: true, cat: -1})
	for _, d := range g.days(g.intn(2, 6), s+0.5, W) {
		g.buy(d, g.views(5), g.items(3))
	}
	g.background(1.5, s, W)
}

// atRiskMaxRecency bounds an at-risk customer's days since the last order
// (which at() may round up by less than a day): dormant starts at 90.
const atRiskMaxRecency = 88

func atRisk(g *generator) {
	W := g.W()
	gap := g.scaled(g.uniform(10, 25))
	// The last order is r*G before as-of with r in U(2,3), under 90 days
	// (not yet dormant). With the default gaps (at most 25 days) the cap
	// never binds; with GapScale r is drawn in U(2, min(3, 88/G)), which
	// keeps r >= 2 for gaps up to 44 days (GapScale <= 1.76). A longer
	// regular gap cannot be twice overdue within 90 days: at_risk cannot
	// be planted as defined there, and r falls below 2.
	rmax := 3.0
	if g.cfg.gapScale != 1 {
		rmax = min(rmax, atRiskMaxRecency/gap)
	}
	last := W - g.uniform(2, rmax)*gap
	n := min(g.intn(4, 8), int((last-1)/gap)+1)
	if n < 3 {
		n, gap = 3, (last-1)/2
	}
	for k := range n {
		d := last - float64(k)*gap
		if k > 0 {
			d += g.uniform(-0.1, 0.1) * gap
		}
		g.buy(d, g.views(5), g.items(2))
	}
	first := last - float64(n-1)*gap
	g.background(0.7*float64(n-1), first, last)
	if g.chance(0.3) {
		g.browse(g.uniform(last+1, W), g.intn(1, 3))
	}
	g.maybeSubscribe(bgSubscribe, first, last)
}

// dormant needs a window of at least MinDays (120): its cut-off is 90-150
// days before as-of (90 to W-30 days in windows under 180 days), after a
// buying history. resolve refuses shorter windows while dormant has
// weight.
func dormant(g *generator) {
	W := g.W()
	cut := math.Floor(W - 90 - g.uniform(0, math.Min(60, W-120)))
	g.limit = int64(cut) * day
	n := g.intn(2, 5)
	last := cut - g.uniform(0.5, 15)
	// GapScale scales the gaps between orders; the cut-off keeps its
	// place, and the existing cap keeps the orders after Start.
	gap := math.Min(g.scaled(g.uniform(7, 30)), last/float64(n))
	for k := range n {
		d := last - float64(k)*gap
		if k > 0 {
			d += g.uniform(-0.1, 0.1) * gap
		}
		g.buy(math.Max(d, 0), g.views(5), g.items(2))
	}
	first := math.Max(0, last-float64(n)*gap)
	g.background(1, first, cut)
	g.maybeSubscribe(bgSubscribe, first, cut)
}

func negativeExperience(g *generator) {
	W := g.W()
	g.refund = g.uniform(0.4, 0.8)
	s := g.stretch(g.uniform(0, 80), W-3)
	first := len(g.out)
	for _, d := range g.days(g.intn(3, 7), s, W-3) {
		g.buy(d, g.views(5), g.items(3))
	}
	// At least one refund, on the first item bought.
	if g.refunded == 0 {
		for k := first; k < len(g.out); k++ {
			e := g.out[k]
			if e.kind != kindPurchase {
				continue
			}
			rt := min(int64(e.t)+int64(g.uniform(2, 3)*day), g.limit-1)
			g.sessions++
			g.refunded++
			if r := g.emit(rt, kindRefund, e.product, g.sessions, e.order); r != nil {
				r.qty = e.qty
			}
			break
		}
	}
	g.background(1.5, s, W)
	g.maybeSubscribe(bgSubscribe, s, W)
}

// comparisonShoppers is the unlisted archetype (ComparisonShoppers): no
// catalogue segment names its behaviour. They research at length: 12-24
// visits of many product views each (about 12) in one to three everyday or
// premium favourite categories, and 3-5 orders of 1-2 items, at ordinary
// to slightly high prices, placed at irregular times; they put in the cart
// only what they buy (no abandoned carts), never subscribe, and were last
// seen 15-45 days before as-of. So they meet almost no rule: not active (not
// seen in the last 14 days), not loyal (few orders), not prospects (they
// buy), not cart abandoners, not top spenders (ordinary spend).
func comparisonShoppers(g *generator) {
	W := g.W()
	g.favourites(g.intn(1, 3), g.cat.valued)
	g.focus = 0.9
	g.bias = 1
	last := W - g.uniform(15, 45)
	s := g.stretch(g.uniform(0, 40), last)
	for _, d := range g.days(g.intn(3, 5), s, last) {
		g.buy(d, g.views(12), g.items(2))
	}
	for _, d := range g.days(g.intn(12, 24), s, last) {
		g.browse(d, g.views(12))
	}
	g.browse(last, g.views(12))
}

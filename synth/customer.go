package synth

import (
	"math"
	"math/rand/v2"
	"slices"
)

// eventKind is the event_type of a row.
type eventKind uint8

const (
	kindView eventKind = iota
	kindCart
	kindRemove
	kindPurchase
	kindRefund
	kindSubscribe
)

var kindNames = [...]string{"view", "cart", "remove_from_cart", "purchase", "refund", "subscribe"}

// kindNoise is the kind of NoiseShare's unknown-type rows, written as
// NoiseEventType; it is not in kindNames, the planted types.
const kindNoise eventKind = eventKind(len(kindNames))

// kindName is the event_type written for kind k.
func kindName(k eventKind) string {
	if k == kindNoise {
		return NoiseEventType
	}
	return kindNames[k]
}

// event is the compact in-memory form of one row; strings are made only
// when the row is written.
type event struct {
	price    float64 // unit price
	discount float64 // money discounted on the row; 0 = null
	t        uint32  // seconds since Start
	customer uint32  // customer index
	product  int32   // catalogue index; -1 for subscribe rows
	session  uint32  // per-customer visit number, from 1
	order    uint32  // per-customer order number, from 1; 0 = none
	kind     eventKind
	qty      uint8
	coupon   uint8 // 1 + index into couponCodes; 0 = none
	country  uint8 // index into countries
}

// couponCodes and their discount rates.
var couponCodes = [...]struct {
	code string
	rate float64
}{
	{"WELCOME10", 0.10}, {"SAVE15", 0.15}, {"SPRING20", 0.20},
	{"FLASH25", 0.25}, {"VIP30", 0.30}, {"SHIP5", 0.05},
}

// countries and their share of customers.
var countries = [...]struct {
	code   string
	weight float64
}{
	{"US", 30}, {"DE", 12}, {"GB", 11}, {"FR", 9}, {"PL", 8},
	{"RO", 7}, {"KR", 7}, {"IT", 6}, {"ES", 5}, {"NL", 5},
}

// hourWeights is the diurnal profile of session starts (UTC hour).
var hourWeights = [24]float64{
	1.0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.2, 2.8, 3.2, 3.4,
	3.6, 3.5, 3.4, 3.4, 3.5, 3.8, 4.3, 4.8, 5.0, 4.6, 3.4, 2.0,
}

var hourCum, countryCum = cumulative(hourWeights[:]), countryWeights()

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	var run float64
	for i, x := range w {
		run += x
		out[i] = run
	}
	return out
}

func countryWeights() []float64 {
	w := make([]float64, len(countries))
	for i, c := range countries {
		w[i] = c.weight
	}
	return cumulative(w)
}

// drawCum maps u in [0,1) to an index of the cumulative weights cum.
func drawCum(cum []float64, u float64) int {
	i, _ := slices.BinarySearch(cum, u*cum[len(cum)-1])
	if i >= len(cum) {
		i = len(cum) - 1
	}
	// Skip zero-weight entries that tie with their predecessor.
	for i < len(cum)-1 && (i == 0 && cum[0] == 0 || i > 0 && cum[i] == cum[i-1]) {
		i++
	}
	return i
}

// Behaviour constants shared by all archetypes.
const (
	establishedAge = 21 * day // others buy only products at least this old
	trendAge       = 5 * day  // trend followers buy products at most this old
	trendViewAge   = 7 * day
	recentViewAge  = 14 * day // "new arrivals" shown to everyone
	newArrivalView = 0.08     // share of everyone's views on new arrivals
	bgCoupon       = 0.05     // share of ordinary orders with a coupon
	bgRefund       = 0.02     // share of ordinary items refunded
	bgSubscribe    = 0.04     // share of ordinary buyers who subscribed
)

// generator makes the events of one customer at a time. Each worker owns
// one; it is re-seeded per customer, so a customer's events depend only
// on Seed and the customer index.
type generator struct {
	cfg *config
	cat *catalogue
	// rng draws the structure of a customer (archetype, visits, their
	// times and kinds, orders, items, coupons, refunds); vrng draws the
	// content of visits (views, products, gaps, quantities). Scale changes
	// only how much of vrng is consumed, so scaled data sets keep the same
	// customers, visits and orders.
	pcg, vpcg rand.PCG
	rng, vrng *rand.Rand
	out       []event

	// Per-customer state.
	cust     uint32
	arch     archetype
	country  uint8
	limit    int64 // every event is strictly before this instant (seconds)
	sessions uint32
	orders   uint32
	favs     []int16
	favCum   []float64
	focus    float64 // share of sessions in a favourite category
	bias     int     // price bias of product draws, see catalogue.pickPriced
	coupon   float64 // share of orders with a coupon
	refund   float64 // share of bought items refunded
	trend    float64 // share of purchases that are new products (trend followers)
	reviews  float64 // share of views that revisit the previous product
	multiQty float64 // chance of quantity > 1 on cheap items
	viewed   []int32
	cart     []int32
	refunded int // refunds drawn, whether or not the layout writes them
}

func newGenerator(cfg *config, cat *catalogue) *generator {
	g := &generator{cfg: cfg, cat: cat}
	g.rng = rand.New(&g.pcg)
	g.vrng = rand.New(&g.vpcg)
	return g
}

// splitmix64 is a bijective 64-bit mixer.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// customerSeed derives the PCG state of customer i.
func customerSeed(seed uint64, i uint32) (uint64, uint64) {
	return splitmix64(seed ^ 0xc057_0e12), splitmix64(uint64(i) ^ splitmix64(seed))
}

// customer appends the events of customer i to g.out, in generation
// order (visit by visit, not time order), and returns its archetype.
func (g *generator) customer(i uint32) archetype {
	a, b := customerSeed(g.cfg.Seed, i)
	g.pcg.Seed(a, b)
	g.vpcg.Seed(splitmix64(a^0x7e57), b)
	g.cust = i
	g.arch = archetype(drawCum(g.cfg.mixCum, g.rng.Float64()))
	g.country = uint8(drawCum(countryCum, g.rng.Float64()))
	g.limit = g.cfg.window
	g.sessions, g.orders = 0, 0
	g.focus = 0.75
	g.bias = 0
	g.coupon = bgCoupon
	g.refund = bgRefund
	g.trend = 0
	g.reviews = 0.2
	g.multiQty = 0.2
	g.refunded = 0
	g.favourites(g.intn(2, 5), nil)
	archetypeRules[g.arch](g)
	return g.arch
}

// Random helpers.

func (g *generator) uniform(a, b float64) float64 { return a + (b-a)*g.rng.Float64() }

// intn returns an integer in [a, b].
func (g *generator) intn(a, b int) int { return a + g.rng.IntN(b-a+1) }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// poisson draws a Poisson count with the given mean (small means only).
func (g *generator) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	l := math.Exp(-mean)
	k, p := 0, g.rng.Float64()
	for p > l {
		k++
		p *= g.rng.Float64()
	}
	return k
}

// vround rounds x stochastically with vrng, so that scaled counts keep
// their mean.
func (g *generator) vround(x float64) int {
	f := math.Floor(x)
	if g.vrng.Float64() < x-f {
		f++
	}
	return int(f)
}

// W is the window length in days.
func (g *generator) W() float64 { return float64(g.cfg.Days) }

// Settings.GapScale helpers. Both return their argument unchanged when
// GapScale is 1, so that the default data are exactly those of a
// generator without the knob.

// scaled returns a gap of x days times GapScale.
func (g *generator) scaled(x float64) float64 { return x * g.cfg.gapScale }

// stretch returns the new start of a history spread over [s, end): its
// length times GapScale, the end kept, clipped at Start. The history keeps
// its visits and orders, so their gaps scale with it as far as the window
// allows.
func (g *generator) stretch(s, end float64) float64 {
	if g.cfg.gapScale == 1 {
		return s
	}
	return max(0, end-g.cfg.gapScale*(end-s))
}

// at returns a session start on the day containing day offset d (clamped
// to the window), at a diurnal time of day.
func (g *generator) at(d float64) int64 {
	di := int64(math.Floor(d))
	di = min(max(di, 0), int64(g.cfg.Days)-1)
	hour := int64(drawCum(hourCum, g.rng.Float64()))
	return di*day + hour*3600 + int64(g.rng.IntN(3600))
}

// days returns n sorted day offsets uniform in [lo, hi).
func (g *generator) days(n int, lo, hi float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = g.uniform(lo, hi)
	}
	slices.Sort(out)
	return out
}

// favourites sets k favourite categories drawn from pool (nil = all
// categories by attention weight), with random preference weights.
func (g *generator) favourites(k int, pool []int16) {
	g.favs = g.favs[:0]
	g.favCum = g.favCum[:0]
	var run float64
	for range k {
		var c int16
		if pool == nil {
			c = g.cat.drawCategory(g.rng.Float64())
		} else {
			c = pool[g.rng.IntN(len(pool))]
		}
		g.favs = append(g.favs, c)
		run += g.uniform(0.3, 1)
		g.favCum = append(g.favCum, run)
	}
}

// category draws the category of one visit.
func (g *generator) category() int16 {
	if g.rng.Float64() < g.focus {
		return g.favs[drawCum(g.favCum, g.rng.Float64())]
	}
	return g.cat.drawCategory(g.rng.Float64())
}

// gap is the time between two events of a visit: log-normal, median 35 s.
func (g *generator) gap() int64 {
	s := 35 * math.Exp(0.8*g.vrng.NormFloat64())
	return int64(min(max(s, 2), 900))
}

// emit appends one event unless the layout drops its kind.
func (g *generator) emit(t int64, kind eventKind, p int32, session, order uint32) *event {
	if g.cfg.rees46 && kind >= kindRefund {
		return nil
	}
	price := 0.0
	if p >= 0 {
		price = g.cat.products[p].price
	}
	g.out = append(g.out, event{
		t: uint32(t), customer: g.cust, product: p, session: session,
		order: order, kind: kind, qty: 1, price: price, country: g.country,
	})
	return &g.out[len(g.out)-1]
}

// visitKind says how a visit ends.
type visitKind uint8

const (
	visitBrowse  visitKind = iota // views only
	visitAbandon                  // views and cart adds, no order
	visitBuy                      // views, cart adds and one order
)

// visit describes one session.
type visit struct {
	kind      visitKind
	views     int   // nominal number of views (before Scale)
	items     int   // cart adds (abandon) or distinct items ordered (buy)
	removes   int   // remove_from_cart events
	subscribe bool  // ends with a newsletter sign-up
	cat       int16 // category; -1 draws one with g.category
}

// session appends one visit starting at start and returns the time of
// its last event. The visit is shifted earlier if it would reach g.limit.
func (g *generator) session(start int64, v visit) int64 {
	g.sessions++
	sess := g.sessions
	first := len(g.out)
	cat := v.cat
	if cat < 0 {
		cat = g.category()
	}
	nonViews := v.removes
	if v.subscribe {
		nonViews++
	}
	if v.kind != visitBrowse {
		nonViews += v.items
	}
	if v.kind == visitBuy {
		nonViews += v.items
	}
	views := max(1, g.vround(g.cfg.scale*float64(v.views+nonViews))-nonViews)
	if v.views == 0 && g.cfg.scale <= 1 {
		views = 0
	}
	t := start
	g.viewed = g.viewed[:0]
	for k := range views {
		if k > 0 {
			t += g.gap()
		}
		var p int32 = -1
		if k > 0 && g.vrng.Float64() < g.reviews {
			p = g.viewed[len(g.viewed)-1]
		} else {
			p = g.viewProduct(cat, t)
		}
		g.viewed = append(g.viewed, p)
		g.emit(t, kindView, p, sess, 0)
	}
	switch v.kind {
	case visitAbandon:
		g.cart = g.cart[:0]
		for range v.items {
			var p int32
			if len(g.viewed) > 0 && g.vrng.Float64() < 0.8 {
				p = g.viewed[g.vrng.IntN(len(g.viewed))]
			} else {
				p = g.viewProduct(cat, t)
				t += g.gap()
				g.emit(t, kindView, p, sess, 0)
			}
			t += g.gap()
			g.emit(t, kindCart, p, sess, 0)
			g.cart = append(g.cart, p)
		}
		for r := 0; r < v.removes && len(g.cart) > 0; r++ {
			k := g.vrng.IntN(len(g.cart))
			t += g.gap()
			g.emit(t, kindRemove, g.cart[k], sess, 0)
			g.cart = slices.Delete(g.cart, k, k+1)
		}
	case visitBuy:
		g.cart = g.cart[:0]
		for range v.items {
			p := g.buyProduct(cat, t)
			for try := 0; try < 3 && slices.Contains(g.cart, p); try++ {
				p = g.buyProduct(cat, t)
			}
			if slices.Contains(g.cart, p) {
				p = g.buyProduct(g.cat.drawCategory(g.vrng.Float64()), t)
			}
			if !slices.Contains(g.viewed, p) {
				t += g.gap()
				g.emit(t, kindView, p, sess, 0)
			}
			t += g.gap()
			g.emit(t, kindCart, p, sess, 0)
			g.cart = append(g.cart, p)
		}
		for range v.removes {
			// A second thought: an extra item added, then taken out.
			p := g.viewProduct(cat, t)
			t += g.gap()
			g.emit(t, kindCart, p, sess, 0)
			t += g.gap()
			g.emit(t, kindRemove, p, sess, 0)
		}
		t = g.order(t+30+g.gap(), sess)
	}
	if v.subscribe {
		t += g.gap()
		g.emit(t, kindSubscribe, -1, sess, 0)
	}
	// Keep the visit inside the customer's time limit.
	if over := t - (g.limit - 1); over > 0 {
		for k := first; k < len(g.out); k++ {
			g.out[k].t = uint32(max(int64(g.out[k].t)-over, 0))
		}
		t -= over
	}
	// Refunds come later, in their own visits, after the order time is final.
	if v.kind == visitBuy {
		g.refunds(first, sess)
	}
	return t
}

// order turns g.cart into purchase rows of one order placed at t and
// returns the time of its last row.
func (g *generator) order(t int64, sess uint32) int64 {
	g.orders++
	var coupon uint8
	if g.chance(g.coupon) {
		coupon = uint8(1 + g.rng.IntN(len(couponCodes)))
	}
	for k, p := range g.cart {
		if k > 0 {
			t++
		}
		e := g.emit(t, kindPurchase, p, sess, g.orders)
		if e == nil {
			continue
		}
		if e.price < 30 && g.vrng.Float64() < g.multiQty {
			e.qty = uint8(2 + g.vrng.IntN(2))
		}
		if coupon != 0 && !g.cfg.rees46 {
			e.coupon = coupon
			e.discount = math.Round(e.price*float64(e.qty)*couponCodes[coupon-1].rate*100) / 100
		}
	}
	return t
}

// refunds appends refund rows for the purchases of the session whose rows
// start at out[first:].
func (g *generator) refunds(first int, sess uint32) {
	n := len(g.out)
	for k := first; k < n; k++ {
		e := g.out[k]
		if e.kind != kindPurchase || e.session != sess || !g.chance(g.refund) {
			continue
		}
		rt := int64(e.t) + int64(g.uniform(2, 14)*day)
		if rt >= g.limit {
			continue
		}
		g.sessions++
		g.refunded++
		r := g.emit(rt, kindRefund, e.product, g.sessions, e.order)
		if r != nil {
			r.qty = e.qty
		}
	}
}

// viewProduct draws a product to look at in category cat at time t.
func (g *generator) viewProduct(cat int16, t int64) int32 {
	if g.trend > 0 && g.vrng.Float64() < 0.7 {
		if p := g.cat.pickNew(g.vrng, t-trendViewAge, t); p >= 0 {
			return p
		}
	} else if g.vrng.Float64() < newArrivalView {
		if p := g.cat.pickNew(g.vrng, t-recentViewAge, t); p >= 0 {
			return p
		}
	}
	return g.cat.pickPriced(g.vrng, cat, t, g.bias)
}

// buyProduct draws a product to order in category cat at time t: new
// products for trend followers, established ones for everyone else.
func (g *generator) buyProduct(cat int16, t int64) int32 {
	if g.trend > 0 && g.vrng.Float64() < g.trend {
		if p := g.cat.pickNew(g.vrng, t-trendAge, t); p >= 0 {
			return p
		}
	}
	if p := g.cat.pickPriced(g.vrng, cat, t-establishedAge, g.bias); p >= 0 {
		return p
	}
	return g.cat.pickPriced(g.vrng, cat, t, g.bias)
}

// Visit shorthands.

func (g *generator) browse(d float64, views int) int64 {
	return g.session(g.at(d), visit{kind: visitBrowse, views: views, cat: -1})
}

func (g *generator) buy(d float64, views, items int) int64 {
	removes := 0
	if g.chance(0.1) {
		removes = 1
	}
	return g.session(g.at(d), visit{kind: visitBuy, views: views, items: items, removes: removes, cat: -1})
}

func (g *generator) abandon(d float64, views, items int) int64 {
	removes := 0
	if items > 1 && g.chance(0.3) {
		removes = 1
	}
	return g.session(g.at(d), visit{kind: visitAbandon, views: views, items: items, removes: removes, cat: -1})
}

// background adds a Poisson(mean) number of short browsing visits on days
// in [lo, hi): the ordinary noise every customer carries.
func (g *generator) background(mean, lo, hi float64) {
	if hi <= lo {
		return
	}
	for range g.poisson(mean) {
		g.browse(g.uniform(lo, hi), g.intn(1, 5))
	}
}

// maybeSubscribe adds the ordinary small chance of a newsletter sign-up
// on a short visit on a day in [lo, hi).
func (g *generator) maybeSubscribe(p, lo, hi float64) {
	if hi > lo && g.chance(p) {
		g.session(g.at(g.uniform(lo, hi)), visit{kind: visitBrowse, views: g.intn(1, 3), subscribe: true, cat: -1})
	}
}

// views draws a typical number of views per visit around mean.
func (g *generator) views(mean float64) int { return 1 + g.poisson(mean-1) }

// items draws the number of distinct items of an order: 1 to max, mostly 1.
func (g *generator) items(maxItems int) int {
	n := 1
	for n < maxItems && g.chance(0.35) {
		n++
	}
	return n
}

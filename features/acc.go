package features

import (
	"math"
)

// Session flag bits kept per session in Acc.
const (
	sessView     = 1 << 0
	sessCart     = 1 << 1
	sessPurchase = 1 << 2
)

// Acc is the mergeable per-customer accumulator from which every feature is
// finalised. It supports the three operations a distributed combiner needs:
// Add one event, Merge two partials, and finalisation through the feature
// definitions (Feature.Value). Every field combines associatively and
// commutatively (counts and exact integer money sums add, times take min or
// max, key sets take unions), so the result does not depend on how events
// were split into batches, workers or bundles, nor on their order.
//
// The fields are laid out by how often the fold touches them, in 320
// bytes, five cache lines (an accumulator in accStore starts on a line): the
// first line holds everything a view in a running session reads and
// writes, the second what a new session or a cart event adds, the third a
// purchase's sums, the last two its key sets. The rows of a file sorted by
// time interleave customers, so an event usually finds its customer's
// accumulator out of cache, and each line it touches is a miss.
type Acc struct {
	FirstEvent  int64 // earliest event time, µs
	LastEvent   int64 // latest event time, µs
	CountryTime int64 // time of the event that set Country
	// The session of the customer's latest event and its flags, kept
	// inline: a customer's events come in runs of one session, so most
	// events touch only these words. flushSession moves them into
	// sessions; every reader of sessions flushes first.
	curSession uint64
	Views      int64
	curFlags   uint8
	Country    string // country of the latest event that carried one

	sessions     flagSet // session -> flag bits
	CartAdds     int64
	CartRemoves  int64
	PurchaseRows int64 // purchase events (order lines)
	Subscribes   int64

	FirstPurchase int64 // earliest purchase time, µs; valid when PurchaseRows > 0
	LastPurchase  int64 // latest purchase time, µs; valid when PurchaseRows > 0
	Units         int64 // units purchased (sum of quantities)
	Spend         int64 // money, micro-units
	CouponRows    int64 // purchase rows with a coupon or a discount
	Discount      int64 // money discounted, micro-units
	RefundRows    int64
	RefundAmount  int64 // money, micro-units

	TrendRows  int64         // purchase rows of products bought within the trend window of their launch
	orders     orderSet      // order -> earliest purchase time, spend
	categories keySet[noVal] // categories purchased
	carted     keySet[noVal] // categories added to a cart
	_          [24]byte      // a whole number of cache lines
}

// newAcc returns an accumulator that has seen nothing.
func newAcc() Acc {
	return Acc{FirstEvent: math.MaxInt64, LastEvent: math.MinInt64, FirstPurchase: math.MaxInt64, LastPurchase: math.MinInt64, CountryTime: math.MinInt64}
}

// signature identifies an event for duplicate detection (Dedup): every
// column but the customer and the time, which Dedup compares itself.
func signature(b *Batch, i int) uint64 {
	h := uint64(b.Type[i])*0x9E3779B185EBCA87 ^ uint64(b.Quantity[i])*0x165667B19E3779F9
	if b.Present&ColPrice != 0 {
		h ^= uint64(b.Price[i]) * 0xC2B2AE3D27D4EB4F
	}
	if b.Present&ColAmount != 0 {
		h = (h<<29 | h>>35) ^ uint64(b.Amount[i])*0xD6E8FEB86659FD93
	}
	if b.Present&ColProduct != 0 {
		h ^= uint64(b.Product[i]) * 0x27D4EB2F165667C5
	}
	if b.Present&ColSession != 0 {
		h = (h<<23 | h>>41) ^ b.Session[i]
	}
	if b.Present&ColOrder != 0 {
		h = (h<<17 | h>>47) ^ b.Order[i]
	}
	if b.Present&ColDiscount != 0 {
		h ^= uint64(b.Discount[i]) * 0x85EBCA77C2B2AE63
	}
	if b.Present&ColCategory != 0 {
		h = (h<<13 | h>>51) ^ uint64(b.Category[i])*0x94D049BB133111EB
	}
	if b.Present&ColCoupon != 0 && b.Coupon[i] {
		h ^= 0x2545F4914F6CDD1D
	}
	if b.Present&ColCountry != 0 && b.Country[i] != "" {
		h = (h<<7 | h>>57) ^ Hash64(b.Country[i])
	}
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	return h ^ h>>32
}

// add folds event i of b into a. launch is the product side input (nil when
// the batch has no product column).
func (a *Acc) add(b *Batch, i int, launch *Launches) {
	t := b.Time[i]
	if t < a.FirstEvent {
		a.FirstEvent = t
	}
	if t > a.LastEvent {
		a.LastEvent = t
	}
	var session uint64
	if b.Present&ColSession != 0 {
		session = b.Session[i]
	}
	if b.Present&ColCountry != 0 {
		if c := b.Country[i]; c != "" && (t > a.CountryTime || (t == a.CountryTime && c > a.Country)) {
			if c != a.Country {
				a.Country = c // a pointer store only when the country changes
			}
			a.CountryTime = t
		}
	}
	var flag uint8
	switch b.Type[i] {
	case EventView:
		a.Views++
		flag = sessView
	case EventCart:
		a.CartAdds++
		flag = sessCart
		if b.Present&ColCategory != 0 && b.Category[i] != 0 {
			a.carted.add(uint64(b.Category[i]))
		}
	case EventRemoveFromCart:
		a.CartRemoves++
	case EventPurchase:
		flag = sessPurchase
		a.addPurchase(b, i, t, session, launch)
	case EventRefund:
		a.RefundRows++
		if b.Present&ColAmount != 0 {
			m := b.Amount[i]
			if m < 0 {
				m = -m
			}
			a.RefundAmount += m
		} else if b.Present&ColPrice != 0 {
			q := b.Quantity[i]
			if q < 0 {
				q = -q
			}
			a.RefundAmount += b.Price[i] * q
		}
	case EventSubscribe:
		a.Subscribes++
	}
	if session != 0 {
		if session == a.curSession {
			a.curFlags |= flag
		} else {
			a.flushSession()
			a.curSession, a.curFlags = session, flag
		}
	}
}

func (a *Acc) addPurchase(b *Batch, i int, t int64, session uint64, launch *Launches) {
	a.PurchaseRows++
	if t < a.FirstPurchase {
		a.FirstPurchase = t
	}
	if t > a.LastPurchase {
		a.LastPurchase = t
	}
	q := b.Quantity[i]
	a.Units += q
	var spend int64
	if b.Present&ColAmount != 0 {
		spend = b.Amount[i]
	} else if b.Present&ColPrice != 0 {
		spend = b.Price[i] * q
	}
	a.Spend += spend
	if b.Present&ColDiscount != 0 && b.Discount[i] > 0 {
		a.Discount += b.Discount[i]
		a.CouponRows++
	} else if b.Present&ColCoupon != 0 && b.Coupon[i] {
		a.CouponRows++
	}
	// The order key: the order id where the input has one, else the
	// session, else the purchase minute.
	var order uint64
	if b.Present&ColOrder != 0 {
		order = b.Order[i]
	}
	if order == 0 {
		order = session
	}
	if order == 0 {
		order = uint64(t/60_000_000) | 1<<63
	}
	a.orders.fold(order, t, spend)
	if b.Present&ColCategory != 0 && b.Category[i] != 0 {
		a.categories.add(uint64(b.Category[i]))
	}
	if launch != nil && b.Present&ColProduct != 0 && launch.IsTrendPurchase(b.Product[i], t) {
		a.TrendRows++
	}
}

// Merge folds the partial o into a. o is left unchanged and shares no memory
// with a afterwards.
func (a *Acc) Merge(o *Acc) {
	a.FirstEvent = min(a.FirstEvent, o.FirstEvent)
	a.LastEvent = max(a.LastEvent, o.LastEvent)
	a.FirstPurchase = min(a.FirstPurchase, o.FirstPurchase)
	a.LastPurchase = max(a.LastPurchase, o.LastPurchase)
	a.Views += o.Views
	a.CartAdds += o.CartAdds
	a.CartRemoves += o.CartRemoves
	a.PurchaseRows += o.PurchaseRows
	a.Units += o.Units
	a.Spend += o.Spend
	a.CouponRows += o.CouponRows
	a.Discount += o.Discount
	a.RefundRows += o.RefundRows
	a.RefundAmount += o.RefundAmount
	a.Subscribes += o.Subscribes
	a.TrendRows += o.TrendRows
	if o.CountryTime > a.CountryTime || (o.CountryTime == a.CountryTime && o.Country > a.Country) {
		a.Country, a.CountryTime = o.Country, o.CountryTime
	}
	a.flushSession()
	a.sessions.merge(&o.sessions.keySet)
	if o.curSession != 0 {
		a.sessions.or(o.curSession, o.curFlags)
	}
	a.orders.merge(&o.orders.keySet)
	a.categories.merge(&o.categories)
	a.carted.merge(&o.carted)
}

// flushSession moves the inline current session into the session set.
func (a *Acc) flushSession() {
	if a.curSession != 0 {
		a.sessions.or(a.curSession, a.curFlags)
		a.curSession, a.curFlags = 0, 0
	}
}

// Sessions is the number of distinct sessions seen.
func (a *Acc) Sessions() int {
	a.flushSession()
	return a.sessions.len()
}

// Orders is the number of distinct orders.
func (a *Acc) Orders() int { return a.orders.len() }

// sessionCounts counts sessions with views and no purchase, with a cart add,
// and with a cart add and no purchase.
func (a *Acc) sessionCounts() (browseNoBuy, withCart, cartNoBuy int) {
	a.flushSession()
	a.sessions.compact()
	for _, e := range a.sessions.ents {
		f := e.val
		bought := f&sessPurchase != 0
		if f&sessView != 0 && !bought {
			browseNoBuy++
		}
		if f&sessCart != 0 {
			withCart++
			if !bought {
				cartNoBuy++
			}
		}
	}
	return
}

// AbandonedCategories appends to dst the categories the customer added to a
// cart and never bought, in ascending order.
func (a *Acc) AbandonedCategories(dst []int64) []int64 {
	a.carted.compact()
	a.categories.compact()
	bought := a.categories.ents
	for _, e := range a.carted.ents {
		// Both sets ascend: walk them together.
		for len(bought) > 0 && bought[0].key < e.key {
			bought = bought[1:]
		}
		if len(bought) == 0 || bought[0].key != e.key {
			dst = append(dst, int64(e.key))
		}
	}
	return dst
}

// derived holds what several features need from the session and order
// sets, computed once per customer at finalisation.
type derived struct {
	browseNoBuy, withCart, cartNoBuy int
	gaps                             int     // number of gaps between orders
	gapMean, gapSD                   float64 // of the gaps, in days
	// firstOrder and lastOrder are the times of the first and the last
	// order (each dated by its earliest row); valid with orders.
	firstOrder, lastOrder int64
}

// rowCache is one goroutine's memory of the customer it is finalising: the
// values derived from that customer's key sets, computed by the first
// feature that needs them and read by the others. It lives in the Context
// of one finalisation, never in the accumulator, so an accumulator holds
// state only and adding an event writes nothing for finalisation.
type rowCache struct {
	acc *Acc
	d   derived
	// times and gaps are scratch for derive, reused from one customer to
	// the next.
	times []int64
	gaps  []float64
	sink  int64 // finalise's loads ahead, so that they are kept
}

// derive returns the values derived from a's key sets: from c's row cache
// when c is finalising a, computed afresh otherwise.
func (a *Acc) derive(c *Context) *derived {
	if c != nil && c.row != nil && c.row.acc == a {
		return &c.row.d
	}
	var d derived
	var scratch rowCache
	if c != nil && c.row != nil {
		scratch.times, scratch.gaps = c.row.times, c.row.gaps
	}
	d.browseNoBuy, d.withCart, d.cartNoBuy = a.sessionCounts()
	times := a.orders.times(scratch.times)
	if len(times) > 0 {
		d.firstOrder, d.lastOrder = times[0], times[len(times)-1]
	}
	gaps := orderGaps(scratch.gaps, times)
	if len(gaps) > 0 {
		d.gaps = len(gaps)
		d.gapMean, d.gapSD = meanSD(gaps)
	}
	if c != nil && c.row != nil {
		c.row.acc, c.row.d, c.row.times, c.row.gaps = a, d, times, gaps
		return &c.row.d
	}
	return &d
}

// orderGaps appends to dst[:0] the gaps in days between consecutive orders,
// of ascending times, and returns the extended slice.
func orderGaps(dst []float64, times []int64) []float64 {
	dst = dst[:0]
	for i := 1; i < len(times); i++ {
		dst = append(dst, float64(times[i]-times[i-1])/MicrosPerDay)
	}
	return dst
}

// Launches is the product side input of the feature stage: the first time
// each product appears in the data (its launch, as far as the data can tell).
// It is itself a mergeable accumulator over products, computed by a first
// pass over the product and time columns.
//
// A product first seen within TrendWindow of the window start may have been
// launched before the data begins, so its launch is unknown: purchases of it
// never count as trend purchases.
type Launches struct {
	first       productTable
	windowStart int64
	trendWindow int64
	// MinTime and MaxTime are the earliest and latest event times seen, µs.
	MinTime, MaxTime int64
}

// DefaultTrendWindowDays is how soon after its launch a product must be
// bought for the purchase to count as trend adoption.
const DefaultTrendWindowDays = 14

// NewLaunches returns an empty product accumulator.
func NewLaunches() *Launches {
	return &Launches{MinTime: math.MaxInt64, MaxTime: math.MinInt64, trendWindow: DefaultTrendWindowDays * MicrosPerDay}
}

// Add folds the product and time columns of b into l.
func (l *Launches) Add(b *Batch) {
	hasProduct := b.Present&ColProduct != 0
	for i := 0; i < b.Len; i++ {
		t := b.Time[i]
		l.MinTime = min(l.MinTime, t)
		l.MaxTime = max(l.MaxTime, t)
		if !hasProduct {
			continue
		}
		p := b.Product[i]
		if p == 0 {
			continue
		}
		l.first.min(p, t)
	}
}

// Merge folds o into l.
func (l *Launches) Merge(o *Launches) {
	l.MinTime = min(l.MinTime, o.MinTime)
	l.MaxTime = max(l.MaxTime, o.MaxTime)
	o.first.each(l.first.min)
}

// Products is the number of distinct products seen.
func (l *Launches) Products() int { return l.first.len() }

// Freeze fixes the window start (normally MinTime) and the trend window,
// after which l is read-only and may be shared by many goroutines.
func (l *Launches) Freeze(windowStart int64, trendWindowDays float64) {
	l.windowStart = windowStart
	l.trendWindow = int64(trendWindowDays * MicrosPerDay)
}

// Launch returns the first time product p was seen, and whether it was.
func (l *Launches) Launch(p int64) (int64, bool) {
	return l.first.get(p)
}

// IsTrendPurchase reports whether buying product p at time t counts as trend
// adoption: the product's launch is known (first seen at least TrendWindow
// after the window start) and t is within TrendWindow after it.
func (l *Launches) IsTrendPurchase(p int64, t int64) bool {
	f, ok := l.first.get(p)
	if !ok || f < l.windowStart+l.trendWindow {
		return false
	}
	return t-f <= l.trendWindow
}

package synth

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// Layout selects the columns of the event files.
type Layout int

const (
	// LayoutFull writes the nine REES46 columns plus order_id, quantity,
	// coupon_code, discount and country, and all six event types.
	LayoutFull Layout = iota
	// LayoutREES46 writes only the nine REES46 columns and only the event
	// types view, cart, remove_from_cart and purchase.
	LayoutREES46
)

// String returns the layout's name.
func (l Layout) String() string {
	switch l {
	case LayoutFull:
		return "full"
	case LayoutREES46:
		return "rees46"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Order is the order of the event rows across the events files.
type Order int

const (
	// OrderTime (the default) writes the whole data set in one time order
	// and cuts it into files of EventsPerFile rows: each file covers a span
	// of the window and holds the events of every customer active then,
	// interleaved, as in an export of an events table or REES46's monthly
	// dumps. Consecutive rows nearly always belong to different customers.
	OrderTime Order = iota
	// OrderSession writes whole customers to each file, sorted by time
	// within the file (the order before Order existed). A file holds a
	// share of the customers, so a visit's events lie closer together:
	// at 10M events half as many rows apart as in OrderTime.
	OrderSession
)

// String returns the order's name, as the generate command's --order
// spells it.
func (o Order) String() string {
	switch o {
	case OrderTime:
		return "time"
	case OrderSession:
		return "session"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// ParseOrder returns the Order named s ("time" or "session").
func ParseOrder(s string) (Order, error) {
	switch s {
	case "time":
		return OrderTime, nil
	case "session":
		return OrderSession, nil
	}
	return 0, fmt.Errorf("%w: order %q, want time or session", ErrSettings, s)
}

// Defaults applied to zero-valued Settings fields.
const (
	DefaultDays          = 180
	DefaultEventsPerFile = 5_000_000
	DefaultRowGroupSize  = 131072
	// MinDays is the shortest window Generate accepts when the Mix gives
	// the dormant archetype any weight: a dormant customer needs 90 silent
	// days after a buying history, so its definition cannot fit in a
	// shorter window.
	MinDays = 120
	// MinDaysWithoutDormant is the shortest window Generate accepts when
	// the Mix gives the dormant archetype no weight (three months). In
	// windows shorter than MinDays some archetypes' ranges reach past the
	// window and are clamped to its edges (package documentation, "Short
	// windows").
	MinDaysWithoutDormant = 90
)

// Ranges of the variation knobs GapScale and NoiseShare (zero means their
// default: 1 and no noise).
const (
	MinGapScale, MaxGapScale float64 = 0.25, 4
	MaxNoiseShare            float64 = 1
)

// DefaultStart is the window start used when Settings.Start is zero.
var DefaultStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Settings configures Generate. The zero value of every field except
// Customers is a documented default.
type Settings struct {
	// Customers is the number of customers to generate; required, > 0.
	Customers int
	// Seed is the only source of randomness: all draws come from
	// math/rand/v2 PCG streams derived from it, never from the clock.
	Seed uint64
	// Start is the first instant of the window; zero means DefaultStart.
	// It is truncated to whole seconds.
	Start time.Time
	// Days is the observation window in days, default DefaultDays, at least
	// MinDays (MinDaysWithoutDormant when the Mix gives dormant no weight).
	// The as-of instant is Start + Days.
	Days int
	// EventsPerFile bounds the rows of one events file, default
	// DefaultEventsPerFile. In OrderTime every file but the last holds
	// exactly that many rows; in OrderSession a file holds whole
	// customers, so it is exceeded only by a single customer with more
	// events than that.
	EventsPerFile int
	// Order is the order of the rows across the files; the zero value is
	// OrderTime.
	Order Order
	// RowGroupSize is the number of rows per Parquet row group, default
	// DefaultRowGroupSize.
	RowGroupSize int
	// Layout selects the columns; the zero value is LayoutFull.
	Layout Layout
	// Scale multiplies the number of events of every session (views are
	// added or removed so that a session's events scale by Scale), so the
	// same customers with the same visits, orders and archetypes can be
	// generated at several volumes. Zero means 1.
	Scale float64
	// Mix maps archetype ids to relative weights. Nil means DefaultMix.
	// Archetypes absent from a non-nil Mix get weight 0.
	Mix map[string]float64
	// Workers is the number of goroutines that generate customers; zero
	// means runtime.GOMAXPROCS(0). The output does not depend on it.
	Workers int
	// PriceScale multiplies every price and discount as written (rounded
	// to cents, at least 0.01): the same shop in another currency or price
	// segment. The customers' behaviour is drawn at the default prices, so
	// the archetypes do not change. Zero means 1.
	PriceScale float64
	// QuantityMax, when positive, replaces the quantity of every purchase
	// line (and of its refund) by a draw uniform in 1..QuantityMax, keyed
	// by customer, order and product; discounts scale with the quantity.
	// Zero keeps the archetypes' own quantities (mostly 1, 2–3 on cheap
	// items of some archetypes). LayoutREES46 has no quantity column and
	// ignores it.
	QuantityMax int
	// GapScale multiplies the time gaps between a customer's visits and
	// orders, in MinGapScale..MaxGapScale; zero means 1. The archetypes
	// with a regular rhythm (loyal, thrifty, at_risk, dormant, and the
	// trend followers' mean gap) get exactly GapScale times their gaps;
	// those whose visits are spread over a span ending at as-of get that
	// span's length times GapScale, as far as the window allows; the
	// archetypes defined by a recent window (new_customers,
	// curious_prospects, leads, one_time_buyers) keep theirs. Nothing is
	// placed outside the window: orders of a rhythm that would fall before
	// Start are dropped (the window clips the history). The package
	// documentation, "Variations", gives the rules per archetype.
	GapScale float64
	// NoiseShare, when positive (at most MaxNoiseShare), adds noise rows:
	// round(NoiseShare*n) for an events file of n planted rows, in short
	// sessions of their own (1-3 rows) by random customers of that file at
	// uniform random times in the window: product views and cart adds, and
	// 10 % rows of the unknown event_type NoiseEventType that a reader
	// should reject. Every customer's planted events and labels.parquet do
	// not change; EventsPerFile bounds the rows with the noise (so with
	// several files the cut points between files may move). Zero adds none.
	NoiseShare float64
}

// NoiseEventType is the event_type of the unknown-type rows NoiseShare
// adds (a page-ping heartbeat): none of the types or aliases segmint reads,
// so a run rejects these rows as of unknown event_type. ("page_view" would
// not do: segmint reads it as a view.)
const NoiseEventType = "page_ping"

// Summary describes what Generate wrote.
type Summary struct {
	Files       []string       // events files, in order
	Labels      string         // the labels.parquet file
	Events      int64          // event rows written, noise included
	Noise       int64          // noise rows among Events (NoiseShare)
	Customers   int            // customers (rows of labels.parquet)
	Products    int            // products in the catalogue
	ByArchetype map[string]int // customers per planted archetype
	AsOf        time.Time      // Start + Days
	Seed        uint64         // the seed the data came from
}

// Archetype ids, the same words as the segment ids of SEGMENTS.md.
const (
	TopSpenders           = "top_spenders"
	Hero                  = "hero"
	Loyal                 = "loyal"
	Active                = "active"
	NewCustomers          = "new_customers"
	OneTimeBuyers         = "one_time_buyers"
	CouponCustomers       = "coupon_customers"
	Thrifty               = "thrifty"
	TrendFollowers        = "trend_followers"
	CartAbandoners        = "cart_abandoners"
	IndecisiveProspects   = "indecisive_prospects"
	CuriousProspects      = "curious_prospects"
	Leads                 = "leads"
	NewsletterSubscribers = "newsletter_subscribers"
	AtRisk                = "at_risk"
	Dormant               = "dormant"
	NegativeExperience    = "negative_experience"
)

// ComparisonShoppers is an archetype that no segment of the catalogue
// describes (UnlistedArchetypes): customers who compare at length before
// each of a few purchases. It has no weight in DefaultMix; give it one in
// Settings.Mix to measure whether the clustering finds a behaviour that no
// rule names.
const ComparisonShoppers = "comparison_shoppers"

// archetype is the index of an archetype in archetypeIDs.
type archetype uint8

const (
	archTopSpenders archetype = iota
	archHero
	archLoyal
	archActive
	archNewCustomers
	archOneTimeBuyers
	archCouponCustomers
	archThrifty
	archTrendFollowers
	archCartAbandoners
	archIndecisiveProspects
	archCuriousProspects
	archLeads
	archNewsletterSubscribers
	archAtRisk
	archDormant
	archNegativeExperience
	// numCatalogueArchetypes counts the archetypes above, one per
	// behavioural segment of the catalogue; those after it are unlisted.
	numCatalogueArchetypes int = iota
)

const (
	archComparisonShoppers archetype = iota + archetype(numCatalogueArchetypes)
	numArchetypes
)

var archetypeIDs = [numArchetypes]string{
	TopSpenders, Hero, Loyal, Active, NewCustomers, OneTimeBuyers,
	CouponCustomers, Thrifty, TrendFollowers, CartAbandoners,
	IndecisiveProspects, CuriousProspects, Leads, NewsletterSubscribers,
	AtRisk, Dormant, NegativeExperience, ComparisonShoppers,
}

// defaultWeights is DefaultMix in archetype order (percent).
var defaultWeights = [numArchetypes]float64{
	archTopSpenders:           4,
	archHero:                  2,
	archLoyal:                 6,
	archActive:                9,
	archNewCustomers:          7,
	archOneTimeBuyers:         9,
	archCouponCustomers:       6,
	archThrifty:               6,
	archTrendFollowers:        5,
	archCartAbandoners:        7,
	archIndecisiveProspects:   5,
	archCuriousProspects:      8,
	archLeads:                 5,
	archNewsletterSubscribers: 5,
	archAtRisk:                5,
	archDormant:               7,
	archNegativeExperience:    4,
}

// Archetypes returns the planted archetype ids of the catalogue's
// segments in their fixed order (the archetypes of DefaultMix).
func Archetypes() []string {
	return slices.Clone(archetypeIDs[:numCatalogueArchetypes])
}

// UnlistedArchetypes returns the archetypes that no catalogue segment
// describes (ComparisonShoppers); they have no weight in DefaultMix.
func UnlistedArchetypes() []string {
	return slices.Clone(archetypeIDs[numCatalogueArchetypes:])
}

// DefaultMix returns the archetype weights used when Settings.Mix is nil
// (percent of customers; they sum to 100).
func DefaultMix() map[string]float64 {
	m := make(map[string]float64, numCatalogueArchetypes)
	for i, id := range archetypeIDs[:numCatalogueArchetypes] {
		m[id] = defaultWeights[i]
	}
	return m
}

// Errors returned by Generate for invalid settings.
var (
	ErrSettings = errors.New("synth: invalid settings")
)

// config is Settings with defaults applied and derived values.
type config struct {
	Settings
	start   time.Time
	startUS int64                  // Start in Unix microseconds
	window  int64                  // window length in seconds
	weights [numArchetypes]float64 // archetype weights, archetype order
	mixCum  []float64              // cumulative weights
	scale   float64
	workers int
	rees46  bool
	// gapScale is Settings.GapScale, 1 by default.
	gapScale float64
}

func resolve(s Settings, workers int) (*config, error) {
	c := &config{Settings: s}
	if s.Customers <= 0 {
		return nil, fmt.Errorf("%w: Customers = %d, want > 0", ErrSettings, s.Customers)
	}
	if s.Customers > math.MaxInt32 {
		return nil, fmt.Errorf("%w: Customers = %d, want <= %d", ErrSettings, s.Customers, math.MaxInt32)
	}
	c.start = s.Start
	if c.start.IsZero() {
		c.start = DefaultStart
	}
	c.start = c.start.UTC().Truncate(time.Second)
	c.startUS = c.start.UnixMicro()
	if c.EventsPerFile == 0 {
		c.EventsPerFile = DefaultEventsPerFile
	}
	if c.EventsPerFile < 0 {
		return nil, fmt.Errorf("%w: EventsPerFile = %d, want > 0", ErrSettings, c.EventsPerFile)
	}
	if c.RowGroupSize == 0 {
		c.RowGroupSize = DefaultRowGroupSize
	}
	if c.RowGroupSize < 0 {
		return nil, fmt.Errorf("%w: RowGroupSize = %d, want > 0", ErrSettings, c.RowGroupSize)
	}
	if c.Order != OrderTime && c.Order != OrderSession {
		return nil, fmt.Errorf("%w: unknown Order %d", ErrSettings, int(c.Order))
	}
	switch c.Layout {
	case LayoutFull:
	case LayoutREES46:
		c.rees46 = true
	default:
		return nil, fmt.Errorf("%w: unknown Layout %d", ErrSettings, int(c.Layout))
	}
	c.scale = c.Scale
	if c.scale == 0 {
		c.scale = 1
	}
	if !(c.scale > 0) || math.IsInf(c.scale, 0) || c.scale > 1000 {
		return nil, fmt.Errorf("%w: Scale = %v, want in (0, 1000]", ErrSettings, c.Scale)
	}
	if c.PriceScale == 0 {
		c.PriceScale = 1
	}
	if !(c.PriceScale > 0) || math.IsInf(c.PriceScale, 0) || c.PriceScale > 1e6 {
		return nil, fmt.Errorf("%w: PriceScale = %v, want in (0, 1e6]", ErrSettings, s.PriceScale)
	}
	if c.QuantityMax < 0 || c.QuantityMax > 1000 {
		return nil, fmt.Errorf("%w: QuantityMax = %d, want 0..1000", ErrSettings, c.QuantityMax)
	}
	c.gapScale = c.GapScale
	if c.gapScale == 0 {
		c.gapScale = 1
	}
	if !(c.gapScale >= MinGapScale && c.gapScale <= MaxGapScale) {
		return nil, fmt.Errorf("%w: GapScale = %v, want 0 or in [%v, %v]", ErrSettings, c.GapScale, MinGapScale, MaxGapScale)
	}
	if !(c.NoiseShare >= 0 && c.NoiseShare <= MaxNoiseShare) {
		return nil, fmt.Errorf("%w: NoiseShare = %v, want in [0, %v]", ErrSettings, c.NoiseShare, MaxNoiseShare)
	}
	weights := defaultWeights
	if s.Mix != nil {
		weights = [numArchetypes]float64{}
		for _, id := range slices.Sorted(maps.Keys(s.Mix)) {
			w := s.Mix[id]
			i := slices.Index(archetypeIDs[:], id)
			if i < 0 {
				return nil, fmt.Errorf("%w: Mix has unknown archetype %q", ErrSettings, id)
			}
			if !(w >= 0) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("%w: Mix[%q] = %v, want finite >= 0", ErrSettings, id, w)
			}
			weights[i] = w
		}
	}
	c.weights = weights
	var total float64
	c.mixCum = make([]float64, numArchetypes)
	for i, w := range weights {
		total += w
		c.mixCum[i] = total
	}
	if total <= 0 {
		return nil, fmt.Errorf("%w: Mix weights sum to 0", ErrSettings)
	}
	if c.Days == 0 {
		c.Days = DefaultDays
	}
	if c.Days > 20000 {
		return nil, fmt.Errorf("%w: Days = %d, want at most 20000", ErrSettings, c.Days)
	}
	if c.Days < MinDays && c.weights[archDormant] > 0 {
		if c.Days >= MinDaysWithoutDormant {
			return nil, fmt.Errorf("%w: Days = %d with the dormant archetype in the Mix, want at least %d: a dormant customer's 90 silent days after a buying history do not fit (give dormant weight 0 for windows down to %d days)",
				ErrSettings, c.Days, MinDays, MinDaysWithoutDormant)
		}
		return nil, fmt.Errorf("%w: Days = %d, want %d..20000", ErrSettings, c.Days, MinDays)
	}
	if c.Days < MinDaysWithoutDormant {
		return nil, fmt.Errorf("%w: Days = %d, want at least %d (%d with the dormant archetype)", ErrSettings, c.Days, MinDaysWithoutDormant, MinDays)
	}
	c.window = int64(c.Days) * day
	c.workers = s.Workers
	if c.workers <= 0 {
		c.workers = workers
	}
	return c, nil
}

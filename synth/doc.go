// Package synth generates deterministic synthetic e-commerce event data
// with planted customer archetypes, for tests, benchmarks and the demo.
//
// # Output
//
// Generate writes into a directory:
//
//   - events-00000.parquet, events-00001.parquet, ...: one row per event in
//     the layout of the public REES46 dump "eCommerce behavior data from
//     multi category store" (event_time, event_type, product_id,
//     category_id, category_code, brand, price, user_id, user_session).
//     LayoutFull (the default) adds order_id, quantity, coupon_code,
//     discount and country, and the event types refund and subscribe;
//     LayoutREES46 writes only the nine REES46 columns and the event types
//     view, cart, remove_from_cart and purchase (plus, in both layouts, the
//     unknown type NoiseEventType when NoiseShare is set). Row types:
//     EventRow and REES46Row.
//   - labels.parquet: customer_id and archetype, the planted truth, one row
//     per customer (LabelRow).
//
// Columns and units: event_time is a TIMESTAMP in microseconds adjusted to
// UTC, with whole-second values as in the real dump. price is the unit
// price (>= 0) in one currency for all countries; quantity is the number
// of units (1 except on some purchase and refund rows of cheap items, or
// 1..QuantityMax on every purchase and refund row when that is set);
// discount is the money taken off the row (price*quantity*rate of the
// coupon, rounded to cents), null when no coupon was used. The spend of a
// purchase row is price*quantity - discount. category_code, brand,
// order_id, coupon_code and discount are optional columns whose empty
// values are nulls. user_id equals labels' customer_id and is UserIDBase
// plus the customer index. user_session is a UUID-like string, one per
// visit. order_id is set on purchase rows (one order has one purchase row
// per distinct item) and on refund rows, which repeat the order_id,
// product and unit price of the refunded item. subscribe rows (newsletter
// sign-ups) have product_id 0, category_id 0 and price 0.
//
// Files are zstd-compressed; event_time is delta-encoded and the
// low-cardinality columns (event_type, product_id, category_id,
// category_code, brand, price, quantity, coupon_code, country) are
// dictionary-encoded. Each file's key-value metadata records the seed,
// customers, start, days, scale, layout, order and archetype mix it was made
// with, and the variation knobs PriceScale, QuantityMax, GapScale and
// NoiseShare when they are set (segmint.synth.price_scale, ...; absent at
// their defaults, so that default files are byte for byte those of a
// generator without the knobs).
//
// # Determinism
//
// All randomness comes from math/rand/v2 PCG generators seeded from
// Settings.Seed, never from the clock: the catalogue from one stream and
// every customer from its own stream derived from (Seed, customer index),
// NoiseShare's rows of each events file from a stream derived from (Seed,
// file number), and QuantityMax's quantities from a hash of (Seed,
// customer, order, product). The same Settings give byte-identical files
// whatever the number of workers; a different Seed gives a different data
// set. The knobs at their zero values draw nothing and change nothing: the
// output is that of a generator without them (TestZeroKnobsPinned).
//
// # Design and memory
//
// Customers are generated in blocks of consecutive customers on
// Settings.Workers goroutines and collected in customer order into a shard.
// When the next customer would push the shard past EventsPerFile, the shard
// gets its noise rows and is sorted by event_time (a stable radix sort:
// ties keep customer and visit order). In OrderSession it is written as one
// file, so every file is sorted by time, covers the whole window and holds
// whole customers, interleaved in time. In OrderTime (the default) it is
// spilled to a hidden directory in buckets of one day of the window (at
// most 256 buckets); once every customer is generated the buckets are read
// in time order, each sorted by time (ties keep the spill order), and cut
// into files of EventsPerFile rows, so the rows are those of OrderSession
// in one time order across the files: every file covers a span of the
// window and holds the events of every customer active then. The spill
// takes 40 bytes per event on disk and is removed at the end.
// Peak memory is one shard of compact 40-byte events (in OrderTime, one
// file's events and one bucket's), an index of 16 bytes
// per event for the sort, a few blocks in flight, one byte per customer
// for the labels and Parquet's buffers: about 300 MB of live data at the
// default EventsPerFile (about 600 MB resident with the default GOGC).
// Writing runs on two goroutines (row conversion, and Parquet encoding
// with compression), generation on Workers goroutines; on two cores
// BenchmarkGenerate measures about 1.5 million events per second on an
// otherwise idle machine.
//
// Files are written to hidden temporary names in the directory and renamed
// only after every file, labels.parquet included, is complete; a failed or
// cancelled run removes its temporary files and leaves no partial output.
//
// # Catalogue
//
// 47 categories with REES46-style codes (three without a code, as in the
// real dump) and a log-normal unit-price distribution each (medians from 8
// to 900), grouped as everyday, premium (expensive durables) and
// consumable (cheap goods that run out). 2400 products exist at Start
// (launched up to two years before); 8 new products launch per day of the
// window. Product ids grow with launch time. Popularity within a category
// follows a Zipf law over a random rank. A product can be viewed from its
// launch instant on, so in data with enough customers a new product first
// appears on its launch day. Products that existed before Start first
// appear in the opening days of the window; a feature such as "bought
// within 14 days of the product's first appearance" is therefore only
// meaningful for products first seen after the first weeks.
//
// # Visits
//
// A visit (session) starts at a time of day drawn from a diurnal profile
// (quiet at night, peak in the evening, UTC) and consists of views, 2 s to
// 15 min apart (log-normal, median 35 s); a share of views revisit the
// previous product. A visit may end in cart adds with nothing bought
// (abandoned), or in cart adds and one order: one purchase row per item,
// sometimes with an extra item added and removed first. Products are drawn
// by popularity from the visit's category (a favourite category of the
// customer with probability "focus", else any category by attention), with
// a price bias for some archetypes (keep the dearest or cheapest of k
// draws). 8 % of everyone's views go to products launched in the last 14
// days, but everyone except trend followers buys only products launched at
// least 21 days before the purchase. Refunds happen 2 to 14 days after the
// order in their own visit. Every event lies in [Start, Start+Days).
//
// Scale multiplies the events of every visit: a visit with v views and c
// other events gets round(Scale*(v+c))-c views (at least one), so visits,
// orders, refunds and archetypes stay the same and events grow by about
// Scale.
//
// # Variations
//
// The robustness suite (pipeline's TestRobustness) measures segmint over
// families of planted data that move away from the defaults: the Mix, the
// window length, Scale and the knobs below. Every knob's zero value is
// the default data, byte for byte.
//
// PriceScale and QuantityMax vary the written data without changing the
// behaviour drawn: PriceScale multiplies every price and discount (a shop
// in another currency or price segment), QuantityMax replaces every
// purchase line's quantity (and its refund's) by a draw uniform in
// 1..QuantityMax keyed by customer, order and product, whatever the
// archetype; a line's discount scales with its quantity (it keeps its
// coupon's rate, so it never exceeds price*quantity).
//
// GapScale (0.25 to 4) multiplies the time gaps between a customer's
// visits and orders, by archetype:
//
//   - regular rhythms, exactly: loyal's gap (the rhythm keeps its place
//     relative to as-of, the latest order 0.3-0.9 gaps before it, so the
//     history starts earlier or later), thrifty's U(30,45) days from its
//     start, at_risk's G in U(10,25) (the last order r*G before as-of with
//     r in U(2,3), r capped at 88/G so that it stays under 90 days; the cap
//     binds only above GapScale 1.17, and above 1.76 the longest gaps can
//     no longer be twice overdue within 90 days), dormant's 7-30 days
//     between orders (its cut-off keeps its place; the existing cap keeps
//     its orders after Start), and the trend followers' mean gap U(6,10).
//     Orders of loyal customers that would fall before Start are dropped:
//     the window clips the history, so at GapScale 1.5 they have fewer
//     orders (5-15 instead of 8-15); thrifty and trend followers have
//     fewer or more orders as their rhythm fits the window.
//   - histories spread over a span ending at as-of (top_spenders, hero,
//     coupon_customers, cart_abandoners, indecisive_prospects,
//     newsletter_subscribers; negative_experience's ends 3 days before):
//     the span's length times GapScale, its end kept, clipped at Start, with
//     the same visits and orders; research visits before an order move
//     GapScale times as far. Spans that already fill the window cannot
//     grow, so above 1 their gaps grow less (hero's hardly at all).
//   - active: the span of its recent visits (the last 60 days) times
//     GapScale, never before its first visit, which keeps its place 45-100
//     days before as-of.
//   - new_customers, one_time_buyers, curious_prospects and leads keep
//     their visits: at most one order each, in windows that define them.
//
// Refund delays (2-14 days) and the gaps between the events of a visit do
// not change, and every event stays in [Start, Start+Days).
//
// NoiseShare (0 to 1) adds round(NoiseShare*n) noise rows to each events
// file of n planted rows: sessions of their own (1-3 rows, the usual
// in-visit gaps) of customers drawn uniformly among the file's customers,
// starting at uniform random times in the window; 10 % of the rows have
// the unknown event_type NoiseEventType ("page_ping", which segmint
// rejects as of unknown type), the others are views (70 %) and cart adds
// (30 %) of products that exist at the time, drawn by category attention
// and popularity. The planted rows, the files' customers and
// labels.parquet are those of the run without noise (files are cut so that
// EventsPerFile bounds the rows noise included, so with several files the
// cut points may move); Summary.Noise counts the noise rows. Noise is
// noise by design: a random view long before a new customer's first visit
// or after a dormant customer's cut-off changes what the data show about
// that customer, and the suite measures how much that costs.
//
// # Short windows
//
// Days goes down to MinDays (120) with every archetype, and to
// MinDaysWithoutDormant (90, three months) when the Mix gives dormant no
// weight: dormant's definition, every event before a cut-off at least 90
// days before as-of after a buying history, cannot fit in fewer than 120
// days, and Generate refuses such a window while dormant has weight. In
// windows under 120 days the other archetypes keep their rules, but a few
// ranges reach past the window and are clamped to its edges as any visit
// is: active's first visit (45-100 days before as-of) falls on day 0 when
// the window is shorter than the draw; indecisive_prospects' start
// U(0,120) and newsletter_subscribers' U(0,100) may lie after as-of, and
// such a customer's visits are then all on the window's last day;
// thrifty's rhythm gives 2-3 orders in 90 days (and only one for about a
// third of them at GapScale 1.5); loyal's tenure is under 90 days.
//
// # Archetypes
//
// Each customer draws one archetype by the Mix weights, then a country
// (US 30 %, DE 12, GB 11, FR 9, PL 8, RO 7, KR 7, IT 6, ES 5, NL 5; a facet,
// not an archetype). W is the window in days; "day d" counts from Start,
// and as-of is day W. U(a,b) is uniform. Default weights are percent of
// customers; the default mix gives about 50 events per customer.
//
//	archetype               weight rules
//	top_spenders            4  1 order (45 %), 2 (35 %) or 3 (20 %) on random days
//	                           after a start in U(0,W-10), not necessarily recent;
//	                           1-3 favourite categories among the luxury ones
//	                           (premium, median >= 450), every order in them;
//	                           dearest of 5 draws; the first basket has 3-5
//	                           items, later ones 2-4; 0-2 research visits before
//	                           each order. About 95 % fall in the top decile of
//	                           spend (the documents' "spend well above average").
//	hero                    2  15-28 orders of 1-4 items spread from a start in
//	                           U(0,30) to as-of, the latest within 5 days; 3-6
//	                           favourite everyday or premium categories (never
//	                           consumables alone); dearer of 2 draws; 0.6-1.2 browsing visits per order and
//	                           one in the last 3 days; 0-3 abandoned carts;
//	                           spend around 14x the mean customer (median).
//	loyal                   6  8-15 orders at a regular gap (start U(0,40), gap
//	                           spanning the rest of the window, jitter +-12 %),
//	                           the latest 0.3-0.9 gaps before as-of; 1-2 items,
//	                           cheaper of 2 draws from 2-4 everyday categories
//	                           (moderate spend); ~0.5 browsing visits per gap;
//	                           20 % subscribed.
//	active                  9  first visit 45-100 days before as-of, then 7-14
//	                           visits in the last 60 days, one within 5 days;
//	                           2-5 of them end in an order, 10 % of the others in
//	                           an abandoned cart (an ordinary rate: abandoning
//	                           most carts is the cart abandoners' behaviour);
//	                           ~5 views per visit.
//	new_customers           7  first event on a day in the last 30 days, 1-3
//	                           visits from then on, exactly one order (in the
//	                           first visit, or a later one 40 % of the time).
//	one_time_buyers         9  start U(0,W-75); exactly one order on a day at
//	                           least 60 days before as-of, 0-2 visits before it,
//	                           cheaper of 2 draws ("low value at first sight":
//	                           none in the top decile of spend); half of them
//	                           come back for 1-2 short browsing visits, never
//	                           ordering again.
//	coupon_customers        6  3-8 orders from a start in U(0,60); a share
//	                           U(0.85,1) of orders carry a coupon_code and a 5-30 %
//	                           discount; some abandoned carts; 15 % subscribed.
//	thrifty                 6  1-2 consumable categories (95 % focus), cheapest
//	                           of 3 draws, one item per order (quantity 1, 15 %
//	                           2-3 of a cheap item), one order every U(30,45)
//	                           days (+-10 %), short visits of 1-4 views, little
//	                           browsing.
//	trend_followers         5  visits from a start in U(0,40), exponential gaps
//	                           of mean U(6,10) days; 70 % of views on products
//	                           launched in the last 7 days; a share U(0.2,0.4) of
//	                           visits end in an order (at least 3 orders), and a
//	                           share U(0.75,0.95) of ordered items were launched
//	                           at most 5 days before.
//	cart_abandoners         7  2-4 orders, plus 3-7 visits with 1-3 cart adds
//	                           and no order, 70 % of them in one category of
//	                           interest, some with a removal.
//	indecisive_prospects    5  8-15 visits from a start in U(0,120), ~5 views
//	                           each, 60 % with 1-3 cart adds (sometimes a
//	                           removal); never an order.
//	curious_prospects       8  1-2 visits in the last 21 days, 2-6 views in one
//	                           category, 60 % revisiting the same product; no
//	                           cart, no order.
//	leads                   5  a subscribe event on a random day (after 0-2
//	                           views), 0-2 other short visits (1-3 views), 10 %
//	                           one cart add; never an order.
//	newsletter_subscribers  5  subscribe in the first visit (start U(0,100)),
//	                           then 2-6 ordinary orders and browsing.
//	at_risk                 5  4-8 orders at a regular gap G in U(10,25) days; the
//	                           last one r*G before as-of with r in U(2,3) (always
//	                           under 90 days); 30 % one short visit since.
//	dormant                 7  2-5 orders 7-30 days apart; every event before a
//	                           cut-off 90-150 days before as-of.
//	negative_experience     4  3-7 orders from a start in U(0,80) up to 3 days
//	                           before as-of; each item refunded with probability
//	                           U(0.4,0.8) (at least one refund), the refund 2-14
//	                           days after the order.
//
// One archetype is unlisted: no catalogue segment describes it, it has no
// weight in DefaultMix (Archetypes omits it; UnlistedArchetypes lists it),
// and it is planted only when a Mix gives it weight, to measure whether the
// clustering finds a group that no rule names:
//
//	comparison_shoppers     0  research at length before a few purchases:
//	                           12-24 visits of ~12 views each and 3-5 orders of
//	                           1-2 items at irregular times, from a start in
//	                           U(0,40) to a last visit 15-45 days before as-of;
//	                           1-3 everyday or premium favourite categories,
//	                           dearer of 2 draws; no abandoned carts, never
//	                           subscribed.
//
// Noise shared by the archetypes that buy: ~1 short browsing visit (Poisson)
// in their active span, 5 % of orders with a coupon, 2 % of items refunded,
// 4 % subscribed, 10 % of orders with an added-then-removed item, multi-unit
// quantities on cheap items, and 25 % of visits outside the favourite
// categories. Counts, gaps and shares are drawn per customer from the
// ranges above, so archetypes overlap at their edges (a hero's basket can
// match a top spender's, a loyal customer may have subscribed) while each
// keeps its defining behaviour.
//
// In LayoutREES46 the refund and subscribe events are not written (the
// customers and their other events are the same as in LayoutFull), so
// negative_experience and leads lose their defining signal there.
package synth

package source

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/segmint/segmint/features"
)

// Reasons rows are skipped, as counted in Skipped and the manifest.
const (
	SkipNullCustomer  = "null customer id"
	SkipBadCustomer   = "non-integer customer id"
	SkipNullTime      = "null event_time"
	SkipBadTime       = "unparseable event_time"
	SkipAfterAsOf     = "event after the as-of time"
	SkipUnknownType   = "unknown event_type"
	SkipBadPrice      = "negative, NaN or absurd price"
	SkipNullPrice     = "purchase or refund without a price"
	SkipBadQuantity   = "NaN or absurd quantity"
	SkipDuplicate     = "exact duplicate event"
	SkipOtherEvent    = "other event (not an e-commerce event segmint reads)"
	SkipNullAmount    = "purchase or refund without an amount"
	SkipBadAmount     = "NaN or absurd amount, or a purchase's negative amount"
	SkipEventCode     = "integer event_type code (name the codes with --event-names)"
	maxAbsurdPrice    = 1e9
	maxAbsurdQuantity = 1e7
)

// SkipNonProduct begins the reasons of rows whose product_id is one of the
// layout's non-product codes (Layout.NonProductCodes), one reason per code:
// "non-product code POST". They are dropped by design, not rejected.
const SkipNonProduct = "non-product code"

// decoder turns Arrow records into feature batches. One per worker.
type decoder struct {
	layout    Layout
	asOf      int64 // µs; 0 = none
	eventType map[string]features.EventType
	countries map[string]string
	skipped   map[string]int64

	// per-record scratch, reused
	times     []int64
	timeOK    []bool
	types     []features.EventType
	customers []int64
	custOK    []bool
	custText  []string // string or binary ids, aliasing Arrow memory
	// idKind is the type of the current input's customer ids.
	idKind    features.IDKind
	products  []int64
	cats      []int64
	prices    []float64
	priceOK   []bool
	amounts   []float64
	amountOK  []bool
	qty       []float64
	qtyOK     []bool
	sessions  []uint64
	orders    []uint64
	coupons   []bool
	discounts []float64
	discOK    []bool
	country   []string
	cancel    []bool
	money     []int64 // price in micro-units
	amtMoney  []int64 // amount in micro-units
	units     []int64
	discMoney []int64
	keep      []bool
	// nonProducts matches the layout's non-product codes (nil when it has
	// none); nonProduct receives, per row, 0 for a product or 1 + the
	// index of the code matched.
	nonProducts *nonProducts
	nonProduct  []int32
	// codeTypes caches the event type of each integer event code.
	codeTypes map[int64]features.EventType
	// productsOnly: the first pass, which needs times and products only.
	productsOnly bool
	// in is the input being decoded (start); rec and f are the record
	// being decoded and where its canonical columns are.
	in  *inputFile
	rec arrow.Record
	f   fields
	// present are the columns of the record decoded, hasQty whether it
	// has a quantity.
	present features.Columns
	hasQty  bool
	sInts   []int64
	sOK     []bool
}

func (d *decoder) scratchOK(n int) []bool {
	d.sOK = grow(d.sOK, n)
	return d.sOK
}

func (d *decoder) scratchInts(n int) []int64 {
	d.sInts = grow(d.sInts, n)
	return d.sInts
}

func newDecoder(layout Layout, asOf int64) *decoder {
	return &decoder{layout: layout, asOf: asOf, eventType: make(map[string]features.EventType), countries: make(map[string]string), skipped: make(map[string]int64),
		nonProducts: newNonProducts(layout.NonProductCodes)}
}

// fields locates the canonical columns in a record's schema.
type fields map[string]int

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// start prepares d for the records of input in.
func (d *decoder) start(in *inputFile) {
	d.in = in
	d.idKind = in.idKind
}

// columnError is the ColumnError of err, found decoding canonical column c
// of the current input.
func (d *decoder) columnError(c string, err error) error {
	return columnError(d.in.Path, d.in.names[c], err)
}

// column returns canonical column c of the current record, nil when it
// is not read.
func (d *decoder) column(c string) arrow.Array {
	if i, ok := d.f[c]; ok {
		return d.rec.Column(i)
	}
	return nil
}

// decode appends the valid rows of rec, whose canonical columns f
// locates, to dst (which the caller Reset).
func (d *decoder) decode(rec arrow.Record, f fields, dst *features.Batch) error {
	d.rec, d.f = rec, f
	defer func() { d.rec = nil }()
	n := int(rec.NumRows())
	if d.productsOnly {
		return d.decodeProducts(n, dst)
	}
	if err := d.decodeRequired(n); err != nil {
		return err
	}
	d.present = features.ColTime | features.ColType | features.ColCustomer | features.ColQuantity
	if err := d.decodeKeys(n); err != nil {
		return err
	}
	if err := d.decodeNumbers(n); err != nil {
		return err
	}
	dst.Present = d.present
	dst.KeepRepeats = d.layout.KeepRepeats
	kept := d.filterRows(n)
	d.fill(dst, n, kept)
	return nil
}

// decodeRequired decodes the columns every event has: its time, its type
// (a fixed one, perhaps made a refund by a cancelled order's prefix) and
// its customer.
func (d *decoder) decodeRequired(n int) error {
	d.times, d.timeOK = grow(d.times, n), grow(d.timeOK, n)
	if err := d.decodeTime(d.column(ColEventTime), d.times, d.timeOK); err != nil {
		return d.columnError(ColEventTime, err)
	}
	d.types = grow(d.types, n)
	if d.layout.FixedEventType != "" {
		if err := d.fixedTypes(n); err != nil {
			return err
		}
	} else if err := d.decodeTypes(d.column(ColEventType), d.types); err != nil {
		return d.columnError(ColEventType, err)
	}
	d.customers, d.custOK = grow(d.customers, n), grow(d.custOK, n)
	if d.idKind == features.IDInteger {
		if err := ToInt64s(d.column(ColUserID), d.customers, d.custOK); err != nil {
			return d.columnError(ColUserID, err)
		}
		return nil
	}
	d.custText = grow(d.custText, n)
	if err := toCustomerKeys(d.column(ColUserID), d.customers, d.custText, d.custOK); err != nil {
		return d.columnError(ColUserID, err)
	}
	return nil
}

// fixedTypes gives every row the layout's fixed event type; a purchase
// whose order id has the layout's cancel prefix is a refund.
func (d *decoder) fixedTypes(n int) error {
	fixed, _ := features.ParseEventType(d.layout.FixedEventType)
	for i := range d.types {
		d.types[i] = fixed
	}
	a := d.column(ColOrderID)
	if a == nil || d.layout.CancelPrefix == "" || fixed != features.EventPurchase {
		return nil
	}
	d.cancel = grow(d.cancel, n)
	if err := MapStrings(a, d.cancel, nil, func(s string) bool { return strings.HasPrefix(s, d.layout.CancelPrefix) }); err != nil {
		return d.columnError(ColOrderID, err)
	}
	for i, c := range d.cancel {
		if c {
			d.types[i] = features.EventRefund
		}
	}
	return nil
}

// decodeKeys decodes the optional identifying columns that the input
// has: product (and its non-product codes), category, session, order,
// coupon and country, adding each to d.present.
func (d *decoder) decodeKeys(n int) error {
	if a := d.column(ColProductID); a != nil {
		d.present |= features.ColProduct
		d.products = grow(d.products, n)
		if err := toIDs(a, d.products, d.scratchOK(n)); err != nil {
			return d.columnError(ColProductID, err)
		}
		if err := d.matchNonProducts(a, n); err != nil {
			return d.columnError(ColProductID, err)
		}
	}
	category := ColCategoryID
	if d.column(category) == nil {
		category = ColCategory
	}
	if a := d.column(category); a != nil {
		d.present |= features.ColCategory
		d.cats = grow(d.cats, n)
		if err := toIDs(a, d.cats, d.scratchOK(n)); err != nil {
			return d.columnError(category, err)
		}
	}
	if a := d.column(ColUserSession); a != nil {
		d.present |= features.ColSession
		d.sessions = grow(d.sessions, n)
		if err := toHashes(a, d.sessions, d.scratchInts(n), d.scratchOK(n)); err != nil {
			return d.columnError(ColUserSession, err)
		}
	}
	if a := d.column(ColOrderID); a != nil {
		d.present |= features.ColOrder
		d.orders = grow(d.orders, n)
		if err := toHashes(a, d.orders, d.scratchInts(n), d.scratchOK(n)); err != nil {
			return d.columnError(ColOrderID, err)
		}
	} else if d.layout.DayOrders {
		// No order id at all: every purchase is its day's order.
		d.present |= features.ColOrder
		d.orders = grow(d.orders, n)
		clear(d.orders)
	}
	if a := d.column(ColCouponCode); a != nil {
		d.present |= features.ColCoupon
		d.coupons = grow(d.coupons, n)
		if err := MapStrings(a, d.coupons, nil, func(s string) bool { return strings.TrimSpace(s) != "" }); err != nil {
			return d.columnError(ColCouponCode, err)
		}
	}
	if a := d.column(ColCountry); a != nil {
		d.present |= features.ColCountry
		d.country = grow(d.country, n)
		if err := MapStrings(a, d.country, nil, d.intern); err != nil {
			return d.columnError(ColCountry, err)
		}
	}
	return nil
}

// decodeNumbers decodes the optional numeric columns that the input has:
// price, amount, quantity and discount.
func (d *decoder) decodeNumbers(n int) error {
	numbers := [...]struct {
		c      string
		col    features.Columns // 0 for quantity, which every batch has
		values *[]float64
		ok     *[]bool
	}{
		{ColPrice, features.ColPrice, &d.prices, &d.priceOK},
		{ColAmount, features.ColAmount, &d.amounts, &d.amountOK},
		{ColQuantity, 0, &d.qty, &d.qtyOK},
		{ColDiscount, features.ColDiscount, &d.discounts, &d.discOK},
	}
	d.hasQty = false
	for _, num := range numbers {
		a := d.column(num.c)
		if a == nil {
			continue
		}
		*num.values, *num.ok = grow(*num.values, n), grow(*num.ok, n)
		if err := ToFloat64s(a, *num.values, *num.ok); err != nil {
			return d.columnError(num.c, err)
		}
		d.present |= num.col
		d.hasQty = d.hasQty || num.c == ColQuantity
	}
	return nil
}

// filterRows applies the row filters to the n decoded rows, counting each
// skipped row by reason, and converts the kept rows' money to micro-units,
// in place in the scratch columns; d.keep marks the rows kept, whose
// number it returns.
func (d *decoder) filterRows(n int) int {
	d.money, d.units, d.discMoney, d.amtMoney = grow(d.money, n), grow(d.units, n), grow(d.discMoney, n), grow(d.amtMoney, n)
	d.keep = grow(d.keep, n)
	nonProducts := d.nonProducts != nil && d.present&features.ColProduct != 0
	dayOrders := d.layout.DayOrders && d.present&features.ColOrder != 0
	kept := 0
	for i := 0; i < n; i++ {
		d.keep[i] = false
		reason := ""
		switch typ := d.types[i]; {
		case !d.custOK[i]:
			reason = SkipNullCustomer
		case !d.timeOK[i]:
			reason = SkipBadTime
		case d.asOf != 0 && d.times[i] > d.asOf:
			reason = SkipAfterAsOf
		case nonProducts && d.nonProduct[i] != 0:
			reason = d.nonProducts.reasons[d.nonProduct[i]-1]
		case typ == features.EventUnknown:
			reason = SkipUnknownType
		case typ == eventOther:
			reason = SkipOtherEvent
		case typ == eventCode:
			reason = SkipEventCode
		default:
			reason = d.convertMoney(i, typ)
		}
		if reason != "" {
			d.skipped[reason]++
			continue
		}
		if dayOrders && d.orders[i] == 0 {
			d.orders[i] = dayOrder(d.times[i])
		}
		d.keep[i] = true
		kept++
	}
	return kept
}

// convertMoney converts row i's price, amount, quantity and discount, of
// an event of type typ, to exact integers; it returns the reason the row
// is skipped, "" when it is kept.
func (d *decoder) convertMoney(i int, typ features.EventType) string {
	refundOrPurchase := typ == features.EventPurchase || typ == features.EventRefund
	d.money[i] = 0
	if d.present&features.ColPrice != 0 {
		p := d.prices[i]
		if !d.priceOK[i] {
			if refundOrPurchase {
				return SkipNullPrice
			}
			p = 0
		}
		if p < 0 || math.IsNaN(p) || p > maxAbsurdPrice {
			return SkipBadPrice
		}
		d.money[i] = features.ToMoney(p)
	}
	if d.present&features.ColAmount != 0 {
		v := d.amounts[i]
		if !d.amountOK[i] {
			if refundOrPurchase {
				return SkipNullAmount
			}
			v = 0
		}
		if math.IsNaN(v) || math.Abs(v) > maxAbsurdPrice || (v < 0 && typ != features.EventRefund) {
			return SkipBadAmount
		}
		d.amtMoney[i] = features.ToMoney(v)
	}
	d.units[i] = 1
	if d.hasQty && d.qtyOK[i] {
		q := d.qty[i]
		if math.IsNaN(q) || math.Abs(q) > maxAbsurdQuantity {
			return SkipBadQuantity
		}
		d.units[i] = int64(math.Round(q))
	}
	if d.present&features.ColDiscount != 0 {
		d.discMoney[i] = 0
		if d.discOK[i] {
			if v := d.discounts[i]; !math.IsNaN(v) && v > 0 && v < maxAbsurdPrice {
				d.discMoney[i] = features.ToMoney(v)
			}
		}
	}
	return ""
}

// fill points dst at the kept rows of the n filtered ones: compacted in
// place unless every row is kept, the common case, in which the batch
// aliases the scratch.
func (d *decoder) fill(dst *features.Batch, n, kept int) {
	keep, all, present := d.keep[:n], kept == n, d.present
	dst.Len = kept
	dst.Customer, dst.Time, dst.Type = keepRows(d.customers, keep, all), keepRows(d.times, keep, all), keepRows(d.types, keep, all)
	if d.idKind != features.IDInteger {
		dst.CustomerID = keepRows(d.custText, keep, all)
	}
	dst.Price, dst.Quantity = keepRows(d.money, keep, all), keepRows(d.units, keep, all)
	if present&features.ColAmount != 0 {
		dst.Amount = keepRows(d.amtMoney, keep, all)
	}
	if present&features.ColProduct != 0 {
		dst.Product = keepRows(d.products, keep, all)
	}
	if present&features.ColCategory != 0 {
		dst.Category = keepRows(d.cats, keep, all)
	}
	if present&features.ColSession != 0 {
		dst.Session = keepRows(d.sessions, keep, all)
	}
	if present&features.ColOrder != 0 {
		dst.Order = keepRows(d.orders, keep, all)
	}
	if present&features.ColCoupon != 0 {
		dst.Coupon = keepRows(d.coupons, keep, all)
	}
	if present&features.ColDiscount != 0 {
		dst.Discount = keepRows(d.discMoney, keep, all)
	}
	if present&features.ColCountry != 0 {
		dst.Country = keepRows(d.country, keep, all)
	}
}

// keepRows returns the rows of s whose keep flag is set: s itself when all
// are kept (the batch then aliases the scratch), else s compacted in place.
func keepRows[T any](s []T, keep []bool, all bool) []T {
	if all {
		return s[:len(keep)]
	}
	return compact(s, keep)
}

// compact keeps the elements of s whose keep flag is set, in place, and
// returns the shortened slice (its capacity, the scratch, is kept).
func compact[T any](s []T, keep []bool) []T {
	w := 0
	for i, k := range keep {
		if k {
			s[w] = s[i]
			w++
		}
	}
	return s[:w]
}

// decodeProducts is the first pass's decode of the n rows of the current
// record: event times and products only, for the product launch dates and
// the time window. Rows with an invalid time or after the as-of time are
// left out; the other row filters do not apply (a product's first
// appearance is its first appearance in any row).
func (d *decoder) decodeProducts(n int, dst *features.Batch) error {
	d.times, d.timeOK = grow(d.times, n), grow(d.timeOK, n)
	if err := d.decodeTime(d.column(ColEventTime), d.times, d.timeOK); err != nil {
		return d.columnError(ColEventTime, err)
	}
	present := features.ColTime
	if a := d.column(ColProductID); a != nil {
		present |= features.ColProduct
		d.products = grow(d.products, n)
		if err := toIDs(a, d.products, d.scratchOK(n)); err != nil {
			return d.columnError(ColProductID, err)
		}
		if err := d.matchNonProducts(a, n); err != nil {
			return d.columnError(ColProductID, err)
		}
		if d.nonProducts != nil {
			// A non-product's row still dates the window; it launches no product.
			for j, k := range d.nonProduct[:n] {
				if k != 0 {
					d.products[j] = 0
				}
			}
		}
	}
	dst.Present = present
	for i := 0; i < n; i++ {
		t := d.times[i]
		if !d.timeOK[i] || (d.asOf != 0 && t > d.asOf) {
			continue
		}
		dst.Time = append(dst.Time, t)
		if present&features.ColProduct != 0 {
			dst.Product = append(dst.Product, d.products[i])
		}
		dst.Len++
	}
	return nil
}

// eventOther marks, in the decoder only, an event of the layout's
// vocabulary that segmint does not read (Layout.OtherEvents).
const eventOther features.EventType = 255

// eventCode marks, in the decoder only, an integer event_type value of a
// layout that names no integer codes (CSV holds codes as text).
const eventCode features.EventType = 254

func (d *decoder) lookupType(s string) features.EventType {
	if t, ok := d.eventType[s]; ok {
		return t
	}
	name := s
	if d.layout.EventNames != nil {
		if mapped, ok := d.layout.EventNames[strings.TrimSpace(s)]; ok {
			name = mapped
		} else if d.layout.OtherEvents {
			t := eventOther
			if strings.TrimSpace(s) == "" {
				t = features.EventUnknown
			}
			d.eventType[strings.Clone(s)] = t
			return t
		}
	}
	t, _ := features.ParseEventType(name)
	if t == features.EventUnknown && !d.layout.integerEventCodes() {
		if _, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			t = eventCode
		}
	}
	d.eventType[strings.Clone(s)] = t
	return t
}

// decodeTypes reads the event_type column: strings through lookupType,
// integer codes (when the layout names them) as their decimal strings.
func (d *decoder) decodeTypes(a arrow.Array, dst []features.EventType) error {
	switch a.(type) {
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64, *array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64:
		n := len(dst)
		codes, ok := d.scratchInts(n), d.scratchOK(n)
		if err := ToInt64s(a, codes, ok); err != nil {
			return err
		}
		if d.codeTypes == nil {
			d.codeTypes = make(map[int64]features.EventType)
		}
		for i, c := range codes {
			if !ok[i] {
				dst[i] = features.EventUnknown
				continue
			}
			t, seen := d.codeTypes[c]
			if !seen {
				t = d.lookupType(strconv.FormatInt(c, 10))
				d.codeTypes[c] = t
			}
			dst[i] = t
		}
		return nil
	}
	return MapStrings(a, dst, nil, d.lookupType)
}

// dayOrder is the order key of a purchase without an order id under
// Layout.DayOrders: its day, UTC (orders are kept per customer, so the
// day alone keys the customer's order of that day).
func dayOrder(t int64) uint64 {
	day := t / features.MicrosPerDay
	if t < 0 && t%features.MicrosPerDay != 0 {
		day--
	}
	return mixID(day) ^ 0x4441595F4F524452 // "DAY_ORDR": apart from mixID's order ids
}

// nonProducts matches product_id values against a layout's non-product
// codes.
type nonProducts struct {
	exact    map[string]int32 // code -> 1 + its index
	prefixes []string         // codes ending in "*", without it
	prefixAt []int32          // 1 + the index of each prefix code
	ints     map[int64]int32  // whole-number codes, for integer columns
	reasons  []string         // the skip reason of each code
}

// newNonProducts returns the matcher of codes, or nil when there are none.
func newNonProducts(codes []string) *nonProducts {
	if len(codes) == 0 {
		return nil
	}
	np := &nonProducts{exact: make(map[string]int32), ints: make(map[int64]int32)}
	for i, c := range codes {
		c = strings.TrimSpace(c)
		k := int32(i + 1)
		np.reasons = append(np.reasons, SkipNonProduct+" "+c)
		if p, ok := strings.CutSuffix(c, "*"); ok {
			np.prefixes, np.prefixAt = append(np.prefixes, p), append(np.prefixAt, k)
			continue
		}
		if _, dup := np.exact[c]; !dup {
			np.exact[c] = k
		}
		if v, err := strconv.ParseInt(c, 10, 64); err == nil {
			if _, dup := np.ints[v]; !dup {
				np.ints[v] = k
			}
		}
	}
	return np
}

// match returns 0 when s is a product, else 1 + the index of the code it
// matches.
func (np *nonProducts) match(s string) int32 {
	s = strings.TrimSpace(s)
	if k, ok := np.exact[s]; ok {
		return k
	}
	for j, p := range np.prefixes {
		if strings.HasPrefix(s, p) {
			return np.prefixAt[j]
		}
	}
	return 0
}

// matchNonProducts fills d.nonProduct for the product column a of n rows
// (a string column by value, an integer one against the whole-number
// codes); it does nothing when the layout has no non-product codes.
func (d *decoder) matchNonProducts(a arrow.Array, n int) error {
	np := d.nonProducts
	if np == nil {
		return nil
	}
	d.nonProduct = grow(d.nonProduct, n)
	switch a.(type) {
	case stringValuer, *array.Binary, *array.Dictionary:
		return MapStrings(a, d.nonProduct, nil, np.match)
	}
	ints, ok := d.scratchInts(n), d.scratchOK(n)
	if err := ToInt64s(a, ints, ok); err != nil {
		return err
	}
	for i, v := range ints {
		d.nonProduct[i] = 0
		if ok[i] {
			d.nonProduct[i] = np.ints[v]
		}
	}
	return nil
}

func (d *decoder) intern(s string) string {
	if v, ok := d.countries[s]; ok {
		return v
	}
	v := strings.Clone(strings.TrimSpace(s))
	d.countries[v] = v
	if v != s {
		d.countries[strings.Clone(s)] = v
	}
	return v
}

func (d *decoder) decodeTime(a arrow.Array, dst []int64, ok []bool) error {
	n := len(dst)
	switch arr := a.(type) {
	case *array.Timestamp:
		unit := arr.DataType().(*arrow.TimestampType).Unit
		vals := arr.TimestampValues()
		for i := 0; i < n; i++ {
			ok[i] = arr.IsValid(i)
			dst[i] = scaleToMicros(int64(vals[i]), unit)
		}
		return nil
	case *array.Date32:
		vals := arr.Date32Values()
		for i := 0; i < n; i++ {
			ok[i] = arr.IsValid(i)
			dst[i] = int64(vals[i]) * features.MicrosPerDay
		}
		return nil
	case *array.Int64, *array.Int32, *array.Uint64, *array.Uint32:
		unit, err := epochUnit(d.layout.EpochUnit)
		if err != nil {
			return err
		}
		if err := ToInt64s(a, dst, ok); err != nil {
			return err
		}
		for i := range dst {
			dst[i] = scaleToMicros(dst[i], unit)
		}
		return nil
	}
	if d.layout.EpochUnit != "" {
		// Integer epochs written as text (CSV).
		unit, err := epochUnit(d.layout.EpochUnit)
		if err != nil {
			return err
		}
		if err := ToInt64s(a, dst, ok); err != nil {
			return err
		}
		for i := range dst {
			dst[i] = scaleToMicros(dst[i], unit)
		}
		return nil
	}
	return MapStrings(a, dst, ok, func(s string) int64 {
		t, err := ParseTimestamp(s)
		if err != nil {
			return math.MinInt64
		}
		return t
	}, func(v int64) bool { return v != math.MinInt64 })
}

func epochUnit(u string) (arrow.TimeUnit, error) {
	switch u {
	case "s":
		return arrow.Second, nil
	case "ms":
		return arrow.Millisecond, nil
	case "us":
		return arrow.Microsecond, nil
	case "ns":
		return arrow.Nanosecond, nil
	}
	return 0, fmt.Errorf("integer timestamps need an epoch unit (s, ms, us or ns): set it with --epoch-unit or a preset")
}

func scaleToMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1_000
	case arrow.Nanosecond:
		return v / 1_000
	}
	return v
}

// stringValuer is what *array.String and *array.LargeString have in common.
type stringValuer interface {
	IsNull(i int) bool
	Value(i int) string
}

// MapStrings applies f to every string of a (plain, large or dictionary
// encoded); a dictionary's values are mapped once each. ok, when not nil,
// receives validity: false for nulls and for values that valid (if given)
// rejects. Without ok, nulls map to f's zero value.
func MapStrings[T any](a arrow.Array, dst []T, ok []bool, f func(string) T, valid ...func(T) bool) error {
	var zero T
	set := func(i int, v T, isValid bool) {
		if !isValid {
			dst[i] = zero
		} else {
			dst[i] = v
		}
		if ok != nil {
			ok[i] = isValid && (len(valid) == 0 || valid[0](v))
		}
	}
	switch arr := a.(type) {
	case stringValuer:
		for i := range dst {
			if arr.IsNull(i) {
				set(i, zero, false)
				continue
			}
			set(i, f(arr.Value(i)), true)
		}
	case *array.Binary:
		for i := range dst {
			if arr.IsNull(i) {
				set(i, zero, false)
				continue
			}
			set(i, f(string(arr.Value(i))), true)
		}
	case *array.Dictionary:
		dict := arr.Dictionary()
		mapped := make([]T, dict.Len())
		if err := MapStrings(dict, mapped, nil, f); err != nil {
			return err
		}
		if ix, isInt32 := arr.Indices().(*array.Int32); isInt32 && arr.NullN() == 0 {
			// The common case (both decoders give int32 indexes), read
			// straight from the index buffer.
			for i, k := range ix.Int32Values()[:len(dst)] {
				v := mapped[k]
				dst[i] = v
				if ok != nil {
					ok[i] = len(valid) == 0 || valid[0](v)
				}
			}
			return nil
		}
		for i := range dst {
			if arr.IsNull(i) {
				set(i, zero, false)
				continue
			}
			set(i, mapped[arr.GetValueIndex(i)], true)
		}
	case nil:
		return fmt.Errorf("column is missing")
	default:
		return fmt.Errorf("has type %s, want a string", a.DataType())
	}
	return nil
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func copyInts[T integer](dst []int64, ok []bool, vals []T, a arrow.Array) {
	noNulls := a.NullN() == 0
	for i := range dst {
		dst[i] = int64(vals[i])
		ok[i] = noNulls || a.IsValid(i)
	}
}

func intsToFloats[T integer](dst []float64, ok []bool, vals []T, a arrow.Array) {
	noNulls := a.NullN() == 0
	for i := range dst {
		dst[i] = float64(vals[i])
		ok[i] = noNulls || a.IsValid(i)
	}
}

func floatsToInts[T float32 | float64](dst []int64, ok []bool, vals []T, a arrow.Array) {
	noNulls := a.NullN() == 0
	for i := range dst {
		v := float64(vals[i])
		dst[i] = int64(v)
		ok[i] = (noNulls || a.IsValid(i)) && v == math.Trunc(v) && math.Abs(v) < 1<<53
	}
}

// parseWholeNumber parses "17850", "-3" or "17850.0" (as pandas writes
// ids) without allocating; anything else (UUIDs, "85123A") reports false.
func parseWholeNumber(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var v uint64
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + uint64(s[i]-'0')
		if v > 1<<62 {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	if i < len(s) {
		// Only a fraction of zeros may follow.
		if s[i] != '.' {
			return 0, false
		}
		for i++; i < len(s); i++ {
			if s[i] != '0' {
				return 0, false
			}
		}
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// ToInt64s reads an integer column (any width), a floating-point column
// holding whole numbers (as pandas writes nullable integer ids), or a
// string column of whole numbers (CSV). ok receives validity: false for
// nulls and for values that are not whole numbers.
func ToInt64s(a arrow.Array, dst []int64, ok []bool) error {
	switch arr := a.(type) {
	case *array.Int64:
		copyInts(dst, ok, arr.Int64Values(), a)
	case *array.Int32:
		copyInts(dst, ok, arr.Int32Values(), a)
	case *array.Int16:
		copyInts(dst, ok, arr.Int16Values(), a)
	case *array.Int8:
		copyInts(dst, ok, arr.Int8Values(), a)
	case *array.Uint64:
		copyInts(dst, ok, arr.Uint64Values(), a)
	case *array.Uint32:
		copyInts(dst, ok, arr.Uint32Values(), a)
	case *array.Uint16:
		copyInts(dst, ok, arr.Uint16Values(), a)
	case *array.Uint8:
		copyInts(dst, ok, arr.Uint8Values(), a)
	case *array.Float64:
		floatsToInts(dst, ok, arr.Float64Values(), a)
	case *array.Float32:
		floatsToInts(dst, ok, arr.Float32Values(), a)
	case *array.String:
		for i := range dst {
			if arr.IsNull(i) {
				dst[i], ok[i] = 0, false
				continue
			}
			dst[i], ok[i] = parseWholeNumber(arr.Value(i))
		}
	case nil:
		return fmt.Errorf("column is missing")
	default:
		return fmt.Errorf("has type %s, want an integer", a.DataType())
	}
	return nil
}

// ToFloat64s reads a numeric column of any width, or a string column of
// numbers (CSV), as float64. ok receives validity.
func ToFloat64s(a arrow.Array, dst []float64, ok []bool) error {
	switch arr := a.(type) {
	case *array.Float64:
		vals := arr.Float64Values()
		noNulls := a.NullN() == 0
		for i := range dst {
			dst[i], ok[i] = vals[i], noNulls || arr.IsValid(i)
		}
	case *array.Float32:
		vals := arr.Float32Values()
		for i := range dst {
			dst[i], ok[i] = float64(vals[i]), arr.IsValid(i)
		}
	case *array.Decimal128:
		scale := arr.DataType().(*arrow.Decimal128Type).Scale
		for i := range dst {
			dst[i], ok[i] = arr.Value(i).ToFloat64(scale), arr.IsValid(i)
		}
	case *array.Int64:
		intsToFloats(dst, ok, arr.Int64Values(), a)
	case *array.Int32:
		intsToFloats(dst, ok, arr.Int32Values(), a)
	case *array.Int16:
		intsToFloats(dst, ok, arr.Int16Values(), a)
	case *array.Int8:
		intsToFloats(dst, ok, arr.Int8Values(), a)
	case *array.Uint64:
		intsToFloats(dst, ok, arr.Uint64Values(), a)
	case *array.Uint32:
		intsToFloats(dst, ok, arr.Uint32Values(), a)
	case *array.Uint16:
		intsToFloats(dst, ok, arr.Uint16Values(), a)
	case *array.Uint8:
		intsToFloats(dst, ok, arr.Uint8Values(), a)
	case *array.String:
		for i := range dst {
			if arr.IsNull(i) {
				dst[i], ok[i] = 0, false
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(arr.Value(i)), 64)
			dst[i], ok[i] = v, err == nil
		}
	case nil:
		return fmt.Errorf("column is missing")
	default:
		return fmt.Errorf("has type %s, want a number", a.DataType())
	}
	return nil
}

// idOf maps an identifier string to an id: a whole number as itself (so
// the same ids read from CSV and from Parquet agree), anything else as its
// Hash64.
func idOf(s string) int64 {
	if v, ok := parseWholeNumber(s); ok {
		return v
	}
	return int64(features.Hash64(s))
}

// toIDs reads an identifier column: integers as they are, strings through
// idOf (so "85123A" stock codes work as product ids); null is 0. ok is
// scratch of the same length.
func toIDs(a arrow.Array, dst []int64, ok []bool) error {
	switch a.(type) {
	case *array.String, *array.LargeString, *array.Binary, *array.Dictionary:
		return MapStrings(a, dst, nil, idOf)
	}
	if err := ToInt64s(a, dst, ok); err != nil {
		return err
	}
	for i := range dst {
		if !ok[i] {
			dst[i] = 0
		}
	}
	return nil
}

// toCustomerKeys reads a string or binary customer id column (plain, large,
// fixed-size or dictionary encoded): text receives each id, aliasing the
// Arrow buffers (a dictionary's values are keyed once each), keys its
// features.IDKey. Null and empty ids are not valid (ok false).
func toCustomerKeys(a arrow.Array, keys []int64, text []string, ok []bool) error {
	set := func(i int, s string, valid bool) {
		if !valid || s == "" {
			keys[i], text[i], ok[i] = 0, "", false
			return
		}
		keys[i], text[i], ok[i] = features.IDKey(s), s, true
	}
	switch arr := a.(type) {
	case stringValuer:
		for i := range keys {
			valid := !arr.IsNull(i)
			var s string
			if valid {
				s = arr.Value(i)
			}
			set(i, s, valid)
		}
	case BytesValuer:
		for i := range keys {
			valid := !arr.IsNull(i)
			var s string
			if valid {
				s = bytesString(arr.Value(i))
			}
			set(i, s, valid)
		}
	case *array.Dictionary:
		dict := arr.Dictionary()
		dn := dict.Len()
		dKeys, dText, dOK := make([]int64, dn), make([]string, dn), make([]bool, dn)
		if err := toCustomerKeys(dict, dKeys, dText, dOK); err != nil {
			return err
		}
		for i := range keys {
			if arr.IsNull(i) {
				set(i, "", false)
				continue
			}
			j := arr.GetValueIndex(i)
			keys[i], text[i], ok[i] = dKeys[j], dText[j], dOK[j]
		}
	case nil:
		return fmt.Errorf("column is missing")
	default:
		return fmt.Errorf("has type %s, want an integer, a string or bytes", a.DataType())
	}
	return nil
}

// BytesValuer is what the binary arrays (plain, large and fixed-size) have
// in common.
type BytesValuer interface {
	IsNull(i int) bool
	Value(i int) []byte
}

// bytesString views b as a string without copying; b must not change while
// the string is in use (Arrow buffers are immutable).
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// mixID turns an integer key into a non-zero 64-bit hash.
func mixID(v int64) uint64 {
	h := uint64(v)*0x9E3779B97F4A7C15 ^ 0x5851F42D4C957F2D
	if h == 0 {
		h = 1
	}
	return h
}

// toHashes reads a key column (strings or integers) as non-zero 64-bit
// hashes; null and empty are 0 ("none"). ints and ok are scratch of the
// same length.
func toHashes(a arrow.Array, dst []uint64, ints []int64, ok []bool) error {
	switch a.(type) {
	case *array.String, *array.LargeString, *array.Binary, *array.Dictionary:
		return MapStrings(a, dst, nil, func(s string) uint64 {
			if s == "" {
				return 0
			}
			if v, ok := parseWholeNumber(s); ok {
				return mixID(v)
			}
			return features.Hash64(s)
		})
	}
	if err := ToInt64s(a, ints, ok); err != nil {
		return err
	}
	for i, v := range ints {
		if !ok[i] {
			dst[i] = 0
			continue
		}
		dst[i] = mixID(v)
	}
	return nil
}

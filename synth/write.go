package synth

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// REES46Row is one row of an events file in LayoutREES46: the nine
// columns of the public "eCommerce behavior data from multi category
// store" dump. Empty CategoryCode and Brand are written as nulls.
type REES46Row struct {
	EventTime    int64   `parquet:"event_time,timestamp(microsecond:utc),delta"`
	EventType    string  `parquet:"event_type,dict"`
	ProductID    int64   `parquet:"product_id,dict"`
	CategoryID   int64   `parquet:"category_id,dict"`
	CategoryCode string  `parquet:"category_code,optional,dict"`
	Brand        string  `parquet:"brand,optional,dict"`
	Price        float64 `parquet:"price,dict"`
	UserID       int64   `parquet:"user_id"`
	UserSession  string  `parquet:"user_session,dict"`
}

// EventRow is one row of an events file in LayoutFull. Empty strings and
// a zero Discount are written as nulls in the optional columns.
type EventRow struct {
	EventTime    int64   `parquet:"event_time,timestamp(microsecond:utc),delta"`
	EventType    string  `parquet:"event_type,dict"`
	ProductID    int64   `parquet:"product_id,dict"`
	CategoryID   int64   `parquet:"category_id,dict"`
	CategoryCode string  `parquet:"category_code,optional,dict"`
	Brand        string  `parquet:"brand,optional,dict"`
	Price        float64 `parquet:"price,dict"`
	UserID       int64   `parquet:"user_id"`
	UserSession  string  `parquet:"user_session,dict"`
	OrderID      string  `parquet:"order_id,optional,dict"`
	Quantity     int32   `parquet:"quantity,dict"`
	CouponCode   string  `parquet:"coupon_code,optional,dict"`
	Discount     float64 `parquet:"discount,optional"`
	Country      string  `parquet:"country,dict"`
}

// LabelRow is one row of labels.parquet: the planted archetype of a
// customer.
type LabelRow struct {
	CustomerID int64  `parquet:"customer_id"`
	Archetype  string `parquet:"archetype,dict"`
}

// UserIDBase is added to the customer index to make user_id and
// customer_id.
const UserIDBase = 512_000_000

// writeBatch is the number of rows converted and handed to the writer at
// a time; cancellation is checked once per batch.
const writeBatch = 8192

// sortByTime returns the order of events by event time; ties keep the
// generation order (customer, then visit), so the order is deterministic.
// It is an LSD radix sort of (time, index) keys.
func sortByTime(events []event, keys, scratch []uint64) ([]uint64, []uint64) {
	n := len(events)
	keys = keys[:0]
	var maxT uint32
	for i := range events {
		keys = append(keys, uint64(events[i].t)<<32|uint64(i))
		maxT = max(maxT, events[i].t)
	}
	if cap(scratch) < n {
		scratch = make([]uint64, n)
	}
	scratch = scratch[:n]
	const digit = 11
	var count [1 << digit]int
	for shift := 32; shift < 64 && maxT>>(shift-32) != 0; shift += digit {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&(1<<digit-1)]++
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range keys {
			d := (k >> shift) & (1<<digit - 1)
			scratch[count[d]] = k
			count[d]++
		}
		keys, scratch = scratch, keys
	}
	return keys, scratch
}

// ids turns compact events into rows. It formats the string ids of a
// batch into one arena, so a batch costs one allocation for all its
// session and order ids.
type ids struct {
	cat         *catalogue
	startUS     int64
	seedSession uint64
	seedOrder   uint64
	buf         []byte
	priceScale  float64 // Settings.PriceScale, 1 by default
	qtyMax      int     // Settings.QuantityMax
	seedQty     uint64
}

// money scales an amount by the price scale, rounded to cents; a positive
// amount stays at least one cent.
func (d *ids) money(x float64) float64 {
	if d.priceScale == 1 || x == 0 {
		return x
	}
	y := math.Round(x*d.priceScale*100) / 100
	if x > 0 && y < 0.01 {
		y = 0.01
	}
	return y
}

// quantity is the written quantity of e: its own, or with QuantityMax a
// draw keyed by customer, order and product, so that a refund repeats its
// purchase's quantity.
func (d *ids) quantity(e *event) int32 {
	if d.qtyMax <= 0 || (e.kind != kindPurchase && e.kind != kindRefund) {
		return int32(e.qty)
	}
	h := splitmix64(d.seedQty ^ uint64(e.customer)<<32 ^ uint64(e.order)<<12 ^ uint64(uint32(e.product)))
	// int32, not the event's uint8: QuantityMax goes up to 1000.
	return int32(1 + h%uint64(d.qtyMax))
}

func newIDs(cfg *config, cat *catalogue) *ids {
	return &ids{
		cat:         cat,
		startUS:     cfg.startUS,
		seedSession: splitmix64(cfg.Seed ^ 0x5e55_1010),
		seedOrder:   splitmix64(cfg.Seed ^ 0x0de2_1d5),
		priceScale:  cfg.PriceScale,
		qtyMax:      cfg.QuantityMax,
		seedQty:     splitmix64(cfg.Seed ^ 0x9a7_1e5),
	}
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, x uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		b = append(b, hexDigits[(x>>(4*uint(i)))&15])
	}
	return b
}

// session appends the UUID-like user_session of a customer's visit. The
// first 64 bits are a bijection of (customer, visit), so ids are unique.
func (d *ids) session(b []byte, customer, visit uint32) []byte {
	h1 := splitmix64(uint64(customer)<<24 | uint64(visit&(1<<24-1)) ^ d.seedSession)
	h2 := splitmix64(h1 ^ d.seedSession)
	b = appendHex(b, h1>>32, 8)
	b = append(b, '-')
	b = appendHex(b, h1>>16, 4)
	b = append(b, '-', '4')
	b = appendHex(b, h1, 3)
	b = append(b, '-', "89ab"[h2>>62])
	b = appendHex(b, h2>>48, 3)
	b = append(b, '-')
	b = appendHex(b, h2, 12)
	return b
}

// order appends the order_id of a customer's order: 16 hex digits, a
// bijection of (customer, order).
func (d *ids) order(b []byte, customer, order uint32) []byte {
	return appendHex(b, splitmix64(uint64(customer)<<20|uint64(order&(1<<20-1))^d.seedOrder), 16)
}

// rowFiller turns events into rows of one layout; len(dst) == len(events).
type rowFiller[T any] func(dst []T, events []event, id *ids)

func fillREES46(dst []REES46Row, events []event, id *ids) {
	cat := id.cat
	b := id.buf[:0]
	for i := range dst {
		e := &events[i]
		b = id.session(b, e.customer, e.session)
	}
	arena := string(b)
	id.buf = b
	for i := range dst {
		e := &events[i]
		r := REES46Row{
			EventTime:   id.startUS + int64(e.t)*1_000_000,
			EventType:   kindName(e.kind),
			Price:       id.money(e.price),
			UserID:      UserIDBase + int64(e.customer),
			UserSession: arena[i*36 : (i+1)*36],
		}
		if e.product >= 0 {
			p := &cat.products[e.product]
			r.ProductID = p.id
			r.CategoryID = cat.catIDs[p.cat]
			r.CategoryCode = categoryTable[p.cat].code
			r.Brand = p.brand
		}
		dst[i] = r
	}
}

func fillFull(dst []EventRow, events []event, id *ids) {
	cat := id.cat
	b := id.buf[:0]
	for i := range dst {
		e := &events[i]
		b = id.session(b, e.customer, e.session)
	}
	orders := len(b)
	for i := range dst {
		e := &events[i]
		if e.order != 0 {
			b = id.order(b, e.customer, e.order)
		}
	}
	arena := string(b)
	id.buf = b
	next := orders
	for i := range dst {
		e := &events[i]
		r := EventRow{
			EventTime:   id.startUS + int64(e.t)*1_000_000,
			EventType:   kindName(e.kind),
			Price:       id.money(e.price),
			UserID:      UserIDBase + int64(e.customer),
			UserSession: arena[i*36 : (i+1)*36],
			Quantity:    int32(e.qty),
			Discount:    id.money(e.discount),
			Country:     countries[e.country].code,
		}
		if q := id.quantity(e); q != int32(e.qty) {
			r.Quantity = q
			r.Discount = id.money(e.discount * float64(q) / float64(e.qty))
		}
		if e.product >= 0 {
			p := &cat.products[e.product]
			r.ProductID = p.id
			r.CategoryID = cat.catIDs[p.cat]
			r.CategoryCode = categoryTable[p.cat].code
			r.Brand = p.brand
		}
		if e.order != 0 {
			r.OrderID = arena[next : next+16]
			next += 16
		}
		if e.coupon != 0 {
			r.CouponCode = couponCodes[e.coupon-1].code
		}
		dst[i] = r
	}
}

// writerOptions are the Parquet options of every file.
func writerOptions(cfg *config, kind string) []parquet.WriterOption {
	opts := []parquet.WriterOption{
		parquet.Compression(&zstd.Codec{Level: zstd.SpeedFastest}),
		parquet.MaxRowsPerRowGroup(int64(cfg.RowGroupSize)),
		// Page bounds (column index min/max) of random ids and of
		// descriptive strings help no reader here and cost string compares.
		parquet.SkipPageBounds("user_session"),
		parquet.SkipPageBounds("order_id"),
		parquet.SkipPageBounds("category_code"),
		parquet.SkipPageBounds("brand"),
		parquet.SkipPageBounds("coupon_code"),
		parquet.SkipPageBounds("country"),
		parquet.CreatedBy("segmint synth", "1", "none"),
		parquet.KeyValueMetadata("segmint.synth.seed", strconv.FormatUint(cfg.Seed, 10)),
		parquet.KeyValueMetadata("segmint.synth.customers", strconv.Itoa(cfg.Customers)),
		parquet.KeyValueMetadata("segmint.synth.start", cfg.start.Format("2006-01-02T15:04:05Z")),
		parquet.KeyValueMetadata("segmint.synth.days", strconv.Itoa(cfg.Days)),
		parquet.KeyValueMetadata("segmint.synth.scale", strconv.FormatFloat(cfg.scale, 'g', -1, 64)),
		parquet.KeyValueMetadata("segmint.synth.layout", cfg.Layout.String()),
		parquet.KeyValueMetadata("segmint.synth.mix", mixString(cfg)),
		parquet.KeyValueMetadata("segmint.synth.file", kind),
		parquet.KeyValueMetadata("segmint.synth.order", cfg.Order.String()),
	}
	// The variation knobs are recorded only when set, so that the default
	// files are those of a generator without them.
	if cfg.PriceScale != 1 {
		opts = append(opts, parquet.KeyValueMetadata("segmint.synth.price_scale", strconv.FormatFloat(cfg.PriceScale, 'g', -1, 64)))
	}
	if cfg.QuantityMax != 0 {
		opts = append(opts, parquet.KeyValueMetadata("segmint.synth.quantity_max", strconv.Itoa(cfg.QuantityMax)))
	}
	if cfg.gapScale != 1 {
		opts = append(opts, parquet.KeyValueMetadata("segmint.synth.gap_scale", strconv.FormatFloat(cfg.gapScale, 'g', -1, 64)))
	}
	if cfg.NoiseShare != 0 {
		opts = append(opts, parquet.KeyValueMetadata("segmint.synth.noise_share", strconv.FormatFloat(cfg.NoiseShare, 'g', -1, 64)))
	}
	return opts
}

// mixString renders the archetype weights as "id=weight,..." in
// archetype order.
func mixString(cfg *config) string {
	var b []byte
	for i, id := range archetypeIDs {
		if i >= numCatalogueArchetypes && cfg.weights[i] == 0 {
			continue // an unlisted archetype not asked for
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, id...)
		b = append(b, '=')
		b = strconv.AppendFloat(b, cfg.weights[i], 'g', -1, 64)
	}
	return string(b)
}

// createTemp opens a hidden temporary file in dir for the file final.
func createTemp(dir, final string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "."+final+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("synth: create temporary file for %s: %w", final, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("synth: chmod temporary file for %s: %w", final, err)
	}
	return f, nil
}

// writeEvents writes events, in time order, to a new temporary file in dir
// and returns its path.
func writeEvents[T any](ctx context.Context, dir, final string, cfg *config, id *ids,
	events []event, order []uint64, fill rowFiller[T]) (tmp string, err error) {
	f, err := createTemp(dir, final)
	if err != nil {
		return "", err
	}
	path := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	w := parquet.NewGenericWriter[T](f, writerOptions(cfg, "events")...)
	// A second goroutine gathers and converts batches while this one
	// encodes and compresses, so writing keeps two cores busy.
	const buffers = 3
	free := make(chan []T, buffers)
	for range buffers {
		free <- make([]T, writeBatch)
	}
	full := make(chan []T, buffers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		batch := make([]event, writeBatch)
		for lo := 0; lo < len(order); lo += writeBatch {
			var rows []T
			select {
			case rows = <-free:
			case <-stop:
				return
			}
			hi := min(lo+writeBatch, len(order))
			for i, k := range order[lo:hi] {
				batch[i] = events[uint32(k)]
			}
			fill(rows[:hi-lo], batch[:hi-lo], id)
			select {
			case full <- rows[:hi-lo]:
			case <-stop:
				return
			}
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()
	written := 0
	for rows := range full {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("synth: write %s: %w", final, err)
		}
		if _, err := w.Write(rows); err != nil {
			return "", fmt.Errorf("synth: write %s rows %d..%d: %w", final, written, written+len(rows), err)
		}
		written += len(rows)
		free <- rows[:cap(rows)]
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("synth: close parquet writer of %s: %w", final, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("synth: close %s: %w", final, err)
	}
	return path, nil
}

// writeLabels writes labels.parquet's temporary file.
func writeLabels(ctx context.Context, dir string, cfg *config, labels []archetype) (tmp string, err error) {
	const final = "labels.parquet"
	f, err := createTemp(dir, final)
	if err != nil {
		return "", err
	}
	path := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	w := parquet.NewGenericWriter[LabelRow](f, writerOptions(cfg, "labels")...)
	rows := make([]LabelRow, writeBatch)
	for lo := 0; lo < len(labels); lo += writeBatch {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("synth: write %s: %w", final, err)
		}
		hi := min(lo+writeBatch, len(labels))
		for i := lo; i < hi; i++ {
			rows[i-lo] = LabelRow{CustomerID: UserIDBase + int64(i), Archetype: archetypeIDs[labels[i]]}
		}
		if _, err := w.Write(rows[:hi-lo]); err != nil {
			return "", fmt.Errorf("synth: write %s rows %d..%d: %w", final, lo, hi, err)
		}
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("synth: close parquet writer of %s: %w", final, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("synth: close %s: %w", final, err)
	}
	return path, nil
}

// eventsName is the name of the i-th events file.
func eventsName(i int) string { return fmt.Sprintf("events-%05d.parquet", i) }

// removeStale removes events files numbered n and above left by an earlier
// run with more files.
func removeStale(dir string, n int) error {
	for i := n; ; i++ {
		p := filepath.Join(dir, eventsName(i))
		err := os.Remove(p)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("synth: remove stale %s: %w", p, err)
		}
	}
}

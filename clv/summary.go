package clv

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// MicrosPerDay is the number of microseconds in a day. Txn.Time is in
// microseconds since the Unix epoch, UTC, as the pipeline's event times are.
const MicrosPerDay = 86_400_000_000

// Txn is one purchase row: a line of an order, an order, or a customer's
// purchases of one day. Summarise collapses rows to transactions.
type Txn struct {
	Customer int64   // customer key
	Time     int64   // microseconds since the Unix epoch, UTC
	Order    string  // order id; empty when the data have none
	Value    float64 // value of the row; the values of a transaction's rows are summed
}

// Customer is the summary of one customer's calibration period that the
// models need. Times are in days, counted on the UTC calendar (see the
// package documentation).
type Customer struct {
	ID        int64   // customer key
	X         float64 // repeat transactions: transactions after the first
	TX        float64 // days from the first transaction to the last
	T         float64 // days from the first transaction to the end of the calibration period
	MeanValue float64 // mean value of the repeat transactions; 0 when X == 0
}

// transaction is a collapsed transaction of one customer.
type transaction struct {
	customer int64
	day      int64   // UTC day number
	time     int64   // earliest row time, to order transactions of one day
	order    string  // order id or ""
	value    float64 // summed row values
}

// dayOf returns the UTC day number of a time in microseconds since the epoch.
func dayOf(micros int64) int64 {
	d := micros / MicrosPerDay
	if micros%MicrosPerDay < 0 {
		d--
	}
	return d
}

// dayOfTime returns the UTC day number of t's UTC calendar date.
func dayOfTime(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// collapse returns the transactions made on or before lastDay, sorted by
// customer, day, time and order. Rows with an order id collapse per
// (customer, order), on the day of the order's earliest row; rows without
// one collapse per (customer, day). Row values are summed. A non-finite
// value returns a *RowError.
func collapse(rows []Txn, lastDay int64) ([]transaction, error) {
	idx := make([]int32, 0, len(rows))
	for i := range rows {
		if math.IsNaN(rows[i].Value) || math.IsInf(rows[i].Value, 0) {
			return nil, &RowError{Row: i, Err: ErrNonFinite}
		}
		if dayOf(rows[i].Time) <= lastDay {
			idx = append(idx, int32(i))
		}
	}
	// Group key: customer, then rows with an order id by order, rows
	// without by day.
	slices.SortFunc(idx, func(i, j int32) int {
		a, b := &rows[i], &rows[j]
		if c := cmp.Compare(a.Customer, b.Customer); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Order, b.Order); c != 0 {
			return c
		}
		if a.Order == "" {
			if c := cmp.Compare(dayOf(a.Time), dayOf(b.Time)); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(a.Time, b.Time); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	var out []transaction
	for k := 0; k < len(idx); {
		first := &rows[idx[k]]
		t := transaction{customer: first.Customer, day: dayOf(first.Time), time: first.Time, order: first.Order}
		j := k
		for ; j < len(idx); j++ {
			r := &rows[idx[j]]
			if r.Customer != first.Customer || r.Order != first.Order ||
				(first.Order == "" && dayOf(r.Time) != t.day) {
				break
			}
			t.value += r.Value
		}
		out = append(out, t)
		k = j
	}
	slices.SortFunc(out, func(a, b transaction) int {
		if c := cmp.Compare(a.customer, b.customer); c != 0 {
			return c
		}
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		if c := cmp.Compare(a.time, b.time); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	return out, nil
}

// Summarise returns the summary of every customer with a transaction on or
// before calibrationEnd, sorted by ID. calibrationEnd names the last day of
// the calibration period: its UTC date is taken and its time of day is
// ignored, so rows of that whole day count. Rows after it are ignored.
//
// Rows collapse to transactions: rows with an order id per (customer,
// order), dated by the order's earliest row; rows without one per
// (customer, day). The values of a transaction's rows are summed. The first
// transaction is the earliest (by day, then time, then order id); X counts
// the others, TX is the day of the last minus the day of the first, T is
// calibrationEnd's day minus the day of the first, and MeanValue is the mean
// value of the repeat transactions, excluding the first. rows is not
// modified. A NaN or infinite value returns a *RowError.
func Summarise(rows []Txn, calibrationEnd time.Time) ([]Customer, error) {
	endDay := dayOfTime(calibrationEnd)
	txns, err := collapse(rows, endDay)
	if err != nil {
		return nil, err
	}
	return summarise(txns, endDay), nil
}

// summarise builds the summaries of sorted transactions made up to endDay.
func summarise(txns []transaction, endDay int64) []Customer {
	var out []Customer
	for k := 0; k < len(txns); {
		j := k + 1
		var sum float64
		for ; j < len(txns) && txns[j].customer == txns[k].customer; j++ {
			sum += txns[j].value
		}
		c := Customer{
			ID: txns[k].customer,
			X:  float64(j - k - 1),
			TX: float64(txns[j-1].day - txns[k].day),
			T:  float64(endDay - txns[k].day),
		}
		if c.X > 0 {
			c.MeanValue = sum / c.X
		}
		out = append(out, c)
		k = j
	}
	return out
}

// RowError locates a bad row of a []Txn.
type RowError struct {
	Row int // zero-based index in the rows passed
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("%v: row %d", e.Err, e.Row) }

// Unwrap returns the sentinel error that classifies the problem.
func (e *RowError) Unwrap() error { return e.Err }

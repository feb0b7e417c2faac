package clv

import (
	"errors"
	"fmt"
)

// Sentinel errors for problems in the data. They are returned wrapped, so
// test for them with errors.Is.
var (
	// ErrNonFinite reports a NaN or infinite value.
	ErrNonFinite = errors.New("clv: value is NaN or infinite")
	// ErrSummary reports a customer summary that no purchase history can
	// have: a negative count or time, a fractional count, TX greater than
	// T, or a positive TX with no repeat transaction.
	ErrSummary = errors.New("clv: inconsistent customer summary")
	// ErrNoCustomers reports a fit asked of no customers.
	ErrNoCustomers = errors.New("clv: no customers to fit")
)

// CustomerError locates a bad summary in a []Customer.
type CustomerError struct {
	Index int // zero-based index in the customers passed
	ID    int64
	Err   error
}

func (e *CustomerError) Error() string {
	return fmt.Sprintf("%v: customer %d (index %d)", e.Err, e.ID, e.Index)
}

// Unwrap returns the sentinel error that classifies the problem.
func (e *CustomerError) Unwrap() error { return e.Err }

// checkCustomer returns the sentinel error that c breaks, or nil.
func checkCustomer(c Customer) error {
	for _, v := range [...]float64{c.X, c.TX, c.T, c.MeanValue} {
		if v != v || v > maxFinite || v < -maxFinite {
			return ErrNonFinite
		}
	}
	switch {
	case c.X < 0, c.TX < 0, c.T < 0, c.TX > c.T, c.X != float64(int64(c.X)):
		return ErrSummary
	case c.X == 0 && c.TX != 0:
		return ErrSummary
	}
	return nil
}

// checkCustomers returns a *CustomerError for the first bad summary.
func checkCustomers(cs []Customer) error {
	for i, c := range cs {
		if err := checkCustomer(c); err != nil {
			return &CustomerError{Index: i, ID: c.ID, Err: err}
		}
	}
	return nil
}

const maxFinite = 1.7976931348623157e308

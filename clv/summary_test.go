package clv

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func day(y int, m time.Month, d, hour int) int64 {
	return time.Date(y, m, d, hour, 0, 0, 0, time.UTC).UnixMicro()
}

func TestSummarise(t *testing.T) {
	end := time.Date(2024, 3, 31, 15, 0, 0, 0, time.UTC) // time of day ignored
	tests := []struct {
		name string
		rows []Txn
		want []Customer
	}{
		{
			name: "one purchase",
			rows: []Txn{{Customer: 1, Time: day(2024, 3, 1, 10), Value: 5}},
			want: []Customer{{ID: 1, T: 30}},
		},
		{
			name: "same-day rows merge without order ids, first excluded from the mean",
			rows: []Txn{
				{Customer: 7, Time: day(2024, 3, 10, 9), Value: 100},
				{Customer: 7, Time: day(2024, 3, 1, 9), Value: 1000},
				{Customer: 7, Time: day(2024, 3, 10, 18), Value: 20},
				{Customer: 7, Time: day(2024, 3, 20, 8), Value: 30},
			},
			want: []Customer{{ID: 7, X: 2, TX: 19, T: 30, MeanValue: 75}},
		},
		{
			name: "order ids split a day and join an order's lines",
			rows: []Txn{
				{Customer: 2, Time: day(2024, 3, 1, 9), Order: "a", Value: 1},
				{Customer: 2, Time: day(2024, 3, 1, 10), Order: "b", Value: 3},
				{Customer: 2, Time: day(2024, 3, 1, 11), Order: "b", Value: 4},
				{Customer: 2, Time: day(2024, 3, 5, 11), Order: "c", Value: 6},
			},
			want: []Customer{{ID: 2, X: 2, TX: 4, T: 30, MeanValue: 6.5}},
		},
		{
			name: "rows after the end are ignored, the last day counts whole",
			rows: []Txn{
				{Customer: 3, Time: day(2024, 3, 31, 23), Value: 2},
				{Customer: 3, Time: day(2024, 4, 1, 0), Value: 9},
				{Customer: 4, Time: day(2024, 4, 2, 0), Value: 9},
				{Customer: 3, Time: day(2024, 1, 31, 12), Value: 1},
			},
			want: []Customer{{ID: 3, X: 1, TX: 60, T: 60, MeanValue: 2}},
		},
		{
			name: "customers sorted by id, including negative ids",
			rows: []Txn{
				{Customer: 9, Time: day(2024, 3, 30, 1), Value: 1},
				{Customer: -4, Time: day(2024, 3, 29, 1), Value: 1},
			},
			want: []Customer{{ID: -4, T: 2}, {ID: 9, T: 1}},
		},
		{name: "no rows", rows: nil, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := slices.Clone(tc.rows)
			got, err := Summarise(tc.rows, end)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if !slices.Equal(tc.rows, orig) {
				t.Error("rows modified")
			}
		})
	}
}

func TestSummariseErrors(t *testing.T) {
	rows := []Txn{{Customer: 1, Value: 1}, {Customer: 1, Value: math.NaN()}}
	_, err := Summarise(rows, time.Unix(0, 0))
	var re *RowError
	if !errors.As(err, &re) || re.Row != 1 || !errors.Is(err, ErrNonFinite) {
		t.Errorf("err = %v, want a RowError for row 1 wrapping ErrNonFinite", err)
	}
}

func TestDayOf(t *testing.T) {
	for _, tc := range []struct {
		micros int64
		want   int64
	}{{0, 0}, {MicrosPerDay - 1, 0}, {MicrosPerDay, 1}, {-1, -1}, {-MicrosPerDay, -1}, {-MicrosPerDay - 1, -2}} {
		if got := dayOf(tc.micros); got != tc.want {
			t.Errorf("dayOf(%d) = %d, want %d", tc.micros, got, tc.want)
		}
	}
}

func TestCheckCustomers(t *testing.T) {
	bad := []Customer{
		{X: -1}, {X: 1.5, TX: 2, T: 3}, {X: 1, TX: 4, T: 3}, {X: 0, TX: 1, T: 3},
		{X: 1, TX: 1, T: math.Inf(1)}, {X: 1, TX: 1, T: 2, MeanValue: math.NaN()},
	}
	for i, c := range bad {
		if err := checkCustomers([]Customer{{}, c}); err == nil {
			t.Errorf("case %d %+v: no error", i, c)
		} else if ce := (*CustomerError)(nil); !errors.As(err, &ce) || ce.Index != 1 {
			t.Errorf("case %d: err = %v, want a CustomerError at index 1", i, err)
		}
	}
	if _, err := FitBGNBD(t.Context(), nil, FitSettings{}); !errors.Is(err, ErrNoCustomers) {
		t.Errorf("FitBGNBD(nil): %v, want ErrNoCustomers", err)
	}
}

// FuzzSummarise checks that any rows summarise to consistent customers or
// to an error.
func FuzzSummarise(f *testing.F) {
	f.Add(int64(1), int64(0), "", 1.0, int64(1), int64(MicrosPerDay*3), "a", 2.0)
	f.Add(int64(1), int64(-5), "x", math.Inf(1), int64(2), int64(1)<<62, "", -3.0)
	f.Fuzz(func(t *testing.T, c1, t1 int64, o1 string, v1 float64, c2, t2 int64, o2 string, v2 float64) {
		rows := []Txn{{c1, t1, o1, v1}, {c2, t2, o2, v2}, {c1, t2, o2, v2}}
		cs, err := Summarise(rows, time.UnixMicro(MicrosPerDay*10))
		if err != nil {
			if !errors.Is(err, ErrNonFinite) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, c := range cs {
			if e := checkCustomer(c); e != nil && !errors.Is(e, ErrNonFinite) {
				t.Fatalf("inconsistent summary %+v: %v", c, e)
			}
		}
	})
}

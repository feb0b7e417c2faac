// Package layoutflags holds the command-line flags that describe the
// layout of the event input (--preset, --map, --epoch-unit, --event-names,
// --non-product-codes) and the checks of --as-of and --max-rejected-share,
// for segmint's commands and segmint-beam alike: Register adds the flags
// to a flag.FlagSet, Layout builds the source.Layout from their values.
package layoutflags

import (
	"flag"
	"fmt"
	"math"
	"strings"

	"github.com/segmint/segmint/source"
)

// List is a repeatable flag of comma-separated values; empty values are
// dropped.
type List []string

func (l *List) String() string { return strings.Join(*l, ",") }

func (l *List) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// Codes is a list of codes, comma-separated and repeatable, that knows
// whether it was given: "none" (or an empty value) gives the empty list.
type Codes struct {
	Given bool
	Codes []string
}

func (c *Codes) String() string {
	if c == nil {
		return ""
	}
	return strings.Join(c.Codes, ",")
}

func (c *Codes) Set(v string) error {
	c.Given = true
	if strings.TrimSpace(v) == "none" {
		return nil
	}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.Codes = append(c.Codes, p)
		}
	}
	return nil
}

// Flags are the values of the layout flags. The zero value is no flag
// given (Register sets --preset's default, rees46).
type Flags struct {
	Preset string
	// Map is the column mapping (canonical=source,...), from every --map.
	Map       List
	EpochUnit string
	// EventNames maps segmint event types to the input's values
	// (type=value,...), laid over the preset's.
	EventNames List
	// NonProductCodes, when given, replaces the preset's non-product codes.
	NonProductCodes Codes
}

// Register adds the layout flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Preset, "preset", "rees46", "input layout: "+strings.Join(source.Presets, ", ")+" (see the README)")
	fs.Var(&f.Map, "map", "column `MAPPING` canonical=source,... for inputs not in the REES46 layout, e.g. user_id=CustomerID,event_time=InvoiceDate; every mapped source column must be in every input file; a column mapped twice is an error (repeatable)")
	fs.StringVar(&f.EpochUnit, "epoch-unit", "", "unit of an integer event_time column: s, ms, us or ns")
	fs.Var(&f.EventNames, "event-names", "the input's event_type `VALUES` for segmint's event types, type=value,... (view, cart, remove_from_cart, purchase, refund, subscribe; a type may repeat), e.g. view=0,cart=1,purchase=2 for integer codes; laid over the preset's names (repeatable)")
	fs.Var(&f.NonProductCodes, "non-product-codes", "product_id `CODES` that are not products (postage, fees, vouchers; CODE* matches a prefix), skipped and counted by code; replaces the preset's list (online-retail: "+strings.Join(source.OnlineRetailNonProductCodes, ",")+"); none for no list (repeatable)")
}

// UsageError is a value that a flag does not take (an unknown preset or
// epoch unit, a share out of range, a time that does not parse).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// ConfigError is a column mapping, event names or non-product codes that
// do not parse: segmint's configuration error (exit 5). It wraps source's
// error and says what it says.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Layout builds the input layout from the flags: the preset, with the
// epoch unit, the column mapping, the event names and the non-product
// codes laid over it. A value a flag does not take is a *UsageError; a
// mapping, event names or codes that do not parse are a *ConfigError.
func (f *Flags) Layout() (source.Layout, error) {
	layout, err := source.Preset(f.Preset)
	if err != nil {
		return source.Layout{}, usagef("--preset: %v", err)
	}
	if f.EpochUnit != "" {
		layout.EpochUnit = f.EpochUnit
	}
	if len(f.Map) > 0 {
		m, err := source.ParseMapping(strings.Join(f.Map, ","), nil)
		if err != nil {
			return source.Layout{}, &ConfigError{err}
		}
		layout.Columns = m
		layout.Name += "+map"
	}
	if len(f.EventNames) > 0 {
		names, err := source.ParseEventNames(strings.Join(f.EventNames, ","), nil)
		if err != nil {
			return source.Layout{}, &ConfigError{err}
		}
		layout = layout.WithEventNames(names)
	}
	if f.NonProductCodes.Given {
		if err := source.CheckNonProductCodes(f.NonProductCodes.Codes); err != nil {
			return source.Layout{}, &ConfigError{err}
		}
		layout.NonProductCodes = f.NonProductCodes.Codes
	}
	switch f.EpochUnit {
	case "", "s", "ms", "us", "ns":
	default:
		return source.Layout{}, usagef("--epoch-unit %q: want s, ms, us or ns", f.EpochUnit)
	}
	return layout, nil
}

// AsOf parses the value of --as-of (RFC 3339 or YYYY-MM-DD) into µs since
// the epoch; "" is 0, no as-of time.
func AsOf(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	t, err := source.ParseTimestamp(s)
	if err != nil {
		return 0, usagef("--as-of %q: want RFC 3339 or YYYY-MM-DD", s)
	}
	return t, nil
}

// MaxRejectedShare checks the value of --max-rejected-share and returns
// the source.ScanOptions.MaxRejectedShare it means: 0 (warn on any
// rejected row) is the smallest share above 0, since 0 there is the
// default.
func MaxRejectedShare(share float64) (float64, error) {
	if !(share >= 0 && share <= 1) {
		return 0, usagef("--max-rejected-share %v: want a share between 0 and 1", share)
	}
	if share == 0 {
		return math.SmallestNonzeroFloat64, nil
	}
	return share, nil
}

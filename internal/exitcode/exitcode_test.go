package exitcode

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/segmint/segmint/internal/layoutflags"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// TestOf: every error type the commands share has its code, also when
// wrapped, and any other error is a failure.
func TestOf(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("run: %w", err) }
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"help", flag.ErrHelp, OK},
		{"overlap", &outdir.OverlapError{Output: "o", Relation: "is"}, Usage},
		{"layout usage", &layoutflags.UsageError{Msg: "bad"}, Usage},
		{"cancelled", context.Canceled, Interrupted},
		{"layout config", &layoutflags.ConfigError{Err: errors.New("bad")}, Config},
		{"rule", &segments.RuleError{Source: "s.yaml", Segment: "x", Problem: "bad"}, Config},
		{"output exists", output.ErrExists, Output},
		{"input", &source.InputError{File: "f", Err: errors.New("bad")}, Input},
		{"column", &source.ColumnError{File: "f", Column: "price", Problem: "bad"}, Input},
		{"no input", source.ErrNoInput, Input},
		{"no events", source.ErrNoEvents, Input},
		{"other", errors.New("disk on fire"), Failure},
	}
	for _, tc := range tests {
		if got := Of(tc.err); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
		if tc.err != nil {
			if got := Of(wrap(tc.err)); got != tc.want {
				t.Errorf("%s wrapped: %d, want %d", tc.name, got, tc.want)
			}
		}
	}
}

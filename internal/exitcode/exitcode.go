// Package exitcode holds the exit codes of segmint's commands, which
// segmint and segmint-beam share (README, "Exit codes"), and the code of
// each error that the packages under them return.
package exitcode

import (
	"context"
	"errors"
	"flag"

	"github.com/segmint/segmint/internal/layoutflags"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// The exit codes.
const (
	OK          = 0
	Failure     = 1   // an unexpected failure
	Usage       = 2   // bad flags or arguments
	Input       = 3   // bad input data: unreadable, corrupt, missing or mistyped column, no events
	Output      = 4   // the output exists (and --force was not given) or cannot be written
	Config      = 5   // a bad segment catalogue or column mapping
	Interrupted = 130 // cancelled by a signal
)

// Of returns the exit code of err by the error types of the packages the
// commands share: OK for nil and for a request for help, Failure for an
// error none of them explains (a command checks its own error types
// first).
func Of(err error) int {
	var (
		lue *layoutflags.UsageError
		lce *layoutflags.ConfigError
		oe  *outdir.OverlapError
		re  *segments.RuleError
		ie  *source.InputError
		col *source.ColumnError
	)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return OK
	case errors.As(err, &oe), errors.As(err, &lue):
		return Usage
	case errors.Is(err, context.Canceled):
		return Interrupted
	case errors.As(err, &lce), errors.As(err, &re):
		return Config
	case errors.Is(err, output.ErrExists):
		return Output
	case errors.As(err, &ie), errors.As(err, &col), errors.Is(err, source.ErrNoInput), errors.Is(err, source.ErrNoEvents):
		return Input
	}
	return Failure
}

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/segmint/segmint/internal/exitcode"
	"github.com/segmint/segmint/internal/layoutflags"
	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
)

// Exit codes. They are part of the command line's contract, shared with
// segmint-beam (package exitcode).
const (
	ExitOK          = exitcode.OK
	ExitFailure     = exitcode.Failure     // an unexpected failure
	ExitUsage       = exitcode.Usage       // bad flags or arguments
	ExitInput       = exitcode.Input       // bad input data: unreadable, corrupt, missing or mistyped column, no events
	ExitOutput      = exitcode.Output      // the output exists (and --force was not given) or cannot be written
	ExitConfig      = exitcode.Config      // a bad segment catalogue or column mapping
	ExitInterrupted = exitcode.Interrupted // cancelled by a signal
)

const usage = `segmint turns e-commerce event dumps into customer segments.

Usage:
  segmint <command> [flags]

Commands:
  run        the whole job: events -> features -> clusters -> named segments -> outputs
             (with no --events, runs on the embedded demo data set)
  features   events -> per-customer feature table (Parquet)
  cluster    any numeric feature table -> clusters
  generate   synthetic events with planted customer segments
  validate   check inputs, column mapping and segment catalogue without running
  backtest   fit the purchase models up to a date and score their predicted
             repeat orders against the orders made after it
  version    print the version

Run "segmint <command> --help" for a command's flags.

Exit codes:
  0  success
  1  unexpected failure
  2  usage error (bad flags or arguments)
  3  bad input (unreadable, corrupt or empty file; missing or mistyped column; no events)
  2  also: --out is, contains or lies inside an input (--events, --config, --segments)
  4  output error: the output exists without --force, holds files segmint did
     not write (--force replaces only segmint's own output), or cannot be written
  5  bad configuration (segment catalogue, column mapping)
  130 interrupted
`

// usageError marks errors in the command line itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// configError marks errors in configuration files and mappings.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// Main runs the command line with args (without the program name) and
// returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	UseBatchGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, args[1:], stdout, stderr)
	case "features":
		err = cmdFeatures(ctx, args[1:], stdout, stderr)
	case "cluster":
		err = cmdCluster(ctx, args[1:], stdout, stderr)
	case "generate":
		err = cmdGenerate(ctx, args[1:], stdout, stderr)
	case "validate":
		err = cmdValidate(ctx, args[1:], stdout, stderr)
	case "backtest":
		err = cmdBacktest(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "segmint", pipeline.Version())
		return ExitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(stderr, "segmint: unknown command %q\n\n%s", args[0], usage)
		return ExitUsage
	}
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	code := exitcode.Of(err)
	if code == ExitOK {
		return code
	}
	fmt.Fprintln(stderr, "segmint:", err)
	var (
		ue *usageError
		ce *configError
		we *outputError
	)
	switch {
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ce):
		return ExitConfig
	}
	if code != ExitFailure {
		return code
	}
	if errors.As(err, &we) {
		return ExitOutput
	}
	return ExitFailure
}

// outputError marks failures to write output.
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// checkOutput refuses, before any work, an output that is, contains or
// lies inside one of the command's inputs: the event paths, and the files
// named by --config and --segments (empty ones are skipped).
func checkOutput(out string, events []string, config, segments string) error {
	inputs := pipeline.EventInputs(events)
	inputs = append(inputs, outdir.Input{Flag: "--config", Path: config}, outdir.Input{Flag: "--segments", Path: segments})
	return outdir.CheckDisjoint(out, inputs)
}

// newFlagSet returns a flag set that prints its usage to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

// parseCommand parses a command's flags, then fills from its --config file
// the options not given on the command line.
func parseCommand(fs *flag.FlagSet, command string, args []string, config *string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	return applyConfig(fs, command, *config)
}

// listFlag collects a repeatable, comma-separable flag.
type listFlag = layoutflags.List

// logOptions are shared by the commands that log.
type logOptions struct {
	Quiet  bool
	Format string
}

func (o *logOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.Quiet, "quiet", false, "print nothing but errors")
	fs.StringVar(&o.Format, "log-format", "text", "log line format on stderr: text or json")
}

func (o *logOptions) logger(stderr io.Writer) (*slog.Logger, error) {
	if o.Quiet {
		return slog.New(slog.DiscardHandler), nil
	}
	switch o.Format {
	case "text":
		return slog.New(slog.NewTextHandler(stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, nil)), nil
	}
	return nil, usagef("--log-format %q: want text or json", o.Format)
}

// inputOptions are shared by the commands that read events.
type inputOptions struct {
	Events listFlag
	// Layout are the flags of the input's layout (--preset, --map, ...).
	Layout  layoutflags.Flags
	AsOf    string
	Workers int
	// MaxRejected is the share of rows the filters may reject before the
	// run warns.
	MaxRejected float64
	// noAsOf leaves --as-of out of the flags (backtest, whose periods
	// end at dates of their own).
	noAsOf bool
}

func (o *inputOptions) register(fs *flag.FlagSet) {
	fs.Var(&o.Events, "events", "event `PATH`s: Parquet files, directories or globs (repeatable, comma-separated)")
	o.Layout.Register(fs)
	if !o.noAsOf {
		fs.StringVar(&o.AsOf, "as-of", "", "measure recency from this `TIME` (RFC 3339 or YYYY-MM-DD) and drop later events; default: the latest event")
	}
	fs.IntVar(&o.Workers, "workers", 0, "goroutines decoding the input (0 = all cores)")
	fs.Float64Var(&o.MaxRejected, "max-rejected-share", source.DefaultMaxRejectedShare, "warn (log, report, manifest) when the row filters reject more than this `SHARE` of the input rows (0 warns on any, 1 never). A run whose rows are all rejected fails with exit 3 and the counts by reason")
}

// prepare builds the logger and the scan options of a command that reads
// events, with progress reporting unless quiet; done ends the progress line.
func (o *inputOptions) prepare(lo *logOptions, stderr io.Writer) (log *slog.Logger, so source.ScanOptions, done func(), err error) {
	if log, err = lo.logger(stderr); err != nil {
		return nil, so, nil, err
	}
	if so, err = o.scanOptions(); err != nil {
		return nil, so, nil, err
	}
	done = func() {}
	if !lo.Quiet {
		pg := newProgress(stderr, log)
		so.Progress = pg.update
		done = pg.done
	}
	return log, so, done, nil
}

func (o *inputOptions) scanOptions() (source.ScanOptions, error) {
	layout, err := o.Layout.Layout()
	if err != nil {
		return source.ScanOptions{}, err
	}
	share, err := layoutflags.MaxRejectedShare(o.MaxRejected)
	if err != nil {
		return source.ScanOptions{}, err
	}
	so := source.ScanOptions{Layout: layout, Workers: o.Workers, MaxRejectedShare: share}
	if so.AsOf, err = layoutflags.AsOf(o.AsOf); err != nil {
		return so, err
	}
	if o.Workers < 0 {
		return so, usagef("--workers must not be negative")
	}
	return so, nil
}

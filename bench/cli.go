package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
)

const usage = `featurebench: time segmint's feature stage against DuckDB computing the
same features in SQL, on the same generated Parquet files and threads, and
check that both agree on every feature of every customer.

Usage: go run ./cmd/featurebench [flags]

Each engine runs in a child process of its own (peak RSS per engine), each
run is repeated --runs times and the best time is reported. Generated data
is cached under --out, keyed by the generator's settings.

Flags:
`

// parseArgs parses the command line into o; help reports --help.
func parseArgs(args []string, stderr io.Writer) (o Options, help bool, err error) {
	fs := flag.NewFlagSet("featurebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	events := fs.String("events", "10e6,50e6", "comma-separated data set `sizes` in events, e.g. 1e6,10e6,50e6")
	fs.Float64Var(&o.EventsPerCustomer, "events-per-customer", 53, "events per customer of the generator at scale 1 (turns --events into customers)")
	seed := fs.Uint64("seed", 1, "generator seed")
	fs.IntVar(&o.Threads, "threads", 0, "threads for both engines (0: all cores)")
	fs.IntVar(&o.Runs, "runs", 2, "runs per engine and size; the best is reported")
	engines := fs.String("engines", "segmint,duckdb", "comma-separated engines to run")
	writers := fs.String("writers", "segmint,duckdb", "comma-separated writers of the data sets: segmint (the generator's files) and duckdb (the same rows rewritten by DuckDB's COPY with its defaults: snappy, row groups of 122,880 rows)")
	orders := fs.String("orders", "time,session", "comma-separated row orders of the generated data: time (the whole data set in one time order, customers interleaved) and session (whole customers per file)")
	fs.Float64Var(&o.ScaleFactor, "scale-check", 5, "generator scale of the memory-scaling check on the smallest size's customers (negative: skip)")
	fs.StringVar(&o.OutDir, "out", "out", "`directory` for cached data, results and DuckDB spill files")
	fs.IntVar(&o.EventsPerFile, "events-per-file", 0, "events per generated file (0: the generator's default)")
	fs.IntVar(&o.RowGroupSize, "row-group-size", 0, "rows per Parquet row group (0: the generator's default)")
	fs.BoolVar(&o.Markdown, "markdown", false, "print the report as markdown")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, true, nil
		}
		return o, false, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, false, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	o.Seed = *seed
	for _, s := range strings.Split(*events, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v < 1 {
			return o, false, fmt.Errorf("%w: --events: bad size %q", errUsage, s)
		}
		o.Events = append(o.Events, v)
	}
	for _, e := range strings.Split(*engines, ",") {
		o.Engines = append(o.Engines, strings.TrimSpace(e))
	}
	for _, w := range strings.Split(*writers, ",") {
		o.Writers = append(o.Writers, strings.TrimSpace(w))
	}
	for _, r := range strings.Split(*orders, ",") {
		o.Orders = append(o.Orders, strings.TrimSpace(r))
	}
	if o.Threads < 0 || o.Runs < 1 || o.EventsPerCustomer <= 0 {
		return o, false, fmt.Errorf("%w: --threads, --runs and --events-per-customer must be positive", errUsage)
	}
	return o, false, nil
}

// Main runs the featurebench command and returns its exit code: 0 when the
// engines agree, 1 on an error, 2 on a usage error, 3 when the engines
// disagree on some feature value.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == ChildFlag {
		if err := childMain(args[1:], stdout); err != nil {
			fmt.Fprintln(stderr, "featurebench child:", err)
			return 1
		}
		return 0
	}
	o, help, err := parseArgs(args, stderr)
	if help {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "featurebench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := Run(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "featurebench:", err)
		return 1
	}
	if err := rep.Write(stdout, o.Markdown); err != nil {
		fmt.Fprintln(stderr, "featurebench:", err)
		return 1
	}
	for _, row := range rep.Rows {
		if row.Mismatches > 0 {
			return 3
		}
	}
	return 0
}

package kmeansbench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/muesli/kmeans"
	"github.com/segmint/segmint/cluster"
)

// Options configures Run.
type Options struct {
	Rows    []int   // matrix sizes in rows
	Cols    int     // features
	K       int     // clusters
	NInit   int     // restarts, the same for every engine
	Blobs   int     // mixture components of the generated matrix
	Spread  float64 // half-width of the box the component centres are drawn in
	Seed    uint64  // generator and k-means seed
	Threads []int   // thread counts to run segmint and scikit-learn with
	Repeats int     // timed runs per engine and size; the best is reported
	// MuesliRepeats is the timed runs of muesli/kmeans (each of NInit
	// restarts); 0 skips it. MuesliMaxRows skips it above that size.
	MuesliRepeats, MuesliMaxRows int
	Python                       string // python3 with sklearn; empty: look for one
	SkipSklearn                  bool
	// ClusterCommand, when set, is a segmint binary: each matrix is also
	// written as a feature table by DuckDB and "segmint cluster
	// --transform none" is timed as a whole process (see command.go).
	ClusterCommand string
}

// Row is one line of the table.
type Row struct {
	Rows, Cols, K, NInit int
	Engine               string
	Threads              int
	Seconds, CPU         float64 // best wall time and the CPU time of that run
	Inertia              float64
	Iterations           int
}

const usage = `kmeansbench: time segmint's k-means against scikit-learn (Lloyd and Elkan)
and muesli/kmeans on the same standardised matrix, k and restarts.

Usage: go run ./cmd/kmeansbench [flags]

Every engine is run --repeats times per size and thread count and the best
wall time is reported with the CPU time of that run. scikit-learn runs in
python3 with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to the row's
threads; it is skipped, with a note, when python3-sklearn is not installed.

Flags:
`

func parseArgs(args []string, stderr io.Writer) (o Options, help bool, err error) {
	fs := flag.NewFlagSet("kmeansbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	rows := fs.String("rows", "1e5,1e6", "comma-separated matrix `sizes` in rows")
	threads := fs.String("threads", "1,0", "comma-separated thread `counts` (0: all cores)")
	fs.IntVar(&o.Cols, "cols", 16, "features")
	fs.IntVar(&o.K, "k", 10, "clusters")
	fs.IntVar(&o.NInit, "n-init", 10, "restarts for every engine")
	fs.IntVar(&o.Blobs, "blobs", 10, "Gaussian components of the generated matrix")
	fs.Float64Var(&o.Spread, "spread", 1.5, "component centres are uniform in [-spread, spread] per axis (before standardising)")
	fs.Uint64Var(&o.Seed, "seed", 1, "generator and k-means seed")
	fs.IntVar(&o.Repeats, "repeats", 3, "timed runs per engine; the best is reported")
	fs.IntVar(&o.MuesliRepeats, "muesli-repeats", 1, "timed runs of muesli/kmeans (0 skips it)")
	fs.IntVar(&o.MuesliMaxRows, "muesli-max-rows", 100_000, "skip muesli/kmeans above this many rows")
	fs.StringVar(&o.Python, "python", "", "python3 `interpreter` with sklearn (default: python3, then /usr/bin/python3)")
	fs.BoolVar(&o.SkipSklearn, "no-sklearn", false, "do not run scikit-learn")
	fs.StringVar(&o.ClusterCommand, "cluster-command", "", "a segmint `binary`: also time \"segmint cluster --transform none\" as a whole process on the matrix written as a Parquet feature table by DuckDB")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, true, nil
		}
		return o, false, err
	}
	if fs.NArg() > 0 {
		return o, false, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.Rows, err = parseInts(*rows); err != nil {
		return o, false, fmt.Errorf("--rows: %w", err)
	}
	if o.Threads, err = parseInts(*threads); err != nil {
		return o, false, fmt.Errorf("--threads: %w", err)
	}
	for i, t := range o.Threads {
		if t == 0 {
			o.Threads[i] = runtime.GOMAXPROCS(0)
		}
	}
	if o.Cols < 1 || o.K < 1 || o.NInit < 1 || o.Blobs < 1 || o.Repeats < 1 || o.MuesliRepeats < 0 {
		return o, false, fmt.Errorf("--cols, --k, --n-init, --blobs and --repeats must be positive")
	}
	return o, false, nil
}

// parseInts parses a comma-separated list of non-negative integers, which
// may be written as floats (1e6).
func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || v != math.Trunc(v) || v > 1e12 {
			return nil, fmt.Errorf("%q is not a non-negative integer", f)
		}
		out = append(out, int(v))
	}
	return out, nil
}

// Main runs the command with args and returns the exit code: 0 on
// success, 2 for bad flags, 1 for any other error.
func Main(args []string, stdout, stderr io.Writer) int {
	o, help, err := parseArgs(args, stderr)
	if help {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "kmeansbench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := Run(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "kmeansbench:", err)
		return 1
	}
	return 0
}

// cpuSeconds returns the user plus system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// Run generates the matrices, runs every engine, and writes the table to
// stdout and progress to stderr.
func Run(ctx context.Context, o Options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "kmeansbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	python := ""
	sklearnNote := ""
	if o.SkipSklearn {
		sklearnNote = "scikit-learn: skipped (--no-sklearn)"
	} else if python, err = findPython(ctx, o.Python); err != nil {
		sklearnNote = "scikit-learn: skipped: " + err.Error()
		fmt.Fprintln(stderr, sklearnNote)
	}
	var rows []Row
	var notes []string
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	for _, n := range o.Rows {
		fmt.Fprintf(stderr, "generating %d×%d matrix\n", n, o.Cols)
		data := Blobs(o.Seed, n, o.Cols, o.Blobs, o.Spread)
		if o.ClusterCommand != "" {
			table, err := writeFeatureTable(ctx, dir, data, n, o.Cols)
			if err != nil {
				return err
			}
			r, read, fit, err := timeClusterCommand(ctx, o.ClusterCommand, table, dir, n, o, logf)
			if err != nil {
				return err
			}
			r.Threads = runtime.GOMAXPROCS(0)
			rows = append(rows, r)
			notes = append(notes, fmt.Sprintf("segmint cluster, %d rows: best whole process %.3f s, of which its manifest's read %.3f s and k-means %.3f s.", n, r.Seconds, read, fit))
			os.Remove(table)
		}
		for _, th := range o.Threads {
			r, err := timeSegmint(ctx, data, n, o, th, stderr)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		if python != "" {
			matrix, err := writeMatrix(dir, data)
			if err != nil {
				return err
			}
			for _, th := range o.Threads {
				fmt.Fprintf(stderr, "scikit-learn %d rows, %d threads\n", n, th)
				fits, err := runSklearn(ctx, python, dir, matrix, n, o.Cols, o.K, o.NInit, o.Seed, o.Repeats, th, "lloyd,elkan")
				if err != nil {
					return err
				}
				for _, alg := range []string{"lloyd", "elkan"} {
					best := Row{Rows: n, Cols: o.Cols, K: o.K, NInit: o.NInit, Threads: th, Seconds: math.Inf(1)}
					for _, f := range fits {
						if f.Algorithm == alg && f.Seconds < best.Seconds {
							best.Engine = "scikit-learn " + f.Version + " " + alg
							best.Seconds, best.CPU, best.Inertia, best.Iterations = f.Seconds, f.CPU, f.Inertia, f.Iterations
						}
					}
					if best.Engine != "" {
						rows = append(rows, best)
					}
				}
			}
			sklearnNote = "scikit-learn: " + python
		}
		if o.MuesliRepeats > 0 && n <= o.MuesliMaxRows {
			r, err := timeMuesli(ctx, data, n, o, stderr)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	writeTable(stdout, rows)
	fmt.Fprintf(stdout, "\nBest of %d runs (muesli/kmeans: %d), wall seconds around the fit only; cpu = user+system seconds of that run.\n", o.Repeats, o.MuesliRepeats)
	fmt.Fprintf(stdout, "Matrix: %d Gaussian components, spread %g, seed %d, standardised. GOMAXPROCS %d.\n", o.Blobs, o.Spread, o.Seed, runtime.GOMAXPROCS(0))
	if sklearnNote != "" {
		fmt.Fprintln(stdout, sklearnNote)
	}
	for _, n := range notes {
		fmt.Fprintln(stdout, n)
	}
	for _, v := range []string{"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} {
		if val, ok := os.LookupEnv(v); ok {
			fmt.Fprintf(stdout, "%s=%s (left as set)\n", v, val)
		} else {
			fmt.Fprintf(stdout, "%s not set\n", v)
		}
	}
	return nil
}

func timeSegmint(ctx context.Context, data []float64, n int, o Options, threads int, stderr io.Writer) (Row, error) {
	best := Row{Rows: n, Cols: o.Cols, K: o.K, NInit: o.NInit, Engine: "segmint", Threads: threads, Seconds: math.Inf(1)}
	s := cluster.Settings{K: o.K, NInit: o.NInit, Seed: o.Seed, Threads: threads}
	for range o.Repeats {
		runtime.GC()
		c0, w0 := cpuSeconds(), time.Now()
		res, err := cluster.KMeans(ctx, data, n, o.Cols, s)
		sec, cpu := time.Since(w0).Seconds(), cpuSeconds()-c0
		if err != nil {
			return best, err
		}
		fmt.Fprintf(stderr, "segmint %d rows, %d threads: %.3fs cpu %.3fs inertia %.6g iterations %d\n", n, threads, sec, cpu, res.Inertia, res.Iterations)
		if sec < best.Seconds {
			best.Seconds, best.CPU, best.Inertia, best.Iterations = sec, cpu, res.Inertia, res.Iterations
		}
	}
	return best, nil
}

func timeMuesli(ctx context.Context, data []float64, n int, o Options, stderr io.Writer) (Row, error) {
	best := Row{Rows: n, Cols: o.Cols, K: o.K, NInit: o.NInit, Engine: "muesli/kmeans", Threads: 1, Seconds: math.Inf(1)}
	obs := cluster.ToObservations(data, n, o.Cols)
	m := kmeans.New()
	centres := make([]float64, o.K*o.Cols)
	for range o.MuesliRepeats {
		runtime.GC()
		bestIn := math.Inf(1)
		var sec, cpu float64
		for range o.NInit {
			if err := ctx.Err(); err != nil {
				return best, err
			}
			c0, w0 := cpuSeconds(), time.Now()
			cc, err := m.Partition(obs, o.K)
			sec += time.Since(w0).Seconds()
			cpu += cpuSeconds() - c0
			if err != nil {
				return best, fmt.Errorf("muesli/kmeans: %w", err)
			}
			// The recomputation is not timed.
			for j, c := range cc {
				copy(centres[j*o.Cols:(j+1)*o.Cols], c.Center)
			}
			bestIn = min(bestIn, Inertia(data, n, o.Cols, centres))
		}
		fmt.Fprintf(stderr, "muesli/kmeans %d rows: %.3fs cpu %.3fs inertia %.6g\n", n, sec, cpu, bestIn)
		if sec < best.Seconds {
			best.Seconds, best.CPU, best.Inertia = sec, cpu, bestIn
		}
	}
	return best, nil
}

// writeTable prints rows as a Markdown table, with inertia and time
// relative to scikit-learn Lloyd on the same size and threads (muesli/kmeans
// against scikit-learn on 1 thread).
func writeTable(w io.Writer, rows []Row) {
	ref := func(r Row) (Row, bool) {
		for _, x := range rows {
			if x.Rows == r.Rows && x.Threads == r.Threads && strings.HasPrefix(x.Engine, "scikit-learn") && strings.HasSuffix(x.Engine, " lloyd") {
				return x, true
			}
		}
		return Row{}, false
	}
	fmt.Fprintln(w, "| rows | cols | k | n_init | engine | threads | seconds | cpu s | iterations | inertia | inertia vs sklearn lloyd | speed vs sklearn lloyd |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		rel, speed := "–", "–"
		if s, ok := ref(r); ok {
			rel = fmt.Sprintf("%+.3f %%", 100*(r.Inertia-s.Inertia)/s.Inertia)
			speed = fmt.Sprintf("%.2f×", s.Seconds/r.Seconds)
		}
		iters := "–"
		if r.Iterations > 0 {
			iters = strconv.Itoa(r.Iterations)
		}
		fmt.Fprintf(w, "| %d | %d | %d | %d | %s | %d | %.3f | %.3f | %s | %.6g | %s | %s |\n",
			r.Rows, r.Cols, r.K, r.NInit, r.Engine, r.Threads, r.Seconds, r.CPU, iters, r.Inertia, rel, speed)
	}
}

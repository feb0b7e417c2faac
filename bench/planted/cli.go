package planted

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"

	"github.com/segmint/segmint/bench/mixture"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

const usage = `planted: measure segmint on planted data sets (package synth), where every
customer's archetype is known. Figures only; the core module's tests hold
the floors.

Usage: go run ./cmd/planted COMMAND [flags]

Commands:
  recovery     the whole job on one data set: k, ARI, mapping share and each
               archetype's primary and membership precision and recall
               (docs/quality.md)
  robustness   the robustness suite's variants, with each k strategy
               (docs/quality.md, docs/choosing-k.md)
  ceiling      per variant, how far the features tell the archetypes apart:
               purity of the planted centroids, of k-means started from
               them, and a nearest-neighbour classifier's accuracy
               (BENCHMARKS.md)
  warmstart    the stability figures with bootstrap refits warm-started from
               the fit's centroids against k-means++ refits (BENCHMARKS.md)
  samplesize   the stability figures of one fit computed on samples of
               several sizes (BENCHMARKS.md)
  restarts     the stability figures of one fit with bootstrap refits of
               several numbers of restarts (BENCHMARKS.md)
  refinement   k-means with and without the split–remove refinement, and the
               stability scan with --scan (BENCHMARKS.md)
  mixture      the diagonal Gaussian mixture (bench/mixture) against the
               refined k-means fit (BENCHMARKS.md)
  archetypes   each archetype's planted behaviour, as the feature stage reads
               it (synth/doc.go)
  atrisk       the at_risk segment read from the purchase model's churn
               probability, on planted data and on real data held out
               (docs/predictions.md, BENCHMARKS.md)

Run "go run ./cmd/planted COMMAND --help" for a command's flags.
`

// options are the flags of every command; each command reads its own.
type options struct {
	customers  int
	seed       uint64
	strategy   string
	boots      int
	mixed      float64
	kmax       int
	k          int
	sample     int
	variants   string
	strategies string
	floors     string
	scan       bool
	features   string
	sets       string
	dir        string
}

// Main runs the command line args and returns the exit code: 0, 1 on a
// failure, 2 on a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd := args[0]
	o, err := parseFlags(cmd, args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "planted: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if o.dir == "" {
		dir, err := os.MkdirTemp("", "planted-")
		if err != nil {
			fmt.Fprintf(stderr, "planted: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		o.dir = dir
	}
	if err := run(ctx, cmd, o, stdout); err != nil {
		fmt.Fprintf(stderr, "planted %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parseFlags parses the flags of cmd; each command has its own defaults.
func parseFlags(cmd string, args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	customers, seed := 3000, uint64(7)
	switch cmd {
	case "recovery":
		customers = 4000
		fs.StringVar(&o.strategy, "k-strategy", "", "how k is chosen: discover (the default of segmint run), seeded, stability or indices")
		fs.IntVar(&o.boots, "stability-boots", 3, "bootstrap resamples of the chosen k's stability check (-1: none)")
		fs.IntVar(&o.kmax, "k-max", 0, "largest k the scan tries (0: segmint run's default)")
	case "robustness", "ceiling":
		fs.StringVar(&o.variants, "variants", "suite", "the variants: suite (those the tests hold to the floors), hard, all, or comma-separated names")
		if cmd == "ceiling" {
			break
		}
		fs.StringVar(&o.strategies, "strategies", pipeline.KSeeded, "comma-separated k strategies: seeded, discover, stability, indices")
		fs.IntVar(&o.boots, "stability-boots", 0, "bootstrap resamples of the chosen clusters' stability figures (0: segmint run's default, as the suite's test; -1: none, which also skips discover's check that added clusters reproduce)")
		fs.IntVar(&o.kmax, "k-max", 0, "largest k the scan tries (0: segmint run's default)")
		fs.Float64Var(&o.mixed, "list-mixed", 0, "after the table, list every cluster whose majority archetype holds less than this share of it (0: none)")
	case "warmstart":
		customers, seed = 100000, 1
		fs.IntVar(&o.k, "k", 18, "clusters of the fit assessed")
		fs.IntVar(&o.boots, "stability-boots", 10, "bootstrap refits")
	case "samplesize":
		customers, seed = 1000000, 1
		fs.IntVar(&o.k, "k", 18, "clusters of the fit assessed")
		fs.IntVar(&o.boots, "stability-boots", 10, "bootstrap refits per sample size")
		fs.StringVar(&o.sets, "samples", "100000,50000,20000", "comma-separated sample sizes")
	case "restarts":
		customers, seed = 1000000, 1
		fs.IntVar(&o.k, "k", 18, "clusters of the fit assessed")
		fs.IntVar(&o.boots, "stability-boots", 10, "bootstrap refits per column")
		fs.IntVar(&o.sample, "sample", 100000, "rows the refits resample")
		fs.StringVar(&o.sets, "restarts", "10,5,3", "comma-separated restarts of each refit; the first is repeated with other bootstrap draws")
	case "refinement":
		fs.BoolVar(&o.scan, "scan", false, "also run the stability scan over k = 2..20 with and without the refinement")
	case "mixture":
		fs.StringVar(&o.floors, "floors", strconv.FormatFloat(mixture.DefaultVarFloor, 'g', -1, 64), "comma-separated variance floors, as fractions of each column's variance")
		fs.BoolVar(&o.scan, "scan", false, "also run the stability scan over k = 10..24 and report the k of lowest BIC among the stable ones")
	case "archetypes":
		customers, seed = 20000, 1
		fs.StringVar(&o.features, "features", strings.Join(DefaultTableFeatures, ","), "comma-separated features to show")
	case "atrisk":
		customers = 4000
		fs.StringVar(&o.sets, "sets", "4000:7,4000:8,20000:8", "comma-separated planted data sets CUSTOMERS:SEED (--customers and --seed are not read)")
	default:
		return o, fmt.Errorf("unknown command %q (want recovery, robustness, ceiling, warmstart, samplesize, restarts, refinement, mixture, archetypes or atrisk)", cmd)
	}
	fs.IntVar(&o.customers, "customers", customers, "customers of the planted data set")
	fs.Uint64Var(&o.seed, "seed", seed, "generator seed")
	fs.StringVar(&o.dir, "dir", "", "`directory` for the generated data and the runs' outputs, kept (default: a temporary one, removed)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// run runs one command.
func run(ctx context.Context, cmd string, o options, stdout io.Writer) error {
	set := synth.Settings{Customers: o.customers, Seed: o.seed}
	switch cmd {
	case "recovery":
		r, _, _, err := Run(ctx, RunOptions{Data: set, KStrategy: o.strategy, StabilityBoots: o.boots, KMax: o.kmax, Dir: o.dir})
		if err != nil {
			return err
		}
		WriteRecovery(stdout, r)
	case "robustness":
		vs, err := pickVariants(o.variants)
		if err != nil {
			return err
		}
		return Robustness(ctx, stdout, RobustnessOptions{Variants: vs, Strategies: strings.Split(o.strategies, ","), Customers: o.customers, Seed: o.seed, Dir: o.dir, StabilityBoots: o.boots, KMax: o.kmax, Mixed: o.mixed})
	case "ceiling":
		vs, err := pickVariants(o.variants)
		if err != nil {
			return err
		}
		return Ceiling(ctx, stdout, vs, o.customers, o.seed, o.dir)
	case "warmstart":
		data, rows, cols, _, err := Matrix(ctx, o.dir, set)
		if err != nil {
			return err
		}
		return WarmStart(ctx, stdout, data, rows, cols, o.k, o.boots)
	case "samplesize", "restarts":
		flagName := map[string]string{"samplesize": "--samples", "restarts": "--restarts"}[cmd]
		list, err := positiveInts(flagName, o.sets)
		if err != nil {
			return err
		}
		data, rows, cols, _, err := Matrix(ctx, o.dir, set)
		if err != nil {
			return err
		}
		if cmd == "samplesize" {
			return SampleSize(ctx, stdout, data, rows, cols, o.k, o.boots, list)
		}
		return Restarts(ctx, stdout, data, rows, cols, o.k, o.boots, o.sample, list)
	case "refinement", "mixture":
		data, rows, cols, labels, err := Matrix(ctx, o.dir, set)
		if err != nil {
			return err
		}
		if cmd == "refinement" {
			return Refinement(ctx, stdout, data, rows, cols, labels, o.scan)
		}
		var floors []float64
		for _, f := range strings.Split(o.floors, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return fmt.Errorf("--floors: %w", err)
			}
			floors = append(floors, x)
		}
		return Mixture(ctx, stdout, data, rows, cols, labels, floors, o.scan)
	case "archetypes":
		tab, arch, err := Features(ctx, o.dir, set)
		if err != nil {
			return err
		}
		return Archetypes(stdout, tab, arch, strings.Split(o.features, ","))
	case "atrisk":
		var sets []synth.Settings
		for _, spec := range strings.Split(o.sets, ",") {
			var s synth.Settings
			if _, err := fmt.Sscanf(strings.TrimSpace(spec), "%d:%d", &s.Customers, &s.Seed); err != nil {
				return fmt.Errorf("--sets %q: want CUSTOMERS:SEED", spec)
			}
			sets = append(sets, s)
		}
		return AtRisk(ctx, stdout, o.dir, sets, DefaultHeldOut)
	}
	return nil
}

// pickVariants selects the robustness variants by --variants.
func pickVariants(spec string) ([]Variant, error) {
	all := Variants()
	switch spec {
	case "all":
		return all, nil
	case "suite", "hard":
		hard := spec == "hard"
		return slices.DeleteFunc(all, func(v Variant) bool { return v.Hard != hard }), nil
	}
	var out []Variant
	for _, name := range strings.Split(spec, ",") {
		i := slices.IndexFunc(all, func(v Variant) bool { return v.Name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("--variants: no variant %q", name)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// positiveInts parses the comma-separated positive numbers of the flag
// named name.
func positiveInts(name, list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmint/segmint/outdir"
	"github.com/segmint/segmint/synth"
)

type generateOptions struct {
	Config    string
	Customers int
	Seed      uint64
	Out       string
	Force     bool
	Start     string
	Days      int
	Layout    string
	Order     string
	Scale     float64
	Prices    float64
	QtyMax    int
	Gaps      float64
	Noise     float64
	Mix       string
	PerFile   int
	Quiet     bool
}

func generateFlags(o *generateOptions, stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("generate", `segmint generate --customers N --out DIR [flags]

Writes a synthetic e-commerce event log in the REES46 layout (events-*.parquet)
with one planted customer archetype per behavioural segment of the catalogue,
and labels.parquet (customer_id, archetype) with the planted truth. The same
flags and seed give byte-identical files.`, stderr)
	fs.IntVar(&o.Customers, "customers", 10000, "number of customers")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fs.StringVar(&o.Out, "out", "", "output `DIR`ectory (required; must not exist or be empty unless --force)")
	fs.BoolVar(&o.Force, "force", false, "replace an earlier generated data set in --out (only a directory holding nothing but the generator's Parquet files; anything else is refused with exit 4)")
	fs.StringVar(&o.Start, "start", "", "first day of the window, YYYY-MM-DD (default 2025-01-01)")
	fs.IntVar(&o.Days, "days", synth.DefaultDays, fmt.Sprintf("length of the window in days (at least %d)", synth.MinDays))
	fs.StringVar(&o.Layout, "layout", "full", "columns: full (REES46 plus order_id, quantity, coupon_code, discount, country, refund and subscribe events) or rees46 (the nine REES46 columns only)")
	fs.StringVar(&o.Order, "order", "time", "row order: time (the whole data set in one time order across the files, customers interleaved, as an export of an events table) or session (whole customers per file, each file sorted by time)")
	fs.Float64Var(&o.Scale, "scale", 1, "multiply every customer's events per session (same customers, more events)")
	fs.Float64Var(&o.Prices, "price-scale", 1, "multiply every price and discount as written (the same shop in another currency or price segment)")
	fs.IntVar(&o.QtyMax, "quantity-max", 0, "draw every purchase line's quantity uniformly from 1..N (0: the archetypes' own quantities)")
	fs.Float64Var(&o.Gaps, "gap-scale", 1, fmt.Sprintf("multiply the time gaps between a customer's visits and orders, %g to %g (regular rhythms exactly; orders that would fall before the window's start are dropped)", synth.MinGapScale, synth.MaxGapScale))
	fs.Float64Var(&o.Noise, "noise-share", 0, fmt.Sprintf("add this share of noise rows, 0 to %g: random views and cart adds by random customers at random times, 10%% of them of the unknown event_type %q (labels unchanged)", synth.MaxNoiseShare, synth.NoiseEventType))
	fs.StringVar(&o.Mix, "mix", "", fmt.Sprintf("change archetype weights (percent; the others keep theirs): id=weight,... e.g. dormant=0,%s=6 to plant the archetype no catalogue segment describes (archetypes: %s; unlisted: %s)", synth.ComparisonShoppers, strings.Join(synth.Archetypes(), " "), strings.Join(synth.UnlistedArchetypes(), " ")))
	fs.IntVar(&o.PerFile, "events-per-file", synth.DefaultEventsPerFile, "maximum events per file")
	fs.BoolVar(&o.Quiet, "quiet", false, "print nothing but errors")
	registerConfig(fs, &o.Config)
	return fs
}

func init() {
	commandFlags["generate"] = func() *flag.FlagSet {
		var o generateOptions
		return generateFlags(&o, io.Discard)
	}
}

func cmdGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o generateOptions
	fs := generateFlags(&o, stderr)
	if err := parseCommand(fs, "generate", args, &o.Config); err != nil {
		return err
	}
	if o.Out == "" {
		return usagef("--out is required")
	}
	if o.Customers <= 0 {
		return usagef("--customers must be positive")
	}
	if o.Days < synth.MinDays {
		return usagef("--days must be at least %d", synth.MinDays)
	}
	if o.Scale <= 0 {
		return usagef("--scale must be positive")
	}
	if !(o.Prices > 0) || o.Prices > 1e6 {
		return usagef("--price-scale must be in (0, 1e6]")
	}
	if o.QtyMax < 0 || o.QtyMax > 1000 {
		return usagef("--quantity-max must be in 0..1000")
	}
	if !(o.Gaps >= synth.MinGapScale && o.Gaps <= synth.MaxGapScale) {
		return usagef("--gap-scale must be in [%g, %g]", synth.MinGapScale, synth.MaxGapScale)
	}
	if !(o.Noise >= 0 && o.Noise <= synth.MaxNoiseShare) {
		return usagef("--noise-share must be in [0, %g]", synth.MaxNoiseShare)
	}
	s := synth.Settings{Customers: o.Customers, Seed: o.Seed, Days: o.Days, Scale: o.Scale, EventsPerFile: o.PerFile,
		PriceScale: o.Prices, QuantityMax: o.QtyMax, GapScale: o.Gaps, NoiseShare: o.Noise}
	if o.Mix != "" {
		mix, err := parseMix(o.Mix)
		if err != nil {
			return err
		}
		s.Mix = mix
	}
	switch o.Layout {
	case "full":
		s.Layout = synth.LayoutFull
	case "rees46":
		s.Layout = synth.LayoutREES46
	default:
		return usagef("--layout %q: want full or rees46", o.Layout)
	}
	order, err := synth.ParseOrder(o.Order)
	if err != nil {
		return usagef("--order %q: want time or session", o.Order)
	}
	s.Order = order
	if o.Start != "" {
		t, err := time.Parse("2006-01-02", o.Start)
		if err != nil {
			return usagef("--start %q: want YYYY-MM-DD", o.Start)
		}
		s.Start = t
	}
	if err := checkOutput(o.Out, nil, o.Config, ""); err != nil {
		return err
	}
	if err := outdir.CheckDir(o.Out, o.Force, generatedOwned); err != nil {
		return err
	}
	stage, err := outdir.Stage(o.Out)
	if err != nil {
		return &outputError{err}
	}
	defer os.RemoveAll(stage)
	start := time.Now()
	sum, err := synth.Generate(ctx, stage, s)
	if err != nil {
		return err
	}
	if err := outdir.Exchange(stage, o.Out); err != nil {
		return &outputError{fmt.Errorf("moving the output into %s: %w", o.Out, err)}
	}
	sum.Labels = filepath.Join(o.Out, filepath.Base(sum.Labels))
	for i, f := range sum.Files {
		sum.Files[i] = filepath.Join(o.Out, filepath.Base(f))
	}
	if !o.Quiet {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(stdout, "segmint: generated %d events for %d customers (%d products) in %d file(s) in %.1fs (%.0f events/s); labels in %s\n",
			sum.Events, sum.Customers, sum.Products, len(sum.Files), secs, float64(sum.Events)/secs, sum.Labels)
	}
	return nil
}

// generatedOwned is the rule of a generated data set's directory: every
// file is a Parquet file the generator wrote (its metadata carries the
// generator's seed).
func generatedOwned(string) (outdir.Owned, error) {
	return outdir.ParquetOwned("segmint.synth.seed"), nil
}

// parseMix reads --mix: id=weight pairs that change DefaultMix.
func parseMix(v string) (map[string]float64, error) {
	mix := synth.DefaultMix()
	known := append(synth.Archetypes(), synth.UnlistedArchetypes()...)
	for _, part := range strings.Split(v, ",") {
		id, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, usagef("--mix %q: want id=weight pairs separated by commas", v)
		}
		if !slices.Contains(known, id) {
			return nil, usagef("--mix: unknown archetype %q (archetypes: %s)", id, strings.Join(known, ", "))
		}
		x, err := strconv.ParseFloat(w, 64)
		if err != nil || !(x >= 0) || math.IsInf(x, 0) {
			return nil, usagef("--mix: weight of %s %q: want a number >= 0", id, w)
		}
		mix[id] = x
	}
	return mix, nil
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/segmint/segmint/pipeline"
)

type featuresOptions struct {
	Config string
	input  inputOptions
	log    logOptions
	Out    string
	Force  bool
}

func featuresFlags(o *featuresOptions, stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("features", `segmint features --events PATH... --out FILE.parquet [flags]

Runs the feature stage alone: reads the events and writes the per-customer
feature table (customer_id, country, then one column per feature; null where
a feature is undefined for a customer). Features whose inputs the events lack
are left out and listed on stderr. The table feeds "segmint cluster".`, stderr)
	o.input.register(fs)
	o.log.register(fs)
	fs.StringVar(&o.Out, "out", "", "output Parquet `FILE` (required; must not exist unless --force)")
	fs.BoolVar(&o.Force, "force", false, "replace an existing --out")
	registerConfig(fs, &o.Config)
	return fs
}

func init() {
	commandFlags["features"] = func() *flag.FlagSet {
		var o featuresOptions
		return featuresFlags(&o, io.Discard)
	}
}

func cmdFeatures(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o featuresOptions
	fs := featuresFlags(&o, stderr)
	if err := parseCommand(fs, "features", args, &o.Config); err != nil {
		return err
	}
	o.input.Events = append(o.input.Events, fs.Args()...)
	if o.Out == "" {
		return usagef("--out is required")
	}
	if len(o.input.Events) == 0 {
		return usagef("--events is required")
	}
	if err := checkOutput(o.Out, o.input.Events, o.Config, ""); err != nil {
		return err
	}
	log, so, done, err := o.input.prepare(&o.log, stderr)
	if err != nil {
		return err
	}
	defer done()
	t, rep, err := pipeline.FeaturesToFile(ctx, o.input.Events, so, o.Out, o.Force)
	if err != nil {
		return err
	}
	for _, a := range t.Absent {
		log.Warn("feature not computed", "feature", a.Feature, "reason", a.Reason)
	}
	for _, f := range rep.SkippedFiles {
		log.Info("file skipped", "file", f.Path, "reason", f.Reason)
	}
	for reason, n := range rep.Skipped {
		log.Warn("rows skipped", "reason", reason, "rows", n)
	}
	for _, w := range rep.Warnings {
		log.Warn(w)
	}
	if !o.log.Quiet {
		fmt.Fprintf(stdout, "segmint: %d events -> %d customers x %d features in %.2fs (%.0f events/s%s); wrote %s\n",
			rep.Events, rep.Customers, len(t.Features), rep.Seconds, float64(rep.Events)/rep.Seconds, peakRSSText(), o.Out)
	}
	return nil
}

// peakRSSText is ", peak RSS N MiB" for the summary line, or "" where the
// platform does not report it.
func peakRSSText() string {
	b, ok := peakRSS()
	if !ok {
		return ""
	}
	return fmt.Sprintf(", peak RSS %d MiB", (b+1<<20-1)>>20)
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

type validateOptions struct {
	Config       string
	input        inputOptions
	Segments     string
	SegmentsMode string
	Quiet        bool
}

func validateFlags(o *validateOptions, stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("validate", `segmint validate --events PATH... [flags]

Checks a job's inputs and configuration without running it: every input file
opens, is Parquet or CSV, has the required columns in usable types under the
layout (--preset, --map); the first row group of each file decodes, with its
rows skipped by reason; the segment catalogue (built in, or --segments)
compiles. Exits 0 when the job can run, 3 for bad input, 5 for bad
configuration, 2 for bad flags.`, stderr)
	o.input.register(fs)
	fs.StringVar(&o.Segments, "segments", "", "segment catalogue `FILE` to check")
	fs.StringVar(&o.SegmentsMode, "segments-mode", "extend", "extend or replace")
	fs.BoolVar(&o.Quiet, "quiet", false, "print nothing but errors")
	registerConfig(fs, &o.Config)
	return fs
}

func init() {
	commandFlags["validate"] = func() *flag.FlagSet {
		var o validateOptions
		return validateFlags(&o, io.Discard)
	}
}

func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o validateOptions
	fs := validateFlags(&o, stderr)
	if err := parseCommand(fs, "validate", args, &o.Config); err != nil {
		return err
	}
	o.input.Events = append(o.input.Events, fs.Args()...)
	if len(o.input.Events) == 0 {
		return usagef("--events is required")
	}
	so, err := o.input.scanOptions()
	if err != nil {
		return err
	}
	cat := segments.Default()
	if o.Segments != "" {
		if o.SegmentsMode != "extend" && o.SegmentsMode != "replace" {
			return usagef("--segments-mode %q: want extend or replace", o.SegmentsMode)
		}
		if cat, err = segments.Load(o.Segments, o.SegmentsMode == "extend"); err != nil {
			return &configError{err}
		}
	}
	inputs, err := source.OpenInputs(o.input.Events, so.Layout)
	if err != nil {
		return err
	}
	splits := inputs.Splits()
	files := 0
	var rows int64
	skipped := make(map[string]int64)
	var present features.Columns
	seenFirst := make(map[string]bool)
	for _, sp := range splits {
		if seenFirst[sp.Path] {
			continue
		}
		seenFirst[sp.Path] = true
		files++
		sk, err := source.ReadSplit(ctx, sp, so.Layout, so.AsOf, source.PassEvents, func(b *features.Batch) {
			rows += int64(b.Len)
			present |= b.Present
		})
		if err != nil {
			return err
		}
		for k, v := range sk {
			skipped[k] += v
		}
	}
	if !o.Quiet {
		fmt.Fprintf(stdout, "segmint: inputs valid: %d file(s), %d split(s); the first row group of each decodes to %d events\n", files, len(splits), rows)
		fmt.Fprintf(stdout, "  columns: %v\n", present.Names())
		for _, f := range inputs.Skipped {
			fmt.Fprintf(stdout, "  file skipped: %s: %s\n", f.Path, f.Reason)
		}
		for reason, n := range skipped {
			fmt.Fprintf(stdout, "  rows that would be skipped in the sample: %s: %d\n", reason, n)
		}
		fmt.Fprintf(stdout, "segmint: segment catalogue valid: %d segments, %d life-cycle stages\n", len(cat.Segments), len(cat.Lifecycle))
	}
	return nil
}

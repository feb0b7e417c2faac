package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/segmint/segmint/clv"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/source"
)

type backtestOptions struct {
	Config         string
	input          inputOptions
	log            logOptions
	CalibrationEnd string
	HoldoutEnd     string
	Models         listFlag
	JSON           bool
}

func backtestFlags(o *backtestOptions, stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("backtest", `segmint backtest --events PATH... --calibration-end DATE [--holdout-end DATE] [flags]

Tests the purchase models of segmint run's predictions on the input's own
history: fits each model on the orders up to --calibration-end, predicts
every customer's repeat orders in the holdout (the days after it, up to
--holdout-end or the latest event) and compares them with the orders the
customers made, next to a naive baseline that carries each customer's
calibration rate forward: the total predicted against the actual (bias),
and per customer the correlation and the mean absolute error. The orders
are read as segmint run reads them (same --preset, --map and filters), and
the models are fitted on the same summaries. Customers first seen in the
holdout are left out. Where the models cannot speak for the calibration
period (the guards of segmint run's predictions), the table says why and
still scores the baseline; the exit code is 0.`, stderr)
	o.input.noAsOf = true
	o.input.register(fs)
	o.log.register(fs)
	fs.StringVar(&o.CalibrationEnd, "calibration-end", "", "the last `DATE` (YYYY-MM-DD, UTC) of the calibration period; its whole day counts (required)")
	fs.StringVar(&o.HoldoutEnd, "holdout-end", "", "the last `DATE` of the holdout (default: the day of the latest event)")
	fs.Var(&o.Models, "clv-model", "purchase `MODELS` to test, comma-separated: bgnbd, pnbd (default both)")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON instead of a table")
	registerConfig(fs, &o.Config)
	return fs
}

func init() {
	commandFlags["backtest"] = func() *flag.FlagSet {
		var o backtestOptions
		return backtestFlags(&o, io.Discard)
	}
}

func cmdBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o backtestOptions
	fs := backtestFlags(&o, stderr)
	if err := parseCommand(fs, "backtest", args, &o.Config); err != nil {
		return err
	}
	o.input.Events = append(o.input.Events, fs.Args()...)
	if len(o.input.Events) == 0 {
		return usagef("--events is required")
	}
	if o.CalibrationEnd == "" {
		return usagef("--calibration-end is required")
	}
	bo := pipeline.BacktestOptions{Events: o.input.Events, Models: o.Models}
	var err error
	if bo.CalibrationEnd, err = parseDay("--calibration-end", o.CalibrationEnd); err != nil {
		return err
	}
	if o.HoldoutEnd != "" {
		if bo.HoldoutEnd, err = parseDay("--holdout-end", o.HoldoutEnd); err != nil {
			return err
		}
		if !bo.HoldoutEnd.After(bo.CalibrationEnd) {
			return usagef("--holdout-end %s is not after --calibration-end %s", o.HoldoutEnd, o.CalibrationEnd)
		}
	}
	for _, m := range o.Models {
		if m != pipeline.ModelBGNBD && m != pipeline.ModelParetoNBD {
			return usagef("--clv-model %q: want bgnbd or pnbd", m)
		}
	}
	_, so, done, err := o.input.prepare(&o.log, stderr)
	if err != nil {
		return err
	}
	bo.Scan = so
	res, err := pipeline.Backtest(ctx, bo)
	done()
	if err != nil {
		return err
	}
	if o.JSON {
		data, err := json.MarshalIndent(output.JSONSafe(backtestJSON(res)), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", data)
		return err
	}
	writeBacktest(stdout, res)
	return nil
}

// parseDay parses a flag's YYYY-MM-DD (or RFC 3339) date, as a UTC date.
func parseDay(flagName, s string) (time.Time, error) {
	us, err := source.ParseTimestamp(s)
	if err != nil {
		return time.Time{}, usagef("%s %q: want YYYY-MM-DD", flagName, s)
	}
	return time.UnixMicro(us).UTC(), nil
}

// writeBacktest prints the backtest as a table.
func writeBacktest(w io.Writer, res *pipeline.BacktestResult) {
	fmt.Fprintf(w, "segmint backtest: calibration to %s, holdout %s to %s (%g days); %d customers with an order by the calibration end made %g repeat orders in the holdout\n\n",
		res.CalibrationEnd.Format("2006-01-02"), res.CalibrationEnd.AddDate(0, 0, 1).Format("2006-01-02"), res.HoldoutEnd.Format("2006-01-02"), res.HoldoutDays, res.Customers, res.Actual)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tpredicted\tactual\tbias\tcorrelation\tMAE per customer\t")
	row := func(name string, s clv.Score) {
		fmt.Fprintf(tw, "%s\t%.1f\t%.0f\t%+.1f%%\t%.3f\t%.3f\t\n", name, s.Predicted, s.Actual, s.BiasPercent, s.Correlation, s.MAE)
	}
	var notes []string
	for _, m := range res.Models {
		if m.Fit.Reason != "" {
			fmt.Fprintf(tw, "%s\t–\t%.0f\t–\t–\t–\t\n", m.Fit.ModelName(), res.Actual)
			notes = append(notes, fmt.Sprintf("%s not fitted: %s", m.Fit.ModelName(), m.Fit.Detail))
			continue
		}
		row(m.Fit.ModelName(), m.Score)
	}
	row("naive (x/T)", res.Baseline)
	tw.Flush()
	for _, n := range notes {
		fmt.Fprintf(w, "\n%s\n", n)
	}
	fmt.Fprintln(w, "\nbias: (predicted − actual) / actual; correlation and MAE: per customer, predicted against actual repeat orders in the holdout.")
}

// backtestJSON is the JSON of a backtest.
func backtestJSON(res *pipeline.BacktestResult) map[string]any {
	models := []map[string]any{}
	for _, m := range res.Models {
		e := map[string]any{"model": m.Fit.Options.Model, "name": m.Fit.ModelName()}
		if m.Fit.Reason != "" {
			e["reason"], e["reason_detail"] = string(m.Fit.Reason), m.Fit.Detail
		} else {
			e["score"] = scoreJSON(m.Score)
		}
		models = append(models, e)
	}
	return map[string]any{
		"calibration_end": res.CalibrationEnd.Format("2006-01-02"),
		"holdout_end":     res.HoldoutEnd.Format("2006-01-02"),
		"holdout_days":    res.HoldoutDays,
		"customers":       res.Customers,
		"actual":          res.Actual,
		"models":          models,
		"baseline":        scoreJSON(res.Baseline),
	}
}

func scoreJSON(s clv.Score) map[string]any {
	return map[string]any{"predicted": s.Predicted, "actual": s.Actual, "bias_percent": s.BiasPercent, "correlation": s.Correlation, "mae": s.MAE}
}

package planted

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// AtRiskReadings are the readings of the at_risk segment the atrisk
// command compares: the catalogue's rule, and rules that read the
// purchase model's churn probability (of no order within the horizon) or
// P(alive) beside or instead of the customer's own overdue ratio.
var AtRiskReadings = []struct{ Name, Rule string }{
	{"catalogue (overdue ratio)", "orders >= 3 && gap_regularity <= 0.5 && overdue_ratio >= 2 && days_since_last_event >= 7 && recency_days < 90"},
	{"catalogue and churn >= 0.5", "orders >= 3 && gap_regularity <= 0.5 && overdue_ratio >= 2 && days_since_last_event >= 7 && recency_days < 90 && churn_probability >= 0.5"},
	{"churn >= 0.5 for the overdue ratio", "orders >= 3 && gap_regularity <= 0.5 && churn_probability >= 0.5 && days_since_last_event >= 7 && recency_days < 90"},
	{"churn >= 0.5, any repeat buyer", "orders >= 2 && churn_probability >= 0.5 && days_since_last_event >= 7 && recency_days < 90"},
	{"p_alive < 0.7 for the overdue ratio", "orders >= 3 && gap_regularity <= 0.5 && p_alive < 0.7 && days_since_last_event >= 7 && recency_days < 90"},
	{"p_alive < 0.7, any repeat buyer", "orders >= 2 && p_alive < 0.7 && days_since_last_event >= 7 && recency_days < 90"},
}

// AtRiskHorizons are the horizons of the churn probability measured, in
// days: the default, and three months, the span at_risk's own thresholds
// speak of.
var AtRiskHorizons = []float64{365, 90}

// HeldOut is a real data set split in time for the atrisk command: the
// calibration period ends on CalibrationEnd (its whole day), the holdout
// on HoldoutEnd.
type HeldOut struct {
	Name, Path, Preset, Map    string
	CalibrationEnd, HoldoutEnd time.Time
}

// DefaultHeldOut are the shared real data sets: CDNOW, 39 weeks each
// side, and Online Retail with its last 91 days held out.
var DefaultHeldOut = []HeldOut{
	{"CDNOW, 39 weeks each side", "../../shared/data/cdnow_sample.parquet", "transactions", "user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds",
		time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC), time.Date(1998, 6, 30, 0, 0, 0, 0, time.UTC)},
	{"Online Retail, 91 days held out", "../../shared/data/online_retail.parquet", "online-retail", "",
		time.Date(2011, 9, 9, 0, 0, 0, 0, time.UTC), time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)},
}

// atRiskMembers evaluates each reading of at_risk over t with its
// predictions and returns each one's members.
func atRiskMembers(t *features.Table, pred *pipeline.Predictions) ([][]bool, error) {
	var out [][]bool
	for _, r := range AtRiskReadings {
		cat, err := segments.LoadBytes([]byte(fmt.Sprintf("segments:\n  - id: at_risk\n    name: At risk\n    rule: %s\n    needs_days: 14\n", r.Rule)), "at_risk.yaml", true)
		if err != nil {
			return nil, err
		}
		mem, err := segments.Evaluate(cat, pipeline.RuleTable(t, pred, cat), 0)
		if err != nil {
			return nil, err
		}
		s := cat.Index("at_risk")
		if !mem.Evaluated(s) {
			return nil, fmt.Errorf("%s: not evaluated: %s", r.Name, mem.Reason[s])
		}
		out = append(out, mem.Member[s])
	}
	return out, nil
}

// AtRisk measures whether at_risk should read the churn probability. On
// each planted data set: each reading's precision and recall against the
// planted at_risk customers. On each real data set, fitted up to its
// calibration end: each reading's members, the share of them who made no
// order in the holdout (what "at risk" claims), and the share of the
// lapsers they hold, the lapsers being the repeat buyers with an order in
// the last 90 days of the calibration period and none in the holdout.
func AtRisk(ctx context.Context, w io.Writer, dir string, planted []synth.Settings, real []HeldOut) error {
	for k, set := range planted {
		tab, arch, err := Features(ctx, fmt.Sprintf("%s/atrisk-%d", dir, k), set)
		if err != nil {
			return err
		}
		plantedN := 0
		for _, a := range arch {
			if a == "at_risk" {
				plantedN++
			}
		}
		fmt.Fprintf(w, "\nPlanted, %d customers, seed %d: %d planted at-risk customers\n\n| horizon | reading | members | precision | recall |\n|---|---|---:|---:|---:|\n", set.Customers, set.Seed, plantedN)
		for _, h := range AtRiskHorizons {
			pred, err := pipeline.Predict(ctx, tab, pipeline.PredictOptions{HorizonDays: h})
			if err != nil {
				return err
			}
			members, err := atRiskMembers(tab, pred)
			if err != nil {
				return err
			}
			for r, m := range members {
				n, hit := 0, 0
				for i, in := range m {
					if in {
						n++
						if arch[i] == "at_risk" {
							hit++
						}
					}
				}
				fmt.Fprintf(w, "| %g | %s | %d | %.2f | %.2f |\n", h, AtRiskReadings[r].Name, n, div(hit, n), div(hit, plantedN))
			}
		}
	}
	for _, d := range real {
		if _, err := os.Stat(d.Path); err != nil {
			fmt.Fprintf(w, "\n%s: skipped, %v\n", d.Name, err)
			continue
		}
		if err := atRiskHeldOut(ctx, w, d); err != nil {
			return fmt.Errorf("%s: %w", d.Name, err)
		}
	}
	return nil
}

// atRiskHeldOut measures the readings on one real data set held out.
func atRiskHeldOut(ctx context.Context, w io.Writer, d HeldOut) error {
	layout, err := source.Preset(d.Preset)
	if err != nil {
		return err
	}
	if d.Map != "" {
		if layout.Columns, err = source.ParseMapping(d.Map, nil); err != nil {
			return err
		}
	}
	endOfDay := func(t time.Time) int64 { return t.AddDate(0, 0, 1).UnixMicro() - 1 }
	cal, _, err := source.ComputeFeatures(ctx, []string{d.Path}, source.ScanOptions{Layout: layout, AsOf: endOfDay(d.CalibrationEnd)})
	if err != nil {
		return err
	}
	all, _, err := source.ComputeFeatures(ctx, []string{d.Path}, source.ScanOptions{Layout: layout, AsOf: endOfDay(d.HoldoutEnd)})
	if err != nil {
		return err
	}
	ordersAll := make(map[int64]float64, len(all.Customers))
	for i, id := range all.Customers {
		ordersAll[id] = all.Column("orders")[i]
	}
	orders, recency := cal.Column("orders"), cal.Column("recency_days")
	lapsed := make([]bool, len(cal.Customers))
	eligible, lapsers := 0, 0
	for i, id := range cal.Customers {
		lapsed[i] = ordersAll[id] == orders[i]
		if orders[i] >= 2 && recency[i] < 90 {
			eligible++
			if lapsed[i] {
				lapsers++
			}
		}
	}
	fmt.Fprintf(w, "\n%s: %d repeat buyers with an order in the last 90 days, %d (%.2f) without one in the holdout\n\n| horizon | reading | members | lapsed | of the lapsers |\n|---|---|---:|---:|---:|\n", d.Name, eligible, lapsers, div(lapsers, eligible))
	for _, h := range AtRiskHorizons {
		pred, err := pipeline.Predict(ctx, cal, pipeline.PredictOptions{HorizonDays: h})
		if err != nil {
			return err
		}
		if pred.Fit.Reason != "" {
			return fmt.Errorf("no predictions: %s", pred.Fit.Detail)
		}
		members, err := atRiskMembers(cal, pred)
		if err != nil {
			return err
		}
		for r, m := range members {
			n, hit, hitEligible := 0, 0, 0
			for i, in := range m {
				if in {
					n++
					if lapsed[i] {
						hit++
						if orders[i] >= 2 && recency[i] < 90 {
							hitEligible++
						}
					}
				}
			}
			fmt.Fprintf(w, "| %g | %s | %d | %.2f | %.2f |\n", h, AtRiskReadings[r].Name, n, div(hit, n), div(hitEligible, lapsers))
		}
	}
	return nil
}

package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/clv"
	"github.com/segmint/segmint/demo"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
	"github.com/segmint/segmint/synth"
)

// predictionRow reads the prediction columns of customers.parquet.
type predictionRow struct {
	CustomerID           int64      `parquet:"customer_id"`
	PAlive               *float64   `parquet:"p_alive,optional"`
	ChurnProbability     *float64   `parquet:"churn_probability,optional"`
	ExpectedOrders       *float64   `parquet:"expected_orders,optional"`
	ExpectedOrderValue   *float64   `parquet:"expected_order_value,optional"`
	PredictedCLV         *float64   `parquet:"predicted_clv,optional"`
	AvgDaysBetweenOrders *float64   `parquet:"avg_days_between_orders,optional"`
	ExpectedNextOrder    *time.Time `parquet:"expected_next_order,optional,date"`
	Orders               *float64   `parquet:"orders,optional"`
}

// demoTable is the feature table of the embedded demo data set.
func demoTable(t *testing.T) *features.Table {
	t.Helper()
	path, cleanup, err := demo.File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	table, _, err := source.ComputeFeatures(context.Background(), []string{path}, source.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// TestPredictionsFewCustomers: a run on 300 customers writes every
// prediction column, null, says why in the manifest and the report, and
// succeeds.
func TestPredictionsFewCustomers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sum, err := synth.Generate(ctx, filepath.Join(dir, "events"), synth.Settings{Customers: 300, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	m, err := pipeline.Run(ctx, pipeline.RunOptions{Events: sum.Files, Out: out, Cluster: pipeline.ClusterOptions{StabilityBoots: -1}})
	if err != nil {
		t.Fatal(err)
	}
	c := m.CLV
	if c == nil || c.Predicted || c.Reason != string(clv.ReasonFewCustomers) || !strings.Contains(c.Detail, "at least 500") || c.Purchase != nil {
		t.Fatalf("manifest clv = %+v, want not predicted, too_few_customers", c)
	}
	rows := readRows[predictionRow](t, filepath.Join(out, "customers.parquet"))
	if len(rows) < 250 {
		t.Fatalf("%d customers", len(rows))
	}
	gaps := 0
	for _, r := range rows {
		if r.PAlive != nil || r.ChurnProbability != nil || r.ExpectedOrders != nil || r.ExpectedOrderValue != nil || r.PredictedCLV != nil || r.ExpectedNextOrder != nil {
			t.Fatalf("customer %d has a prediction: %+v", r.CustomerID, r)
		}
		if r.AvgDaysBetweenOrders != nil {
			gaps++
		}
	}
	if gaps == 0 {
		t.Error("no avg_days_between_orders, a fact of the history, written whatever the models say")
	}
	data, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if got := raw["clv"].(map[string]any)["reason"]; got != "too_few_customers" {
		t.Errorf("manifest.json clv.reason = %v", got)
	}
	page, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "No predictions:") || !strings.Contains(string(page), c.Detail) {
		t.Error("the report does not say why there are no predictions")
	}
}

// TestPredictionsOnTheDemo: on the demo data set the models speak: every
// customer with a purchase has predictions in range, the others none; the
// predictions do not depend on the number of threads, and predicting
// leaves the table unchanged.
func TestPredictionsOnTheDemo(t *testing.T) {
	ctx := context.Background()
	table := demoTable(t)
	before := make([][]float64, len(table.Columns))
	for j, c := range table.Columns {
		before[j] = append([]float64(nil), c...)
	}
	one, err := pipeline.Predict(ctx, table, pipeline.PredictOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r := one.Fit.Reason; r != "" {
		t.Fatalf("the models do not speak on the demo: %s: %s", r, one.Fit.Detail)
	}
	three, err := pipeline.Predict(ctx, table, pipeline.PredictOptions{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range table.Columns {
		for i, v := range c {
			if math.Float64bits(v) != math.Float64bits(before[j][i]) {
				t.Fatalf("Predict changed feature %s", table.Features[j].Name)
			}
		}
	}
	orders := table.Column("orders")
	same := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return true
	}
	if !same(one.PAlive, three.PAlive) || !same(one.PredictedCLV, three.PredictedCLV) || !same(one.ExpectedNextOrder, three.ExpectedNextOrder) || !same(one.ChurnProbability, three.ChurnProbability) {
		t.Error("the predictions depend on the number of threads")
	}
	predicted := 0
	for i, n := range orders {
		p, churn, e, clvValue := one.PAlive[i], one.ChurnProbability[i], one.ExpectedOrders[i], one.PredictedCLV[i]
		if n < 1 {
			if !math.IsNaN(p) || !math.IsNaN(churn) || !math.IsNaN(e) || !math.IsNaN(clvValue) {
				t.Fatalf("customer %d without orders has predictions", table.Customers[i])
			}
			continue
		}
		predicted++
		if !(p > 0 && p <= 1 && churn >= 0 && churn < 1 && e > 0 && clvValue > 0) {
			t.Fatalf("customer %d: p_alive %v, churn %v, orders %v, clv %v", table.Customers[i], p, churn, e, clvValue)
		}
	}
	if predicted != one.Fit.Customers || predicted < 1000 {
		t.Errorf("%d customers predicted, %d fitted", predicted, one.Fit.Customers)
	}
}

// TestRulesReadPredictions: a rule can read the predictions (by name and
// pct.); where the models cannot speak it is not evaluated, with their
// reason, like a rule reading an absent feature.
func TestRulesReadPredictions(t *testing.T) {
	ctx := context.Background()
	cat, err := segments.LoadBytes([]byte(`
segments:
  - id: slipping_value
    name: Valuable and slipping
    rule: churn_probability >= 0.5 && pct.predicted_clv >= 0.5 && p_alive < 0.9
`), "test.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	s := cat.Index("slipping_value")
	table := demoTable(t)
	pred, err := pipeline.Predict(ctx, table, pipeline.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mem, err := segments.Evaluate(cat, pipeline.RuleTable(table, pred, cat), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !mem.Evaluated(s) || mem.Sizes[s] == 0 {
		t.Fatalf("slipping_value: evaluated %v (%s), %d members", mem.Evaluated(s), mem.Reason[s], mem.Sizes[s])
	}
	for i, in := range mem.Member[s] {
		if in && !(pred.ChurnProbability[i] >= 0.5 && pred.PAlive[i] < 0.9) {
			t.Fatalf("customer %d meets the rule with churn %v, p_alive %v", table.Customers[i], pred.ChurnProbability[i], pred.PAlive[i])
		}
	}
	t.Logf("slipping_value: %d members", mem.Sizes[s])

	// Too few customers for the models: not evaluated, with the reason.
	few, err := pipeline.Predict(ctx, table, pipeline.PredictOptions{Guards: clv.Guards{MinCustomers: 1_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	mem, err = segments.Evaluate(cat, pipeline.RuleTable(table, few, cat), 0)
	if err != nil {
		t.Fatal(err)
	}
	if mem.Evaluated(s) || !strings.Contains(mem.Reason[s], "cannot speak") || !strings.Contains(mem.Reason[s], "1000000") {
		t.Errorf("slipping_value without predictions: evaluated %v, reason %q", mem.Evaluated(s), mem.Reason[s])
	}
	// The built-in catalogue's segments are evaluated as before.
	if got := pipeline.RuleTable(table, few, segments.Default()); len(got.Features) != len(table.Features) || len(got.Absent) != len(table.Absent) {
		t.Errorf("a catalogue that reads no prediction gets %d features, %d absent; want the table's %d, %d", len(got.Features), len(got.Absent), len(table.Features), len(table.Absent))
	}
}

// cdnowPath is the CDNOW sample in the shared data folder beside the
// repository.
const cdnowPath = "../../shared/data/cdnow_sample.parquet"

type cdnowRow struct {
	CustomerID  int64   `parquet:"customer_id"`
	Date        int32   `parquet:"date,date"`
	NumberOfCDs int32   `parquet:"number_of_cds"`
	DollarValue float64 `parquet:"dollar_value"`
}

// TestPredictionsCDNOW: the CDNOW sample read through the transactions
// layout, as of the end of the published calibration period (1997-09-30),
// gives the purchase summaries of clv.Summarise customer by customer and
// so the same fits as package clv: the published BG/NBD, Pareto/NBD and
// Gamma-Gamma estimates.
func TestPredictionsCDNOW(t *testing.T) {
	rows, err := parquet.ReadFile[cdnowRow](cdnowPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("CDNOW sample not found at %s (the shared data folder beside the repository): %v", cdnowPath, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calibrationEnd := time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
	txns := make([]clv.Txn, len(rows))
	for i, r := range rows {
		txns[i] = clv.Txn{Customer: r.CustomerID, Time: int64(r.Date) * clv.MicrosPerDay, Value: r.DollarValue}
	}
	want, err := clv.Summarise(txns, calibrationEnd)
	if err != nil {
		t.Fatal(err)
	}

	layout, err := source.Preset("transactions")
	if err != nil {
		t.Fatal(err)
	}
	if layout.Columns, err = source.ParseMapping("user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds", nil); err != nil {
		t.Fatal(err)
	}
	table, _, err := source.ComputeFeatures(ctx, []string{cdnowPath}, source.ScanOptions{Layout: layout, AsOf: calibrationEnd.UnixMicro()})
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Customers) != len(want) {
		t.Fatalf("%d customers, clv.Summarise %d", len(table.Customers), len(want))
	}
	orders, tx, tt, value := table.Column("orders"), table.Column("days_first_to_last_order"), table.Column("days_since_first_order"), table.Column("repeat_order_value")
	for i, c := range want {
		m := value[i]
		if c.X == 0 {
			m = 0
		}
		if table.Customers[i] != c.ID || orders[i]-1 != c.X || tx[i] != c.TX || tt[i] != c.T || math.Abs(m-c.MeanValue) > 1e-9*max(1, c.MeanValue) {
			t.Fatalf("customer %d: summary (%v, %v, %v, %v), clv's %+v", table.Customers[i], orders[i]-1, tx[i], tt[i], m, c)
		}
	}

	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-6*math.Abs(want) }
	bg, err := clv.FitBGNBD(ctx, want, clv.FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	gg, err := clv.FitGammaGamma(ctx, want, clv.FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	fit, err := pipeline.FitCLV(ctx, table, pipeline.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fit.Reason != "" || fit.SpendReason != "" || fit.BGNBD == nil || fit.Spend == nil {
		t.Fatalf("fit: %s %s; %s %s", fit.Reason, fit.Detail, fit.SpendReason, fit.SpendDetail)
	}
	if got := fit.BGNBD.BGNBD; got != bg.BGNBD || fit.BGNBD.LogLikelihood != bg.LogLikelihood {
		t.Errorf("BG/NBD %+v (LL %v), clv's %+v (LL %v)", got, fit.BGNBD.LogLikelihood, bg.BGNBD, bg.LogLikelihood)
	}
	if g := fit.Spend.GammaGamma; !near(g.P, gg.P) || !near(g.Q, gg.Q) || !near(g.V, gg.V) || fit.Spend.Customers != 946 {
		t.Errorf("Gamma-Gamma %+v on %d customers, clv's %+v", g, fit.Spend.Customers, gg.GammaGamma)
	}
	// The published estimates (alpha in weeks).
	if b := fit.BGNBD; math.Abs(b.R-0.243) > 5e-4 || math.Abs(b.Alpha/7-4.414) > 5e-3 || math.Abs(b.A-0.793) > 5e-4 || math.Abs(b.B-2.426) > 5e-3 {
		t.Errorf("BG/NBD %+v, published r 0.243, alpha 4.414 weeks, a 0.793, b 2.426", b.BGNBD)
	}
	t.Logf("BG/NBD r %.4g alpha %.4g days (%.4g weeks) a %.4g b %.4g; Gamma-Gamma p %.4g q %.4g v %.4g, correlation %.3f",
		fit.BGNBD.R, fit.BGNBD.Alpha, fit.BGNBD.Alpha/7, fit.BGNBD.A, fit.BGNBD.B, fit.Spend.P, fit.Spend.Q, fit.Spend.V, fit.Spend.Correlation)

	pn, err := clv.FitParetoNBD(ctx, want, clv.FitSettings{})
	if err != nil {
		t.Fatal(err)
	}
	pfit, err := pipeline.FitCLV(ctx, table, pipeline.PredictOptions{Model: pipeline.ModelParetoNBD})
	if err != nil {
		t.Fatal(err)
	}
	if pfit.ParetoNBD == nil || pfit.ParetoNBD.ParetoNBD != pn.ParetoNBD {
		t.Errorf("Pareto/NBD %+v, clv's %+v", pfit.ParetoNBD, pn.ParetoNBD)
	}
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunFewCustomersWritesNoPredictions: a run on 300 customers, too few
// for the models, succeeds; its manifest says why the predictions are
// null.
func TestRunFewCustomersWritesNoPredictions(t *testing.T) {
	root := t.TempDir()
	data := generated(t, filepath.Join(root, "data"))
	out := filepath.Join(root, "out")
	code, _, stderr := runCLI(t, runArgs("--events", data, "--out", out)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m struct {
		CLV struct {
			Predicted bool   `json:"predicted"`
			Reason    string `json:"reason"`
			Detail    string `json:"reason_detail"`
		} `json:"clv"`
	}
	readJSON(t, filepath.Join(out, "manifest.json"), &m)
	if m.CLV.Predicted || m.CLV.Reason != "too_few_customers" || !strings.Contains(m.CLV.Detail, "500") {
		t.Errorf("manifest clv = %+v, want too_few_customers", m.CLV)
	}
}

// TestPredictionFlags: --clv-model, --horizon and --discount-rate are
// checked before any work (exit 2); --clv-model none writes no
// predictions and says so.
func TestPredictionFlags(t *testing.T) {
	root := t.TempDir()
	data := generated(t, filepath.Join(root, "data"))
	for _, bad := range [][]string{
		{"--clv-model", "weibull"},
		{"--horizon", "0"},
		{"--horizon", "-30"},
		{"--discount-rate", "-0.1"},
	} {
		t.Run(strings.Join(bad, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, runArgs(append([]string{"--events", data, "--out", filepath.Join(root, "bad")}, bad...)...)...)
			if code != ExitUsage || !strings.Contains(stderr, bad[0]) {
				t.Errorf("exit %d, want %d naming %s: %s", code, ExitUsage, bad[0], stderr)
			}
		})
	}
	out := filepath.Join(root, "none")
	if code, _, stderr := runCLI(t, runArgs("--events", data, "--out", out, "--clv-model", "none", "--horizon", "90", "--discount-rate", "0")...); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var m struct {
		CLV struct {
			Model    string  `json:"model"`
			Reason   string  `json:"reason"`
			Horizon  float64 `json:"horizon_days"`
			Discount float64 `json:"annual_discount_rate"`
		} `json:"clv"`
	}
	readJSON(t, filepath.Join(out, "manifest.json"), &m)
	if m.CLV.Model != "none" || m.CLV.Reason != "disabled" || m.CLV.Horizon != 90 || m.CLV.Discount != 0 {
		t.Errorf("manifest clv = %+v", m.CLV)
	}
}

// TestBacktestCommand: the flags' errors exit 2; a backtest on too little
// data says why the models were not fitted, scores the baseline and exits
// 0; on the CDNOW sample it prints the published backtest's figures.
func TestBacktestCommand(t *testing.T) {
	root := t.TempDir()
	data := generated(t, filepath.Join(root, "data"))
	code, _, stderr := runCLI(t, "backtest", "--help")
	if code != ExitOK || !strings.Contains(stderr, "segmint backtest") || !strings.Contains(stderr, "-calibration-end") || strings.Contains(stderr, "-as-of") {
		t.Errorf("help: exit %d:\n%s", code, stderr)
	}
	for _, bad := range [][]string{
		{"--events", data},
		{"--calibration-end", "2025-03-01"},
		{"--events", data, "--calibration-end", "March"},
		{"--events", data, "--calibration-end", "2025-03-01", "--holdout-end", "2025-02-01"},
		{"--events", data, "--calibration-end", "2025-03-01", "--clv-model", "none"},
	} {
		if code, _, stderr := runCLI(t, append([]string{"backtest", "--quiet"}, bad...)...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d: %s", bad, code, ExitUsage, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "backtest", "--quiet", "--events", data, "--calibration-end", "2025-04-30", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Customers int `json:"customers"`
		Models    []struct {
			Reason string `json:"reason"`
		} `json:"models"`
		Baseline struct {
			Predicted float64 `json:"predicted"`
		} `json:"baseline"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if res.Customers == 0 || len(res.Models) != 2 || res.Models[0].Reason != "too_few_customers" || res.Baseline.Predicted == 0 {
		t.Errorf("backtest of 300 customers: %+v", res)
	}

	const cdnow = "../../../shared/data/cdnow_sample.parquet"
	if _, err := os.Stat(cdnow); err != nil {
		t.Skipf("CDNOW sample not found at %s: %v", cdnow, err)
	}
	code, stdout, stderr = runCLI(t, "backtest", "--quiet", "--events", cdnow, "--preset", "transactions", "--map", "user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"273 days", "2357 customers", "1882", "1653.4", "-12.1%", "0.626", "0.785", "1665.5", "-11.5%", "2930.1", "+55.7%"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("CDNOW backtest: %q missing:\n%s", want, stdout)
		}
	}
}

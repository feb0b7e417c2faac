package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// featureRow is the part of a features table these tests read.
type featureRow struct {
	Customer int64    `parquet:"customer_id"`
	Spend    *float64 `parquet:"total_spend,optional"`
	Orders   *float64 `parquet:"orders,optional"`
	CartAdds *float64 `parquet:"cart_adds,optional"`
}

// runFeatures runs segmint features on events with args and returns the
// table by customer; it fails the test unless the exit code is 0.
func runFeatures(t *testing.T, events string, args ...string) map[int64]featureRow {
	t.Helper()
	out := filepath.Join(t.TempDir(), "features.parquet")
	code, _, stderr := runCLI(t, append([]string{"features", "--events", events, "--out", out, "--quiet"}, args...)...)
	if code != ExitOK {
		t.Fatalf("features %v: exit %d: %s", args, code, stderr)
	}
	rows, err := parquet.ReadFile[featureRow](out)
	if err != nil {
		t.Fatal(err)
	}
	by := make(map[int64]featureRow)
	for _, r := range rows {
		by[r.Customer] = r
	}
	return by
}

// writeText writes content to path.
func writeText(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// value is a nullable feature's value, -1 for null.
func value(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// TestTransactionsPresetFlag: a purchases table read without a preset
// fails with exit 3 and an error that names --preset transactions; read
// with it, spend is the sum of the line totals and orders count days.
func TestTransactionsPresetFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "purchases.csv")
	writeText(t, path, "customer_id,date,number_of_cds,dollar_value\n"+
		"1,1997-01-01,2,29.33\n1,1997-01-01,1,11.77\n1,1997-02-03,3,40\n2,1997-01-05,1,12\n")
	out := filepath.Join(t.TempDir(), "features.parquet")
	code, _, stderr := runCLI(t, "features", "--events", path, "--out", out, "--map", "user_id=customer_id,event_time=date,price=dollar_value")
	if code != ExitInput || !strings.Contains(stderr, "--preset transactions") {
		t.Errorf("without a preset: exit %d, stderr %s; want exit 3 suggesting --preset transactions", code, stderr)
	}
	code, _, stderr = runCLI(t, "features", "--events", path, "--out", out, "--preset", "transactions", "--map", "user_id=customer_id,event_time=date,price=dollar_value,amount=dollar_value")
	if code != ExitConfig || !strings.Contains(stderr, "drop price=dollar_value") {
		t.Errorf("price and amount mapped: exit %d, stderr %s; want exit 5 saying which to drop", code, stderr)
	}
	got := runFeatures(t, path, "--preset", "transactions", "--map", "user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds")
	if s, o := value(got[1].Spend), value(got[1].Orders); s != 29.33+11.77+40 || o != 2 {
		t.Errorf("customer 1: spend %v orders %v, want %v and 2", s, o, 29.33+11.77+40)
	}
}

// TestEventNamesFlagAndConfig: --event-names reads integer event codes,
// from the command line or from the config file (a string or a list), and
// a bad value is a configuration error that names the problem.
func TestEventNamesFlagAndConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.csv")
	writeText(t, path, "event_time,event_type,user_id,price\n"+
		"2024-03-01 10:00:00,0,1,5\n2024-03-01 10:01:00,1,1,5\n2024-03-01 10:02:00,2,1,5\n2024-03-02 10:00:00,2,2,3\n2024-03-02 10:01:00,1,2,3\n")
	want := map[int64][2]float64{1: {5, 1}, 2: {3, 1}} // spend, cart adds
	check := func(name string, got map[int64]featureRow) {
		t.Helper()
		for id, w := range want {
			if s, c := value(got[id].Spend), value(got[id].CartAdds); s != w[0] || c != w[1] {
				t.Errorf("%s: customer %d spend %v cart adds %v, want %v", name, id, s, c, w)
			}
		}
	}
	check("flag", runFeatures(t, path, "--event-names", "view=0,cart=1,purchase=2"))
	check("flag repeated", runFeatures(t, path, "--event-names", "view=0", "--event-names", "cart=1,purchase=2"))
	for name, toml := range map[string]string{
		"config string": `event-names = "view=0,cart=1,purchase=2"` + "\n",
		"config list":   "[features]\nevent-names = [\"view=0\", \"cart=1\", \"purchase=2\"]\n",
	} {
		cfg := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".toml")
		writeText(t, cfg, toml)
		check(name, runFeatures(t, path, "--config", cfg))
	}
	out := filepath.Join(dir, "features.parquet")
	for _, tc := range []struct{ value, problem string }{
		{"bogus=1", `"bogus" is not a segmint event type`},
		{"view=", "the input value of view is empty"},
		{"view=1,cart=1", `"1" is already view`},
	} {
		code, _, stderr := runCLI(t, "features", "--events", path, "--out", out, "--event-names", tc.value)
		if code != ExitConfig || !strings.Contains(stderr, tc.problem) {
			t.Errorf("--event-names %s: exit %d, stderr %s; want exit 5 saying %s", tc.value, code, stderr, tc.problem)
		}
	}
	// Without event names the integer column is refused, with the flag named.
	code, _, stderr := runCLI(t, "features", "--events", path, "--out", out)
	if code == ExitOK || !strings.Contains(stderr, "--event-names") {
		t.Errorf("integer codes without --event-names: exit %d, stderr %s", code, stderr)
	}
}

// TestNonProductCodesFlag: --non-product-codes replaces the preset's list,
// "none" empties it, and the config file sets it too.
func TestNonProductCodesFlag(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "online_retail.csv")
	writeText(t, path, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"+
		"536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,12/1/2010 8:26,1.5,17850,United Kingdom\n"+
		"536365,POST,POSTAGE,1,12/1/2010 8:26,10,17850,United Kingdom\n"+
		"536365,XYZ,SOMETHING ELSE,1,12/1/2010 8:26,100,17850,United Kingdom\n")
	cfg := filepath.Join(dir, "segmint.toml")
	writeText(t, cfg, "non-product-codes = [\"XYZ\"]\n")
	for _, tc := range []struct {
		name  string
		args  []string
		spend float64
	}{
		{"the preset's list", nil, 3 + 100},
		{"replaced", []string{"--non-product-codes", "XYZ"}, 3 + 10},
		{"prefix", []string{"--non-product-codes", "X*,POST"}, 3},
		{"none", []string{"--non-product-codes", "none"}, 3 + 10 + 100},
		{"config", []string{"--config", cfg}, 3 + 10},
	} {
		got := runFeatures(t, path, append([]string{"--preset", "online-retail"}, tc.args...)...)
		if s := value(got[17850].Spend); s != tc.spend {
			t.Errorf("%s: spend %v, want %v", tc.name, s, tc.spend)
		}
	}
	code, _, stderr := runCLI(t, "features", "--events", path, "--out", filepath.Join(dir, "f.parquet"), "--preset", "online-retail", "--non-product-codes", "*")
	if code != ExitConfig || !strings.Contains(stderr, "every product") {
		t.Errorf("--non-product-codes '*': exit %d, stderr %s", code, stderr)
	}
}

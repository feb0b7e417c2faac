package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// TestMain lets a test run the command line in a child process (the test
// binary re-executed), so that the child can be killed mid-run.
func TestMain(m *testing.M) {
	if os.Getenv("SEGMINT_CLI_CHILD") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// checkComplete verifies that dir holds one run's complete output: the
// manifest parses, every table it lists opens with the listed row count and
// carries the manifest's run id. It returns the run id.
func checkComplete(t *testing.T, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("no manifest: %v", err)
	}
	var m struct {
		RunID   string           `json:"run_id"`
		Outputs map[string]int64 `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(m.Outputs) < 5 {
		t.Fatalf("manifest lists %d outputs", len(m.Outputs))
	}
	for table, rows := range m.Outputs {
		f, err := os.Open(filepath.Join(dir, table+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.Stat()
		pf, err := parquet.OpenFile(f, st.Size())
		if err != nil {
			f.Close()
			t.Fatalf("%s: %v", table, err)
		}
		if pf.NumRows() != rows {
			t.Errorf("%s: %d rows, manifest says %d", table, pf.NumRows(), rows)
		}
		if id, _ := pf.Lookup("segmint.run_id"); id != m.RunID {
			t.Errorf("%s is from run %s, the manifest from %s: a mix of two runs", table, id, m.RunID)
		}
		f.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Error(err)
	}
	return m.RunID
}

// TestKilledRunLeavesOldOrNewOutput kills "segmint run --force" at random
// moments and checks that the output directory always holds one complete
// run: the previous one or the new one, never a mix or a half.
func TestKilledRunLeavesOldOrNewOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped in -short mode")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "generate", "--customers", "3000", "--seed", "9", "--out", data, "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "out")
	args := []string{"run", "--events", filepath.Join(data, "events-*.parquet"), "--out", out, "--force", "--quiet", "--stability-boots", "3"}
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "SEGMINT_CLI_CHILD=1")
		return cmd
	}
	start := time.Now()
	if b, err := child().CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, b)
	}
	full := time.Since(start)
	ids := map[string]bool{checkComplete(t, out): true}
	rng := rand.New(rand.NewPCG(1, 2))
	outcomes := map[string]int{}
	for trial := 0; trial < 12; trial++ {
		cmd := child()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill anywhere in the run, including the very end where the
		// files are written and moved into place.
		time.Sleep(time.Duration(rng.Float64() * 1.1 * float64(full)))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		id := checkComplete(t, out)
		switch {
		case err == nil:
			outcomes["finished"]++
		case ids[id]:
			outcomes["killed, old output intact"]++
		default:
			outcomes["killed after the swap, new output complete"]++
		}
		ids[id] = true
	}
	// Staging directories of killed runs may remain beside the output
	// (hidden, named after it); the output itself is always whole.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "data" && e.Name() != "out" && !strings.HasPrefix(e.Name(), ".out.staging-") {
			t.Errorf("unexpected entry beside the output: %s", e.Name())
		}
	}
	t.Logf("12 kills: %v", fmt.Sprint(outcomes))
}

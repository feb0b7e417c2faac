package segbeam_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

// bootWrapper starts the Go SDK container's boot program with Prism's
// --id='ID' argument unquoted: Prism v2.77.0 passes the quotes on, and the
// boot program then asks Prism for a worker of that quoted name, which it
// does not know ("not registered in worker pool").
const bootWrapper = `#!/usr/bin/env bash
args=()
for a in "$@"; do
  case "$a" in --id=\'*\') a="--id=${a:6:${#a}-7}" ;; esac
  args+=("$a")
done
exec "$SEGBEAM_BOOT" "${args[@]}"
`

// TestWorkersInTheirOwnProcesses runs the segmint-beam command with Prism as
// a portable runner whose SDK workers are separate processes (the PROCESS
// environment): Prism starts each through the boot program of the Go SDK
// container (the entry point of apache/beam_go_sdk on a Flink or Spark
// worker), which fetches the staged worker binary and runs it. Nothing is
// shared in memory between the runner and the workers, as on a cluster;
// the output set must still equal segmint run's.
func TestWorkersInTheirOwnProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and the SDK's boot program")
	}
	ctx := context.Background()
	began := time.Now()
	dir := t.TempDir()
	bin := filepath.Join(dir, "segmint-beam")
	boot := filepath.Join(dir, "boot")
	for _, b := range [][]string{
		{"-o", bin, "github.com/segmint/segmint/beam/cmd/segmint-beam"},
		{"-o", boot, "github.com/apache/beam/sdks/v2/go/container"},
	} {
		start := time.Now()
		if out, err := exec.Command("go", append([]string{"build"}, b...)...).CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", b, err, out)
		}
		t.Logf("built %s in %v", filepath.Base(b[1]), time.Since(start))
	}
	// The boot program copies the worker binary to /tmp/bin*/worker (a
	// path it fixes, not under TMPDIR) and leaves it there: remove the
	// copies of this test's binary once the job is over.
	if fi, err := os.Stat(bin); err == nil {
		t.Cleanup(func() { removeWorkerCopies(t, fi.Size(), began) })
	}
	wrapper := filepath.Join(dir, "boot.sh")
	if err := os.WriteFile(wrapper, []byte(bootWrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(ctx, filepath.Join(dir, "events"), synth.Settings{Customers: 1500, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	events := filepath.Join(dir, "events", "events-*.parquet")

	single := filepath.Join(dir, "single")
	if _, err := pipeline.Run(ctx, pipeline.RunOptions{Events: []string{events}, Out: single,
		Cluster: pipeline.ClusterOptions{KMin: pipeline.DefaultKMin, KMax: pipeline.DefaultKMax, NInit: 10, Seed: 1, StabilityBoots: -1}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "beam")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--runner=prism", "--environment_type=PROCESS",
		`--environment_config={"command":"`+wrapper+`"}`, "--worker_binary="+bin,
		"--events", events, "--out", out, "--sample", "0")
	cmd.Env = append(os.Environ(), "SEGBEAM_BOOT="+boot)
	cmd.Dir = dir // the boot program writes pipeline_options.json into its working directory
	// The workers are the command's grandchildren, and Prism stops only
	// the boot program at the end of the job: run them all in a process
	// group of their own and end the group when the command is done. The
	// logs go to a file, since a pipe would stay open as long as a worker.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logPath := filepath.Join(dir, "segmint-beam.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	logFile.Close()
	logs, _ := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("segmint-beam: %v\n%s", err, tail(string(logs), 40))
	}
	if !strings.Contains(string(logs), "Provision info") {
		t.Errorf("no worker was started through the boot program:\n%s", tail(string(logs), 40))
	}
	t.Logf("segmint-beam with PROCESS workers: %v", time.Since(start))
	compareOutputSets(t, single, out, output.LayoutFlat, func(s string) string { return s }, nil)
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// removeWorkerCopies removes the directories /tmp/bin* made since start
// that hold only a file "worker" of the given size: the boot program's
// copies of a worker binary.
func removeWorkerCopies(t *testing.T, size int64, start time.Time) {
	dirs, _ := filepath.Glob("/tmp/bin*")
	for _, d := range dirs {
		di, err := os.Stat(d)
		if err != nil || !di.IsDir() || di.ModTime().Before(start) {
			continue
		}
		entries, err := os.ReadDir(d)
		if err != nil || len(entries) != 1 || entries[0].Name() != "worker" {
			continue
		}
		if fi, err := entries[0].Info(); err == nil && fi.Size() == size {
			if err := os.RemoveAll(d); err != nil {
				t.Logf("leaving %s: %v", d, err)
			} else {
				t.Logf("removed the boot program's copy %s", d)
			}
		}
	}
}

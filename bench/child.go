package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmint/segmint/internal/cli"
)

// ChildFlag, as the first argument, makes the benchmark command run one
// engine once instead of the benchmark (see Main). It is not in --help.
const ChildFlag = "--run-engine-child"

// childRequest is what the parent asks a child to do.
type childRequest struct {
	Engine  string   `json:"engine"`
	Files   []string `json:"files"`
	Threads int      `json:"threads"`
	TempDir string   `json:"temp_dir"`
	// ResultPath, when not "", receives the per-customer results.
	ResultPath string `json:"result_path"`
	// StartUnixNano is when the parent started the child, for
	// Measurement.ProcessSeconds; 0 when unknown.
	StartUnixNano int64 `json:"start_unix_nano"`
}

// Measurement is one engine run as the child reports it.
type Measurement struct {
	Engine  string  `json:"engine"`
	Seconds float64 `json:"seconds"`
	// ProcessSeconds is from the parent's start of the child to the end
	// of the timed phase: the whole process of a command that computes
	// the features and nothing more (0 when the start is unknown).
	ProcessSeconds float64 `json:"process_seconds"`
	// CPUSeconds is the child's user and system CPU time, every thread's,
	// at the end of the timed phase: on a machine shared with other jobs
	// it moves less than the wall time.
	CPUSeconds float64 `json:"cpu_seconds"`
	// PeakRSSKiB is the child's VmHWM right after the timed phase.
	PeakRSSKiB int64 `json:"peak_rss_kib"`
	// MaxRSSKiB is the child's rusage ru_maxrss over its whole life,
	// including writing the results for the comparison.
	MaxRSSKiB int64 `json:"max_rss_kib"`
	Customers int   `json:"customers"`
	Events    int64 `json:"events"`
}

// childMain runs one engine as asked by the JSON request in args and prints
// the Measurement as JSON on stdout.
func childMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("child", flag.ContinueOnError)
	reqJSON := fs.String("request", "", "JSON request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var req childRequest
	if err := json.Unmarshal([]byte(*reqJSON), &req); err != nil {
		return fmt.Errorf("bench: child request: %w", err)
	}
	// The same number of threads for the Go runtime as for the workers,
	// and the garbage collector's target segmint's commands run with.
	runtime.GOMAXPROCS(req.Threads)
	cli.UseBatchGC()
	ctx := context.Background()
	var t *Timed
	var peak int64
	var peakErr error
	var processSecs, cpuSecs float64
	markPeak := func() {
		if req.StartUnixNano > 0 {
			processSecs = time.Since(time.Unix(0, req.StartUnixNano)).Seconds()
		}
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			cpuSecs = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		}
		peak, peakErr = vmHWM()
	}
	var err error
	switch req.Engine {
	case EngineSegmint:
		// The table is returned as it is, so the peak after the call
		// is the peak of the timed phase.
		t, err = RunSegmint(ctx, req.Files, req.Threads)
		markPeak()
	case EngineDuckDB:
		t, err = RunDuckDB(ctx, req.Files, DuckDBSettings{Threads: req.Threads, TempDir: req.TempDir, AfterQuery: markPeak})
	default:
		err = fmt.Errorf("bench: unknown engine %q", req.Engine)
	}
	if err != nil {
		return err
	}
	if peakErr != nil {
		return peakErr
	}
	if req.ResultPath != "" {
		if err := t.Result.WriteFile(req.ResultPath); err != nil {
			return err
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	m := Measurement{Engine: req.Engine, Seconds: t.Seconds, ProcessSeconds: processSecs, CPUSeconds: cpuSecs, PeakRSSKiB: peak, MaxRSSKiB: ru.Maxrss,
		Customers: len(t.Result.Customers), Events: t.Events}
	return json.NewEncoder(stdout).Encode(m)
}

// vmHWM returns this process's peak resident set size in KiB.
func vmHWM() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		}
	}
	return 0, errors.New("bench: no VmHWM in /proc/self/status")
}

// runChild runs one engine in a new process of this executable and returns
// its measurement.
func runChild(ctx context.Context, req childRequest, stderr io.Writer) (*Measurement, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	req.StartUnixNano = time.Now().UnixNano()
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, ChildFlag, "-request", string(b))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bench: %s child: %w", req.Engine, err)
	}
	var m Measurement
	if err := json.Unmarshal(lastLine(out.Bytes()), &m); err != nil {
		return nil, fmt.Errorf("bench: %s child output %q: %w", req.Engine, out.String(), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > m.MaxRSSKiB {
		m.MaxRSSKiB = ru.Maxrss
	}
	return &m, nil
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

package kmeansbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/segmint/segmint/bench"
)

// The whole-process comparison (--cluster-command): the matrix is written
// as a feature table by DuckDB (an integer customer_id and one DOUBLE
// column per feature, DuckDB's COPY defaults: snappy, every column
// optional), and "segmint cluster --transform none" is timed as a whole
// process, from exec to exit, against scikit-learn's fit alone.

// writeFeatureTable writes data (rows × cols) to dir/features.parquet with
// DuckDB, through a CSV file of round-trip exact decimals.
func writeFeatureTable(ctx context.Context, dir string, data []float64, rows, cols int) (string, error) {
	csvPath := filepath.Join(dir, "features.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("customer_id")
	for j := range cols {
		fmt.Fprintf(w, ",f%02d", j)
	}
	w.WriteByte('\n')
	var buf []byte
	for i := range rows {
		buf = strconv.AppendInt(buf[:0], int64(i+1), 10)
		for j := range cols {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, data[i*cols+j], 'g', -1, 64)
		}
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	defer os.Remove(csvPath)
	out := filepath.Join(dir, "features.parquet")
	if _, err := bench.DuckDBCopyCSV(ctx, csvPath, out); err != nil {
		return "", err
	}
	return out, nil
}

// clusterManifest is the part of segmint cluster's manifest.json read here.
type clusterManifest struct {
	Inertia    float64            `json:"inertia"`
	Iterations int                `json:"iterations"`
	Timings    map[string]float64 `json:"timings_seconds"`
}

// timeClusterCommand runs "BIN cluster" on the table repeats times and
// returns the best whole-process row and that run's read and k-means
// seconds (from its manifest).
func timeClusterCommand(ctx context.Context, bin, table, dir string, n int, o Options, stderr func(string, ...any)) (Row, float64, float64, error) {
	best := Row{Rows: n, Cols: o.Cols, K: o.K, NInit: o.NInit, Engine: "segmint cluster (whole process)", Seconds: math.Inf(1)}
	var read, fit float64
	for r := range o.Repeats {
		out := filepath.Join(dir, fmt.Sprintf("cluster-%d", r))
		os.RemoveAll(out)
		cmd := exec.CommandContext(ctx, bin, "cluster", "--features", table, "--id", "customer_id",
			"--transform", "none", "--k", strconv.Itoa(o.K), "--n-init", strconv.Itoa(o.NInit),
			"--seed", strconv.FormatUint(o.Seed, 10), "--out", out, "--quiet")
		start := time.Now()
		msg, err := cmd.CombinedOutput()
		secs := time.Since(start).Seconds()
		if err != nil {
			return best, 0, 0, fmt.Errorf("%s cluster: %w: %s", bin, err, msg)
		}
		var cpu float64
		if ps := cmd.ProcessState; ps != nil {
			cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
		}
		b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
		if err != nil {
			return best, 0, 0, err
		}
		var m clusterManifest
		if err := json.Unmarshal(b, &m); err != nil {
			return best, 0, 0, fmt.Errorf("%s: %w", out, err)
		}
		stderr("segmint cluster %d rows, run %d: %.3f s (read %.3f s, k-means %.3f s), inertia %.6g", n, r+1, secs, m.Timings["read"], m.Timings["cluster"], m.Inertia)
		if secs < best.Seconds {
			best.Seconds, best.CPU, best.Inertia, best.Iterations = secs, cpu, m.Inertia, m.Iterations
			read, fit = m.Timings["read"], m.Timings["cluster"]
		}
		os.RemoveAll(out)
	}
	return best, read, fit, nil
}

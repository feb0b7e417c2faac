package kmeansbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// ErrNoSklearn reports that no python3 on this machine imports sklearn.
var ErrNoSklearn = errors.New("python3-sklearn not installed")

// sklearnScript fits KMeans repeatedly on the matrix in a raw float64 file
// and prints one JSON object per fit. Only fit is timed.
const sklearnScript = `import json, sys, time
import numpy as np
from sklearn.cluster import KMeans
import sklearn

path, rows, cols, k, n_init, seed, repeats = sys.argv[1:8]
rows, cols, k, n_init, seed, repeats = int(rows), int(cols), int(k), int(n_init), int(seed), int(repeats)
algorithms = sys.argv[8].split(",")
X = np.fromfile(path, dtype=np.float64).reshape(rows, cols)
for algorithm in algorithms:
    for rep in range(repeats):
        km = KMeans(n_clusters=k, init="k-means++", n_init=n_init, algorithm=algorithm, random_state=seed)
        w0, c0 = time.perf_counter(), time.process_time()
        km.fit(X)
        w1, c1 = time.perf_counter(), time.process_time()
        print(json.dumps({"algorithm": algorithm, "seconds": w1 - w0, "cpu": c1 - c0,
                          "inertia": float(km.inertia_), "iterations": int(km.n_iter_),
                          "version": sklearn.__version__}), flush=True)
`

// findPython returns the first python3 that imports sklearn: the given
// one if not empty, else python3 on PATH, then /usr/bin/python3 (Debian's
// python3-sklearn installs there, which a python3 earlier on PATH may not
// see).
func findPython(ctx context.Context, given string) (string, error) {
	cands := []string{given}
	if given == "" {
		cands = []string{"python3", "/usr/bin/python3"}
	}
	for _, p := range cands {
		if err := exec.CommandContext(ctx, p, "-c", "import sklearn.cluster").Run(); err == nil {
			return p, nil
		}
	}
	return "", ErrNoSklearn
}

// sklearnFit is one timed fit.
type sklearnFit struct {
	Algorithm  string  `json:"algorithm"`
	Seconds    float64 `json:"seconds"`
	CPU        float64 `json:"cpu"`
	Inertia    float64 `json:"inertia"`
	Iterations int     `json:"iterations"`
	Version    string  `json:"version"`
}

// writeMatrix writes data as raw little-endian float64 to dir/matrix.f64.
func writeMatrix(dir string, data []float64) (string, error) {
	path := filepath.Join(dir, "matrix.f64")
	buf := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return "", fmt.Errorf("write matrix: %w", err)
	}
	return path, nil
}

// runSklearn runs the script with python on the matrix file with BLAS
// and OpenMP pinned to threads, and returns every fit.
func runSklearn(ctx context.Context, python, dir, matrix string, rows, cols, k, nInit int, seed uint64, repeats, threads int, algorithms string) ([]sklearnFit, error) {
	script := filepath.Join(dir, "fit_sklearn.py")
	if err := os.WriteFile(script, []byte(sklearnScript), 0o644); err != nil {
		return nil, fmt.Errorf("write script: %w", err)
	}
	cmd := exec.CommandContext(ctx, python, script, matrix,
		strconv.Itoa(rows), strconv.Itoa(cols), strconv.Itoa(k), strconv.Itoa(nInit),
		strconv.FormatUint(seed%(1<<31), 10), strconv.Itoa(repeats), algorithms)
	t := strconv.Itoa(threads)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+t, "OPENBLAS_NUM_THREADS="+t, "MKL_NUM_THREADS="+t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("scikit-learn: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var fits []sklearnFit
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var f sklearnFit
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("scikit-learn output %q: %w", sc.Text(), err)
		}
		fits = append(fits, f)
	}
	return fits, sc.Err()
}

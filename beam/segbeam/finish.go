package segbeam

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

func init() {
	beam.RegisterType(reflectTypeOf[fileSum]())
	register.DoFn3x1[context.Context, string, func(fileSum), error](&checksumFn{})
	register.Emitter1[fileSum]()
	register.DoFn8x1[context.Context, int, func(*customerRow) bool, func(*[]byte) bool, window, features.Stats, splitCounts, func(*fileSum) bool, error](&writeOutputSetFn{})
	register.Iter1[fileSum]()
	register.Iter1[customerRow]()
}

// fileSum is the SHA-256 of one input file, for the manifest's lineage.
type fileSum struct {
	Path, SHA256 string
}

// checksumFn hashes one input file, read through Beam's file systems.
type checksumFn struct{}

func (checksumFn) ProcessElement(ctx context.Context, path string, emit func(fileSum)) error {
	fsys, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fsys.Close()
	r, err := fsys.OpenRead(ctx, path)
	if err != nil {
		return &source.InputError{File: path, Err: err}
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return &source.InputError{File: path, Err: err}
	}
	emit(fileSum{Path: path, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// outputSetOptions say where and how the output set is written, and what
// the manifest records of the run.
type outputSetOptions struct {
	Out    string
	Layout output.Layout
	// Files are the input files, as resolved and validated at submission,
	// in the order of a single-node run.
	Files       []string
	InputLayout source.Layout
	Previous    string
	RunID       string
	Started     time.Time
	Params      output.ManifestParams
	MaxRejected float64
	Segments    CatalogueSpec
}

// writeOutputSetFn gathers every customer on one worker and writes the
// whole output set with segmint's own writer (pipeline.WriteOutputSet):
// the customers, clusters, memberships, segments, k_selection (and with a
// previous run, movement) tables, report.html, report.md and
// manifest.json, exactly as `segmint run` writes them. The clusters are
// mapped onto the segments here, on every customer, by the single-node
// fitting stage's code (pipeline.Settle).
type writeOutputSetFn struct {
	O     outputSetOptions
	cache modelCache
}

func (f *writeOutputSetFn) ProcessElement(ctx context.Context, _ int, iter func(*customerRow) bool, modelIter func(*[]byte) bool, w window, stats features.Stats, counts splitCounts, sumIter func(*fileSum) bool) error {
	m, err := f.cache.get(modelIter)
	if err != nil {
		return err
	}
	var rows []customerRow
	for r := (customerRow{}); iter(&r); r = (customerRow{}) {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b customerRow) int { return cmp.Compare(a.Customer, b.Customer) })
	var prev *output.PreviousRun
	if f.O.Previous != "" {
		if prev, err = output.ReadPreviousRun(f.O.Previous); err != nil {
			return err
		}
	}
	set, err := m.outputSet(ctx, rows, w, stats, prev)
	if err != nil {
		return err
	}
	man, err := f.manifest(ctx, w, stats, counts, sumIter, len(rows))
	if err != nil {
		return err
	}
	if !isURL(f.O.Out) {
		// The submitter checked that Out may be written; a retried bundle
		// replaces what a failed attempt may have committed.
		return pipeline.WriteOutputSet(f.O.Out, true, f.O.Layout, man, set)
	}
	// A URL: write locally, then copy every file into place through
	// Beam's file systems.
	tmp, err := os.MkdirTemp("", "segmint-output-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	local := filepath.Join(tmp, "out")
	if err := pipeline.WriteOutputSet(local, true, f.O.Layout, man, set); err != nil {
		return err
	}
	return filepath.WalkDir(local, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(local, path)
		if err != nil {
			return err
		}
		return writeFile(ctx, joinPath(f.O.Out, filepath.ToSlash(rel)), func(w *countingWriter) error {
			src, err := os.Open(path)
			if err != nil {
				return err
			}
			defer src.Close()
			_, err = io.Copy(w, src)
			return err
		})
	})
}

// manifest starts the run's manifest as pipeline.Run does: the run's
// identity, the input (validated again here, for the category names the
// report looks up), what reading it found, and the parameters.
func (f *writeOutputSetFn) manifest(ctx context.Context, w window, stats features.Stats, counts splitCounts, sumIter func(*fileSum) bool, customers int) (*output.Manifest, error) {
	rep, err := inputReport(ctx, f.O.Files, f.O.InputLayout)
	if err != nil {
		return nil, err
	}
	rep.Summarise(stats, counts.Rows, counts.Skipped, w.Products, f.O.MaxRejected)
	rep.Customers = customers
	sums := map[string]string{}
	for s := (fileSum{}); sumIter(&s); s = (fileSum{}) {
		sums[s.Path] = s.SHA256
	}
	for i := range rep.Files {
		rep.Files[i].SHA256 = sums[rep.Files[i].Path]
	}
	man := &output.Manifest{RunID: f.O.RunID, SchemaVersion: output.SchemaVersion, Tool: "segmint", Version: pipeline.Version(), GoVersion: runtime.Version(),
		Started: f.O.Started, Timings: map[string]float64{}, Outputs: map[string]int64{}, Input: rep,
		AsOf: time.UnixMicro(w.AsOf).UTC(), WindowStart: time.UnixMicro(w.WindowStart).UTC(), Parameters: f.O.Params}
	rep.Seconds = time.Since(f.O.Started).Seconds()
	man.Timings["job"] = rep.Seconds
	return man, nil
}

// outputSet builds the single-node pieces the output set is written from,
// for every customer (rows ascending by id): the feature table, the
// predictions (by the models fitted on the sample), the clustering stage
// (the fit on the sample, with every customer's cluster, distance and row
// in the clustering space) and the segment memberships.
func (m *model) outputSet(ctx context.Context, rows []customerRow, w window, stats features.Stats, prev *output.PreviousRun) (*pipeline.Fitted, error) {
	n := len(rows)
	frows := make([]featureRow, n)
	for i := range rows {
		frows[i] = rows[i].featureRow
	}
	t := sampleTable(frows, w, stats)
	if stats.Present&features.ColCategory != 0 {
		t.Abandoned = make([][]int64, n)
		for i, r := range frows {
			t.Abandoned[i] = r.Abandoned
		}
	}
	if got, want := len(t.Features), len(m.Features); got != want {
		return nil, fmt.Errorf("segbeam: %d features, the model has %d", got, want)
	}

	fit := m.Fit
	res := &cluster.Result{K: m.K, Cols: m.Cols, Centroids: m.Centroids, Assign: make([]int, n), Distance: make([]float64, n), Sizes: make([]int, m.K), Inertia: fit.Inertia, Iterations: fit.Iterations}
	cs := &pipeline.ClusterStage{Features: fit.Features, Excluded: fit.Excluded, Rows: n, Matrix: make([]float64, n*m.Cols), Transform: m.Transform, Selection: fit.Selection, Seeds: fit.Seeds, Strategy: fit.Strategy, Result: res, Stability: fit.Stability}
	raw := make([]float64, m.Cols)
	for i := range rows {
		r := &rows[i]
		if err := m.point(cs.Matrix[i*m.Cols:(i+1)*m.Cols], raw, &r.featureRow); err != nil {
			return nil, err
		}
		res.Assign[i], res.Distance[i] = int(r.Cluster), r.Distance
		res.Sizes[r.Cluster]++
	}

	cat := m.cat
	ev := segments.NewEvaluator(cat, m.Population)
	mem := &segments.Memberships{Catalogue: cat, Reason: ev.Reason, Fallback: ev.Fallback, StageReason: ev.StageReason, Member: make([][]bool, len(cat.Segments)), Sizes: make([]int, len(cat.Segments)), Primary: make([]int, n), Stage: make([]int, n)}
	for s := range mem.Member {
		mem.Member[s] = make([]bool, n)
	}
	for i := range rows {
		r := &rows[i]
		if len(r.Member) != len(cat.Segments) {
			return nil, fmt.Errorf("segbeam: customer %d has %d memberships, the catalogue %d segments", r.Customer, len(r.Member), len(cat.Segments))
		}
		mem.Primary[i], mem.Stage[i] = int(r.Primary), int(r.Stage)
		for s, in := range r.Member {
			if in {
				mem.Member[s][i] = true
				mem.Sizes[s]++
			}
		}
	}
	// Every customer's predictions, by the models fitted on the sample
	// (with which the rules read them).
	pred, err := m.CLV.Predict(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("predictions: %w", err)
	}
	return pipeline.Settle(t, pred, cs, mem, cat, prev)
}

// isURL reports whether path names a file system other than the local one.
func isURL(path string) bool { return strings.Contains(path, "://") }

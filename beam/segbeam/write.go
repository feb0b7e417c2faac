package segbeam

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/segments"
)

func init() {
	register.DoFn2x0[featureRow, func(int, featureRow)](&shardFeaturesFn{})
	register.Emitter2[int, featureRow]()
	register.DoFn5x1[context.Context, int, func(*featureRow) bool, window, features.Stats, error](&writeFeaturesFn{})
}

func reflectTypeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

// shardOf spreads customers over n output shards by a fixed hash of the
// id, so a shard's content does not depend on bundling or retries.
func shardOf(customer int64, n int) int {
	z := uint64(customer) * 0x9E3779B97F4A7C15
	z ^= z >> 32
	return int(z % uint64(n))
}

type shardFeaturesFn struct{ Shards int }

func (f *shardFeaturesFn) ProcessElement(r featureRow, emit func(int, featureRow)) {
	emit(shardOf(r.Customer, f.Shards), r)
}

// shardPath is the path of one shard of a table.
func shardPath(out, table string, shard, shards int) string {
	return joinPath(out, table, fmt.Sprintf("part-%05d-of-%05d.parquet", shard, shards))
}

// joinPath joins path elements with "/", for local paths and URLs alike.
func joinPath(elem ...string) string {
	out := strings.TrimRight(elem[0], "/")
	for _, e := range elem[1:] {
		out += "/" + e
	}
	return out
}

// countingWriter hides the sink's Close from the Parquet writers (the
// caller closes it) and counts the bytes written.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeFile writes path through Beam's file systems (local, gs://, ...):
// to a temporary name first, renamed into place when the file system can
// rename, so a retried bundle replaces a shard instead of adding one.
func writeFile(ctx context.Context, path string, write func(w *countingWriter) error) error {
	fsys, err := filesystem.New(ctx, path)
	if err != nil {
		return err
	}
	defer fsys.Close()
	renamer, canRename := fsys.(filesystem.Renamer)
	target := path
	if canRename {
		var b [6]byte
		rand.Read(b[:])
		i := strings.LastIndex(path, "/")
		target = path[:i+1] + "." + path[i+1:] + ".tmp-" + hex.EncodeToString(b[:])
	}
	w, err := fsys.OpenWrite(ctx, target)
	if err != nil {
		return err
	}
	if err := write(&countingWriter{w: w}); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if canRename {
		return renamer.Rename(ctx, target, path)
	}
	return nil
}

// column is one output column held as plain Go values; exactly one of
// the slices is set. NaN floats and, with NullEmpty, empty strings are
// written as nulls. The Arrow types are those of segmint's own outputs
// writeTable writes cols as one Parquet file with segmint's own writer
// (output.WriteColumns), so the shards have the types of segmint run's
// files.
func writeTable(ctx context.Context, path string, cols []output.Column, meta map[string]string) error {
	return writeFile(ctx, path, func(sink *countingWriter) error {
		return output.WriteColumns(sink, cols, meta)
	})
}

// featureColumns are the columns of the feature table, as `segmint
// features` writes them: customer_id, country (when the input has one),
// then every available feature.
func featureColumns(rows []featureRow, names []string, hasCountry bool) []output.Column {
	ids := make([]int64, len(rows))
	country := make([]string, len(rows))
	vals := make([][]float64, len(names))
	for j := range vals {
		vals[j] = make([]float64, len(rows))
	}
	for i, r := range rows {
		ids[i], country[i] = r.Customer, r.Country
		for j, v := range r.Values {
			vals[j][i] = v
		}
	}
	cols := []output.Column{{Name: "customer_id", Int64: ids}}
	if hasCountry {
		cols = append(cols, output.Column{Name: "country", String: country, NullEmpty: true})
	}
	for j, name := range names {
		cols = append(cols, output.Column{Name: name, Float64: vals[j]})
	}
	return cols
}

// writeFeaturesFn writes one shard of the feature table.
type writeFeaturesFn struct {
	Out    string
	Shards int
}

func (f *writeFeaturesFn) ProcessElement(ctx context.Context, shard int, iter func(*featureRow) bool, w window, stats features.Stats) error {
	var rows []featureRow
	for r := (featureRow{}); iter(&r); r = (featureRow{}) {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b featureRow) int { return cmp.Compare(a.Customer, b.Customer) })
	c, avail, _ := datasetContext(w, stats)
	names := make([]string, len(avail))
	for j, ft := range avail {
		names[j] = ft.Name
	}
	meta := map[string]string{"segmint.schema_version": output.SchemaVersion, "segmint.as_of": time.UnixMicro(w.AsOf).UTC().Format(time.RFC3339), "segmint.window_days": strconv.FormatFloat(c.WindowDays(), 'f', -1, 64)}
	return writeTable(ctx, shardPath(f.Out, "features", shard, f.Shards), featureColumns(rows, names, stats.Present&features.ColCountry != 0), meta)
}

// errNoModel: the fit emitted no model (fewer than two customers).
var errNoModel = errors.New("segbeam: no model")

// modelCache gives a DoFn the model side input, decoded once per worker
// process: the model's population is large (8 bytes per sampled customer
// and feature), and a worker runs many DoFn instances at once. A job has
// one model; the key guards against a process serving several jobs.
type modelCache struct{ m *model }

var (
	modelsMu sync.Mutex
	models   = map[string]*model{}
)

func (c *modelCache) get(iter func(*[]byte) bool) (*model, error) {
	if c.m != nil {
		return c.m, nil
	}
	var b []byte
	if !iter(&b) {
		return nil, errNoModel
	}
	sum := sha256.Sum256(b)
	key := string(sum[:])
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if m, ok := models[key]; ok {
		c.m = m
		return m, nil
	}
	m, err := decodeModel(b)
	if err != nil {
		return nil, err
	}
	if m.cat, err = m.Segments.Load(); err != nil {
		return nil, fmt.Errorf("segments: %w", err)
	}
	// The population indexes its features on first use; do it now, while
	// the model is not yet shared, so that it is read-only afterwards.
	segments.NewEvaluator(m.cat, m.Population)
	models[key] = m
	c.m = m
	return m, nil
}

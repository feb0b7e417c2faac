package segbeam

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/segments"
)

func init() {
	register.Function2x1[uint64, featureRow, uint64](sampleKey)
	register.DoFn2x0[featureRow, func(uint64)](&sampleKeyFn{})
	register.Emitter1[uint64]()
	register.Combiner3[*bottomK, uint64, uint64](&bottomKFn{})
	register.DoFn3x0[featureRow, uint64, func(featureRow)](&sampleFilterFn{})
	register.DoFn6x1[context.Context, int, func(*featureRow) bool, window, features.Stats, func([]byte), error](&fitFn{})
	register.Iter1[featureRow]()
	register.Emitter1[[]byte]()
	register.DoFn4x1[context.Context, featureRow, func(*[]byte) bool, func(customerRow), error](&assignFn{})
	register.Iter1[[]byte]()
	register.Emitter1[customerRow]()
}

// sampleKey is the customer's draw for the sample: a fixed 64-bit mix
// (SplitMix64's finaliser) of the customer id and the seed. The sample is
// the customers with the smallest keys, a uniform sample without
// replacement that depends only on the ids and the seed.
func sampleKey(seed uint64, r featureRow) uint64 {
	z := uint64(r.Customer) ^ (seed+1)*0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

type sampleKeyFn struct{ Seed uint64 }

func (f *sampleKeyFn) ProcessElement(r featureRow, emit func(uint64)) { emit(sampleKey(f.Seed, r)) }

// bottomK keeps the K smallest keys seen, as a max-heap.
type bottomK struct {
	K    int
	Keys []uint64
}

func (h *bottomK) Len() int           { return len(h.Keys) }
func (h *bottomK) Less(i, j int) bool { return h.Keys[i] > h.Keys[j] }
func (h *bottomK) Swap(i, j int)      { h.Keys[i], h.Keys[j] = h.Keys[j], h.Keys[i] }
func (h *bottomK) Push(x any)         { h.Keys = append(h.Keys, x.(uint64)) }
func (h *bottomK) Pop() any {
	x := h.Keys[len(h.Keys)-1]
	h.Keys = h.Keys[:len(h.Keys)-1]
	return x
}

func (h *bottomK) offer(k uint64) {
	if len(h.Keys) < h.K {
		heap.Push(h, k)
	} else if k < h.Keys[0] {
		h.Keys[0] = k
		heap.Fix(h, 0)
	}
}

func encodeBottomK(h *bottomK) []byte {
	e := encoder{b: make([]byte, 0, 8+8*len(h.Keys))}
	e.uvarint(uint64(h.K))
	e.uvarint(uint64(len(h.Keys)))
	for _, k := range h.Keys {
		e.uvarint(k)
	}
	return e.b
}

func decodeBottomK(b []byte) (*bottomK, error) {
	d := decoder{b: b}
	h := &bottomK{K: int(d.uvarint())}
	n := d.length(1)
	h.Keys = make([]uint64, n)
	for i := range h.Keys {
		h.Keys[i] = d.uvarint()
	}
	heap.Init(h)
	return h, d.done()
}

// bottomKFn finds the K-th smallest sample key: the threshold of the
// sample (MaxUint64 when there are at most K customers).
type bottomKFn struct{ K int }

func (f *bottomKFn) CreateAccumulator() *bottomK { return &bottomK{K: f.K} }

func (f *bottomKFn) AddInput(h *bottomK, k uint64) *bottomK {
	h.offer(k)
	return h
}

func (f *bottomKFn) MergeAccumulators(a, b *bottomK) *bottomK {
	for _, k := range b.Keys {
		a.offer(k)
	}
	return a
}

func (f *bottomKFn) ExtractOutput(h *bottomK) uint64 {
	if len(h.Keys) < h.K {
		return math.MaxUint64
	}
	return h.Keys[0]
}

// sampleFilterFn keeps the customers whose key is at most the threshold.
type sampleFilterFn struct{ Seed uint64 }

func (f *sampleFilterFn) ProcessElement(r featureRow, threshold uint64, emit func(featureRow)) {
	if sampleKey(f.Seed, r) <= threshold {
		emit(r)
	}
}

// model is what the assignment of every customer needs from the fit on
// the sample, encoded with gob (exact floats, NaN included) as a side
// input.
type model struct {
	K, Cols   int
	Centroids []float64
	Transform *cluster.Transform
	// Clustered[j] is the index, in a featureRow's Values, of the j-th
	// clustering column; Fill[j] replaces an undefined value (the
	// feature's documented fill, or the value the transform maps to the
	// sample mean when the feature has none).
	Clustered []int
	Fill      []float64
	// Fit is what the fit decided beyond the centroids, for the output
	// set: the clustered features, the k selection, the strategy.
	Fit        fitStage
	Population *segments.Population
	// Features are the available features, in featureRow order.
	Features   []string
	HasCountry bool
	AsOf       int64
	// Segments is the catalogue the fit used; cat is it parsed, when the
	// model is decoded (modelCache.get).
	Segments CatalogueSpec
	cat      *segments.Catalogue
	// CLV is the fit of the lifetime-value models on the sample, which
	// predicts every customer. The population holds, after the features,
	// the predictions the catalogue's rules read (pipeline.RuleTable),
	// when the models speak.
	CLV *pipeline.CLVFit
}

func (m *model) encode() ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeModel(b []byte) (*model, error) {
	m := new(model)
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(m); err != nil {
		return nil, fmt.Errorf("segbeam: decoding the model: %w", err)
	}
	return m, nil
}

// fitStage is the part of the clustering stage (pipeline.ClusterStage)
// fitted on the sample that the output set needs besides the centroids and
// the transform: the k selection without its per-k fits, and the
// stability figures when they were asked for.
type fitStage struct {
	Features   []string
	Excluded   []features.Absence
	Selection  *cluster.Selection
	Seeds      []string
	Strategy   string
	Inertia    float64
	Iterations int
	Stability  *cluster.StabilityResult
	Sample     int
}

// fitFn clusters the sample on one worker with segmint's own single-node
// code, as `segmint run` does on all customers: the sample's feature
// table, the segment rules (segments.Evaluate) and the clustering stage
// seeded from the rule groups (pipeline.Cluster). It emits the encoded
// model. The clusters are mapped onto the segments later, on every
// customer, when the output set is written.
type fitFn struct {
	Cluster  pipeline.ClusterOptions
	Predict  pipeline.PredictOptions
	Segments CatalogueSpec
}

func (f *fitFn) ProcessElement(ctx context.Context, _ int, rows func(*featureRow) bool, w window, stats features.Stats, emit func([]byte)) error {
	var sample []featureRow
	var r featureRow
	for rows(&r) {
		sample = append(sample, r)
		r = featureRow{}
	}
	t := sampleTable(sample, w, stats)
	if len(t.Customers) < 2 {
		// Nothing to segment: no model, no output set; the submitter
		// reports it as segmint run does (Run).
		return nil
	}
	cat, err := f.Segments.Load()
	if err != nil {
		return fmt.Errorf("segments: %w", err)
	}
	// The lifetime-value models, fitted on the sample as segmint run
	// fits them on all customers; the rules may read their predictions.
	clvFit, err := pipeline.FitCLV(ctx, t, f.Predict)
	if err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	pred, err := clvFit.Predict(ctx, t)
	if err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	rt := pipeline.RuleTable(t, pred, cat)
	mem, err := segments.Evaluate(cat, rt, f.Cluster.Threads)
	if err != nil {
		return fmt.Errorf("segments: %w", err)
	}
	cs, err := pipeline.Cluster(ctx, t, f.Cluster, mem.Primary, func(s int) string { return cat.Segments[s].ID })
	if err != nil {
		return fmt.Errorf("clustering: %w", err)
	}
	m, err := newModel(t, rt, cs)
	if err != nil {
		return err
	}
	m.Segments, m.CLV = f.Segments, clvFit
	beam.NewCounter(metricNamespace, "sample_customers").Inc(ctx, int64(len(t.Customers)))
	b, err := m.encode()
	if err != nil {
		return err
	}
	emit(b)
	return nil
}

// sampleTable builds the feature table of the sampled customers in
// ascending id order, as features.Aggregator.Finalise builds it for all.
func sampleTable(rows []featureRow, w window, stats features.Stats) *features.Table {
	slices.SortFunc(rows, func(a, b featureRow) int { return cmp.Compare(a.Customer, b.Customer) })
	c, avail, absent := datasetContext(w, stats)
	t := &features.Table{Features: avail, Absent: absent, Context: c}
	t.Customers = make([]int64, len(rows))
	if stats.Present&features.ColCountry != 0 {
		t.Country = make([]string, len(rows))
	}
	t.Columns = make([][]float64, len(avail))
	for j := range t.Columns {
		t.Columns[j] = make([]float64, len(rows))
	}
	for i, r := range rows {
		t.Customers[i] = r.Customer
		if t.Country != nil {
			t.Country[i] = r.Country
		}
		for j, v := range r.Values {
			t.Columns[j][i] = v
		}
	}
	return t
}

// newModel returns the model of the sample's feature table t, the table
// its rules read rt (t's features and the predictions they read) and its
// clustering stage cs.
func newModel(t, rt *features.Table, cs *pipeline.ClusterStage) (*model, error) {
	r := cs.Result
	m := &model{K: r.K, Cols: r.Cols, Centroids: r.Centroids, Transform: cs.Transform, Population: segments.NewPopulation(rt), HasCountry: t.Country != nil, AsOf: t.AsOf}
	m.Fit = fitStage{Features: cs.Features, Excluded: cs.Excluded, Seeds: cs.Seeds, Strategy: cs.Strategy, Inertia: r.Inertia, Iterations: r.Iterations, Stability: cs.Stability, Sample: len(t.Customers)}
	if sel := cs.Selection; sel != nil {
		c := *sel
		c.Results = nil // every k's fit of the sample: not needed further
		m.Fit.Selection = &c
	}
	for _, f := range t.Features {
		m.Features = append(m.Features, f.Name)
	}
	// The raw value that the transform maps to 0 (the sample mean), for
	// an undefined value of a feature without a fill.
	center := make([]float64, r.Cols)
	cs.Transform.Inverse(center, make([]float64, r.Cols))
	for j, name := range cs.Features {
		idx := slices.Index(m.Features, name)
		if idx < 0 {
			return nil, fmt.Errorf("segbeam: clustered feature %s is not in the table", name)
		}
		fill := center[j]
		if f := t.Features[idx]; f.Fill != nil {
			fill = f.Fill(&t.Context)
		}
		m.Clustered = append(m.Clustered, idx)
		m.Fill = append(m.Fill, fill)
	}
	return m, nil
}

// point writes customer r's row in the clustering space into z, with
// raw as scratch: undefined values take the feature's fill, as
// pipeline.FeatureMatrix fills them, then the sample's transform.
func (m *model) point(z, raw []float64, r *featureRow) error {
	for j, idx := range m.Clustered {
		v := r.Values[idx]
		if math.IsNaN(v) {
			v = m.Fill[j]
		}
		raw[j] = v
	}
	if err := m.Transform.Apply(z, raw); err != nil {
		return fmt.Errorf("customer %d: %w", r.Customer, err)
	}
	return nil
}

// assignFn gives every customer its cluster (the nearest centroid in the
// clustering space of the sample's transform), its segment memberships,
// primary segment and life-cycle stage (the catalogue's rules, with
// percentile ranks taken in the sample's population).
type assignFn struct {
	cache  modelCache
	m      *model
	cat    *segments.Catalogue
	ev     *segments.Evaluator
	pred   *cluster.Result
	raw, z []float64
	label  []int
	pct    []float64
	values []float64 // the rules' values of a customer
	ranks  *percentiles
}

func (f *assignFn) init(modelIter func(*[]byte) bool) error {
	m, err := f.cache.get(modelIter)
	if err != nil {
		return err
	}
	f.m = m
	f.cat = m.cat
	f.ev = segments.NewEvaluator(f.cat, m.Population)
	f.pred = &cluster.Result{K: m.K, Cols: m.Cols, Centroids: m.Centroids}
	f.raw, f.z, f.label = make([]float64, m.Cols), make([]float64, m.Cols), make([]int, 1)
	f.pct = make([]float64, len(m.Population.Features))
	f.ranks = newPercentiles(m.Population)
	return nil
}

// ruleValues returns, in dst, the values the rules read of customer r, in
// the population's order: its features and, when the population holds
// predictions (the catalogue reads them and the models speak), its
// predictions by the sample's fit, as pipeline.RuleTable gives them.
func (m *model) ruleValues(ctx context.Context, dst []float64, r *featureRow) ([]float64, error) {
	dst = append(dst[:0], r.Values...)
	extra := m.Population.Features[len(m.Features):]
	if len(extra) == 0 {
		return dst, nil
	}
	t := &features.Table{Customers: []int64{r.Customer}, Context: features.Context{AsOf: m.AsOf}}
	for j, name := range m.Features {
		t.Features = append(t.Features, features.Lookup(name))
		t.Columns = append(t.Columns, []float64{r.Values[j]})
	}
	p, err := m.CLV.Predict(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("customer %d: %w", r.Customer, err)
	}
	rt := pipeline.RuleTable(t, p, m.cat)
	for _, name := range extra {
		col := rt.Column(name)
		if col == nil {
			return nil, fmt.Errorf("segbeam: the population's %s is not among the predictions", name)
		}
		dst = append(dst, col[0])
	}
	return dst, nil
}

// percentiles answers segments.Population.Percentile, remembering the
// answer for values that open a long run of equal values in the
// population: Percentile walks such a run one value at a time, which for
// features where most customers tie (subscribed, counts of zero) would
// cost the population size for every customer. Runs shorter than
// memoRun are cheap to walk and are not remembered, which bounds the
// memory at one entry per memoRun sampled values per feature.
type percentiles struct {
	pop  *segments.Population
	memo []map[float64]float64
}

const memoRun = 64

func newPercentiles(p *segments.Population) *percentiles {
	r := &percentiles{pop: p, memo: make([]map[float64]float64, len(p.Sorted))}
	for j := range r.memo {
		r.memo[j] = make(map[float64]float64)
	}
	return r
}

func (r *percentiles) percentile(j int, v float64) float64 {
	vals := r.pop.Sorted[j]
	lo, found := slices.BinarySearch(vals, v)
	if !found || lo+memoRun > len(vals) || vals[lo+memoRun-1] != v {
		return r.pop.Percentile(j, v)
	}
	if p, ok := r.memo[j][v]; ok {
		return p
	}
	p := r.pop.Percentile(j, v)
	r.memo[j][v] = p
	return p
}

func (f *assignFn) ProcessElement(ctx context.Context, r featureRow, modelIter func(*[]byte) bool, emit func(customerRow)) error {
	if f.m == nil {
		if err := f.init(modelIter); errors.Is(err, errNoModel) {
			return nil // fewer than two customers: nothing is fitted
		} else if err != nil {
			return err
		}
	}
	m := f.m
	if err := m.point(f.z, f.raw, &r); err != nil {
		return err
	}
	c := f.pred.Predict(f.label, f.z)[0]
	var d2 float64
	for j, x := range f.z {
		d := x - m.Centroids[c*m.Cols+j]
		d2 += d * d
	}
	values, err := m.ruleValues(ctx, f.values, &r)
	if err != nil {
		return err
	}
	f.values = values
	for j, v := range values {
		f.pct[j] = f.ranks.percentile(j, v)
	}
	member := make([]bool, len(f.cat.Segments))
	primary, stage, err := f.ev.Evaluate(values, f.pct, r.Country, member)
	if err != nil {
		return fmt.Errorf("customer %d: %w", r.Customer, err)
	}
	emit(customerRow{featureRow: r, Cluster: int32(c), Distance: math.Sqrt(d2), Primary: int32(primary), Stage: int32(stage), Member: member})
	return nil
}

package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/segmint/segmint/synth"
)

// Options configure a benchmark run. The zero value of a field means the
// default given in its comment.
type Options struct {
	// Events are the target data set sizes in events; nil means 10e6 and
	// 50e6. Each becomes round(Events/EventsPerCustomer) customers.
	Events []float64
	// EventsPerCustomer is the generator's events per customer at scale 1;
	// 0 means 53.
	EventsPerCustomer float64
	// Seed of the generator; 0 means 1.
	Seed uint64
	// Threads for both engines; 0 means runtime.NumCPU().
	Threads int
	// Runs per engine and size, the best of which is reported; 0 means 2.
	Runs int
	// Engines to run; nil means segmint and duckdb.
	Engines []string
	// Writers of the data sets each size is measured on (WriterSegmint,
	// WriterDuckDB); nil means both.
	Writers []string
	// Orders are the generator's row orders each size is measured in
	// ("time", "session"); nil means both, time first.
	Orders []string
	// ScaleFactor is the generator scale of the memory-scaling check:
	// segmint on the customers of the smallest size with ScaleFactor times
	// the events. 0 means 5; negative skips the check.
	ScaleFactor float64
	// OutDir holds the cached data, the results and DuckDB's spill files;
	// "" means "out".
	OutDir string
	// EventsPerFile and RowGroupSize of the generated files; 0 means the
	// generator's defaults.
	EventsPerFile, RowGroupSize int
	// Markdown prints the report as markdown.
	Markdown bool
}

func (o *Options) setDefaults() {
	if o.Events == nil {
		o.Events = []float64{10e6, 50e6}
	}
	if o.EventsPerCustomer == 0 {
		o.EventsPerCustomer = 53
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Threads == 0 {
		o.Threads = runtime.NumCPU()
	}
	if o.Runs == 0 {
		o.Runs = 2
	}
	if o.Engines == nil {
		o.Engines = []string{EngineSegmint, EngineDuckDB}
	}
	if o.Writers == nil {
		o.Writers = []string{WriterSegmint, WriterDuckDB}
	}
	if o.Orders == nil {
		o.Orders = []string{synth.OrderTime.String(), synth.OrderSession.String()}
	}
	if o.ScaleFactor == 0 {
		o.ScaleFactor = 5
	}
	if o.OutDir == "" {
		o.OutDir = "out"
	}
}

// Row is one line of the results table: the best of Runs runs of one engine
// on one data set.
type Row struct {
	// Writer is the tool that wrote the data set's files.
	Writer string
	// Order is the generator's row order of the data set.
	Order     string
	Events    int64
	Customers int
	Scale     float64
	Engine    string
	Threads   int
	Seconds   float64 // best run
	// ProcessSeconds is the best run's whole process: from the start of
	// the child (exec, runtime and library start-up, opening the
	// database) to the end of the timed phase.
	ProcessSeconds float64
	// CPUSeconds is the least CPU time (user and system, every thread)
	// of the runs, from the start of the process to the end of the timed
	// phase.
	CPUSeconds float64
	// Spread is the slowest run's Seconds over the best's.
	Spread     float64
	PeakRSSMiB float64 // highest of the runs
	// Ratio is DuckDB's seconds / segmint's seconds on the same data (on
	// the DuckDB row; 0 elsewhere); ProcessRatio the same of
	// ProcessSeconds.
	Ratio, ProcessRatio float64
	// Mismatches is the comparison's total on this data set; -1 when not
	// compared.
	Mismatches int
}

// Report is the outcome of Run.
type Report struct {
	Options       Options
	DuckDBVersion string
	GoVersion     string
	Rows          []Row
	// Comparisons per data set, keyed by a description of it.
	Comparisons []NamedComparison
	// ScaleCheck lists segmint's rows for the memory-scaling check (scale 1
	// and ScaleFactor on the same customers).
	ScaleCheck []Row
}

// NamedComparison is the agreement check on one data set.
type NamedComparison struct {
	Writer    string
	Order     string
	Events    int64
	Customers int
	*Comparison
}

// Run runs the benchmark and writes progress to logw.
func Run(ctx context.Context, o Options, logw io.Writer) (*Report, error) {
	o.setDefaults()
	for _, e := range o.Engines {
		if e != EngineSegmint && e != EngineDuckDB {
			return nil, fmt.Errorf("bench: unknown engine %q (want %s or %s)", e, EngineSegmint, EngineDuckDB)
		}
	}
	for _, w := range o.Writers {
		if w != WriterSegmint && w != WriterDuckDB {
			return nil, fmt.Errorf("bench: unknown writer %q (want %s or %s)", w, WriterSegmint, WriterDuckDB)
		}
	}
	orders := make([]synth.Order, len(o.Orders))
	for i, name := range o.Orders {
		var err error
		if orders[i], err = synth.ParseOrder(name); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	out, err := filepath.Abs(o.OutDir)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "featurebench: "+format+"\n", args...) }
	data := DataSettings{Seed: o.Seed, EventsPerFile: o.EventsPerFile, RowGroupSize: o.RowGroupSize, CacheDir: filepath.Join(out, "data")}
	resultsDir := filepath.Join(out, "results")
	tempDir := filepath.Join(out, "duckdb-tmp")
	for _, d := range []string{resultsDir, tempDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	rep := &Report{Options: o, DuckDBVersion: DuckDBVersion(), GoVersion: runtime.Version()}

	bench := func(ds *Dataset, engines []string) ([]Row, map[string]string, error) {
		rows := make([]Row, len(engines))
		paths := make(map[string]string)
		for i, e := range engines {
			rows[i] = Row{Writer: ds.Writer, Order: ds.Order, Events: ds.Events, Customers: ds.Customers, Scale: ds.Scale, Engine: e, Threads: o.Threads, Seconds: math.Inf(1), CPUSeconds: math.Inf(1), Mismatches: -1}
			paths[e] = filepath.Join(resultsDir, filepath.Base(ds.Dir)+"-"+e+".gob")
		}
		// Runs are interleaved so that both engines see the same state
		// of the page cache.
		for r := 0; r < o.Runs; r++ {
			for i, e := range engines {
				req := childRequest{Engine: e, Files: ds.Files, Threads: o.Threads, TempDir: tempDir}
				if r == 0 {
					req.ResultPath = paths[e]
				}
				m, err := runChild(ctx, req, logw)
				if err != nil {
					return nil, nil, err
				}
				logf("%s, %d events (%s files, %s order), %d customers, run %d: %.2f s (process %.2f s, cpu %.2f s), peak RSS %.0f MiB",
					e, ds.Events, ds.Writer, ds.Order, ds.Customers, r+1, m.Seconds, m.ProcessSeconds, m.CPUSeconds, float64(m.PeakRSSKiB)/1024)
				if m.Customers != ds.Customers {
					logf("warning: %s found %d customers, the data has %d", e, m.Customers, ds.Customers)
				}
				if m.Seconds < rows[i].Seconds {
					rows[i].Seconds, rows[i].ProcessSeconds = m.Seconds, m.ProcessSeconds
				}
				rows[i].Spread = max(rows[i].Spread, m.Seconds)
				rows[i].CPUSeconds = min(rows[i].CPUSeconds, m.CPUSeconds)
				rows[i].PeakRSSMiB = max(rows[i].PeakRSSMiB, float64(m.PeakRSSKiB)/1024)
			}
		}
		for i := range rows {
			rows[i].Spread /= rows[i].Seconds
		}
		return rows, paths, nil
	}

	// benchCompared runs the engines on ds and compares their results.
	benchCompared := func(ds *Dataset) ([]Row, error) {
		rows, paths, err := bench(ds, o.Engines)
		if err != nil || len(o.Engines) != 2 {
			return rows, err
		}
		logf("comparing the results")
		a, err := ReadResult(paths[o.Engines[0]])
		if err != nil {
			return nil, err
		}
		b, err := ReadResult(paths[o.Engines[1]])
		if err != nil {
			return nil, err
		}
		cmp := Compare(a, b)
		rep.Comparisons = append(rep.Comparisons, NamedComparison{Writer: ds.Writer, Order: ds.Order, Events: ds.Events, Customers: ds.Customers, Comparison: cmp})
		for i := range rows {
			rows[i].Mismatches = cmp.Total()
		}
		seg, duck := rowOf(rows, EngineSegmint), rowOf(rows, EngineDuckDB)
		duck.Ratio = duck.Seconds / seg.Seconds
		duck.ProcessRatio = duck.ProcessSeconds / seg.ProcessSeconds
		return rows, nil
	}

	var first *Row // segmint at the smallest size, for the scaling check
	for _, target := range o.Events {
		customers := int(math.Round(target / o.EventsPerCustomer))
		if customers < 1 {
			return nil, fmt.Errorf("bench: %g events is less than one customer", target)
		}
		for _, order := range orders {
			settings := data
			settings.Order = order
			gen, err := EnsureDataset(ctx, settings, customers, 1, logf)
			if err != nil {
				return nil, err
			}
			for _, w := range o.Writers {
				ds := gen
				if w == WriterDuckDB {
					if ds, err = EnsureDuckDBCopy(ctx, gen, logf); err != nil {
						return nil, err
					}
				}
				rows, err := benchCompared(ds)
				if err != nil {
					return nil, err
				}
				rep.Rows = append(rep.Rows, rows...)
				if r := rowOf(rows, EngineSegmint); r != nil && ds.Writer == WriterSegmint && (first == nil || r.Customers < first.Customers) {
					c := *r
					first = &c
				}
			}
		}
	}
	if o.ScaleFactor > 0 && first != nil {
		settings := data
		settings.Order = orders[0]
		ds, err := EnsureDataset(ctx, settings, first.Customers, o.ScaleFactor, logf)
		if err != nil {
			return nil, err
		}
		rows, _, err := bench(ds, []string{EngineSegmint})
		if err != nil {
			return nil, err
		}
		rep.ScaleCheck = []Row{*first, rows[0]}
	}
	return rep, nil
}

func rowOf(rows []Row, engine string) *Row {
	for i := range rows {
		if rows[i].Engine == engine {
			return &rows[i]
		}
	}
	return nil
}

// WriteText writes the report as aligned text, or as markdown when md.
func (r *Report) Write(w io.Writer, md bool) error {
	var b strings.Builder
	header := []string{"order", "files by", "events", "customers", "engine", "threads", "seconds", "slowest / best", "events/s", "process s", "cpu s", "peak RSS (MiB)", "ratio (DuckDB s / segmint s)", "process ratio", "mismatches"}
	var cells [][]string
	for _, row := range r.Rows {
		ratio, pratio, mism := "", "", "not compared"
		if row.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f", row.Ratio)
			pratio = fmt.Sprintf("%.2f", row.ProcessRatio)
		}
		if row.Mismatches >= 0 {
			mism = fmt.Sprint(row.Mismatches)
		}
		cells = append(cells, []string{
			row.Order, row.Writer, humanCount(row.Events), humanCount(int64(row.Customers)), row.Engine, fmt.Sprint(row.Threads),
			fmt.Sprintf("%.2f", row.Seconds), fmt.Sprintf("%.2f", row.Spread), humanCount(int64(float64(row.Events) / row.Seconds)),
			fmt.Sprintf("%.2f", row.ProcessSeconds), fmt.Sprintf("%.2f", row.CPUSeconds), fmt.Sprintf("%.0f", row.PeakRSSMiB), ratio, pratio, mism,
		})
	}
	fmt.Fprintf(&b, "Feature stage, best of %d runs per engine (peak RSS: highest of the runs); Go %s, DuckDB %s.\n\n",
		r.Options.Runs, r.GoVersion, r.DuckDBVersion)
	writeTable(&b, header, cells, md)
	for _, c := range r.Comparisons {
		fmt.Fprintf(&b, "\nAgreement on %s events (%s customers, files by %s, %s order): tolerance %g relative + %g absolute, null = null.\n\n",
			humanCount(c.Events), humanCount(int64(c.Customers)), c.Writer, c.Order, RelTol, AbsTol)
		var cc [][]string
		if c.OnlyA+c.OnlyB > 0 {
			cc = append(cc, []string{"(customers)", "", fmt.Sprint(c.OnlyA + c.OnlyB), fmt.Sprintf("%d only in segmint, %d only in DuckDB", c.OnlyA, c.OnlyB)})
		}
		for _, m := range c.Columns {
			note := m.Note
			if m.Count > 0 {
				note = fmt.Sprintf("e.g. customer %d: segmint %s, DuckDB %s", m.SampleCustomer, m.SampleA, m.SampleB)
			}
			cc = append(cc, []string{m.Feature, humanCount(int64(m.Compared)), fmt.Sprint(m.Count), note})
		}
		writeTable(&b, []string{"feature", "customers compared", "mismatches", "note"}, cc, md)
	}
	if len(r.ScaleCheck) == 2 {
		a, s := r.ScaleCheck[0], r.ScaleCheck[1]
		fmt.Fprintf(&b, "\nMemory scaling, segmint, %s customers: %.0f MiB peak at scale 1 (%s events), %.0f MiB at scale %g (%s events): %.2fx the memory for %.2fx the events.\n\n",
			humanCount(int64(a.Customers)), a.PeakRSSMiB, humanCount(a.Events), s.PeakRSSMiB, s.Scale, humanCount(s.Events),
			s.PeakRSSMiB/a.PeakRSSMiB, float64(s.Events)/float64(a.Events))
		var sc [][]string
		for _, row := range r.ScaleCheck {
			sc = append(sc, []string{strings.TrimSuffix(fmt.Sprintf("%g", row.Scale), ".0"), humanCount(row.Events), humanCount(int64(row.Customers)),
				fmt.Sprintf("%.2f", row.Seconds), humanCount(int64(float64(row.Events) / row.Seconds)), fmt.Sprintf("%.0f", row.PeakRSSMiB)})
		}
		writeTable(&b, []string{"scale", "events", "customers", "seconds", "events/s", "peak RSS (MiB)"}, sc, md)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTable(b *strings.Builder, header []string, rows [][]string, md bool) {
	if md {
		b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
		for range header {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, r := range rows {
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
		}
		return
	}
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c + strings.Repeat(" ", width[i]-len(c)))
		}
		b.WriteString("\n")
	}
}

// humanCount writes n with thousands separators.
func humanCount(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var parts []string
	for len(s) > 3 {
		parts = append(parts, s[len(s)-3:])
		s = s[:len(s)-3]
	}
	parts = append(parts, s)
	slices.Reverse(parts)
	return strings.Join(parts, ",")
}

// errUsage marks a command-line error (exit code 2).
var errUsage = errors.New("usage")

package segments

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/vm"

	"github.com/segmint/segmint/features"
)

// Memberships are the catalogue's rules evaluated for every customer of a
// feature table.
type Memberships struct {
	Catalogue *Catalogue
	// Reason[s] is "" when segment s was evaluated, else why it could not
	// be: a feature its rule needs is absent from the input (and no
	// fallback reads it from the features present), or the observation
	// window is shorter than the history it needs.
	Reason []string
	// Fallback[s] is the index into Segments[s].Fallbacks of the reading
	// evaluated in place of the segment's own rule, -1 when the rule
	// itself was (or nothing was) evaluated. nil means no fallback.
	Fallback []int
	// Member[s][i] says whether customer i meets segment s's rule.
	Member [][]bool
	// Sizes[s] is the number of members of segment s.
	Sizes []int
	// Primary[i] is the index of customer i's primary segment (the first
	// non-facet segment in catalogue order whose rule it meets), or -1.
	Primary []int
	// Basis[i] says how Primary[i] was chosen; nil until Settle runs
	// (then every primary segment is by the catalogue precedence).
	Basis []Basis
	// Stage[i] is the index into Catalogue.Lifecycle of customer i's stage,
	// or -1 when no stage rule could be evaluated.
	Stage []int
	// StageReason[k] is "" when stage k was evaluated.
	StageReason []string
}

// Evaluated reports whether segment s could be evaluated.
func (m *Memberships) Evaluated(s int) bool { return m.Reason[s] == "" }

// FallbackOf returns the fallback evaluated in place of segment s's rule,
// or nil when its own rule was.
func (m *Memberships) FallbackOf(s int) *Fallback {
	if m.Fallback == nil || m.Fallback[s] < 0 {
		return nil
	}
	return &m.Catalogue.Segments[s].Fallbacks[m.Fallback[s]]
}

// RuleOf returns the rule evaluated for segment s: its own, or the
// fallback's.
func (m *Memberships) RuleOf(s int) string {
	if f := m.FallbackOf(s); f != nil {
		return f.Rule
	}
	return m.Catalogue.Segments[s].Rule
}

// PrimaryID returns the id of customer i's primary segment, or "none".
func (m *Memberships) PrimaryID(i int) string {
	if p := m.Primary[i]; p >= 0 {
		return m.Catalogue.Segments[p].ID
	}
	return "none"
}

// BasisName returns how customer i's primary segment was chosen (see
// Basis): "rule" before Settle when the customer meets a rule.
func (m *Memberships) BasisName(i int) string {
	if m.Basis != nil {
		return m.Basis[i].String()
	}
	if m.Primary[i] >= 0 {
		return BasisRule.String()
	}
	return BasisNone.String()
}

// StageName returns customer i's life-cycle stage, or "unknown".
func (m *Memberships) StageName(i int) string {
	if k := m.Stage[i]; k >= 0 {
		return m.Catalogue.Lifecycle[k].Stage
	}
	return "unknown"
}

// PercentileRanks returns, for each value of x, its mid-rank percentile
// among the non-NaN values of x, in [0, 1]; NaN stays NaN.
func PercentileRanks(x []float64) []float64 {
	idx, keys := sortKeys(x)
	return ranksOf(len(x), idx, keys)
}

// ranksOf is PercentileRanks of n values given their sortKeys, for a
// caller that needs the order for more than the ranks.
func ranksOf(n int, idx []int32, keys []uint64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	defined := len(idx)
	for lo := 0; lo < defined; {
		v := keyValue(keys[lo])
		hi := lo
		for hi+1 < defined && keyValue(keys[hi+1]) == v {
			hi++
		}
		// values strictly below: lo; ties: hi-lo+1
		r := midRank(lo, hi-lo+1, defined)
		for k := lo; k <= hi; k++ {
			out[idx[k]] = r
		}
		lo = hi + 1
	}
	return out
}

// sortKeys returns the indices of the non-NaN values of x in ascending
// order of value (equal values in index order; -0 just before +0, which
// compare equal), and their keys: keys[k] is the key of x[idx[k]]
// (keyValue gives the value back, bit for bit), so that a caller walking
// the values in order reads them in sequence, not at random from x. It is
// a least-significant-digit radix sort of the values' bits mapped to
// unsigned keys that order as the floats do: linear in len(x), where a
// comparison sort of indices costs most of the rules' evaluation at a
// million customers.
func sortKeys(x []float64) ([]int32, []uint64) {
	const bits = 11
	const buckets = 1 << bits
	const passes = (64 + bits - 1) / bits
	// Every pass's digit counts, from one reading of the keys.
	count := new([passes][buckets]int)
	keys := make([]uint64, 0, len(x))
	idx := make([]int32, 0, len(x))
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		b := math.Float64bits(v)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		keys = append(keys, b)
		idx = append(idx, int32(i))
		for p := range passes {
			count[p][(b>>(p*bits))&(buckets-1)]++
		}
	}
	if len(keys) == 0 {
		return idx, keys
	}
	k2 := make([]uint64, len(keys))
	i2 := make([]int32, len(idx))
	for p := range passes {
		shift := uint(p * bits)
		c := &count[p]
		if c[(keys[0]>>shift)&(buckets-1)] == len(keys) {
			continue // every key has this digit: the pass would not move anything
		}
		sum := 0
		for d, n := range c {
			c[d] = sum
			sum += n
		}
		for n, k := range keys {
			d := (k >> shift) & (buckets - 1)
			k2[c[d]] = k
			i2[c[d]] = idx[n]
			c[d]++
		}
		keys, k2 = k2, keys
		idx, i2 = i2, idx
	}
	return idx, keys
}

// keyValue is the value whose sortKeys key is k.
func keyValue(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// nanMean is the mean of the non-NaN values of x (NaN when there are none).
func nanMean(x []float64) float64 {
	var sum, n float64
	for _, v := range x {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	return sum / n
}

// Population is what the rules need to know about all customers: for each
// available feature, its sorted defined values (for pct.<feature>) and its
// mean (for mean.<feature>), and why the others are absent. It is built
// once from a feature table (NewPopulation) or, on a distributed runner,
// from a sample covering the customers, and shared read-only.
type Population struct {
	Features []string    // available features, in table order
	Sorted   [][]float64 // Sorted[j]: the non-NaN values of feature j, ascending
	Means    []float64   // Means[j]: their mean (NaN when none)
	// Breaks[j]: feature j's head/tail breaks (HeadTailBreaks), for
	// head.<feature>.
	Breaks     [][]float64
	Absent     []features.Absence // features the input cannot provide
	WindowDays float64
	index      map[string]int
}

// NewPopulation summarises the customers of t.
func NewPopulation(t *features.Table) *Population {
	p := populationOf(t)
	for j := range t.Features {
		p.summarise(t.Columns[j], j, summaries{mean: true, sorted: true})
	}
	return p
}

// populationOf is the population of t's features, indexed, before any
// feature is summarised (summarise).
func populationOf(t *features.Table) *Population {
	nf := len(t.Features)
	p := &Population{Absent: t.Absent, WindowDays: t.WindowDays(), Features: make([]string, nf), Means: make([]float64, nf), Sorted: make([][]float64, nf), Breaks: make([][]float64, nf)}
	for j, f := range t.Features {
		p.Features[j] = f.Name
	}
	p.buildIndex()
	return p
}

// summaries are the summaries of a feature summarise computes.
type summaries struct {
	mean   bool // Means
	sorted bool // Sorted and Breaks
	ranks  bool // the percentile ranks of its values (PercentileRanks)
}

// summarise computes feature j's summaries from its column col, and
// returns its percentile ranks when asked for (nil otherwise). Features
// are summarised independently, so several may be side by side.
func (p *Population) summarise(col []float64, j int, want summaries) []float64 {
	if want.mean {
		p.Means[j] = nanMean(col)
	}
	if !want.sorted && !want.ranks {
		return nil
	}
	idx, keys := sortKeys(col)
	if want.sorted {
		var vals []float64 // nil when no value is defined
		if len(idx) > 0 {
			vals = make([]float64, len(keys))
			for i, k := range keys {
				vals[i] = keyValue(k)
			}
		}
		p.Sorted[j] = vals
		p.Breaks[j] = HeadTailBreaks(vals)
	}
	if want.ranks {
		return ranksOf(len(col), idx, keys)
	}
	return nil
}

// buildIndex indexes the features by name. NewPopulation calls it, so a
// population is read-only, and safe to share, once made; a Population
// built by hand is indexed on first use.
func (p *Population) buildIndex() {
	p.index = make(map[string]int, len(p.Features))
	for j, f := range p.Features {
		p.index[f] = j
	}
}

func (p *Population) lookup(name string) int {
	if p.index == nil {
		p.buildIndex()
	}
	if j, ok := p.index[name]; ok {
		return j
	}
	return -1
}

// Percentile returns the mid-rank percentile of v among the values of
// feature j: (values below v + half the values equal to v) / values, the
// same as PercentileRanks gives a member of the population. NaN stays NaN.
func (p *Population) Percentile(j int, v float64) float64 {
	if math.IsNaN(v) {
		return math.NaN()
	}
	vals := p.Sorted[j]
	lo, _ := slices.BinarySearch(vals, v)
	// The end of the run of values equal to v, by a second search (most
	// customers tie on some features: flags, zero counts).
	hi := lo + sort.Search(len(vals)-lo, func(k int) bool { return vals[lo+k] > v })
	return midRank(lo, hi-lo, len(vals))
}

// MaxHeadShare is the head/tail breaks' stopping rule: a split at the
// mean is kept while the values above it are at most this share of the
// values split (the head is a minority), as in Jiang's head/tail breaks for
// heavy-tailed data.
const MaxHeadShare = 0.4

// MaxHeadLevels bounds the number of head/tail breaks.
const MaxHeadLevels = 8

// HeadTailBreaks returns the head/tail breaks of the ascending values
// sorted: the mean of all values, then the mean of the values above it
// (the head), and so on, for as long as each head holds at most
// MaxHeadShare of the values it was split from. A customer's head level
// (head.<feature> in a rule) is the number of breaks its value exceeds: 0
// at or below the mean, 1 above the mean, 2 above the mean of the
// above-average values ("well above average"), ... The levels follow the
// distribution's concentration, not a fixed share: a heavy tail gives a
// small head at each level, an even spread stops at the first split (no
// value is well above the others). sorted must hold no NaN.
func HeadTailBreaks(sorted []float64) []float64 {
	var breaks []float64
	vals := sorted
	for len(breaks) < MaxHeadLevels && len(vals) >= 2 {
		var sum float64
		for _, v := range vals {
			sum += v
		}
		m := sum / float64(len(vals))
		at := sort.Search(len(vals), func(k int) bool { return vals[k] > m })
		head := len(vals) - at
		if head == 0 || float64(head) > MaxHeadShare*float64(len(vals)) {
			break
		}
		breaks = append(breaks, m)
		vals = vals[at:]
	}
	return breaks
}

// HeadLevel returns the head level of v against breaks (the number of
// breaks v exceeds); NaN stays NaN.
func HeadLevel(breaks []float64, v float64) float64 {
	if math.IsNaN(v) {
		return math.NaN()
	}
	level := 0
	for _, b := range breaks {
		if v <= b {
			break
		}
		level++
	}
	return float64(level)
}

func midRank(below, equal, n int) float64 {
	return (float64(below) + 0.5*float64(equal)) / float64(n)
}

// shortWindow says why a rule needing needDays of history cannot be
// evaluated on the population's window, or "" when it can.
func (p *Population) shortWindow(needDays float64) string {
	if needDays <= 0 || p.WindowDays >= needDays {
		return ""
	}
	return fmt.Sprintf("needs %s of history; the data covers %s", Days(needDays), Days(p.WindowDays))
}

// Days formats a span of days for a reader: minutes below an hour, hours
// (to a tenth) below two days, else days (to a tenth); a fraction is cut,
// never rounded up, so the data is not said to cover more than it does:
// "50 minutes", "2.8 hours", "89.9 days", "90 days".
func Days(d float64) string {
	cut := func(v float64) string { return trimZeros(strconv.FormatFloat(math.Floor(v*10)/10, 'f', 1, 64)) }
	switch {
	case !finite(d) || d < 0:
		return number(d) + " days"
	case d*24 < 1:
		m := math.Floor(d * 24 * 60)
		return plural(m, "minute", "minutes")
	case d < 2:
		h := cut(d * 24)
		return h + pick(h == "1", " hour", " hours")
	}
	v := cut(d)
	return v + pick(v == "1", " day", " days")
}

// HistoryWarning returns a warning when the window (in days) is shorter
// than the longest history a segment of c needs, naming the segments a
// window this short leaves unevaluated; "" otherwise.
func (c *Catalogue) HistoryWarning(windowDays float64) string {
	longest, id := c.LongestNeed()
	if longest <= 0 || windowDays >= longest {
		return ""
	}
	var short []string
	for _, s := range c.Segments {
		if s.NeedsDays > windowDays {
			short = append(short, fmt.Sprintf("%s (%s)", s.ID, Days(s.NeedsDays)))
		}
	}
	return fmt.Sprintf("the data covers %s, less than the %s of history %s needs: %d segment(s) are not evaluated, for want of history: %s",
		Days(windowDays), Days(longest), id, len(short), strings.Join(short, ", "))
}

func (p *Population) unavailable(uses []string) string {
	var missing []string
	for _, u := range uses {
		if p.lookup(u) < 0 {
			reason := "absent"
			for _, a := range p.Absent {
				if a.Feature == u {
					reason = a.Reason
				}
			}
			missing = append(missing, fmt.Sprintf("%s (%s)", u, reason))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "needs " + strings.Join(missing, "; ")
}

// choose picks what is evaluated for segment seg on this population: its
// rule when the features it reads are present, else the first fallback
// whose features are; nothing (a reason) when the window is shorter than
// the history the segment needs or neither rule can be read.
func (p *Population) choose(seg *Segment) (reason string, fallback int, prog *vm.Program) {
	short := p.shortWindow(seg.NeedsDays)
	missing := p.unavailable(seg.uses)
	if missing == "" {
		return short, -1, seg.program
	}
	for k := range seg.Fallbacks {
		if p.unavailable(seg.Fallbacks[k].uses) == "" {
			if short != "" {
				return short, -1, nil
			}
			return "", k, seg.Fallbacks[k].program
		}
	}
	return joinReasons(short, missing), -1, nil
}

// joinReasons joins the reasons that are not "".
func joinReasons(reasons ...string) string {
	var out []string
	for _, r := range reasons {
		if r != "" {
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}

// Evaluator evaluates the catalogue's rules for one customer at a time. It
// is not safe for concurrent use: each goroutine (or distributed worker)
// makes its own with NewEvaluator.
type Evaluator struct {
	cat    *Catalogue
	pop    *Population
	Reason []string // per segment: "" when evaluable
	// Fallback per segment: the index of the fallback evaluated in place of
	// its rule, -1 for the rule itself (Memberships.Fallback).
	Fallback    []int
	StageReason []string // per life-cycle stage
	programs    []*vm.Program
	read        []int // the population features some evaluated rule reads
	env         map[string]any
	pm          map[string]float64
	hm          map[string]float64
	machine     vm.VM
}

// NewEvaluator prepares an evaluator of c's rules against population p.
func NewEvaluator(c *Catalogue, p *Population) *Evaluator {
	e := &Evaluator{cat: c, pop: p, Reason: make([]string, len(c.Segments)), Fallback: make([]int, len(c.Segments)),
		StageReason: make([]string, len(c.Lifecycle)), programs: make([]*vm.Program, len(c.Segments)), env: templateEnv()}
	for s := range c.Segments {
		e.Reason[s], e.Fallback[s], e.programs[s] = p.choose(&c.Segments[s])
	}
	for k := range c.Lifecycle {
		st := &c.Lifecycle[k]
		e.StageReason[k] = joinReasons(p.shortWindow(st.NeedsDays), p.unavailable(st.uses))
	}
	e.pm = e.env["pct"].(map[string]float64)
	e.hm = e.env["head"].(map[string]float64)
	mm := e.env["mean"].(map[string]float64)
	// Features absent from the population stay NaN: rules that read them
	// are not run (Reason), and NaN makes any accidental use false.
	for _, name := range inputNames() {
		e.env[name] = math.NaN()
		e.pm[name] = math.NaN()
		e.hm[name] = math.NaN()
		mm[name] = math.NaN()
	}
	for j, f := range p.Features {
		mm[f] = p.Means[j]
	}
	e.env["window_days"] = p.WindowDays
	// Only the features a rule that is run reads are set for each
	// customer; the others are never looked at.
	read := make(map[string]bool)
	for s := range c.Segments {
		if e.Reason[s] != "" {
			continue
		}
		uses := c.Segments[s].uses
		if k := e.Fallback[s]; k >= 0 {
			uses = c.Segments[s].Fallbacks[k].uses
		}
		for _, f := range uses {
			read[f] = true
		}
	}
	for k := range c.Lifecycle {
		if e.StageReason[k] == "" {
			for _, f := range c.Lifecycle[k].uses {
				read[f] = true
			}
		}
	}
	for j, f := range p.Features {
		if read[f] {
			e.read = append(e.read, j)
		}
	}
	return e
}

// Evaluate evaluates every rule for one customer. values[j] and pct[j] are
// the customer's value and percentile rank of population feature j (pct
// may be nil: it is then computed from the population). member, of one
// entry per segment, receives the rules met. It returns the primary segment
// and the life-cycle stage (-1 for none).
func (e *Evaluator) Evaluate(values, pct []float64, country string, member []bool) (primary, stage int, err error) {
	e.load(values, pct, country)
	primary, stage = -1, -1
	for s := range e.cat.Segments {
		member[s] = false
		if e.Reason[s] != "" {
			continue
		}
		in, err := e.runSegment(s)
		if err != nil {
			return -1, -1, err
		}
		if in {
			member[s] = true
			if primary < 0 && !e.cat.Segments[s].Facet {
				primary = s
			}
		}
	}
	for k := range e.cat.Lifecycle {
		if e.StageReason[k] != "" {
			continue
		}
		in, err := e.runStage(k)
		if err != nil {
			return -1, -1, err
		}
		if in {
			return primary, k, nil
		}
	}
	return primary, -1, nil
}

// load sets one customer in the environment the rules read: values[j] and
// pct[j] (nil: computed from the population) of each population feature
// some evaluated rule reads, its head level, and its country. Only
// values[j] and pct[j] of those features are read.
func (e *Evaluator) load(values, pct []float64, country string) {
	for _, j := range e.read {
		f := e.pop.Features[j]
		e.env[f] = values[j]
		if pct != nil {
			e.pm[f] = pct[j]
		} else {
			e.pm[f] = e.pop.Percentile(j, values[j])
		}
		if j < len(e.pop.Breaks) {
			e.hm[f] = HeadLevel(e.pop.Breaks[j], values[j])
		}
	}
	e.env["country"] = country
}

// runSegment runs segment s's rule (its own or its fallback's) on the
// customer last loaded; s must be evaluable (Reason[s] == "").
func (e *Evaluator) runSegment(s int) (bool, error) {
	out, err := e.machine.Run(e.programs[s], e.env)
	if err != nil {
		return false, fmt.Errorf("segment %q: %w", e.cat.Segments[s].ID, err)
	}
	return out.(bool), nil
}

// runStage runs life-cycle stage k's rule on the customer last loaded; k
// must be evaluable (StageReason[k] == "").
func (e *Evaluator) runStage(k int) (bool, error) {
	out, err := e.machine.Run(e.cat.Lifecycle[k].program, e.env)
	if err != nil {
		return false, fmt.Errorf("lifecycle stage %q: %w", e.cat.Lifecycle[k].Stage, err)
	}
	return out.(bool), nil
}

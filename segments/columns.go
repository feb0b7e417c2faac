package segments

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/expr-lang/expr/ast"

	"github.com/segmint/segmint/features"
)

// blockSize is the number of customers a rule is evaluated over at once
// column-wise: large enough that each operation is a long loop, small
// enough that a rule's intermediate columns stay in the cache.
const blockSize = 4096

// Evaluate runs every rule of c over the customers of t, in parallel over
// threads goroutines (0 = GOMAXPROCS). The result is the same for any number
// of threads, and the same as an Evaluator (NewEvaluator, Evaluator.Evaluate)
// gives customer after customer on the population of t (NewPopulation).
//
// A rule built of what catalogue rules are built of (features, pct.,
// mean. and head. of a feature, window_days, country, number, string and
// boolean constants, comparisons, arithmetic, and, or, not) is evaluated
// column-wise: once per block of customers, each operation a loop over the
// block, with the expression language's semantics (an integer constant
// meets a feature as a float64, any comparison with NaN but != is false).
// That is what makes a million customers cheap: the expression language's
// virtual machine costs a run per rule and customer, and its environment a
// map write per feature read and customer. Any other rule (a function call,
// a membership test, ...) is run by the virtual machine for each customer,
// as an Evaluator does, so every rule the catalogue accepts is evaluated
// and an error is the one the customer-by-customer evaluation reports.
//
// Only what the evaluated rules read is computed, one feature per task over
// the threads: the means of the features read as mean.<feature>, the
// percentile ranks of those read as pct.<feature> and the head/tail breaks
// of those read as head.<feature> (every feature's mean, and the ranks and
// breaks of every feature a rule reads, when a rule is run by the virtual
// machine, which may read any of them).
func Evaluate(c *Catalogue, t *features.Table, threads int) (*Memberships, error) {
	n := len(t.Customers)
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	nf := len(t.Features)
	// The population of t, as NewPopulation makes it, but with the means,
	// sorted values and breaks of only the features a rule needs them of:
	// the percentile ranks are given to the evaluator, never searched for.
	pop := populationOf(t)
	probe := NewEvaluator(c, pop)
	m := &Memberships{Catalogue: c, Reason: probe.Reason, Fallback: probe.Fallback, Member: make([][]bool, len(c.Segments)), Sizes: make([]int, len(c.Segments)), Primary: make([]int, n), Stage: make([]int, n), StageReason: probe.StageReason}
	for s := range c.Segments {
		m.Member[s] = make([]bool, n)
	}
	plan := newColumnPlan(c, probe, t)

	ranks := make([][]float64, nf)
	forEach(nf, threads, func(j int) {
		ranks[j] = pop.summarise(t.Columns[j], j, summaries{mean: plan.mean[j], sorted: plan.head[j], ranks: plan.pct[j]})
	})

	// Blocks of customers are handed out in order; a block's error stops
	// the blocks after it, and the first block's error is returned: the
	// error of the first customer in table order, for any threads.
	blocks := (n + blockSize - 1) / blockSize
	errs := make([]error, blocks)
	var next, failed atomic.Int64
	failed.Store(int64(blocks))
	workers := min(threads, blocks)
	sizes := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cw := plan.worker(c, pop, t, ranks)
			for {
				b := next.Add(1) - 1
				if b >= int64(blocks) || b > failed.Load() {
					break
				}
				lo := int(b) * blockSize
				if err := cw.run(m, lo, min(lo+blockSize, n)); err != nil {
					errs[b] = err
					for f := failed.Load(); b < f && !failed.CompareAndSwap(f, b); f = failed.Load() {
					}
					break
				}
			}
			sizes[w] = cw.sizes
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for _, sz := range sizes {
		for s, k := range sz {
			m.Sizes[s] += k
		}
	}
	return m, nil
}

// forEach runs task(k) for every k in [0, n) on up to threads goroutines,
// each taking the next k when done with one.
func forEach(n, threads int, task func(k int)) {
	threads = min(threads, n)
	if threads <= 1 {
		for k := range n {
			task(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				task(k)
			}
		}()
	}
	wg.Wait()
}

// columnPlan is how Evaluate evaluates a catalogue on a feature table:
// which rules column-wise, which by the virtual machine, and what the
// features' summaries must hold for them.
type columnPlan struct {
	read         []bool // per table feature: some evaluated rule reads it (Evaluator.read)
	columns      []bool // per segment: evaluated column-wise
	stageColumns []bool // per life-cycle stage: evaluated column-wise
	vmSegments   []int  // the evaluated segments run by the virtual machine, in order
	primaries    []int  // the evaluated non-facet segments, in order
	stages       []int  // the evaluated life-cycle stages, in order
	vm           bool   // some evaluated rule or stage is run by the virtual machine
	pct          []bool // per table feature: its percentile ranks are read
	head         []bool // per table feature: its head/tail breaks are read
	mean         []bool // per table feature: its mean is read
}

// newColumnPlan plans the evaluation of c on t; probe is an evaluator of
// c on t's population (whose summaries need not be computed yet).
func newColumnPlan(c *Catalogue, probe *Evaluator, t *features.Table) *columnPlan {
	nf := len(t.Features)
	p := &columnPlan{read: make([]bool, nf), columns: make([]bool, len(c.Segments)), stageColumns: make([]bool, len(c.Lifecycle)), pct: make([]bool, nf), head: make([]bool, nf), mean: make([]bool, nf)}
	for _, j := range probe.read {
		p.read[j] = true
	}
	cc := &colCompiler{pop: probe.pop, read: p.read, cols: t.Columns, country: t.Country, pct: p.pct, head: p.head, mean: p.mean}
	for s := range c.Segments {
		if probe.Reason[s] != "" {
			continue
		}
		if !c.Segments[s].Facet {
			p.primaries = append(p.primaries, s)
		}
		if _, ok := cc.rule(probe.programs[s].Node()); ok {
			p.columns[s] = true
		} else {
			p.vmSegments = append(p.vmSegments, s)
			p.vm = true
		}
	}
	for k := range c.Lifecycle {
		if probe.StageReason[k] != "" {
			continue
		}
		p.stages = append(p.stages, k)
		if _, ok := cc.rule(c.Lifecycle[k].program.Node()); ok {
			p.stageColumns[k] = true
		} else {
			p.vm = true
		}
	}
	if p.vm {
		// The virtual machine is given the rank and head level of every
		// feature a rule reads, and the mean of every feature, as an
		// Evaluator sets them.
		for _, j := range probe.read {
			p.pct[j], p.head[j] = true, true
		}
		for j := range p.mean {
			p.mean[j] = true
		}
	}
	return p
}

// columnWorker evaluates blocks of customers for one goroutine of
// Evaluate: the rules compiled column-wise over its own scratch columns,
// and an Evaluator for the rules run by the virtual machine.
type columnWorker struct {
	plan     *columnPlan
	t        *features.Table
	ranks    [][]float64
	segment  []func(lo, n int, out []bool) // per segment: nil unless evaluated column-wise
	stage    []func(lo, n int, out []bool) // per life-cycle stage: likewise
	stageOut [][]bool                      // per life-cycle stage evaluated column-wise: its block
	ev       *Evaluator                    // nil when no rule is run by the virtual machine
	values   []float64
	rank     []float64
	sizes    []int // members met, per segment
}

// worker prepares a goroutine's evaluation of the plan, once the
// population's means and breaks and the percentile ranks are computed.
func (p *columnPlan) worker(c *Catalogue, pop *Population, t *features.Table, ranks [][]float64) *columnWorker {
	w := &columnWorker{plan: p, t: t, ranks: ranks, segment: make([]func(int, int, []bool), len(c.Segments)), stage: make([]func(int, int, []bool), len(c.Lifecycle)), stageOut: make([][]bool, len(c.Lifecycle)), sizes: make([]int, len(c.Segments))}
	cc := &colCompiler{pop: pop, read: p.read, cols: t.Columns, ranks: ranks, country: t.Country, alloc: true}
	ev := NewEvaluator(c, pop)
	for s := range c.Segments {
		if p.columns[s] {
			w.segment[s] = cc.mustRule(ev.programs[s].Node())
		}
	}
	for k := range c.Lifecycle {
		if p.stageColumns[k] {
			w.stage[k] = cc.mustRule(c.Lifecycle[k].program.Node())
			w.stageOut[k] = make([]bool, blockSize)
		}
	}
	if p.vm {
		w.ev = ev
		w.values = make([]float64, len(t.Features))
		w.rank = make([]float64, len(t.Features))
	}
	return w
}

// run evaluates customers [lo, hi) into m.
func (w *columnWorker) run(m *Memberships, lo, hi int) error {
	p, n := w.plan, hi-lo
	for s, f := range w.segment {
		if f != nil {
			f(lo, n, m.Member[s][lo:hi])
		}
	}
	for k, f := range w.stage {
		if f != nil {
			f(lo, n, w.stageOut[k][:n])
		}
	}
	primary, stage := m.Primary[lo:hi], m.Stage[lo:hi]
	if !p.vm {
		// The first segment and stage met, from the last to the first
		// (the last written wins), without a branch on the rules'
		// outcomes, which a branch predictor cannot learn.
		for i := range primary {
			primary[i], stage[i] = -1, -1
		}
		for _, s := range slices.Backward(p.primaries) {
			for i, in := range m.Member[s][lo:hi] {
				primary[i] = cond(in, s, primary[i])
			}
		}
		for _, k := range slices.Backward(p.stages) {
			for i, in := range w.stageOut[k][:n] {
				stage[i] = cond(in, k, stage[i])
			}
		}
	} else if err := w.runByCustomer(m, lo, hi); err != nil {
		return err
	}
	for s := range m.Member {
		size := 0
		for _, in := range m.Member[s][lo:hi] {
			size += cond(in, 1, 0)
		}
		w.sizes[s] += size
	}
	return nil
}

// cond returns a if c, else b: a conditional move, not a branch.
func cond(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

// runByCustomer completes customers [lo, hi) in the order an Evaluator
// evaluates one customer: the segments run by the virtual machine, the
// primary segment, then the life-cycle stages up to the first met, so that
// an error is the one it reports.
func (w *columnWorker) runByCustomer(m *Memberships, lo, hi int) error {
	p := w.plan
	for i := lo; i < hi; i++ {
		loaded := false
		for _, s := range p.vmSegments {
			if !loaded {
				w.load(i)
				loaded = true
			}
			in, err := w.ev.runSegment(s)
			if err != nil {
				return fmt.Errorf("customer %s: %w", w.t.ID(i), err)
			}
			m.Member[s][i] = in
		}
		primary := -1
		for _, s := range p.primaries {
			if m.Member[s][i] {
				primary = s
				break
			}
		}
		stage := -1
		for _, k := range p.stages {
			var in bool
			if w.stage[k] != nil {
				in = w.stageOut[k][i-lo]
			} else {
				if !loaded {
					w.load(i)
					loaded = true
				}
				var err error
				if in, err = w.ev.runStage(k); err != nil {
					return fmt.Errorf("customer %s: %w", w.t.ID(i), err)
				}
			}
			if in {
				stage = k
				break
			}
		}
		m.Primary[i], m.Stage[i] = primary, stage
	}
	return nil
}

// load sets customer i in the virtual machine's environment.
func (w *columnWorker) load(i int) {
	for _, j := range w.ev.read {
		w.values[j], w.rank[j] = w.t.Columns[j][i], w.ranks[j][i]
	}
	country := ""
	if w.t.Country != nil {
		country = w.t.Country[i]
	}
	w.ev.load(w.values, w.rank, country)
}

// colKind is the type of a value of a rule evaluated column-wise, as the
// expression language types it.
type colKind uint8

const (
	kindFloat colKind = iota
	kindInt
	kindBool
	kindString
)

// colValue is an expression of a rule compiled for column-wise evaluation:
// a constant, or a function giving its value for each customer of a block
// [lo, lo+n). Columns are float64 (kindFloat), bool or string; an int
// is a constant only, as in the rules, which read no integer.
type colValue struct {
	kind  colKind
	konst bool
	f     float64
	i     int
	b     bool
	s     string
	// num returns the block's values (valid until its next call).
	num func(lo, n int) []float64
	// bits writes the block's values to out[:n].
	bits func(lo, n int, out []bool)
	// str returns the block's values.
	str func(lo, n int) []string
}

func (v colValue) numeric() bool { return v.kind == kindFloat || v.kind == kindInt }

// float returns the value of a numeric constant as a float64, as the
// expression language converts an int met with a float64.
func (v colValue) float() float64 {
	if v.kind == kindInt {
		return float64(v.i)
	}
	return v.f
}

func constFloat(f float64) colValue { return colValue{kind: kindFloat, konst: true, f: f} }
func constInt(i int) colValue       { return colValue{kind: kindInt, konst: true, i: i} }
func constBool(b bool) colValue     { return colValue{kind: kindBool, konst: true, b: b} }

// colCompiler compiles rules (their checked, optimised expression trees)
// for column-wise evaluation against a feature table.
type colCompiler struct {
	pop     *Population
	read    []bool      // per feature: set by an Evaluator for each customer
	cols    [][]float64 // the table's columns
	ranks   [][]float64 // their percentile ranks (where read)
	country []string
	// pct, head and mean, when not nil, record the features whose ranks,
	// breaks and means a rule compiled reads.
	pct, head, mean []bool
	// alloc says the compiled rules are to be evaluated; without it they
	// are only compiled, to learn whether they can be and what they read.
	alloc bool
}

func (c *colCompiler) floats() []float64 {
	if !c.alloc {
		return nil
	}
	return make([]float64, blockSize)
}

func (c *colCompiler) bools() []bool {
	if !c.alloc {
		return nil
	}
	return make([]bool, blockSize)
}

// rule compiles a rule's tree to a function writing, for a block of
// customers, whether each meets it; false when the tree holds something
// column-wise evaluation does not implement.
func (c *colCompiler) rule(node ast.Node) (func(lo, n int, out []bool), bool) {
	v, ok := c.compile(node)
	if !ok || v.kind != kindBool {
		return nil, false
	}
	if v.konst {
		b := v.b
		return func(lo, n int, out []bool) {
			for i := range out[:n] {
				out[i] = b
			}
		}, true
	}
	return v.bits, true
}

// mustRule is rule for a tree rule has accepted.
func (c *colCompiler) mustRule(node ast.Node) func(lo, n int, out []bool) {
	f, ok := c.rule(node)
	if !ok {
		panic("segments: a rule planned column-wise does not compile column-wise")
	}
	return f
}

// feature returns the index of table feature name and whether an
// Evaluator sets it for each customer (a rule reads it); when it does not,
// its value, rank and head level are NaN in the evaluator's environment.
func (c *colCompiler) feature(name string) (int, bool) {
	j := c.pop.lookup(name)
	return j, j >= 0 && c.read[j]
}

func (c *colCompiler) compile(node ast.Node) (colValue, bool) {
	switch x := node.(type) {
	case *ast.BoolNode:
		return constBool(x.Value), true
	case *ast.IntegerNode:
		// The compiler pushes the constant as the checker typed it.
		switch t := x.Type(); {
		case t == nil || t.Kind() == reflect.Int:
			return constInt(x.Value), true
		case t.Kind() == reflect.Float64:
			return constFloat(float64(x.Value)), true
		}
		return colValue{}, false
	case *ast.FloatNode:
		if t := x.Type(); t != nil && t.Kind() == reflect.Float32 {
			return colValue{}, false
		}
		return constFloat(x.Value), true
	case *ast.StringNode:
		return colValue{kind: kindString, konst: true, s: x.Value}, true
	case *ast.ConstantNode:
		switch v := x.Value.(type) {
		case float64:
			return constFloat(v), true
		case int:
			return constInt(v), true
		case bool:
			return constBool(v), true
		case string:
			return colValue{kind: kindString, konst: true, s: v}, true
		}
		return colValue{}, false
	case *ast.IdentifierNode:
		return c.identifier(x.Value)
	case *ast.MemberNode:
		return c.member(x)
	case *ast.UnaryNode:
		return c.unary(x)
	case *ast.BinaryNode:
		return c.binary(x)
	}
	return colValue{}, false
}

func (c *colCompiler) identifier(name string) (colValue, bool) {
	switch {
	case name == "window_days":
		return constFloat(c.pop.WindowDays), true
	case name == "country":
		if c.country == nil {
			return colValue{kind: kindString, konst: true}, true
		}
		country := c.country
		return colValue{kind: kindString, str: func(lo, n int) []string { return country[lo : lo+n] }}, true
	case isInput(name):
		j, ok := c.feature(name)
		if !ok {
			return constFloat(math.NaN()), true
		}
		col := c.cols[j]
		return colValue{kind: kindFloat, num: func(lo, n int) []float64 { return col[lo : lo+n] }}, true
	}
	return colValue{}, false
}

// member compiles pct.<feature>, mean.<feature> and head.<feature>.
func (c *colCompiler) member(x *ast.MemberNode) (colValue, bool) {
	id, ok := x.Node.(*ast.IdentifierNode)
	if !ok || x.Optional || x.Method {
		return colValue{}, false
	}
	prop, ok := x.Property.(*ast.StringNode)
	if !ok || !isInput(prop.Value) {
		return colValue{}, false
	}
	j, read := c.feature(prop.Value)
	switch id.Value {
	case "pct":
		if !read {
			return constFloat(math.NaN()), true
		}
		if c.pct != nil {
			c.pct[j] = true
		}
		var r []float64
		if c.ranks != nil {
			r = c.ranks[j]
		}
		return colValue{kind: kindFloat, num: func(lo, n int) []float64 { return r[lo : lo+n] }}, true
	case "mean":
		if j < 0 {
			return constFloat(math.NaN()), true
		}
		if c.mean != nil {
			c.mean[j] = true
		}
		return constFloat(c.pop.Means[j]), true
	case "head":
		if !read {
			return constFloat(math.NaN()), true
		}
		if c.head != nil {
			c.head[j] = true
		}
		col, breaks, buf := c.cols[j], c.pop.Breaks[j], c.floats()
		return colValue{kind: kindFloat, num: func(lo, n int) []float64 {
			out := buf[:n]
			for i, v := range col[lo : lo+n] {
				out[i] = HeadLevel(breaks, v)
			}
			return out
		}}, true
	}
	return colValue{}, false
}

func (c *colCompiler) unary(x *ast.UnaryNode) (colValue, bool) {
	v, ok := c.compile(x.Node)
	if !ok {
		return colValue{}, false
	}
	switch x.Operator {
	case "!", "not":
		if v.kind != kindBool {
			return colValue{}, false
		}
		if v.konst {
			return constBool(!v.b), true
		}
		f := v.bits
		return colValue{kind: kindBool, bits: func(lo, n int, out []bool) {
			f(lo, n, out)
			for i, b := range out[:n] {
				out[i] = !b
			}
		}}, true
	case "+":
		if !v.numeric() {
			return colValue{}, false
		}
		return v, true
	case "-":
		switch {
		case v.kind == kindInt:
			return constInt(-v.i), true
		case v.kind != kindFloat:
			return colValue{}, false
		case v.konst:
			return constFloat(-v.f), true
		}
		f, buf := v.num, c.floats()
		return colValue{kind: kindFloat, num: func(lo, n int) []float64 {
			out := buf[:n]
			for i, x := range f(lo, n) {
				out[i] = -x
			}
			return out
		}}, true
	}
	return colValue{}, false
}

func (c *colCompiler) binary(x *ast.BinaryNode) (colValue, bool) {
	l, ok := c.compile(x.Left)
	if !ok {
		return colValue{}, false
	}
	r, ok := c.compile(x.Right)
	if !ok {
		return colValue{}, false
	}
	switch x.Operator {
	case "&&", "and":
		return c.logic(l, r, true)
	case "||", "or":
		return c.logic(l, r, false)
	case "==":
		return c.compare(opEQ, l, r)
	case "!=":
		return c.compare(opNE, l, r)
	case "<":
		return c.compare(opLT, l, r)
	case "<=":
		return c.compare(opLE, l, r)
	case ">":
		return c.compare(opGT, l, r)
	case ">=":
		return c.compare(opGE, l, r)
	case "+":
		return c.arith(opAdd, l, r)
	case "-":
		return c.arith(opSub, l, r)
	case "*":
		return c.arith(opMul, l, r)
	case "/":
		return c.arith(opDiv, l, r)
	case "**", "^":
		return c.arith(opPow, l, r)
	}
	return colValue{}, false
}

// logic compiles l && r (and) or l || r. The operands of a rule compiled
// column-wise cannot fail, so evaluating both for every customer gives
// what the short-circuiting virtual machine gives.
func (c *colCompiler) logic(l, r colValue, and bool) (colValue, bool) {
	if l.kind != kindBool || r.kind != kindBool {
		return colValue{}, false
	}
	switch {
	case l.konst && r.konst:
		if and {
			return constBool(l.b && r.b), true
		}
		return constBool(l.b || r.b), true
	case l.konst || r.konst:
		k, v := l, r
		if r.konst {
			k, v = r, l
		}
		if k.b == and { // true && v, false || v
			return v, true
		}
		return constBool(k.b), true
	}
	lf, rf, tmp := l.bits, r.bits, c.bools()
	if and {
		return colValue{kind: kindBool, bits: func(lo, n int, out []bool) {
			lf(lo, n, out)
			rb := tmp[:n]
			rf(lo, n, rb)
			out = out[:n]
			for i, b := range rb {
				out[i] = out[i] && b
			}
		}}, true
	}
	return colValue{kind: kindBool, bits: func(lo, n int, out []bool) {
		lf(lo, n, out)
		rb := tmp[:n]
		rf(lo, n, rb)
		out = out[:n]
		for i, b := range rb {
			out[i] = out[i] || b
		}
	}}, true
}

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

// flip returns the operator o' with a o b == b o' a.
func (o cmpOp) flip() cmpOp {
	switch o {
	case opLT:
		return opGT
	case opLE:
		return opGE
	case opGT:
		return opLT
	case opGE:
		return opLE
	}
	return o
}

// compare compiles l o r: numbers as the expression language compares
// them (two ints as ints, else as float64), strings by == and != only.
func (c *colCompiler) compare(o cmpOp, l, r colValue) (colValue, bool) {
	switch {
	case l.kind == kindString && r.kind == kindString:
		if o != opEQ && o != opNE {
			return colValue{}, false
		}
		return c.compareStrings(o == opEQ, l, r), true
	case !l.numeric() || !r.numeric():
		return colValue{}, false
	case l.konst && r.konst:
		if l.kind == kindInt && r.kind == kindInt {
			return constBool(compareInts(o, l.i, r.i)), true
		}
		a, b := l.float(), r.float()
		return constBool(compareFloats(o, a, b)), true
	case r.konst:
		f, k := l.num, r.float()
		return colValue{kind: kindBool, bits: func(lo, n int, out []bool) { compareConst(o, f(lo, n), k, out) }}, true
	case l.konst:
		f, k, o := r.num, l.float(), o.flip()
		return colValue{kind: kindBool, bits: func(lo, n int, out []bool) { compareConst(o, f(lo, n), k, out) }}, true
	}
	lf, rf := l.num, r.num
	return colValue{kind: kindBool, bits: func(lo, n int, out []bool) { compareColumns(o, lf(lo, n), rf(lo, n), out) }}, true
}

func (c *colCompiler) compareStrings(eq bool, l, r colValue) colValue {
	switch {
	case l.konst && r.konst:
		return constBool((l.s == r.s) == eq)
	case l.konst || r.konst:
		k, v := l, r
		if r.konst {
			k, v = r, l
		}
		f, s := v.str, k.s
		return colValue{kind: kindBool, bits: func(lo, n int, out []bool) {
			out = out[:n]
			for i, x := range f(lo, n) {
				out[i] = (x == s) == eq
			}
		}}
	}
	lf, rf := l.str, r.str
	return colValue{kind: kindBool, bits: func(lo, n int, out []bool) {
		out = out[:n]
		b := rf(lo, n)
		for i, x := range lf(lo, n) {
			out[i] = (x == b[i]) == eq
		}
	}}
}

func compareInts(o cmpOp, a, b int) bool {
	switch o {
	case opEQ:
		return a == b
	case opNE:
		return a != b
	case opLT:
		return a < b
	case opLE:
		return a <= b
	case opGT:
		return a > b
	}
	return a >= b
}

func compareFloats(o cmpOp, a, b float64) bool {
	switch o {
	case opEQ:
		return a == b
	case opNE:
		return a != b
	case opLT:
		return a < b
	case opLE:
		return a <= b
	case opGT:
		return a > b
	}
	return a >= b
}

// compareConst writes x[i] o k to out[i].
func compareConst(o cmpOp, x []float64, k float64, out []bool) {
	out = out[:len(x)]
	switch o {
	case opEQ:
		for i, v := range x {
			out[i] = v == k
		}
	case opNE:
		for i, v := range x {
			out[i] = v != k
		}
	case opLT:
		for i, v := range x {
			out[i] = v < k
		}
	case opLE:
		for i, v := range x {
			out[i] = v <= k
		}
	case opGT:
		for i, v := range x {
			out[i] = v > k
		}
	case opGE:
		for i, v := range x {
			out[i] = v >= k
		}
	}
}

// compareColumns writes x[i] o y[i] to out[i].
func compareColumns(o cmpOp, x, y []float64, out []bool) {
	out = out[:len(x)]
	y = y[:len(x)]
	switch o {
	case opEQ:
		for i, v := range x {
			out[i] = v == y[i]
		}
	case opNE:
		for i, v := range x {
			out[i] = v != y[i]
		}
	case opLT:
		for i, v := range x {
			out[i] = v < y[i]
		}
	case opLE:
		for i, v := range x {
			out[i] = v <= y[i]
		}
	case opGT:
		for i, v := range x {
			out[i] = v > y[i]
		}
	case opGE:
		for i, v := range x {
			out[i] = v >= y[i]
		}
	}
}

// arithOp is an arithmetic operator.
type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opPow
)

// arith compiles l o r as the expression language computes it: two ints
// give an int by +, - and * (wrapping around), anything else a float64
// (/ and ** always).
func (c *colCompiler) arith(o arithOp, l, r colValue) (colValue, bool) {
	if !l.numeric() || !r.numeric() {
		return colValue{}, false
	}
	if l.konst && r.konst {
		if l.kind == kindInt && r.kind == kindInt {
			switch o {
			case opAdd:
				return constInt(l.i + r.i), true
			case opSub:
				return constInt(l.i - r.i), true
			case opMul:
				return constInt(l.i * r.i), true
			}
		}
		return constFloat(arithFloats(o, l.float(), r.float())), true
	}
	buf := c.floats()
	switch {
	case r.konst:
		f, k := l.num, r.float()
		return colValue{kind: kindFloat, num: func(lo, n int) []float64 {
			out := buf[:n]
			for i, v := range f(lo, n) {
				out[i] = arithFloats(o, v, k)
			}
			return out
		}}, true
	case l.konst:
		f, k := r.num, l.float()
		return colValue{kind: kindFloat, num: func(lo, n int) []float64 {
			out := buf[:n]
			for i, v := range f(lo, n) {
				out[i] = arithFloats(o, k, v)
			}
			return out
		}}, true
	}
	lf, rf := l.num, r.num
	return colValue{kind: kindFloat, num: func(lo, n int) []float64 {
		out := buf[:n]
		b := rf(lo, n)[:n]
		for i, v := range lf(lo, n) {
			out[i] = arithFloats(o, v, b[i])
		}
		return out
	}}, true
}

// arithFloats is a o b.
func arithFloats(o arithOp, a, b float64) float64 {
	switch o {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	}
	return math.Pow(a, b)
}

package segments

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"github.com/segmint/segmint/features"
)

//go:embed catalogue.yaml
var defaultCatalogue []byte

// Segment is one named segment: a rule over the engineered features.
type Segment struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Docs        []string `yaml:"docs"`
	Description string   `yaml:"description"`
	Rule        string   `yaml:"rule"`
	Actions     []string `yaml:"actions"`
	// NeedsDays is the observation window, in days, the rule needs to tell
	// its members from the other customers (dormant: 90 days of silence);
	// 0 when any window will do. A segment is not evaluated on a shorter
	// window.
	NeedsDays float64 `yaml:"needs_days"`
	// Fallbacks are readings of the segment from other inputs, tried in
	// order when Rule reads a feature the input cannot provide (sessions,
	// on a transaction log).
	Fallbacks []Fallback `yaml:"fallbacks"`
	// Facet segments (location) are views across the others and never a
	// customer's primary segment.
	Facet bool `yaml:"facet"`

	program *vm.Program
	uses    []string // features the rule reads
}

// Fallback is a documented reading of a segment from the inputs present,
// for data that lacks what the segment's own rule reads.
type Fallback struct {
	Rule string `yaml:"rule"`
	// Reading says, for the report, how the fallback reads the segment and
	// what it stands in for ("without sessions, visits are read as
	// purchases: ...").
	Reading string `yaml:"reading"`

	program *vm.Program
	uses    []string
}

// Uses lists the features the fallback's rule reads.
func (f *Fallback) Uses() []string { return f.uses }

// Uses lists the features the segment's rule reads.
func (s *Segment) Uses() []string { return s.uses }

// Stage is one life-cycle stage with its rule.
type Stage struct {
	Stage string `yaml:"stage"`
	Rule  string `yaml:"rule"`
	// NeedsDays is as for Segment: on a shorter window the stage is
	// skipped and the next one tried.
	NeedsDays float64 `yaml:"needs_days"`

	program *vm.Program
	uses    []string
}

// Document is one of the source documents a segment's docs tags name.
type Document struct {
	ID string `yaml:"id"`
	// Title is the document's title in English; Originals are its titles
	// as published, each with its language ("… (Korean)").
	Title     string   `yaml:"title"`
	Originals []string `yaml:"originals"`
}

// Catalogue is an ordered list of segments (the order is the precedence of
// the primary segment) and life-cycle stages, with the documents the
// segments come from.
type Catalogue struct {
	Version   int        `yaml:"version"`
	Documents []Document `yaml:"documents"`
	Segments  []Segment  `yaml:"segments"`
	Lifecycle []Stage    `yaml:"lifecycle"`
}

// Document returns the document with the given id, or nil.
func (c *Catalogue) Document(id string) *Document {
	for d := range c.Documents {
		if c.Documents[d].ID == id {
			return &c.Documents[d]
		}
	}
	return nil
}

// LongestNeed returns the longest history any segment of c needs, in days,
// and the id of the first segment that needs it ("" when none needs any).
func (c *Catalogue) LongestNeed() (days float64, id string) {
	for _, s := range c.Segments {
		if s.NeedsDays > days {
			days, id = s.NeedsDays, s.ID
		}
	}
	return days, id
}

// Reads reports whether a rule of c (a segment's, a fallback's or a
// life-cycle stage's) reads the feature or prediction name.
func (c *Catalogue) Reads(name string) bool {
	for _, s := range c.Segments {
		if slices.Contains(s.uses, name) {
			return true
		}
		for _, f := range s.Fallbacks {
			if slices.Contains(f.uses, name) {
				return true
			}
		}
	}
	for _, st := range c.Lifecycle {
		if slices.Contains(st.uses, name) {
			return true
		}
	}
	return false
}

// Index returns the position of the segment with the given id, or -1.
func (c *Catalogue) Index(id string) int {
	for s := range c.Segments {
		if c.Segments[s].ID == id {
			return s
		}
	}
	return -1
}

// RuleError is a catalogue rule that does not compile or is malformed.
type RuleError struct {
	Source  string // file name or "embedded catalogue"
	Segment string
	Problem string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("%s: segment %q: %s", e.Source, e.Segment, e.Problem)
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Default returns the compiled embedded catalogue.
func Default() *Catalogue {
	c, err := Parse(defaultCatalogue, "embedded catalogue")
	if err != nil {
		panic("segments: embedded catalogue: " + err.Error())
	}
	return c
}

// Load reads a catalogue file. With extend, its segments replace the default
// catalogue's segments of the same id and the others are added (before the
// facets); its lifecycle, if given, replaces the default one. Without
// extend, the file is the whole catalogue.
func Load(path string, extend bool) (*Catalogue, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return LoadBytes(data, path, extend)
}

// LoadBytes is Load for a catalogue file's content; source names it in
// errors.
func LoadBytes(data []byte, source string, extend bool) (*Catalogue, error) {
	c, err := Parse(data, source)
	if err != nil {
		return nil, err
	}
	if !extend {
		if len(c.Lifecycle) == 0 {
			c.Lifecycle = Default().Lifecycle
		}
		if len(c.Documents) == 0 {
			c.Documents = Default().Documents
		}
		return c, nil
	}
	base := Default()
	for _, d := range c.Documents {
		if b := base.Document(d.ID); b != nil {
			*b = d
		} else {
			base.Documents = append(base.Documents, d)
		}
	}
	for _, s := range c.Segments {
		replaced := false
		for i := range base.Segments {
			if base.Segments[i].ID == s.ID {
				base.Segments[i] = s
				replaced = true
				break
			}
		}
		if !replaced {
			at := len(base.Segments)
			for at > 0 && base.Segments[at-1].Facet {
				at--
			}
			base.Segments = append(base.Segments[:at], append([]Segment{s}, base.Segments[at:]...)...)
		}
	}
	if len(c.Lifecycle) > 0 {
		base.Lifecycle = c.Lifecycle
	}
	return base, nil
}

// Parse parses and compiles a catalogue. source names it in errors.
func Parse(data []byte, source string) (*Catalogue, error) {
	var c Catalogue
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(c.Segments) == 0 {
		return nil, fmt.Errorf("%s: no segments", source)
	}
	seen := make(map[string]bool)
	for i := range c.Segments {
		s := &c.Segments[i]
		if !idPattern.MatchString(s.ID) {
			return nil, &RuleError{Source: source, Segment: s.ID, Problem: "id must be lower_snake_case"}
		}
		if seen[s.ID] {
			return nil, &RuleError{Source: source, Segment: s.ID, Problem: "duplicate id"}
		}
		seen[s.ID] = true
		if s.Name == "" {
			s.Name = s.ID
		}
		prog, uses, err := compileRule(s.Rule)
		if err != nil {
			return nil, &RuleError{Source: source, Segment: s.ID, Problem: err.Error()}
		}
		s.program, s.uses = prog, uses
		if err := checkNeed(s.NeedsDays); err != nil {
			return nil, &RuleError{Source: source, Segment: s.ID, Problem: err.Error()}
		}
		for k := range s.Fallbacks {
			f := &s.Fallbacks[k]
			prog, uses, err := compileRule(f.Rule)
			if err != nil {
				return nil, &RuleError{Source: source, Segment: s.ID, Problem: fmt.Sprintf("fallback %d: %v", k+1, err)}
			}
			if f.Reading == "" {
				return nil, &RuleError{Source: source, Segment: s.ID, Problem: fmt.Sprintf("fallback %d: no reading (say how it reads the segment)", k+1)}
			}
			f.program, f.uses = prog, uses
		}
	}
	for i := range c.Lifecycle {
		st := &c.Lifecycle[i]
		prog, uses, err := compileRule(st.Rule)
		if err != nil {
			return nil, &RuleError{Source: source, Segment: "lifecycle " + st.Stage, Problem: err.Error()}
		}
		if err := checkNeed(st.NeedsDays); err != nil {
			return nil, &RuleError{Source: source, Segment: "lifecycle " + st.Stage, Problem: err.Error()}
		}
		st.program, st.uses = prog, uses
	}
	for _, d := range c.Documents {
		if d.ID == "" || d.Title == "" {
			return nil, fmt.Errorf("%s: a document needs an id and a title (got id %q, title %q)", source, d.ID, d.Title)
		}
	}
	return &c, nil
}

// checkNeed accepts a history need: a finite number of days, not negative.
func checkNeed(days float64) error {
	if math.IsNaN(days) || math.IsInf(days, 0) || days < 0 {
		return fmt.Errorf("needs_days %v: want a number of days, 0 or more", days)
	}
	return nil
}

// env is the evaluation environment of one customer. It is a map so that
// catalogue files can name any feature; it is reused across customers.
type env = map[string]any

// Predictions are the per-customer predictions of the lifetime-value
// models (package clv) that rules read like features: by name, pct.,
// mean. and head.. The pipeline computes them from the feature table
// before the rules run and gives them to Evaluate as columns of the table
// (or, where the models cannot speak, as absent with the reason, so a
// rule reading them is not evaluated). They are:
//
//   - p_alive: the probability that the customer is still active at the
//     as-of day;
//   - churn_probability: the probability of no purchase within the
//     horizon (--horizon);
//   - expected_orders: the expected number of orders within the horizon;
//   - predicted_clv: the discounted value of those orders (currency).
var Predictions = []string{"p_alive", "churn_probability", "expected_orders", "predicted_clv"}

// isInput reports whether name is a value rules can read: a feature or a
// prediction.
func isInput(name string) bool {
	return features.Lookup(name) != nil || slices.Contains(Predictions, name)
}

// inputNames are the names of every value rules can read.
func inputNames() []string {
	var names []string
	for _, f := range features.Catalogue() {
		names = append(names, f.Name)
	}
	return append(names, Predictions...)
}

func templateEnv() env {
	e := env{"country": "", "window_days": 0.0}
	pct := make(map[string]float64)
	mean := make(map[string]float64)
	head := make(map[string]float64)
	for _, name := range inputNames() {
		e[name] = 0.0
		pct[name] = 0.0
		mean[name] = 0.0
		head[name] = 0.0
	}
	e["pct"] = pct
	e["mean"] = mean
	e["head"] = head
	return e
}

func compileRule(rule string) (*vm.Program, []string, error) {
	if rule == "" {
		return nil, nil, errors.New("empty rule")
	}
	prog, err := expr.Compile(rule, expr.Env(templateEnv()), expr.AsBool())
	if err != nil {
		return nil, nil, fmt.Errorf("rule %q: %v", rule, err)
	}
	tree, err := parser.Parse(rule)
	if err != nil {
		return nil, nil, fmt.Errorf("rule %q: %v", rule, err)
	}
	v := &usesVisitor{seen: make(map[string]bool)}
	ast.Walk(&tree.Node, v)
	if v.unknown != "" {
		return nil, nil, fmt.Errorf("rule %q: %s: no feature or prediction of that name", rule, v.unknown)
	}
	return prog, v.uses, nil
}

type usesVisitor struct {
	seen    map[string]bool
	uses    []string
	unknown string // a pct.<name> that is not a feature
}

func (v *usesVisitor) add(name string) {
	if isInput(name) && !v.seen[name] {
		v.seen[name] = true
		v.uses = append(v.uses, name)
	}
}

func (v *usesVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		v.add(x.Value)
	case *ast.MemberNode:
		if id, ok := x.Node.(*ast.IdentifierNode); ok && (id.Value == "pct" || id.Value == "mean" || id.Value == "head") {
			if s, ok := x.Property.(*ast.StringNode); ok {
				if !isInput(s.Value) && v.unknown == "" {
					v.unknown = id.Value + "." + s.Value
				}
				v.add(s.Value)
			}
		}
	}
}

var nan = math.NaN()

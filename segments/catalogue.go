package segments

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"github.com/segmint/segmint/features"
)

//go:embed catalogue.yaml
var defaultCatalogue []byte

// DefaultCatalogueYAML returns the embedded catalogue file.
func DefaultCatalogueYAML() []byte { return append([]byte(nil), defaultCatalogue...) }

// Segment is one named segment: a rule over the engineered features.
type Segment struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Docs        []string `yaml:"docs"`
	Description string   `yaml:"description"`
	Rule        string   `yaml:"rule"`
	Actions     []string `yaml:"actions"`
	// Facet segments (location) are views across the others and never a
	// customer's primary segment.
	Facet bool `yaml:"facet"`

	program *vm.Program
	uses    []string // features the rule reads
}

// Uses lists the features the segment's rule reads.
func (s *Segment) Uses() []string { return s.uses }

// Stage is one life-cycle stage with its rule.
type Stage struct {
	Stage string `yaml:"stage"`
	Rule  string `yaml:"rule"`

	program *vm.Program
	uses    []string
}

// Catalogue is an ordered list of segments (the order is the precedence of
// the primary segment) and life-cycle stages.
type Catalogue struct {
	Version   int       `yaml:"version"`
	Segments  []Segment `yaml:"segments"`
	Lifecycle []Stage   `yaml:"lifecycle"`
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
		return c, nil
	}
	base := Default()
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
	}
	for i := range c.Lifecycle {
		st := &c.Lifecycle[i]
		prog, uses, err := compileRule(st.Rule)
		if err != nil {
			return nil, &RuleError{Source: source, Segment: "lifecycle " + st.Stage, Problem: err.Error()}
		}
		st.program, st.uses = prog, uses
	}
	return &c, nil
}

// env is the evaluation environment of one customer. It is a map so that
// catalogue files can name any feature; it is reused across customers.
type env = map[string]any

func templateEnv() env {
	e := env{"country": "", "window_days": 0.0}
	pct := make(map[string]float64)
	mean := make(map[string]float64)
	head := make(map[string]float64)
	for _, f := range features.Catalogue() {
		e[f.Name] = 0.0
		pct[f.Name] = 0.0
		mean[f.Name] = 0.0
		head[f.Name] = 0.0
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
		return nil, nil, fmt.Errorf("rule %q: %s: no feature of that name", rule, v.unknown)
	}
	return prog, v.uses, nil
}

type usesVisitor struct {
	seen    map[string]bool
	uses    []string
	unknown string // a pct.<name> that is not a feature
}

func (v *usesVisitor) add(name string) {
	if features.Lookup(name) != nil && !v.seen[name] {
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
				if features.Lookup(s.Value) == nil && v.unknown == "" {
					v.unknown = id.Value + "." + s.Value
				}
				v.add(s.Value)
			}
		}
	}
}

var nan = math.NaN()

package segments

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/segmint/segmint/features"
)

func TestDefaultCompilesEverySegment(t *testing.T) {
	c := Default()
	if c.Version != 1 {
		t.Errorf("version %d, want 1", c.Version)
	}
	if len(c.Segments) == 0 || len(c.Lifecycle) == 0 {
		t.Fatalf("%d segments, %d stages", len(c.Segments), len(c.Lifecycle))
	}
	facets := false
	for _, s := range c.Segments {
		if s.program == nil {
			t.Errorf("segment %s not compiled", s.ID)
		}
		if s.Name == "" || s.Description == "" || len(s.Docs) == 0 || len(s.Actions) == 0 {
			t.Errorf("segment %s lacks a name, description, docs or actions", s.ID)
		}
		for _, u := range s.Uses() {
			if features.Lookup(u) == nil {
				t.Errorf("segment %s uses unknown feature %s", s.ID, u)
			}
		}
		if len(s.Uses()) == 0 && !s.Facet {
			t.Errorf("behavioural segment %s reads no feature", s.ID)
		}
		if facets && !s.Facet {
			t.Errorf("segment %s comes after a facet; facets go last", s.ID)
		}
		facets = facets || s.Facet
	}
	for _, st := range c.Lifecycle {
		if st.program == nil || st.Stage == "" {
			t.Errorf("stage %q not compiled", st.Stage)
		}
	}
	if last := c.Lifecycle[len(c.Lifecycle)-1]; last.Rule != "true" {
		t.Errorf("the last stage %s should catch everyone, rule %q", last.Stage, last.Rule)
	}
	// Default returns an independent copy each time.
	d := Default()
	d.Segments[0].ID = "changed"
	if Default().Segments[0].ID == "changed" {
		t.Error("Default shares state between calls")
	}
}

func TestUses(t *testing.T) {
	c, err := Parse([]byte(`
segments:
  - id: s
    rule: pct.total_spend >= 0.9 && orders >= 1 && pct["sessions"] > 0 && orders < 9 && country != "" && window_days > 0
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Segments[0].Uses(); !slices.Equal(got, []string{"total_spend", "orders", "sessions"}) {
		t.Errorf("Uses = %v, want [total_spend orders sessions] (distinct, in order of use)", got)
	}
}

// segmentsDocIDs returns the segment ids of the table in SEGMENTS.md, with
// the documents column of each.
func segmentsDocIDs(t *testing.T) map[string][]string {
	path := filepath.Join("..", "..", "shared", "SEGMENTS.md")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("%s not found: the segment digest is not beside the repository", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([a-z0-9_]+)` \\|[^|]*\\|([^|]*)\\|")
	ids := make(map[string][]string)
	for _, line := range strings.Split(string(data), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			var docs []string
			for _, d := range strings.Split(m[2], ",") {
				docs = append(docs, strings.TrimSpace(d))
			}
			ids[m[1]] = docs
		}
	}
	if len(ids) < 10 {
		t.Fatalf("found only %d segment rows in %s", len(ids), path)
	}
	return ids
}

func TestCatalogueMatchesSEGMENTS(t *testing.T) {
	doc := segmentsDocIDs(t)
	c := Default()
	inCatalogue := make(map[string]bool)
	for _, s := range c.Segments {
		inCatalogue[s.ID] = true
		docs, ok := doc[s.ID]
		if !ok {
			t.Errorf("catalogue segment %s is not in SEGMENTS.md", s.ID)
			continue
		}
		if !slices.Equal(s.Docs, docs) {
			t.Errorf("segment %s: docs %v, SEGMENTS.md says %v", s.ID, s.Docs, docs)
		}
	}
	for id := range doc {
		if !inCatalogue[id] {
			t.Errorf("SEGMENTS.md segment %s is not in the catalogue", id)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		segment string // "" when the error is not a *RuleError
		problem string
	}{
		{"bad expression", "segments:\n  - id: a\n    rule: orders >= \n", "a", "rule"},
		{"unbalanced parenthesis", "segments:\n  - id: a\n    rule: (orders >= 1\n", "a", "rule"},
		{"unknown identifier", "segments:\n  - id: ok\n    rule: orders >= 1\n  - id: b\n    rule: orderz >= 1\n", "b", "orderz"},
		{"not a boolean", "segments:\n  - id: c\n    rule: orders + 1\n", "c", "bool"},
		{"string compared with number", "segments:\n  - id: c\n    rule: country > 1\n", "c", "rule"},
		{"duplicate id", "segments:\n  - id: d\n    rule: orders >= 1\n  - id: d\n    rule: orders >= 2\n", "d", "duplicate"},
		{"upper-case id", "segments:\n  - id: Top\n    rule: orders >= 1\n", "Top", "lower_snake_case"},
		{"id with a dash", "segments:\n  - id: top-spenders\n    rule: orders >= 1\n", "top-spenders", "lower_snake_case"},
		{"empty id", "segments:\n  - name: x\n    rule: orders >= 1\n", "", "lower_snake_case"},
		{"empty rule", "segments:\n  - id: e\n    name: E\n", "e", "empty rule"},
		{"bad lifecycle rule", "segments:\n  - id: a\n    rule: orders >= 1\nlifecycle:\n  - stage: new\n    rule: nonsense >= 1\n", "lifecycle new", "nonsense"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), "my.yaml")
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c.Segments)
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not a *RuleError", err, err)
			}
			if re.Segment != tc.segment || re.Source != "my.yaml" || !strings.Contains(re.Problem, tc.problem) {
				t.Errorf("RuleError{%q, %q, %q}; want segment %q, source my.yaml, problem mentioning %q", re.Source, re.Segment, re.Problem, tc.segment, tc.problem)
			}
			if msg := err.Error(); !strings.Contains(msg, "my.yaml") || !strings.Contains(msg, `"`+tc.segment+`"`) {
				t.Errorf("message %q does not name the file and segment", msg)
			}
		})
	}
	for _, bad := range []string{"", "segments: []\n", "segments: [\n", "version: 1\n"} {
		if _, err := Parse([]byte(bad), "my.yaml"); err == nil || !strings.Contains(err.Error(), "my.yaml") {
			t.Errorf("Parse(%q) error = %v, want one naming my.yaml", bad, err)
		}
	}
}

func TestParseRejectsUnknownPercentileFeature(t *testing.T) {
	_, err := Parse([]byte("segments:\n  - id: a\n    rule: pct.total_spnd >= 0.5\n"), "my.yaml")
	var re *RuleError
	if !errors.As(err, &re) || re.Segment != "a" {
		t.Fatalf("Parse error = %v, want a *RuleError for segment a", err)
	}
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse([]byte("segments:\n  - id: a\n    rule: orders >= 1\n"), "my.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Segments[0].Name != "a" {
		t.Errorf("name defaults to %q, want the id", c.Segments[0].Name)
	}
	if len(c.Lifecycle) != 0 {
		t.Errorf("Parse invented a lifecycle: %v", c.Lifecycle)
	}
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "segments.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func ids(c *Catalogue) []string {
	var out []string
	for _, s := range c.Segments {
		out = append(out, s.ID)
	}
	return out
}

func TestLoad(t *testing.T) {
	const file = `
segments:
  - id: loyal
    name: Loyal (ours)
    rule: orders >= 10
  - id: vip
    name: VIP
    rule: total_spend >= 1000
`
	path := writeFile(t, file)
	def := Default()

	t.Run("extend", func(t *testing.T) {
		c, err := Load(path, true)
		if err != nil {
			t.Fatal(err)
		}
		want := ids(def)
		at := slices.IndexFunc(def.Segments, func(s Segment) bool { return s.Facet })
		want = slices.Insert(want, at, "vip")
		if got := ids(c); !slices.Equal(got, want) {
			t.Fatalf("ids = %v, want %v (vip before the facets)", got, want)
		}
		loyal := c.Segments[slices.Index(ids(c), "loyal")]
		if loyal.Name != "Loyal (ours)" || loyal.Rule != "orders >= 10" || loyal.program == nil {
			t.Errorf("loyal not replaced: %+v", loyal)
		}
		if len(c.Lifecycle) != len(def.Lifecycle) || c.Lifecycle[0].Stage != def.Lifecycle[0].Stage {
			t.Errorf("lifecycle changed without one in the file")
		}
		if c.Segments[len(c.Segments)-1].ID != "location" {
			t.Errorf("the facet is no longer last")
		}
	})

	t.Run("extend with a lifecycle", func(t *testing.T) {
		c, err := Load(writeFile(t, file+"lifecycle:\n  - stage: all\n    rule: \"true\"\n"), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Lifecycle) != 1 || c.Lifecycle[0].Stage != "all" || c.Lifecycle[0].program == nil {
			t.Errorf("lifecycle = %+v, want the file's", c.Lifecycle)
		}
	})

	t.Run("replace", func(t *testing.T) {
		c, err := Load(path, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(c); !slices.Equal(got, []string{"loyal", "vip"}) {
			t.Errorf("ids = %v, want the file alone", got)
		}
		if len(c.Lifecycle) != len(def.Lifecycle) {
			t.Errorf("a file without a lifecycle gets the default one, got %d stages", len(c.Lifecycle))
		}
	})

	t.Run("errors", func(t *testing.T) {
		if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), true); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("missing file: %v", err)
		}
		bad := writeFile(t, "segments:\n  - id: x\n    rule: orders >=\n")
		var re *RuleError
		if _, err := Load(bad, true); !errors.As(err, &re) || re.Source != bad || re.Segment != "x" {
			t.Errorf("bad rule: %v, want a *RuleError naming %s and x", err, bad)
		}
	})
}

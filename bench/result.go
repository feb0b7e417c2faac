package bench

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/segmint/segmint/features"
)

// Tolerances of the agreement check: values a and b agree when
// |a-b| <= AbsTol + RelTol·max(|a|,|b|), or when both are null.
const (
	RelTol = 1e-9
	AbsTol = 1e-9
)

// Result is one engine's per-customer feature table.
type Result struct {
	Engine    string
	Customers []int64 // ascending
	Names     []string
	Columns   [][]float64 // Columns[j][i] is feature Names[j] of Customers[i]; NaN is null
	Country   []string    // "" where unknown; nil when not computed
}

// FromTable copies the parts of segmint's table that the comparison needs.
func FromTable(t *features.Table) *Result {
	r := &Result{Engine: EngineSegmint, Customers: t.Customers, Columns: t.Columns, Country: t.Country}
	for _, f := range t.Features {
		r.Names = append(r.Names, f.Name)
	}
	return r
}

// WriteFile writes r to path (gob).
func (r *Result) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gob.NewEncoder(w).Encode(r); err != nil {
		f.Close()
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	return nil
}

// ReadResult reads a Result written by WriteFile.
func ReadResult(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	var r Result
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("bench: read %s: %w", path, err)
	}
	return &r, nil
}

// Mismatch is the agreement of one column between two results.
type Mismatch struct {
	Feature  string
	Compared int // customers compared
	Count    int // customers whose values disagree
	// Sample is the first disagreeing customer (by id) and both values.
	SampleCustomer int64
	SampleA        string
	SampleB        string
	// Note is set when the column could not be compared.
	Note string
}

// Comparison is the outcome of Compare.
type Comparison struct {
	OnlyA, OnlyB int // customers present in one result only
	Columns      []Mismatch
}

// Total is the number of disagreeing values plus customers present on one
// side only.
func (c *Comparison) Total() int {
	n := c.OnlyA + c.OnlyB
	for _, m := range c.Columns {
		n += m.Count
	}
	return n
}

// Agree reports whether a and b agree within the tolerances; NaN (null)
// agrees only with NaN.
func Agree(a, b float64) bool {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	if an || bn {
		return an && bn
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= AbsTol+RelTol*max(math.Abs(a), math.Abs(b))
}

func fmtValue(v float64) string {
	if math.IsNaN(v) {
		return "null"
	}
	return fmt.Sprintf("%.17g", v)
}

// Compare checks every feature of a against b for every customer present in
// both. Features of a that b lacks (and the reverse) are listed with a note.
// Neither input is modified.
func Compare(a, b *Result) *Comparison {
	c := &Comparison{}
	// Pair up customers; both lists are ascending.
	var ia, ib []int
	for i, j := 0, 0; i < len(a.Customers) || j < len(b.Customers); {
		switch {
		case j >= len(b.Customers) || (i < len(a.Customers) && a.Customers[i] < b.Customers[j]):
			c.OnlyA++
			i++
		case i >= len(a.Customers) || b.Customers[j] < a.Customers[i]:
			c.OnlyB++
			j++
		default:
			ia, ib = append(ia, i), append(ib, j)
			i++
			j++
		}
	}
	colB := make(map[string][]float64, len(b.Names))
	for j, n := range b.Names {
		colB[n] = b.Columns[j]
	}
	seen := make(map[string]bool)
	for j, name := range a.Names {
		seen[name] = true
		m := Mismatch{Feature: name}
		vb, ok := colB[name]
		if !ok {
			m.Note = "not computed by " + b.Engine
			c.Columns = append(c.Columns, m)
			continue
		}
		va := a.Columns[j]
		m.Compared = len(ia)
		for k := range ia {
			x, y := va[ia[k]], vb[ib[k]]
			if !Agree(x, y) {
				if m.Count == 0 {
					m.SampleCustomer, m.SampleA, m.SampleB = a.Customers[ia[k]], fmtValue(x), fmtValue(y)
				}
				m.Count++
			}
		}
		c.Columns = append(c.Columns, m)
	}
	var missing []string
	for _, n := range b.Names {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	for _, n := range missing {
		c.Columns = append(c.Columns, Mismatch{Feature: n, Note: "not computed by " + a.Engine})
	}
	m := Mismatch{Feature: "country"}
	switch {
	case a.Country == nil:
		m.Note = "not computed by " + a.Engine
	case b.Country == nil:
		m.Note = "not computed by " + b.Engine
	default:
		m.Compared = len(ia)
		for k := range ia {
			x, y := a.Country[ia[k]], b.Country[ib[k]]
			if x != y {
				if m.Count == 0 {
					m.SampleCustomer, m.SampleA, m.SampleB = a.Customers[ia[k]], fmt.Sprintf("%q", x), fmt.Sprintf("%q", y)
				}
				m.Count++
			}
		}
	}
	c.Columns = append(c.Columns, m)
	return c
}

package segments

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/expr-lang/expr/vm"

	"github.com/segmint/segmint/features"
)

// Memberships are the catalogue's rules evaluated for every customer of a
// feature table.
type Memberships struct {
	Catalogue *Catalogue
	// Reason[s] is "" when segment s was evaluated, else why it could not
	// be (a feature its rule needs is absent from the input).
	Reason []string
	// Member[s][i] says whether customer i meets segment s's rule.
	Member [][]bool
	// Sizes[s] is the number of members of segment s.
	Sizes []int
	// Primary[i] is the index of customer i's primary segment (the first
	// non-facet segment in catalogue order whose rule it meets), or -1.
	Primary []int
	// Stage[i] is the index into Catalogue.Lifecycle of customer i's stage,
	// or -1 when no stage rule could be evaluated.
	Stage []int
	// StageReason[k] is "" when stage k was evaluated.
	StageReason []string
}

// Evaluated reports whether segment s could be evaluated.
func (m *Memberships) Evaluated(s int) bool { return m.Reason[s] == "" }

// PrimaryID returns the id of customer i's primary segment, or "none".
func (m *Memberships) PrimaryID(i int) string {
	if p := m.Primary[i]; p >= 0 {
		return m.Catalogue.Segments[p].ID
	}
	return "none"
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
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	out := make([]float64, len(x))
	for i := range out {
		out[i] = math.NaN()
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	n := float64(len(idx))
	for lo := 0; lo < len(idx); {
		hi := lo
		for hi+1 < len(idx) && x[idx[hi+1]] == x[idx[lo]] {
			hi++
		}
		// values strictly below: lo; ties: hi-lo+1
		r := (float64(lo) + 0.5*float64(hi-lo+1)) / n
		for k := lo; k <= hi; k++ {
			out[idx[k]] = r
		}
		lo = hi + 1
	}
	return out
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

func unavailable(uses []string, t *features.Table) string {
	var missing []string
	for _, u := range uses {
		if t.Column(u) == nil {
			reason := "absent"
			for _, a := range t.Absent {
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

// Evaluate runs every rule of c over the customers of t, in parallel over
// threads goroutines (0 = GOMAXPROCS). The result is the same for any number
// of threads.
func Evaluate(c *Catalogue, t *features.Table, threads int) (*Memberships, error) {
	n := len(t.Customers)
	m := &Memberships{Catalogue: c, Reason: make([]string, len(c.Segments)), Member: make([][]bool, len(c.Segments)), Sizes: make([]int, len(c.Segments)), Primary: make([]int, n), Stage: make([]int, n), StageReason: make([]string, len(c.Lifecycle))}
	for s := range c.Segments {
		m.Reason[s] = unavailable(c.Segments[s].uses, t)
		m.Member[s] = make([]bool, n)
	}
	for k := range c.Lifecycle {
		m.StageReason[k] = unavailable(c.Lifecycle[k].uses, t)
	}
	pct := make([][]float64, len(t.Features))
	means := make([]float64, len(t.Features))
	for j := range t.Features {
		pct[j] = PercentileRanks(t.Columns[j])
		means[j] = nanMean(t.Columns[j])
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	chunk := (n + threads - 1) / max(threads, 1)
	errs := make([]error, threads)
	var wg sync.WaitGroup
	for w := 0; w < threads; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			errs[w] = m.evaluateRange(c, t, pct, means, lo, hi)
		}(w, lo, hi)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for s := range c.Segments {
		for _, in := range m.Member[s] {
			if in {
				m.Sizes[s]++
			}
		}
	}
	return m, nil
}

func (m *Memberships) evaluateRange(c *Catalogue, t *features.Table, pct [][]float64, means []float64, lo, hi int) error {
	e := templateEnv()
	pm := e["pct"].(map[string]float64)
	mm := e["mean"].(map[string]float64)
	for j, f := range t.Features {
		mm[f.Name] = means[j]
	}
	// Features absent from the table stay NaN: rules that read them are
	// not run (Reason), and NaN makes any accidental use false.
	for _, f := range features.Catalogue() {
		e[f.Name] = math.NaN()
		pm[f.Name] = math.NaN()
	}
	e["window_days"] = t.WindowDays()
	var machine vm.VM
	for i := lo; i < hi; i++ {
		for j, f := range t.Features {
			e[f.Name] = t.Columns[j][i]
			pm[f.Name] = pct[j][i]
		}
		if t.Country != nil {
			e["country"] = t.Country[i]
		}
		m.Primary[i] = -1
		for s := range c.Segments {
			if m.Reason[s] != "" {
				continue
			}
			out, err := machine.Run(c.Segments[s].program, e)
			if err != nil {
				return fmt.Errorf("segment %q: customer %d: %w", c.Segments[s].ID, t.Customers[i], err)
			}
			if out.(bool) {
				m.Member[s][i] = true
				if m.Primary[i] < 0 && !c.Segments[s].Facet {
					m.Primary[i] = s
				}
			}
		}
		m.Stage[i] = -1
		for k := range c.Lifecycle {
			if m.StageReason[k] != "" {
				continue
			}
			out, err := machine.Run(c.Lifecycle[k].program, e)
			if err != nil {
				return fmt.Errorf("lifecycle stage %q: customer %d: %w", c.Lifecycle[k].Stage, t.Customers[i], err)
			}
			if out.(bool) {
				m.Stage[i] = k
				break
			}
		}
	}
	return nil
}

package pipeline

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/report"
)

// Labels for customers present in only one of two runs.
const (
	MovedNew  = "(new)"
	MovedGone = "(gone)"
)

// previousCustomer is what a previous run's customers.parquet says of one
// customer.
type previousCustomer struct {
	CustomerID int64  `parquet:"customer_id"`
	Cluster    int32  `parquet:"cluster"`
	Segment    string `parquet:"segment,optional"`
}

// previousRun is the part of an earlier run's output that movement needs.
type previousRun struct {
	Dir       string
	AsOf      time.Time
	Customers []previousCustomer // sorted by id
	K         int
}

// readPrevious reads customers.parquet (and, if present, manifest.json) of
// an earlier run's output directory.
func readPrevious(dir string) (*previousRun, error) {
	path := filepath.Join(dir, "customers.parquet")
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("previous run: %w", err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("previous run: not a readable Parquet file: %w", err)}
	}
	for _, col := range []string{"customer_id", "cluster", "segment"} {
		if _, ok := pf.Schema().Lookup(col); !ok {
			return nil, &ColumnError{File: path, Column: col, Problem: "previous run: column is missing (not a segmint customers table?)"}
		}
	}
	r := parquet.NewGenericReader[previousCustomer](pf)
	defer r.Close()
	prev := &previousRun{Dir: dir}
	buf := make([]previousCustomer, 4096)
	for {
		n, err := r.Read(buf)
		prev.Customers = append(prev.Customers, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &InputError{File: path, Err: fmt.Errorf("previous run: %w", err)}
		}
	}
	slices.SortFunc(prev.Customers, func(a, b previousCustomer) int { return cmp.Compare(a.CustomerID, b.CustomerID) })
	for _, c := range prev.Customers {
		prev.K = max(prev.K, int(c.Cluster)+1)
	}
	var man struct {
		AsOf time.Time `json:"as_of"`
	}
	if data, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
		if jsonUnmarshal(data, &man) == nil {
			prev.AsOf = man.AsOf
		}
	}
	return prev, nil
}

// MovementRow is one row of movement.parquet.
type MovementRow struct {
	CustomerID    int64     `parquet:"customer_id"`
	SegmentBefore *string   `parquet:"segment_before,optional"`
	SegmentAfter  *string   `parquet:"segment_after,optional"`
	RunID         string    `parquet:"run_id"`
	AsOf          time.Time `parquet:"as_of,timestamp(microsecond)"`
}

// movement compares the current customers (ids ascending, with cluster and
// segment) with a previous run: the segment transition matrix, the match of
// each current cluster to the previous cluster sharing most of its members
// (Jaccard, one-to-one, greedy from the largest overlap), and the rows of
// movement.parquet.
func movement(prev *previousRun, ids []int64, assign []int, segOf func(i int) string, k int) (*report.Movement, []MovementRow) {
	name := func(s string) string {
		if s == "" {
			return "(unmatched)"
		}
		return s
	}
	mv := &report.Movement{PreviousRun: prev.Dir, PreviousAsOf: prev.AsOf}
	index := make(map[string]int)
	label := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(mv.Segments)
		mv.Segments = append(mv.Segments, s)
		return index[s]
	}
	type pair struct{ from, to int }
	counts := make(map[pair]int64)
	overlap := make([][]int, k)
	for c := range overlap {
		overlap[c] = make([]int, prev.K)
	}
	prevSize := make([]int, prev.K)
	for _, p := range prev.Customers {
		prevSize[p.Cluster]++
	}
	curSize := make([]int, k)
	for _, c := range assign {
		curSize[c]++
	}
	var rows []MovementRow
	str := func(s string) *string { return &s }
	i, j := 0, 0
	for i < len(ids) || j < len(prev.Customers) {
		switch {
		case j >= len(prev.Customers) || (i < len(ids) && ids[i] < prev.Customers[j].CustomerID):
			after := name(segOf(i))
			counts[pair{label(MovedNew), label(after)}]++
			mv.New++
			rows = append(rows, MovementRow{CustomerID: ids[i], SegmentAfter: str(after)})
			i++
		case i >= len(ids) || prev.Customers[j].CustomerID < ids[i]:
			before := name(prev.Customers[j].Segment)
			counts[pair{label(before), label(MovedGone)}]++
			mv.Gone++
			rows = append(rows, MovementRow{CustomerID: prev.Customers[j].CustomerID, SegmentBefore: str(before)})
			j++
		default:
			before, after := name(prev.Customers[j].Segment), name(segOf(i))
			counts[pair{label(before), label(after)}]++
			if before == after {
				mv.Stayed++
			} else {
				mv.Moved++
			}
			overlap[assign[i]][prev.Customers[j].Cluster]++
			rows = append(rows, MovementRow{CustomerID: ids[i], SegmentBefore: str(before), SegmentAfter: str(after)})
			i++
			j++
		}
	}
	// Rows and columns in a stable order: segments by name, then the
	// markers.
	order := slices.Clone(mv.Segments)
	slices.SortFunc(order, func(a, b string) int {
		am, bm := a == MovedNew || a == MovedGone, b == MovedNew || b == MovedGone
		if am != bm {
			if am {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	pos := make(map[string]int, len(order))
	for p, s := range order {
		pos[s] = p
	}
	mv.Counts = make([][]int64, len(order))
	for r := range mv.Counts {
		mv.Counts[r] = make([]int64, len(order))
	}
	for pr, n := range counts {
		mv.Counts[pos[mv.Segments[pr.from]]][pos[mv.Segments[pr.to]]] += n
	}
	mv.Segments = order
	// Cluster identities: greedy one-to-one matching by Jaccard.
	type cand struct {
		cur, prev int
		jac       float64
	}
	var cands []cand
	for c := 0; c < k; c++ {
		for p := 0; p < prev.K; p++ {
			if o := overlap[c][p]; o > 0 {
				cands = append(cands, cand{c, p, float64(o) / float64(curSize[c]+prevSize[p]-o)})
			}
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.jac != b.jac {
			return cmp.Compare(b.jac, a.jac)
		}
		if a.cur != b.cur {
			return cmp.Compare(a.cur, b.cur)
		}
		return cmp.Compare(a.prev, b.prev)
	})
	mv.ClusterMatch = make([]int, k)
	for c := range mv.ClusterMatch {
		mv.ClusterMatch[c] = -1
	}
	taken := make([]bool, prev.K)
	for _, cd := range cands {
		if mv.ClusterMatch[cd.cur] < 0 && !taken[cd.prev] && cd.jac >= 0.3 {
			mv.ClusterMatch[cd.cur] = cd.prev
			taken[cd.prev] = true
		}
	}
	return mv, rows
}

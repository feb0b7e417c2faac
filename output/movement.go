package output

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/report"
	"github.com/segmint/segmint/source"
)

// Labels for customers present in only one of two runs.
const (
	MovedNew  = "(new)"
	MovedGone = "(gone)"
)

// previousCustomer is what a previous run's customers.parquet says of one
// customer, with customer ids of type ID as that run wrote them.
type previousCustomer[ID int64 | string | []byte] struct {
	CustomerID ID     `parquet:"customer_id"`
	Cluster    int32  `parquet:"cluster"`
	Segment    string `parquet:"segment,optional"`
}

// PreviousRun is an earlier run's output, read for the movement of
// customers between segments (--previous): its customers sorted by id,
// integer ids in Ints or string and binary ids in Strs (IDKind says
// which), with their clusters and segments.
type PreviousRun struct {
	Dir      string
	Path     string // its customers.parquet
	AsOf     time.Time
	IDKind   features.IDKind
	Ints     []int64
	Strs     []string
	Clusters []int32
	Segments []string
	K        int
}

// ReadPreviousRun reads the customers table (and the manifest, if any) of
// an earlier run's flat output directory, with the errors of `segmint run
// --previous`. It is read with parquet-go, as any other reader of the
// outputs would, not with the writer's Arrow.
func ReadPreviousRun(dir string) (*PreviousRun, error) {
	path := filepath.Join(dir, "customers.parquet")
	f, err := os.Open(path)
	if err != nil {
		return nil, &source.InputError{File: path, Err: fmt.Errorf("previous run: %w", err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &source.InputError{File: path, Err: err}
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, &source.InputError{File: path, Err: fmt.Errorf("previous run: not a readable Parquet file: %w", err)}
	}
	for _, col := range []string{"customer_id", "cluster", "segment"} {
		if _, ok := pf.Schema().Lookup(col); !ok {
			return nil, &source.ColumnError{File: path, Column: col, Problem: "previous run: column is missing (not a segmint customers table?)"}
		}
	}
	prev := &PreviousRun{Dir: dir, Path: path}
	leaf, _ := pf.Schema().Lookup("customer_id")
	typ := leaf.Node.Type()
	switch {
	case typ.Kind() == parquet.Int64 || typ.Kind() == parquet.Int32:
		prev.IDKind = features.IDInteger
		err = readPreviousRows(pf, prev, func(id int64) { prev.Ints = append(prev.Ints, id) })
	case typ.Kind() == parquet.ByteArray && isUTF8(typ):
		prev.IDKind = features.IDString
		err = readPreviousRows(pf, prev, func(id string) { prev.Strs = append(prev.Strs, id) })
	case typ.Kind() == parquet.ByteArray || typ.Kind() == parquet.FixedLenByteArray:
		prev.IDKind = features.IDBinary
		err = readPreviousRows(pf, prev, func(id []byte) { prev.Strs = append(prev.Strs, string(id)) })
	default:
		return nil, &source.ColumnError{File: path, Column: "customer_id", Problem: fmt.Sprintf("previous run: has Parquet type %s, want an integer, a string or bytes", typ)}
	}
	if err != nil {
		return nil, &source.InputError{File: path, Err: fmt.Errorf("previous run: %w", err)}
	}
	prev.sort()
	for _, c := range prev.Clusters {
		prev.K = max(prev.K, int(c)+1)
	}
	var man struct {
		AsOf time.Time `json:"as_of"`
	}
	if data, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
		if json.Unmarshal(data, &man) == nil {
			prev.AsOf = man.AsOf
		}
	}
	return prev, nil
}

// isUTF8 reports whether a BYTE_ARRAY column holds strings.
func isUTF8(t parquet.Type) bool {
	if lt := t.LogicalType(); lt != nil {
		if _, ok := lt.Value.(*format.StringType); ok {
			return true
		}
	}
	ct := t.ConvertedType()
	return ct != nil && *ct == deprecated.UTF8
}

// readPreviousRows reads every row of a previous customers table, handing
// each id to addID and keeping clusters and segments in prev.
func readPreviousRows[ID int64 | string | []byte](pf *parquet.File, prev *PreviousRun, addID func(ID)) error {
	r := parquet.NewGenericReader[previousCustomer[ID]](pf)
	defer r.Close()
	buf := make([]previousCustomer[ID], 4096)
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			addID(c.CustomerID)
			prev.Clusters = append(prev.Clusters, c.Cluster)
			prev.Segments = append(prev.Segments, c.Segment)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// sort puts the previous customers in ascending id order, the order of a
// feature table's rows.
func (p *PreviousRun) sort() {
	order := make([]int, len(p.Clusters))
	for i := range order {
		order[i] = i
	}
	if p.IDKind == features.IDInteger {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.Ints[a], p.Ints[b]) })
		p.Ints = permute(p.Ints, order)
	} else {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.Strs[a], p.Strs[b]) })
		p.Strs = permute(p.Strs, order)
	}
	p.Clusters, p.Segments = permute(p.Clusters, order), permute(p.Segments, order)
}

func permute[T any](s []T, order []int) []T {
	out := make([]T, len(order))
	for r, i := range order {
		out[r] = s[i]
	}
	return out
}

// Movement is the comparison of a run with an earlier one (--previous):
// the report's account and the rows of the movement table.
type Movement struct {
	Previous string // the previous run's directory
	Report   *report.Movement
	// The rows of the movement table: every customer of either run, in
	// ascending id order, with the segments before and after ("" for
	// none, written as null).
	ids           Column
	before, after []string
}

// Compare compares t's customers, their clusters (assign, k) and segments
// (segOf of a row) with the previous run (see movement); the two must hold
// the same kind of customer id.
func (p *PreviousRun) Compare(t *features.Table, assign []int, segOf func(i int) string, k int) (*Movement, error) {
	if p.IDKind != t.IDKind {
		return nil, &source.ColumnError{File: p.Path, Column: "customer_id", Problem: fmt.Sprintf("previous run: holds %s customer ids, but this run's are %s", p.IDKind, t.IDKind)}
	}
	mv := &Movement{Previous: p.Dir}
	if t.IDKind == features.IDInteger {
		var ids []int64
		mv.Report, ids, mv.before, mv.after = movement(p, p.Ints, t.Customers, assign, segOf, k)
		mv.ids = Column{Name: "customer_id", Int64: ids}
		return mv, nil
	}
	var ids []string
	mv.Report, ids, mv.before, mv.after = movement(p, p.Strs, t.IDs, assign, segOf, k)
	mv.ids = Column{Name: "customer_id", String: ids}
	if t.IDKind == features.IDBinary {
		mv.ids = Column{Name: "customer_id", Binary: ids}
	}
	return mv, nil
}

// movement compares the current customers (ids ascending, with cluster and
// segment) with a previous run: the segment transition matrix, the match of
// each current cluster to the previous cluster sharing most of its members
// (Jaccard, one-to-one, greedy from the largest overlap), and the rows of
// movement.parquet: ids with the segments before and after ("" for none).
func movement[ID int64 | string](prev *PreviousRun, prevIDs, ids []ID, assign []int, segOf func(i int) string, k int) (mv *report.Movement, rowIDs []ID, rowsBefore, rowsAfter []string) {
	name := func(s string) string {
		if s == "" {
			return "(unmatched)"
		}
		return s
	}
	mv = &report.Movement{PreviousRun: prev.Dir, PreviousAsOf: prev.AsOf}
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
	for _, c := range prev.Clusters {
		prevSize[c]++
	}
	curSize := make([]int, k)
	for _, c := range assign {
		curSize[c]++
	}
	row := func(id ID, b, a string) {
		rowIDs, rowsBefore, rowsAfter = append(rowIDs, id), append(rowsBefore, b), append(rowsAfter, a)
	}
	i, j := 0, 0
	for i < len(ids) || j < len(prevIDs) {
		switch {
		case j >= len(prevIDs) || (i < len(ids) && ids[i] < prevIDs[j]):
			after := name(segOf(i))
			counts[pair{label(MovedNew), label(after)}]++
			mv.New++
			row(ids[i], "", after)
			i++
		case i >= len(ids) || prevIDs[j] < ids[i]:
			before := name(prev.Segments[j])
			counts[pair{label(before), label(MovedGone)}]++
			mv.Gone++
			row(prevIDs[j], before, "")
			j++
		default:
			before, after := name(prev.Segments[j]), name(segOf(i))
			counts[pair{label(before), label(after)}]++
			if before == after {
				mv.Stayed++
			} else {
				mv.Moved++
			}
			overlap[assign[i]][prev.Clusters[j]]++
			row(ids[i], before, after)
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
	return mv, rowIDs, rowsBefore, rowsAfter
}

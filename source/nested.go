package source

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// Nested input columns. A layout (or --map) may name a column inside the
// nested columns of an export by a path:
//
//	geo.country                                 a field of a struct
//	items.item_id                               a field of the elements of a list
//	event_params[key=ga_session_id].value.int_value
//	                                            a field of the list element whose key is ga_session_id
//
// Parquet reads the nested columns through Arrow (only the leaves a path
// needs), and each record is flattened before decoding: a path through a
// list without a [key=value] selector explodes the list, one row per
// element (a row whose list is null or empty gives one row whose element
// fields are null), and every other column is repeated on each of its
// rows. At most one list of a file may be exploded. A [key=value]
// selector picks the first element whose field key equals value (null
// when none does) without adding rows.

// pathStep is one step of a nested path below the top-level field.
type pathStep struct {
	name string // the struct field (or the top-level field, in the first step)
	// list: the field is a list; explode, or select by key when key is set.
	list          bool
	key, keyValue string
}

// nestedCol is a canonical column read from a nested path.
type nestedCol struct {
	path   string
	steps  []pathStep
	leaves []int // Parquet leaves the path reads: the value, and each selector's key
	typ    arrow.DataType
	// explodes is the path prefix of the list it explodes ("" for none).
	explodes string
}

// isNestedPath says whether name is written as a nested path.
func isNestedPath(name string) bool { return strings.ContainsAny(name, ".[") }

// parsePath splits a nested path into its steps' names and selectors.
func parsePath(p string) ([]pathStep, error) {
	var steps []pathStep
	for _, seg := range strings.Split(p, ".") {
		st := pathStep{name: seg}
		if i := strings.IndexByte(seg, '['); i >= 0 {
			sel, ok := strings.CutSuffix(seg[i+1:], "]")
			k, v, ok2 := strings.Cut(sel, "=")
			if !ok || !ok2 || k == "" || strings.ContainsAny(sel, "[]") {
				return nil, fmt.Errorf("path %q: selector %q: want [field=value]", p, seg[i:])
			}
			st.name, st.list, st.key, st.keyValue = seg[:i], true, k, v
		}
		if st.name == "" {
			return nil, fmt.Errorf("path %q: empty field name", p)
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// resolvePath finds path in a Parquet file's Arrow schema manifest.
func resolvePath(m *pqarrow.SchemaManifest, path string) (*nestedCol, error) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	nc := &nestedCol{path: path}
	level := m.Fields
	var prefix []string
	keyed := false
	for si := range steps {
		st := &steps[si]
		idx := -1
		for i := range level {
			if level[i].Field.Name == st.name {
				idx = i
				break
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("no field %q", strings.Join(append(prefix, st.name), "."))
		}
		f := &level[idx]
		prefix = append(prefix, st.name)
		last := si == len(steps)-1
		isList := f.Field.Type.ID() == arrow.LIST || f.Field.Type.ID() == arrow.LARGE_LIST
		if st.key != "" && !isList {
			return nil, fmt.Errorf("%q is %s, not a list: [%s=%s] selects a list's element", strings.Join(prefix, "."), f.Field.Type, st.key, st.keyValue)
		}
		if isList {
			if last {
				return nil, fmt.Errorf("%q is a list; name a field of its elements", path)
			}
			elem := &f.Children[0]
			if elem.Field.Type.ID() != arrow.STRUCT {
				return nil, fmt.Errorf("%q is a list of %s; want a list of structs", strings.Join(prefix, "."), elem.Field.Type)
			}
			st.list = true
			if st.key != "" {
				key := -1
				for i := range elem.Children {
					if elem.Children[i].Field.Name == st.key {
						key = i
					}
				}
				if key < 0 || !elem.Children[key].IsLeaf() || !isStringType(elem.Children[key].Field.Type) {
					return nil, fmt.Errorf("%q: the elements have no string field %q to select by", strings.Join(prefix, "."), st.key)
				}
				nc.leaves = append(nc.leaves, elem.Children[key].ColIndex)
				keyed = true
			} else {
				if keyed {
					return nil, fmt.Errorf("%q explodes a list inside a list selected by [key=value]; explode the outer list", path)
				}
				if nc.explodes != "" {
					return nil, fmt.Errorf("%q explodes two lists; a path may go through one list without a [key=value] selector", path)
				}
				nc.explodes = strings.Join(prefix, ".")
			}
			level = elem.Children
			continue
		}
		if last {
			if !f.IsLeaf() {
				return nil, fmt.Errorf("%q is %s; name one of its fields", path, f.Field.Type)
			}
			nc.leaves = append(nc.leaves, f.ColIndex)
			nc.typ = f.Field.Type
			break
		}
		if f.Field.Type.ID() != arrow.STRUCT {
			return nil, fmt.Errorf("%q is %s, not a struct", strings.Join(prefix, "."), f.Field.Type)
		}
		level = f.Children
	}
	nc.steps = steps
	return nc, nil
}

func isStringType(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
}

// flattener turns a record of an input with nested columns into a flat
// record whose columns are named by their paths.
type flattener struct {
	in  *inputFile
	mem memory.Allocator
	// project are the canonical columns read (the record holds only their
	// leaves, and the exploded list's).
	project []string
	// nestedTop holds the top-level fields the nested paths start from.
	nestedTop map[string]bool
	// scratch
	rowOf, elemOf, pos []int32
}

func newFlattener(in *inputFile, mem memory.Allocator, project []string) *flattener {
	fl := &flattener{in: in, mem: mem, project: project, nestedTop: make(map[string]bool)}
	for _, nc := range in.nested {
		fl.nestedTop[nc.steps[0].name] = true
	}
	return fl
}

// explodeRows computes, for the exploded list reached by steps from top,
// the input row and the list element (-1 for none) of each output row.
func (fl *flattener) explodeRows(top arrow.Array, steps []pathStep) {
	n := top.Len()
	fl.rowOf, fl.elemOf = fl.rowOf[:0], fl.elemOf[:0]
	arr := top
	valid := make([]bool, n)
	for i := range valid {
		valid[i] = arr.IsValid(i)
	}
	// Down the structs to the list (steps[0] is the top-level field, which
	// may be the list itself).
	if !steps[0].list {
		for _, st := range steps[1:] {
			arr = structField(arr, st.name)
			for i := range valid {
				valid[i] = valid[i] && arr.IsValid(i)
			}
			if st.list {
				break
			}
		}
	}
	lst := arr.(array.ListLike)
	for i := 0; i < n; i++ {
		if valid[i] {
			if s, e := lst.ValueOffsets(i); e > s {
				for j := s; j < e; j++ {
					fl.rowOf = append(fl.rowOf, int32(i))
					fl.elemOf = append(fl.elemOf, int32(j))
				}
				continue
			}
		}
		fl.rowOf = append(fl.rowOf, int32(i))
		fl.elemOf = append(fl.elemOf, -1)
	}
}

// flatten returns the flat record of rec (which the caller releases; the
// result is released by the caller too).
func (fl *flattener) flatten(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	sch := rec.Schema()
	n := int(rec.NumRows())
	exploding := false
	if ex := fl.in.explode; ex != nil {
		if idx := sch.FieldIndices(ex.steps[0].name); len(idx) > 0 {
			fl.explodeRows(rec.Column(idx[0]), ex.steps)
			exploding = true
		}
	}
	if !exploding {
		fl.rowOf = fl.rowOf[:0]
		for i := 0; i < n; i++ {
			fl.rowOf = append(fl.rowOf, int32(i))
		}
	}
	var fields []arrow.Field
	var cols []arrow.Array
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	// Top-level columns, repeated on each row of an exploded list.
	for i, f := range sch.Fields() {
		if fl.nestedTop[f.Name] {
			continue
		}
		a := rec.Column(i)
		if exploding {
			t, err := fl.take(ctx, a, fl.rowOf)
			if err != nil {
				return nil, columnError(fl.in.Path, f.Name, err)
			}
			a = t
		} else {
			a.Retain()
		}
		fields = append(fields, f)
		cols = append(cols, a)
	}
	for _, c := range fl.project {
		nc := fl.in.nested[c]
		if nc == nil {
			continue
		}
		idx := sch.FieldIndices(nc.steps[0].name)
		if len(idx) == 0 {
			continue // not projected
		}
		a, err := fl.column(ctx, rec.Column(idx[0]), nc, exploding)
		if err != nil {
			return nil, columnError(fl.in.Path, nc.path, err)
		}
		fields = append(fields, arrow.Field{Name: nc.path, Type: a.DataType(), Nullable: true})
		cols = append(cols, a)
	}
	rows := int64(len(fl.rowOf))
	out := array.NewRecord(arrow.NewSchema(fields, nil), cols, rows)
	return out, nil
}

// column extracts one nested column: it follows the path from the
// top-level array, tracking for each output row the position in the
// current array (-1 for null), and takes the leaf at those positions.
func (fl *flattener) column(ctx context.Context, top arrow.Array, nc *nestedCol, exploding bool) (arrow.Array, error) {
	fl.pos = append(fl.pos[:0], fl.rowOf...)
	pos := fl.pos
	arr := top
	for si, st := range nc.steps {
		if si > 0 {
			// arr is a struct; st is one of its fields.
			for r, p := range pos {
				if p >= 0 && !arr.IsValid(int(p)) {
					pos[r] = -1
				}
			}
			arr = structField(arr, st.name)
		}
		if !st.list {
			continue
		}
		lst := arr.(array.ListLike)
		for r, p := range pos {
			if p >= 0 && !lst.IsValid(int(p)) {
				pos[r] = -1
			}
		}
		elems := lst.ListValues().(*array.Struct)
		if st.key == "" {
			// The exploded list: its element of each output row.
			if !exploding {
				return nil, fmt.Errorf("internal: list %q not exploded", st.name)
			}
			for r, p := range pos {
				if p >= 0 {
					pos[r] = fl.elemOf[r]
				}
			}
		} else {
			keys := structField(elems, st.key)
			for r, p := range pos {
				if p < 0 {
					continue
				}
				s, e := lst.ValueOffsets(int(p))
				found := int32(-1)
				for j := s; j < e; j++ {
					if elems.IsValid(int(j)) && keys.IsValid(int(j)) && stringAt(keys, int(j)) == st.keyValue {
						found = int32(j)
						break
					}
				}
				pos[r] = found
			}
		}
		arr = elems
	}
	// arr is the leaf's array, pos the rows of it.
	identity := len(pos) == arr.Len()
	for r, p := range pos {
		if int(p) != r {
			identity = false
			break
		}
	}
	if identity {
		arr.Retain()
		return arr, nil
	}
	return fl.take(ctx, arr, pos)
}

// structField returns the field called name of a struct array: the
// record's structs hold only the fields the paths read, so fields are
// found by name, not by their place in the file's schema.
func structField(a arrow.Array, name string) arrow.Array {
	s := a.(*array.Struct)
	i, _ := s.DataType().(*arrow.StructType).FieldIdx(name)
	return s.Field(i)
}

func stringAt(a arrow.Array, i int) string {
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	}
	return ""
}

// take returns the values of a at positions pos (-1: null).
func (fl *flattener) take(ctx context.Context, a arrow.Array, pos []int32) (arrow.Array, error) {
	b := array.NewInt32Builder(fl.mem)
	defer b.Release()
	b.Reserve(len(pos))
	for _, p := range pos {
		if p < 0 {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(p)
		}
	}
	idx := b.NewInt32Array()
	defer idx.Release()
	out, err := compute.TakeArray(compute.WithAllocator(ctx, fl.mem), a, idx)
	if err != nil {
		return nil, fmt.Errorf("reading nested values: %w", err)
	}
	return out, nil
}

// nestedExample spells a path to the first field inside the nested column
// name of type t, for messages.
func nestedExample(name string, t arrow.DataType) string {
	for {
		switch tt := t.(type) {
		case *arrow.ListType:
			t = tt.Elem()
			continue
		case *arrow.LargeListType:
			t = tt.Elem()
			continue
		case *arrow.StructType:
			if tt.NumFields() > 0 {
				return name + "." + tt.Field(0).Name
			}
		}
		return name + ".field"
	}
}

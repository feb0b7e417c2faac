package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/segmint/segmint/features"
)

// ErrNoInput is returned when the given paths name no Parquet file.
var ErrNoInput = errors.New("no Parquet input files")

// resolveFiles expands paths (files, directories, glob patterns) into a
// sorted, de-duplicated list of files. A directory contributes the files
// ending in .parquet below it, recursively; a file named explicitly is taken
// whatever its name; a pattern or directory that matches nothing is an error.
// The map holds the files found by expanding a directory or a pattern
// rather than named one by one.
func resolveFiles(paths []string) ([]string, map[string]bool, error) {
	found := make(map[string]bool)
	seen := make(map[string]bool)
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		if strings.ContainsAny(p, "*?[") {
			matches, err := filepath.Glob(p)
			if err != nil {
				return nil, nil, fmt.Errorf("pattern %q: %w", p, err)
			}
			if len(matches) == 0 {
				return nil, nil, fmt.Errorf("pattern %q: %w", p, ErrNoInput)
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					add(m)
					found[m] = true
				}
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, &InputError{File: p, Err: err}
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		n := 0
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(strings.ToLower(d.Name()), ".parquet") {
				add(q)
				found[q] = true
				n++
			}
			return nil
		})
		if err != nil {
			return nil, nil, &InputError{File: p, Err: err}
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("directory %s: %w", p, ErrNoInput)
		}
	}
	if len(out) == 0 {
		return nil, nil, ErrNoInput
	}
	sort.Strings(out)
	return out, found, nil
}

// inputFormat is the file format of an input.
type inputFormat int

const (
	formatParquet inputFormat = iota
	formatCSV
)

// inputFile is an opened and validated input.
type inputFile struct {
	Path      string
	Format    inputFormat
	Gzip      bool // CSV compressed with gzip
	Size      int64
	Rows      int64 // -1 when unknown before reading (CSV)
	RowGroups int
	// names maps canonical column -> the input's column name.
	names map[string]string
	// leaves maps canonical column -> Parquet leaf column index.
	leaves map[string]int
	// dict lists the leaf indices read as dictionaries.
	dict []int
	// header is the CSV header, in file order.
	header []string
	// idKind is the type of its customer ids; a CSV file's are integers.
	idKind features.IDKind
	// nested maps canonical column -> its nested path (see nested.go);
	// explode is one of them that explodes a list, nil when none does.
	nested  map[string]*nestedCol
	explode *nestedCol
}

// leavesOf returns the Parquet leaves canonical column c reads.
func (in *inputFile) leavesOf(c string) []int {
	if nc := in.nested[c]; nc != nil {
		return nc.leaves
	}
	return []int{in.leaves[c]}
}

// idKindOf is the kind of customer id an Arrow column of type t holds:
// strings, bytes (binary of any width, dictionaries of either) or, for
// everything else, integers (which checkType then checks).
func idKindOf(t arrow.DataType) features.IDKind {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return features.IDString
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return features.IDBinary
	}
	return features.IDInteger
}

// acceptable type classes per canonical column, checked before any work.
func checkType(c string, t arrow.DataType) error {
	isString := func() bool {
		switch t.ID() {
		case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.DICTIONARY:
			return true
		}
		return false
	}
	isInt := func() bool {
		switch t.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
			return true
		}
		return false
	}
	isFloat := func() bool { return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64 }
	ok := true
	switch c {
	case ColEventTime:
		ok = t.ID() == arrow.TIMESTAMP || t.ID() == arrow.DATE32 || isString() || isInt()
	case ColEventType, ColCouponCode, ColCountry, ColCategory, ColBrand:
		ok = isString()
	case ColUserID:
		ok = isInt() || isFloat() || idKindOf(t) != features.IDInteger
	case ColProductID, ColCategoryID, ColUserSession, ColOrderID:
		ok = isInt() || isFloat() || isString()
	case ColPrice, ColAmount, ColQuantity, ColDiscount:
		ok = isInt() || isFloat() || t.ID() == arrow.DECIMAL128
	}
	if !ok {
		want := map[string]string{
			ColEventTime: "a timestamp, date, string or integer epoch", ColUserID: "an integer, a string or bytes",
			ColEventType: "a string", ColCouponCode: "a string", ColCountry: "a string", ColCategory: "a string", ColBrand: "a string",
			ColProductID: "an integer or a string", ColCategoryID: "an integer or a string", ColUserSession: "an integer or a string", ColOrderID: "an integer or a string",
			ColPrice: "a number", ColAmount: "a number", ColQuantity: "a number", ColDiscount: "a number",
		}[c]
		return fmt.Errorf("has type %s, want %s", t, want)
	}
	return nil
}

// checkColumnType is checkType under layout: an integer event_type column
// is read when the layout names integer event codes.
func checkColumnType(c string, t arrow.DataType, layout Layout) error {
	err := checkType(c, t)
	if err == nil || c != ColEventType {
		return err
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		if layout.integerEventCodes() {
			return nil
		}
		return fmt.Errorf("%w; integer event codes are read with --event-names, for example --event-names view=0,cart=1,purchase=2", err)
	}
	return err
}

// requiredColumns are the canonical columns an input must have under layout.
func requiredColumns(layout Layout) []string {
	if layout.FixedEventType != "" {
		return []string{ColEventTime, ColUserID}
	}
	return required
}

// resolveNames finds each canonical column among the input's column names.
func resolveNames(path string, layout Layout, has func(string) bool) (map[string]string, error) {
	names := make(map[string]string)
	for _, c := range canonical {
		for _, cand := range layout.candidates(c) {
			if has(cand) {
				names[c] = cand
				break
			}
		}
	}
	if layout.FixedEventType != "" {
		if _, ok := features.ParseEventType(layout.FixedEventType); !ok {
			return nil, fmt.Errorf("layout %s: unknown event type %q", layout.Name, layout.FixedEventType)
		}
		delete(names, ColEventType)
	}
	for _, c := range requiredColumns(layout) {
		if _, ok := names[c]; !ok {
			return nil, &ColumnError{File: path, Column: layout.Source(c), Problem: "required column is missing" + missingHint(c), missing: true}
		}
	}
	// amount (a line's total) and price (a unit price) are two ways of
	// saying what a row cost: one is read. A mapped one wins over one
	// found by name; two of the same standing are an error.
	if p, a := names[ColPrice], names[ColAmount]; p != "" && a != "" {
		_, pm := layout.Columns[ColPrice]
		_, am := layout.Columns[ColAmount]
		switch {
		case am && !pm:
			delete(names, ColPrice)
		case pm && !am:
			delete(names, ColAmount)
		default:
			return nil, &ColumnError{File: path, Column: a, Problem: fmt.Sprintf("is read as amount (a line's total) and %s as price (a unit price); map one of them: --map amount=%s if %s is the line's total (price is then not read), or --map price=%s if it is a unit price", p, a, a, p)}
		}
	}
	// A column the user mapped by name must exist, optional or not: a
	// mistyped --map would otherwise silently drop the features it feeds.
	for _, c := range slices.Sorted(maps.Keys(layout.Columns)) {
		if src := layout.Columns[c]; !has(src) {
			return nil, &ColumnError{File: path, Column: src, Problem: fmt.Sprintf("mapped to %s (--map %s=%s) but not in the file", c, c, src)}
		}
	}
	return names, nil
}

// missingHint says what to do about a missing required column c.
func missingHint(c string) string {
	switch c {
	case ColEventType:
		return "; if every row is a purchase (a table of transactions or order lines), use --preset transactions, with --map for the other columns"
	case ColUserID, ColEventTime:
		return fmt.Sprintf("; name the input's column with --map %s=COLUMN", c)
	}
	return ""
}

// openInput opens path, checks it is readable with the required columns in
// usable types, and records where each column lives.
func openInput(path string, layout Layout) (*inputFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &InputError{File: path, Err: err}
	}
	if st.IsDir() {
		return nil, &InputError{File: path, Err: errors.New("is a directory")}
	}
	if st.Size() == 0 {
		return nil, &InputError{File: path, Err: errors.New("empty file")}
	}
	lower := strings.ToLower(path)
	if strings.HasSuffix(lower, ".csv") || strings.HasSuffix(lower, ".csv.gz") {
		return openCSV(path, st.Size(), layout)
	}
	rdr, err := OpenParquet(path)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("reading schema: %w", err)}
	}
	sch, err := fr.Schema()
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("reading schema: %w", err)}
	}
	in := &inputFile{Path: path, Format: formatParquet, Size: st.Size(), Rows: rdr.NumRows(), RowGroups: rdr.NumRowGroups(), leaves: make(map[string]int)}
	// A name is a top-level column or, when written as one, a nested path.
	paths := make(map[string]*nestedCol)
	pathErrs := make(map[string]error)
	has := func(n string) bool {
		if len(sch.FieldIndices(n)) > 0 {
			return true
		}
		if !isNestedPath(n) {
			return false
		}
		nc, err := resolvePath(fr.Manifest, n)
		if err != nil {
			pathErrs[n] = err
			return false
		}
		paths[n] = nc
		return true
	}
	in.names, err = resolveNames(path, layout, has)
	if err != nil {
		var ce *ColumnError
		if errors.As(err, &ce) && pathErrs[ce.Column] != nil {
			ce.Problem += ": " + pathErrs[ce.Column].Error()
			ce.Err = pathErrs[ce.Column]
		}
		return nil, err
	}
	pq := rdr.MetaData().Schema
	for _, c := range canonical {
		src, ok := in.names[c]
		if !ok {
			continue
		}
		var typ arrow.DataType
		if idx := sch.FieldIndices(src); len(idx) > 0 {
			typ = sch.Field(idx[0]).Type
		} else {
			nc := paths[src]
			if in.nested == nil {
				in.nested = make(map[string]*nestedCol)
			}
			in.nested[c] = nc
			typ = nc.typ
			if nc.explodes != "" {
				if in.explode != nil && in.explode.explodes != nc.explodes {
					return nil, &ColumnError{File: path, Column: src, Problem: fmt.Sprintf("explodes the list %s, but %s explodes %s; at most one list can be exploded", nc.explodes, in.explode.path, in.explode.explodes)}
				}
				if in.explode == nil {
					in.explode = nc
				}
			}
		}
		field := arrow.Field{Name: src, Type: typ}
		switch typ.ID() {
		case arrow.STRUCT, arrow.LIST, arrow.LARGE_LIST, arrow.MAP:
			return nil, &ColumnError{File: path, Column: src, Problem: fmt.Sprintf("is nested (%s); name a field inside it, for example %s", typ, nestedExample(src, typ))}
		}
		if err := checkColumnType(c, field.Type, layout); err != nil {
			return nil, columnError(path, src, err)
		}
		if in.nested[c] != nil {
			// Nested leaves are read as plain arrays: the flattener takes
			// rows of them, which Arrow cannot do on dictionaries.
			if c == ColUserID {
				in.idKind = idKindOf(field.Type)
			}
			continue
		}
		leaf := pq.ColumnIndexByName(src)
		if leaf < 0 {
			return nil, &ColumnError{File: path, Column: src, Problem: "is nested; name a field inside it (for example " + src + ".field)"}
		}
		in.leaves[c] = leaf
		if c == ColUserID {
			in.idKind = idKindOf(field.Type)
			// Read as a dictionary, each distinct id of a page is keyed
			// once (Arrow cannot dictionary-read fixed-size binary).
			if in.idKind != features.IDInteger && field.Type.ID() != arrow.FIXED_SIZE_BINARY {
				in.dict = append(in.dict, leaf)
			}
		}
		switch c {
		case ColCountry, ColCategory, ColCouponCode, ColUserSession, ColOrderID:
			in.dict = append(in.dict, leaf)
		case ColEventTime, ColEventType, ColProductID:
			if field.Type.ID() == arrow.STRING && (c != ColProductID || len(layout.NonProductCodes) > 0) {
				in.dict = append(in.dict, leaf)
			}
		}
	}
	if in.explode != nil {
		// Exploding takes rows of every column, dictionaries included.
		in.dict = nil
	}
	sort.Ints(in.dict)
	return in, nil
}

// OpenParquet opens path with Arrow's Parquet reader. A file that is not
// readable Parquet, or whose footer is corrupt, is an InputError naming it.
func OpenParquet(path string) (rdr *file.Reader, err error) {
	// The Parquet reader panics on some corrupt footers; turn that into an
	// error naming the file.
	defer func() {
		if r := recover(); r != nil {
			err = &InputError{File: path, Err: fmt.Errorf("corrupt Parquet file: %v", r)}
		}
	}()
	rdr, err = file.OpenParquetFile(path, false)
	if err != nil {
		return nil, &InputError{File: path, Err: fmt.Errorf("not a readable Parquet file: %w", err)}
	}
	return rdr, nil
}

// projected returns the columns of project that in has and that the
// decoder uses: category_code only when there is no category_id (it is the
// category then; its names are looked up later, for the report only).
func projected(project []string, in *inputFile) []string {
	var out []string
	for _, c := range project {
		if _, ok := in.names[c]; !ok {
			continue
		}
		if c == ColCategory && slices.Contains(project, ColCategoryID) {
			if _, ok := in.names[ColCategoryID]; ok {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// fieldsOf locates the projected canonical columns in a record.
func fieldsOf(rec arrow.Record, project []string, in *inputFile) fields {
	f := make(fields)
	for _, c := range projected(project, in) {
		if src, ok := in.names[c]; ok {
			if idx := rec.Schema().FieldIndices(src); len(idx) > 0 {
				f[c] = idx[0]
			}
		}
	}
	return f
}

// readColumns reads the category id and code columns of one Parquet row
// group and hands each record's values to fn (codes alias Arrow memory:
// fn must copy what it keeps).
func readColumns(ctx context.Context, in *inputFile, rg int, mem memory.Allocator, fn func(ids []int64, codes []string)) (err error) {
	if in.Format != formatParquet {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = rowGroupError(in.Path, rg, fmt.Errorf("corrupt data: %v", r))
		}
	}()
	rdr, err := OpenParquet(in.Path)
	if err != nil {
		return err
	}
	defer rdr.Close()
	props := pqarrow.ArrowReadProperties{BatchSize: DefaultBatchSize}
	props.SetReadDict(in.leaves[ColCategory], true)
	fr, err := pqarrow.NewFileReader(rdr, props, mem)
	if err != nil {
		return err
	}
	cols := []int{in.leaves[ColCategoryID], in.leaves[ColCategory]}
	sort.Ints(cols)
	rr, err := fr.GetRecordReader(ctx, cols, []int{rg})
	if err != nil {
		return err
	}
	defer rr.Release()
	var ids []int64
	var codes []string
	var ok []bool
	for rr.Next() {
		rec := rr.Record()
		n := int(rec.NumRows())
		ids, codes, ok = grow(ids, n), grow(codes, n), grow(ok, n)
		idIdx := rec.Schema().FieldIndices(in.names[ColCategoryID])
		codeIdx := rec.Schema().FieldIndices(in.names[ColCategory])
		if len(idIdx) == 0 || len(codeIdx) == 0 {
			return nil
		}
		if err := toIDs(rec.Column(idIdx[0]), ids, ok); err != nil {
			return err
		}
		if err := MapStrings(rec.Column(codeIdx[0]), codes, nil, func(s string) string { return s }); err != nil {
			return err
		}
		fn(ids, codes)
	}
	return nil
}

package source

import (
	"strconv"
	"strings"
)

// InputError is a problem with one input file as a whole, or with one of
// its row groups: it cannot be opened, is not Parquet, or is corrupt. It
// wraps its cause.
type InputError struct {
	File string
	// RowGroup is the Parquet row group the problem is in, counted from 0,
	// when HasRowGroup is set; a problem with the whole file has none.
	RowGroup    int
	HasRowGroup bool
	Err         error
}

func (e *InputError) Error() string {
	return position(e.File, e.RowGroup, e.HasRowGroup) + ": " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// ColumnError is a problem with a column of an input file: a missing
// required column, a type segmint cannot read, or values of the column
// that one of its row groups holds and that cannot be decoded. Its
// message names the file, the row group (where there is one) and the
// column, and says what is wrong.
type ColumnError struct {
	File, Column string
	// RowGroup is the Parquet row group the problem was found in, counted
	// from 0, when HasRowGroup is set; a problem with the column as a
	// whole (missing, of the wrong type) or in a CSV file has none.
	RowGroup    int
	HasRowGroup bool
	// Problem says what is wrong, as text; when the problem has a cause,
	// it is the cause's message.
	Problem string
	// Err is the cause, when there is one (nil for a problem segmint
	// found itself, such as a missing column).
	Err error
	// missing marks a required column that the file does not have: the
	// file is not an event file of the layout.
	missing bool
}

func (e *ColumnError) Error() string {
	return position(e.File, e.RowGroup, e.HasRowGroup) + ": column " + strconv.Quote(e.Column) + ": " + e.Problem
}

func (e *ColumnError) Unwrap() error { return e.Err }

// columnError is the ColumnError of a cause err found reading the column
// that file names source.
func columnError(file, source string, err error) *ColumnError {
	return &ColumnError{File: file, Column: source, Problem: err.Error(), Err: err}
}

// position is "file" or "file: row group N".
func position(file string, rowGroup int, hasRowGroup bool) string {
	if !hasRowGroup {
		return file
	}
	var b strings.Builder
	b.WriteString(file)
	b.WriteString(": row group ")
	b.WriteString(strconv.Itoa(rowGroup))
	return b.String()
}

// rowGroupError is an InputError of a cause err found reading row group
// rg of file.
func rowGroupError(file string, rg int, err error) *InputError {
	return &InputError{File: file, RowGroup: rg, HasRowGroup: true, Err: err}
}

// atRowGroup places err, found reading row group rg of file, at the row
// group: the first InputError or ColumnError of file in its chain that has
// no row group yet is given rg. Other errors (cancellation) are returned
// as they are.
func atRowGroup(err error, file string, rg int) error {
	for e := err; e != nil; {
		switch pe := e.(type) {
		case *ColumnError:
			if pe.File == file && !pe.HasRowGroup {
				pe.RowGroup, pe.HasRowGroup = rg, true
			}
			return err
		case *InputError:
			if pe.File == file && !pe.HasRowGroup {
				pe.RowGroup, pe.HasRowGroup = rg, true
			}
			return err
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		e = u.Unwrap()
	}
	return err
}

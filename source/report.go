package source

import (
	"fmt"

	"github.com/segmint/segmint/features"
)

// NewInputReport validates the inputs named by paths (as pipeline.Run does) and
// returns the manifest's account of them before they are read: the files,
// their sizes, rows and row groups (SHA256 left empty) and the layout. A
// distributed run fills in the rest with Summarise once its workers have
// read the splits.
func NewInputReport(paths []string, layout Layout) (*FeatureReport, error) {
	inputs, err := OpenInputs(paths, layout)
	if err != nil {
		return nil, err
	}
	return newInputReport(inputs, ScanOptions{Layout: layout}.withDefaults()), nil
}

// newInputReport is the report of ins read with o (its defaults applied).
func newInputReport(ins *Inputs, o ScanOptions) *FeatureReport {
	rep := &FeatureReport{Layout: o.Layout.Name, SkippedFiles: ins.Skipped, inputs: ins.files, layout: o.Layout, mem: o.Mem, workers: o.Workers}
	if rep.Layout == "" {
		rep.Layout = "rees46"
	}
	for _, in := range ins.files {
		rep.Files = append(rep.Files, InputFileInfo{Path: in.Path, Bytes: in.Size, Rows: in.Rows, RowGroups: in.RowGroups})
	}
	return rep
}

// Summarise records what reading the input found: the data set's
// statistics, the rows read, the rows skipped by reason (exact duplicates
// are added from stats), the distinct products, the rejected rows and the
// warning when their share exceeds maxRejectedShare (0 means
// DefaultMaxRejectedShare). Customers is left to the caller.
func (rep *FeatureReport) Summarise(stats features.Stats, rows int64, skipped map[string]int64, products int, maxRejectedShare float64) {
	rep.Events = stats.Events
	rep.Skipped = skipped
	if rep.Skipped == nil {
		rep.Skipped = map[string]int64{}
	}
	if stats.Duplicates > 0 {
		rep.Skipped[SkipDuplicate] = stats.Duplicates
	}
	rep.Rows = rows
	rep.Rejected = rejectedRows(rep.Skipped)
	if rep.Rows > 0 {
		rep.RejectedShare = float64(rep.Rejected) / float64(rep.Rows)
	}
	maxShare := maxRejectedShare
	if maxShare == 0 {
		maxShare = DefaultMaxRejectedShare
	}
	if rep.RejectedShare > maxShare {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the filters rejected %d of %d input rows (%.1f%%, above the %.0f%% allowed by --max-rejected-share): %s",
			rep.Rejected, rep.Rows, 100*rep.RejectedShare, 100*maxShare, skippedList(rep.Skipped)))
	}
	rep.Products = products
	rep.Columns = rep.inputColumns(stats.Present)
	rep.ByType = make(map[string]int64)
	for _, t := range features.EventTypes() {
		rep.ByType[t.String()] = stats.Seen(t)
	}
}

// IDKind is the kind of customer id the inputs hold (every file holds the
// same kind: OpenInputs checks it) and the name of the column holding them
// in the first file (Files[0]), for messages.
func (rep *FeatureReport) IDKind() (kind features.IDKind, column string) {
	if len(rep.inputs) == 0 {
		return features.IDInteger, ""
	}
	return rep.inputs[0].idKind, rep.inputs[0].names[ColUserID]
}

// inputColumns names the columns of present that the inputs hold: under
// Layout.DayOrders the order key of an input without an order_id column
// is the purchase day, which is not an input column.
func (rep *FeatureReport) inputColumns(present features.Columns) []string {
	if rep.layout.DayOrders && present&features.ColOrder != 0 {
		mapped := false
		for _, in := range rep.inputs {
			_, has := in.names[ColOrderID]
			mapped = mapped || has
		}
		if !mapped {
			present &^= features.ColOrder
		}
	}
	return present.Names()
}

package pipeline

import "github.com/segmint/segmint/source"

// The input side of a run (resolving, validating and decoding the event
// files, the feature stage's scan and its report) is package source. Its
// names are kept here, as aliases, so that callers of pipeline compile
// unchanged; new code should name them in package source.

type (
	// InputError is source.InputError.
	InputError = source.InputError
	// ColumnError is source.ColumnError.
	ColumnError = source.ColumnError
	// RejectedError is source.RejectedError.
	RejectedError = source.RejectedError
	// Layout is source.Layout.
	Layout = source.Layout
	// ScanOptions is source.ScanOptions.
	ScanOptions = source.ScanOptions
	// Progress is source.Progress.
	Progress = source.Progress
	// FeatureReport is source.FeatureReport.
	FeatureReport = source.FeatureReport
	// InputFileInfo is source.InputFileInfo.
	InputFileInfo = source.InputFileInfo
	// Split is source.Split.
	Split = source.Split
	// ReadPass is source.ReadPass.
	ReadPass = source.ReadPass
)

// The canonical event columns (source.ColEventTime, ...).
const (
	ColEventTime   = source.ColEventTime
	ColEventType   = source.ColEventType
	ColProductID   = source.ColProductID
	ColCategoryID  = source.ColCategoryID
	ColCategory    = source.ColCategory
	ColBrand       = source.ColBrand
	ColPrice       = source.ColPrice
	ColUserID      = source.ColUserID
	ColUserSession = source.ColUserSession
	ColOrderID     = source.ColOrderID
	ColQuantity    = source.ColQuantity
	ColCouponCode  = source.ColCouponCode
	ColDiscount    = source.ColDiscount
	ColCountry     = source.ColCountry
)

// The reasons rows are skipped (source.SkipNullCustomer, ...).
const (
	SkipNullCustomer = source.SkipNullCustomer
	SkipBadCustomer  = source.SkipBadCustomer
	SkipNullTime     = source.SkipNullTime
	SkipBadTime      = source.SkipBadTime
	SkipAfterAsOf    = source.SkipAfterAsOf
	SkipUnknownType  = source.SkipUnknownType
	SkipBadPrice     = source.SkipBadPrice
	SkipNullPrice    = source.SkipNullPrice
	SkipBadQuantity  = source.SkipBadQuantity
	SkipDuplicate    = source.SkipDuplicate
	SkipOtherEvent   = source.SkipOtherEvent
)

const (
	// PassProducts is source.PassProducts.
	PassProducts = source.PassProducts
	// PassEvents is source.PassEvents.
	PassEvents = source.PassEvents
	// DefaultMaxRejectedShare is source.DefaultMaxRejectedShare.
	DefaultMaxRejectedShare = source.DefaultMaxRejectedShare
)

var (
	// ErrNoInput is source.ErrNoInput.
	ErrNoInput = source.ErrNoInput
	// ErrNoEvents is source.ErrNoEvents.
	ErrNoEvents = source.ErrNoEvents
	// Presets is source.Presets.
	Presets = source.Presets
)

// The input side's functions, under their names in pipeline.
var (
	// ResolveFiles is source.ResolveFiles.
	ResolveFiles = source.ResolveFiles
	// OpenInputs is source.OpenInputs.
	OpenInputs = source.OpenInputs
	// Preset is source.Preset.
	Preset = source.Preset
	// ParseMapping is source.ParseMapping.
	ParseMapping = source.ParseMapping
	// ParseTimestamp is source.ParseTimestamp.
	ParseTimestamp = source.ParseTimestamp
	// ComputeFeatures is source.ComputeFeatures.
	ComputeFeatures = source.ComputeFeatures
	// NewInputReport is source.NewInputReport.
	NewInputReport = source.NewInputReport
	// Splits is source.Splits.
	Splits = source.Splits
	// ReadSplit is source.ReadSplit.
	ReadSplit = source.ReadSplit
	// ReadSplitRows is source.ReadSplitRows.
	ReadSplitRows = source.ReadSplitRows
)

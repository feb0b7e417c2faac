package source

import (
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/apache/arrow/go/v17/parquet/schema"
)

// rowGroupAfterAsOf reports whether the statistics of row group rg prove
// that the row filters would drop every one of its rows as "event after the
// as-of time", and returns the row group's rows: the row group is then not
// read at all (time-sorted dumps read with an earlier --as-of skip their
// later row groups). The proof needs event_time as a Parquet TIMESTAMP
// (any unit) whose smallest value, in microseconds as the decoder reads
// it, is after asOf, with no null event times, and integer customer ids
// with no nulls, since a null id or time would be counted under its own
// reason first. Anything else (no statistics, string times, nested or
// exploded inputs) reads the row group as usual.
func rowGroupAfterAsOf(fr *pqarrow.FileReader, in *inputFile, rg int, asOf int64) (int64, bool) {
	if asOf == 0 || in.nested != nil || in.explode != nil || in.Format != formatParquet {
		return 0, false
	}
	tLeaf, ok := in.leaves[ColEventTime]
	if !ok {
		return 0, false
	}
	uLeaf, ok := in.leaves[ColUserID]
	if !ok {
		return 0, false
	}
	md := fr.ParquetReader().MetaData()
	tcol := md.Schema.Column(tLeaf)
	ts, ok := tcol.LogicalType().(*schema.TimestampLogicalType)
	if !ok || tcol.PhysicalType() != parquet.Types.Int64 {
		return 0, false
	}
	if ut := md.Schema.Column(uLeaf).PhysicalType(); ut != parquet.Types.Int64 && ut != parquet.Types.Int32 {
		return 0, false
	}
	rgm := md.RowGroup(rg)
	tstats, ok := int64Stats(rgm, tLeaf)
	if !ok || !tstats.HasMinMax() || !noNulls(rgm, uLeaf) || tstats.NullCount() != 0 {
		return 0, false
	}
	first := tstats.Min()
	switch ts.TimeUnit() {
	case schema.TimeUnitMillis:
		first *= 1_000
	case schema.TimeUnitNanos:
		first /= 1_000 // as scaleToMicros
	case schema.TimeUnitMicros:
	default:
		return 0, false
	}
	if first <= asOf {
		return 0, false
	}
	return rgm.NumRows(), true
}

// chunkStats returns the statistics of leaf in row group rgm when they are
// set, trustworthy (StatsSet) and carry a null count; else nil.
func chunkStats(rgm *metadata.RowGroupMetaData, leaf int) metadata.TypedStatistics {
	cc, err := rgm.ColumnChunk(leaf)
	if err != nil {
		return nil
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasNullCount() {
		return nil
	}
	return st
}

// int64Stats returns chunkStats of an INT64 leaf.
func int64Stats(rgm *metadata.RowGroupMetaData, leaf int) (*metadata.Int64Statistics, bool) {
	s, ok := chunkStats(rgm, leaf).(*metadata.Int64Statistics)
	return s, ok
}

// noNulls reports whether the statistics of leaf in rgm prove it has no
// null values.
func noNulls(rgm *metadata.RowGroupMetaData, leaf int) bool {
	st := chunkStats(rgm, leaf)
	return st != nil && st.NullCount() == 0
}

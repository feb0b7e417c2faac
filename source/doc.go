// Package source is segmint's input side: it resolves and validates the
// event files, maps their layout onto segmint's canonical columns, and
// decodes them into features.Batch values for the feature stage
// (ComputeFeatures) or, split by split, for a distributed runner
// (Splits, ReadSplit).
//
// Input. Files, directories (every *.parquet below, recursively) and glob
// patterns are accepted; files ending in .csv or .csv.gz are read as CSV.
// Every file is opened and its schema checked before any work
// (OpenInputs): an unreadable, empty, non-Parquet or corrupt file, a
// missing required column (event_time, event_type, user_id) or a column
// of an unusable type is an error that names the file and the column
// (InputError, ColumnError). A file that a directory or a pattern holds
// and that lacks a required column is not an event file (a table of
// customers beside the events): it is left out and listed, with the
// reason, in Inputs.Skipped and the FeatureReport's SkippedFiles; named
// explicitly, it is an error. Row-level problems (null customer ids,
// unparseable times, unknown event types, negative, NaN or absurd prices
// or amounts, events after the as-of time) skip the row and are counted by
// reason (the Skip constants) in the FeatureReport, which a run writes into
// its manifest and report. So are, by design rather than as rejections,
// the rows whose product_id is one of the layout's non-product codes
// (postage, fees, vouchers), one count per code.
//
// Layouts. The REES46 layout is read with no configuration; a Layout (a
// Preset, or a user's --map through ParseMapping) maps other column names,
// or paths into nested columns ("geo.country", "items.item_id", exploding a
// list into one row per element), onto the canonical ones. event_time may
// be a Parquet timestamp of any unit (a zone's instants are read as
// such), a date, a string ("2019-10-01 00:00:00 UTC", RFC 3339,
// "2019-10-01", ...; zone-less times are UTC, see ParseTimestamp) or an
// integer epoch with an explicit unit. A layout may also give every row
// one event type (a table of purchases: the transactions preset, where a
// purchase without an order id is its customer's order of the day), name
// the input's event values, integer codes included (EventNames,
// ParseEventNames), and list non-product codes. A row's money is its
// price x quantity, or its amount (a line's total) where the input has
// one.
//
// Decoding. Parquet is read through Apache Arrow (pqarrow) with column
// projection, one row group and one record batch at a time. A flat file's
// row groups take a fast path: parquet-go's typed pages are decoded
// straight into the Arrow arrays pqarrow would give (pgread.go); nested
// columns, and column types or encodings the fast path does not handle,
// are read by pqarrow, so the results never depend on the path. CSV is
// read through Arrow's CSV reader, every column as a string, which the
// decoder parses. The decoder applies the row filters and converts money
// to exact integer micro-units.
//
// As-of. With an as-of time, a Parquet row group whose statistics prove
// that every one of its events is later (event_time a TIMESTAMP whose
// minimum is after the as-of time, integer customer ids, no null times or
// ids; flat files only) is not read at all: its rows are counted as events
// after the as-of time, as the row filter would count them.
//
// Parallelism. Row groups (or whole CSV files) are the splits, decoded by
// ScanOptions.Workers goroutines, each reading whole splits in order. The
// feature stage makes two passes. The first (product launches and the time
// window) gives each worker its own features.Launches, merged at the end.
// The second holds the per-customer state in one features.Sharded
// aggregator shared by all the workers: customers are spread over shards
// by a hash of their id, each shard a features.Aggregator behind its own
// lock, and a worker adding a batch takes each shard's lock once for all
// of the batch's rows of that shard. So every customer has exactly one
// accumulator, however many workers run, and there are no per-worker
// aggregators merged at the end. Exact duplicates are dropped per split
// before the rows reach the shards (each worker's features.ShardBuffer,
// reset at the start of each split), so what is dropped depends only on
// the input. Because the accumulators are exact and order-independent,
// results do not depend on the number of workers or on scheduling. A
// distributed runner reads splits with ReadSplit and uses the same
// accumulators with one features.Aggregator per split, merging the
// partials (Acc.Merge).
package source

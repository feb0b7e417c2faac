// Package pipeline is segmint's edge to files and its orchestration: it
// reads Parquet event files through Apache Arrow (pqarrow) with column
// projection, one row group and one record batch at a time, converts each
// record into a features.Batch, and runs the stages of a job in one
// direction: source -> features -> cluster -> segments -> outputs.
//
// Input. Files, directories (every *.parquet below, recursively) and glob
// patterns are accepted. Every file is opened and its schema checked before
// any work: an unreadable, empty, non-Parquet or corrupt file, a missing
// required column (event_time, event_type, user_id) or a column of an
// unusable type is an error that names the file and the column. Row-level
// problems (null customer ids, unparseable times, unknown event types,
// negative, NaN or absurd prices, events after the as-of time) skip the row
// and are counted by reason in the manifest and the report.
//
// The REES46 layout is read with no configuration; a Layout maps other
// column names onto the canonical ones. event_time may be a Parquet
// timestamp of any unit, a date, a string ("2019-10-01 00:00:00 UTC",
// RFC 3339, ...; zone-less times are UTC) or an integer epoch with an
// explicit unit.
//
// Parallelism. Row groups (or CSV files) are decoded by Workers goroutines,
// each reading whole splits in order. The per-customer state is one
// features.Sharded aggregator shared by all of them: customers are spread
// over shards by a hash of their id, each shard a features.Aggregator
// behind its own lock, and a worker adding a batch takes each shard's lock
// once for all of the batch's rows of that shard. So every customer has
// exactly one accumulator, however many workers run, and nothing is merged
// at the end. Exact duplicates are dropped per split before the rows reach
// the shards (features.ShardBuffer), so what is dropped depends only on the
// input. Because the accumulators are exact and order-independent, results
// do not depend on the number of workers or on scheduling. A distributed
// runner uses the same accumulators with one features.Aggregator per split
// and merges the partials (Acc.Merge).
//
// Output. Every output of a run is written into a staging directory beside
// --out and moved into place at the end; on any error nothing is written.
// An existing non-empty --out is replaced only when asked (Force), and then
// the old output is removed only after the new one is in place.
package pipeline

// Package warehouse is an independent reader of segmint's output tables:
// its test runs the real pipeline on the embedded demo data set and reads
// every table back with DuckDB, as a warehouse would, then checks what it
// finds against what segmint reported (manifest.json) and promised
// (docs/outputs.md, the output contract).
//
// The package holds only tests. Run them with
//
//	cd bench && go test -v ./warehouse/
//
// (-v shows one summary line per table read: rows and columns). The first
// build of the DuckDB binding takes about two minutes; the test itself
// takes about ten seconds on two cores, most of it in four pipeline runs.
//
// # What is read
//
//   - Two flat runs: the first with an as-of 30 days before the end of
//     the demo data, the second over all of it with the first as the
//     previous run, so movement.parquet exists and holds new customers.
//   - A hive data set root written by two runs with as-of dates 60 and
//     30 days before the end, read both file by file and as DuckDB reads
//     a partitioned table: read_parquet('ROOT/TABLE/*/*.parquet',
//     hive_partitioning = true).
//
// # What is checked
//
// For every table of every run:
//
//   - the row count equals manifest.json's "outputs" entry, and the
//     tables present are exactly the ones the manifest lists;
//   - the column names, DuckDB types and nullability (the Parquet
//     repetition type) are those of docs/outputs.md, with int64 → BIGINT,
//     int32 → INTEGER, double → DOUBLE, boolean → BOOLEAN,
//     string → VARCHAR, timestamp → TIMESTAMP WITH TIME ZONE; optional
//     columns may be absent, undocumented columns fail; run_id and as_of
//     are the last two columns;
//   - run_id and as_of equal the manifest's in every row;
//   - the key-value metadata has every documented segmint.* key, with
//     segmint.schema_version = "1", segmint.run_id the manifest's run and
//     segmint.as_of the manifest's as-of.
//
// Across the tables of a run: one customers row per distinct customer_id;
// the clusters' sizes are the customers counted per cluster (so sum(size)
// is the customers row count); every customers.segment is null or a
// segment of the segments table; memberships' (customer_id, segment) pairs
// are distinct and name known customers and segments; segments.members is
// the memberships rows counted per segment. The movement table has one row
// per customer of either run, whose segment_before and segment_after are
// the two runs' customers.segment ("(unmatched)" for null, null for a
// customer absent from that run), and its new, gone, stayed and moved
// counts are the manifest's.
//
// In the hive layout: both partitions are there, in every table; each
// partition's rows are its run's manifest count; and the as_of_date
// partition column DuckDB derives from the path is the UTC date of the
// as_of column in the file. (The partition key is as_of_date, not as_of: a
// partition column of the same name as a file column replaces it in hive
// readers, which would turn the as_of timestamp into a date. DuckDB also
// detects key=value directories when reading a single file, so the
// file-by-file reads turn hive partitioning off.)
//
// # Checking the checks
//
// Each check is also run on copies of the good tables that DuckDB rewrites
// with one defect each (a duplicate customer, an unknown segment, a wrong
// cluster size, an as_of a second late, another run's id in the metadata,
// a column of the wrong type, missing or undocumented, ...): the test fails
// unless the check reports the defect by table, column and value.
package warehouse

// Package output writes what segmint produces: the tables of a run, its
// report and manifest, the feature table of `segmint features` and the
// assignments of `segmint cluster`. It is the one place that writes
// Parquet, and it takes no decision: the values are the stages' (package
// pipeline), so writing the same values twice gives the same files.
//
// Staging. Every file of an output is written into a staging directory
// beside --out (flat layout) or inside it (hive layout) and moved into
// place at the end (Stage, Staging.Commit); on any error nothing is
// written (Staging.Abort). An existing non-empty --out is replaced only
// when asked (force), and then only when it holds nothing but an earlier
// segmint output (package outdir); the old output is removed only after
// the new one is in place. A hive root accumulates partitions: a run
// replaces the partitions of its own as-of date.
//
// Parquet. Every table is written by one path, WriteColumns: plain Go
// column values (Column) through Arrow record batches and pqarrow, zstd
// compressed, with the run's identity as key-value metadata. NaN floats
// are written as nulls, unless a column is Required. The columns, their
// types and nullability are docs/outputs.md, which a test compares with
// the files. Arrow stays inside this package: callers see Column.
//
// Previous runs. ReadPreviousRun reads an earlier run's customers table
// (with parquet-go, as any reader of the outputs would) and
// PreviousRun.Compare compares it with this run's customers: the movement
// table and the report's transition matrix.
//
// The manifest (Manifest, manifest.json) records what a run read, how it
// was configured and what it wrote; JSONSafe makes NaN and infinite
// floats null for JSON.
package output

// Package bench compares segmint's feature stage with DuckDB computing the
// same per-customer features in SQL, on the same Parquet files with the same
// number of threads.
//
// The command featurebench (cmd/featurebench) drives it: Run generates event
// data with package synth (cached under the output directory, keyed by the
// generator's settings), runs each engine in a child process of its own so
// that the peak resident memory of one engine is not mixed with the other's,
// keeps the best wall time of several runs, and checks that the two engines
// agree on every feature of every customer.
//
// # What is timed
//
// segmint: source.ComputeFeatures, from opening the files to the finalised
// in-memory *features.Table. DuckDB: one CREATE TEMP TABLE ... AS SELECT over
// read_parquet, from the statement's start to the materialised per-customer
// table. Opening the database, reading the results back into Go and writing
// them for the comparison are not timed. Peak RSS is the child's VmHWM read
// from /proc/self/status right after the timed phase.
//
// # Agreement
//
// FeatureSQL restates the definitions of features/catalogue.go and
// features/acc.go, and the row filters of source/decode.go, in SQL. Values
// agree when both are null (NaN) or |a-b| <= AbsTol + RelTol·max(|a|,|b|);
// the country of each customer must be the same string. The SQL assumes the
// column types the synth generator writes (integer ids, a timestamp
// event_time, string sessions, order ids, coupon codes and countries): it is
// a benchmark of the same definitions, not a second implementation of
// segmint's input layouts.
package bench

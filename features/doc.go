// Package features engineers per-customer behavioural features from
// e-commerce events.
//
// The unit of input is a Batch: a column-oriented run of events as plain Go
// slices (the Arrow and Parquet edges live in package source). Times are
// microseconds since the Unix epoch, UTC; money is int64 micro-units
// (MoneyScale per currency unit), so sums are exact.
//
// Every feature is finalised from one per-customer accumulator, Acc, which
// supports the three operations of a distributed combiner: add an event
// (Aggregator.Add), merge two partials (Acc.Merge, Aggregator.Merge) and
// finalise (Feature.Value, Aggregator.Finalise). All of Acc's fields combine
// associatively and commutatively, so the features do not depend on how
// the events were split across batches, workers or machines, nor on their
// order. Exact duplicate events are dropped before they reach the
// accumulators, per split (a row group or a CSV file, read in order by one
// reader; see Dedup), so what is dropped depends on the input alone, not on
// how splits are scheduled. The single-node pipeline and a distributed
// runner use the same code. There is no global state: the product side
// input (Launches, the first appearance of each product, for trend
// adoption) is itself a mergeable accumulator computed by a first pass and
// passed in.
//
// Memory is proportional to the number of customers (plus their distinct
// sessions, orders and purchased categories) and products, never to the
// number of events.
//
// Layout for speed. In a file sorted by time consecutive rows belong to
// different customers, so the fold is random access to the per-customer
// state, and what it costs is the cache lines each event touches.
// Customers are found through an open-addressing index (idIndex) whose
// entries hold the id and the slot side by side, and their accumulators
// live in fixed chunks (accStore) that are never copied as customers
// arrive. An Acc is five cache lines, the first holding everything a view
// in a running session touches. Its key sets (sessions, orders, categories)
// are one array each, appended to without a search and compacted when full,
// so that a new session touches the set's last entry alone. Several
// goroutines share one Sharded aggregator: customers are spread over shards
// by a hash of their id; a goroutine copies a batch's rows into runs of one
// shard each and takes each shard's lock once per batch to fold its run, in
// passes that find and load every row's accumulator before folding, so that
// the misses overlap. Finalisation runs row by row on every core, loading
// the accumulators of a block of customers before computing their
// features, with the values derived from a customer's key sets computed
// once and cached in the finalising goroutine's Context, never in the
// accumulator.
//
// The features, their definitions, units and required inputs are listed in
// one place, Catalogue (catalogue.go). A feature whose inputs the data lacks
// (a column, or any event of a type) is reported absent by Finalise, never
// zero-filled. A feature undefined for one customer (average order value
// without orders) is NaN in the Table and null in the outputs; for
// clustering, Feature.Fill documents the value used in its place.
package features

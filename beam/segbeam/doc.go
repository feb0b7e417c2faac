// Package segbeam runs segmint's job on Apache Beam (Go SDK): the output
// set of `segmint run` (every table of docs/outputs.md, report.html,
// report.md and manifest.json), computed and written by the same code, on
// any Beam runner (Prism locally; Flink, Spark or Dataflow at scale).
//
// # One definition
//
// Nothing here redefines a feature, a rule, a clustering step, a table or
// the report. The input is read with source.ReadSplit (the single-node
// decoder and row filters), one Parquet row group per element; inputs on
// Beam's other file systems (gs://, s3://) are copied to a local cache
// first (inputs.go). Each split is folded per customer by a
// features.Aggregator with the product launches (features.Launches) as a
// side input, exactly as one single-node worker folds its row groups; the
// partial accumulators (features.Acc, encoded by MarshalBinary) are grouped
// per customer, merged by Acc.Merge and finalised by Acc.Values with the
// data set's features.Stats. Because Acc's fields combine exactly (integer
// money, min/max times, key-set unions), the feature values equal the
// single-node ones bit for bit.
//
// The clusters are fitted on one worker, on a sample of customers, by
// segments.Evaluate and pipeline.Cluster: the code path of `segmint run`.
// The lifetime-value models are fitted there too (pipeline.FitCLV), on the
// sample's purchase summaries, and travel with the model: the rules that
// read the predictions get each customer's from the fit
// (CLVFit.Predict), and the output set's predictions are every
// customer's by the same fit.
// Every customer is then assigned in a ParDo with the fitted model as a
// side input: the transform (cluster.Transform.Apply), the centroids
// (cluster.Result.Predict) and the segment rules (segments.Evaluator, with
// percentile ranks taken by binary search in the sample's
// segments.Population). Finally one worker gathers every customer,
// rebuilds the feature table, the clustering stage and the memberships,
// settles them with pipeline.Settle, the single-node fitting stage's code
// (the mapping of the clusters onto the segments and every customer's
// primary segment), and writes the output set with
// pipeline.WriteOutputSet, as pipeline.Run does. When the sample is every
// customer the output set equals `segmint run`'s; the package test checks
// every table cell by cell, the manifest and the reports.
//
// # Why the per-customer fold happens in the read
//
// A CombineFn cannot read a side input in Beam's Go SDK, and the trend
// feature needs the product launches. Beyond that, the SDK's lifted
// combine caches at most 2,000 keys per bundle and evicts at random: on
// time-ordered input, where customers interleave, that would shuffle
// almost one accumulator per event and make the removal of exact
// duplicate events (which works within one split) depend on the
// eviction order. Folding the whole split first gives exactly one partial
// per (customer, split) and the single-node duplicate rule.
//
// # Sampling
//
// The sample is the Sample customers with the smallest sampleKey(seed, id),
// a fixed 64-bit mix of the id and the seed: a uniform sample without
// replacement that depends on nothing but the ids and the seed. Its
// threshold is found by a bottom-k combine over one 8-byte key per
// customer; the sampled feature rows are then grouped onto one worker.
//
// # Outputs
//
// Under Out, the output set of `segmint run` in its flat or hive layout,
// staged and moved into place by the worker that writes it (a URL output
// is written locally and copied through Beam's file systems). With
// FeaturesOnly, features/ holds Shards Parquet files
// part-NNNNN-of-MMMMM.parquet with the columns of `segmint features`,
// customers spread over them by a fixed hash of the id.
//
// # Memory
//
// A reading worker holds one split's accumulators (its customers), the
// product launches, and for the assignment the model, dominated by the
// population: 8 bytes per sampled customer per feature (about 190 MB for a
// sample of one million and 24 features). The fitting worker holds the
// sample's feature table and clustering matrices, as `segmint run` does for
// all customers; the worker that writes the output set holds every
// customer's row, features and memberships (roughly 1 KB per customer).
package segbeam

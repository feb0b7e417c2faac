// Package segbeam runs segmint's job on Apache Beam (Go SDK): the feature
// table, the clusters and the segments of `segmint run`, computed by the
// same code, on any Beam runner (Prism locally; Flink, Spark or Dataflow at
// scale).
//
// # One definition
//
// Nothing here redefines a feature, a rule or a clustering step. The input
// is read with pipeline.ReadSplit (the single-node decoder and row
// filters), one Parquet row group per element. Each split is folded per
// customer by a features.Aggregator with the product launches
// (features.Launches) as a side input, exactly as one single-node worker
// folds its row groups; the partial accumulators (features.Acc, encoded by
// MarshalBinary) are merged per customer by a CombinePerKey whose
// CombineFn calls Acc.Merge, and finalised by Acc.Values with the data
// set's features.Stats. Because Acc's fields combine exactly (integer
// money, min/max times, key-set unions), the feature values equal the
// single-node ones bit for bit.
//
// The clusters are fitted on one worker, on a sample of customers, by
// segments.Evaluate, pipeline.Cluster and segments.MapClusters: the code
// path of `segmint run`. Every customer is then assigned in a ParDo with
// the fitted model as a side input: the transform (cluster.Transform.Apply),
// the centroids (cluster.Result.Predict), the segment rules
// (segments.Evaluator, with percentile ranks taken by binary search in
// the sample's segments.Population) and the mapping of clusters onto
// segments. When the sample is every customer the outputs equal
// `segmint run`'s; the package test checks this customer by customer.
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
// Under Out: features/, customers/ and memberships/, each as Shards
// Parquet files part-NNNNN-of-MMMMM.parquet with the columns, types and
// nullability of `segmint features` and of `segmint run`'s
// customers.parquet and memberships.parquet (docs/outputs.md), rows sorted
// by customer within a shard; customers are spread over shards by a fixed
// hash of the id, so the files do not depend on bundling, and a retried
// shard replaces its file. fit.json records the fit: sample size, k, the
// strategy, the clustered features and the mapping. A local Out is staged
// beside it and moved into place when the job succeeds.
//
// # Memory
//
// A worker holds one split's accumulators (its customers), the product
// launches (about 16 bytes per product, decoded once per DoFn instance),
// and for the assignment the model, dominated by the population: 8 bytes
// per sampled customer per feature (about 190 MB for a sample of one
// million and 24 features). The fitting worker holds the sample's feature
// table and clustering matrices, as `segmint run` does for all customers.
package segbeam

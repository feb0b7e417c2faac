// Package pipeline is segmint's orchestration and outputs: it runs the
// stages of a job in one direction, source -> features -> cluster ->
// segments -> outputs, and writes what they produce.
//
// Input is package source: resolving and validating the event files,
// layouts, decoding (Arrow pqarrow, with a parquet-go fast path for flat
// Parquet files, and CSV) and the feature stage's parallel scan are
// described there. pipeline keeps the input side's exported names
// (ScanOptions, Layout, ComputeFeatures, InputError, ...) as aliases of
// source's, so that its callers compile unchanged.
//
// Output. Every output of a run is written into a staging directory beside
// --out and moved into place at the end; on any error nothing is written.
// An existing non-empty --out is replaced only when asked (Force), and then
// the old output is removed only after the new one is in place.
package pipeline

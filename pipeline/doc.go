// Package pipeline is segmint's orchestration: it runs a job's stages in
// one direction and writes what they produce.
//
//	source.ComputeFeatures     events -> feature table (package source)
//	Fit                        feature table -> lifetime-value predictions
//	                           (Predict: package clv's models, fitted on the
//	                           table's purchase summaries) -> segment rules,
//	                           which may read them (segments.Evaluate of
//	                           RuleTable) -> clusters (Cluster) -> the clusters
//	                           mapped onto the segments and every customer's
//	                           primary segment settled (Settle)
//	WriteOutputSet / Run       Fitted -> tables, report, manifest
//
// Fit and Settle return new values and modify none of their arguments; the
// writers take no decision, so writing one Fitted twice gives the same
// files. A distributed run (the Beam job) computes the feature table, the
// predictions (FitCLV on its sample, CLVFit.Predict for every customer) and
// the clusters on its workers and calls the same Settle and WriteOutputSet.
// Predictions are the same on any number of threads.
//
// Output. Every output of a run is written into a staging directory beside
// --out and moved into place at the end; on any error nothing is written.
// An existing non-empty --out is replaced only when asked (Force), and then
// only when it holds nothing but an earlier segmint output (package
// outdir); the old output is removed only after the new one is in place.
package pipeline

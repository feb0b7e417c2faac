// Package pipeline is segmint's orchestration: it runs a job's stages in
// one direction and hands what they produce to the writers (package
// output). It writes no file itself.
//
//	source.ComputeFeatures     events -> feature table (package source)
//	Fit                        feature table -> lifetime-value predictions
//	                           (Predict: package clv's models, fitted on the
//	                           table's purchase summaries) -> segment rules,
//	                           which may read them (segments.Evaluate of
//	                           RuleTable) -> clusters (Cluster) -> the clusters
//	                           mapped onto the segments and every customer's
//	                           primary segment settled (Settle), compared
//	                           with a previous run (output.PreviousRun)
//	WriteOutputSet / Run       Fitted -> the manifest's record and the
//	                           report's data -> output.Write: tables,
//	                           report, manifest
//
// Fit and Settle return new values and modify none of their arguments; the
// writers take no decision, so writing one Fitted twice gives the same
// files. A distributed run (the Beam job) computes the feature table, the
// predictions (FitCLV on its sample, CLVFit.Predict for every customer) and
// the clusters on its workers and calls the same Settle and WriteOutputSet.
// Predictions are the same on any number of threads.
//
// Output. Run claims the output (output.Stage) before any heavy work, so a
// run that may not write fails at once; every file is staged and moved
// into place at the end, and on any error nothing is written. The rules of
// what may be replaced are package output's and outdir's.
package pipeline

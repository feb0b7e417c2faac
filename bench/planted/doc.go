// Package planted measures segmint on the planted data sets of package
// synth, where every customer's archetype is known: how well a run
// recovers the archetypes, over other sizes, seeds, k strategies and the
// robustness suite's variants; k-means with and without its refinement;
// the diagonal Gaussian mixture of package mixture against k-means; and
// the planted behaviour of each archetype, as the feature stage reads it.
//
// These are measurements, not tests: they print figures and assert
// nothing (the core module's tests hold the floors: pipeline's
// TestEndToEndPlantedRecovery and TestRobustness). The command planted
// (bench/cmd/planted) runs them; docs/quality.md, docs/choosing-k.md and
// BENCHMARKS.md quote them.
package planted

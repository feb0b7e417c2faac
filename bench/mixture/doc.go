// Package mixture fits a Gaussian mixture with one diagonal covariance
// matrix per component by expectation–maximisation, started from a k-means
// fit of package cluster.
//
// It is a measurement, not part of segmint: the mixture was compared with
// the refined k-means fit on the planted data set and not adopted
// (BENCHMARKS.md, "A diagonal Gaussian mixture, measured and not
// adopted"). The command planted reproduces that comparison:
//
//	cd bench && go run ./cmd/planted mixture
//
// Data are row-major rows×cols matrices of float64, as in package cluster,
// and are never modified. Bad data (NaN, Inf, values beyond cluster.MaxAbs,
// bad weights, fewer rows than components) return errors wrapping package
// cluster's sentinels (cluster.ErrNonFinite, ...); a k-means result that
// does not fit the data returns ErrInit. Misuse (a matrix of the wrong
// length, negative settings) panics with a message prefixed "mixture:".
// A fit is bit-identical on any number of threads.
package mixture

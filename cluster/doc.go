// Package cluster partitions the rows of a numeric matrix with k-means and
// helps choose and trust the partition: it selects the number of clusters,
// measures the stability of each cluster by the bootstrap, and fits the
// column transforms the pipeline applies before clustering.
//
// The package only computes. It reads no files and knows nothing of the
// formats the data came in.
//
// # The muesli/clusters adapter
//
// Go's small clustering libraries (muesli/kmeans and others) exchange
// points as the types of github.com/muesli/clusters. ToObservations,
// FromObservations and Result.ToClusters are the public bridge between
// those types and this package's flat matrices, for callers who hold
// their points in that form or pass the clusters on to code that does.
// They copy in both directions; nothing in segmint's own pipeline uses
// them.
//
// # Data layout and units
//
// A matrix is a flat []float64 of rows×cols values in row-major order:
// row i is data[i*cols : (i+1)*cols]. Distances are Euclidean in the units
// of the data; Result.Distance holds plain distances, Result.Inertia the
// sum of weighted squared distances. Centroids are returned in the same
// layout, K rows of Cols values. Transform.Inverse maps centroids of
// transformed data back to the original units.
//
// # Memory
//
// Functions never modify or retain the caller's data or weights; results
// are newly allocated and never alias an argument. Methods that write
// into a destination take it first, named dst, and panic if its length is
// wrong. A k-means fit allocates its buffers once and reuses them: its
// restarts run side by side (below), each with about 2.5 floats per row
// (label and two bounds) plus K·cols floats per chunk of 512 rows (chunks
// grow so that these partial sums stay under 32 MiB), as many restarts at
// once as fit in 1 GiB, the others after them; with K <= 16 a float32
// copy of the matrix is kept as well. Neither a seeding nor a Lloyd
// iteration allocates.
//
// # Errors, panics and NaN
//
// Misuse of the API, such as len(data) != rows*cols, weights of the wrong
// length, K < 1 or negative settings, panics with a message prefixed
// "cluster:". Problems in the data return an error: a NaN or infinite
// value returns a *DataError naming its row and column and wrapping
// ErrNonFinite; a value so large that a squared distance could overflow
// (see MaxAbs) wraps ErrRange; fewer rows than clusters wraps
// ErrTooFewRows; negative or all-zero weights wrap ErrWeight. Data are
// checked before any work, so NaN never reaches the arithmetic. Result.Predict
// and the validity indices do not check for NaN. A cancelled context
// returns ctx.Err(); it is checked before every Lloyd iteration.
//
// # Algorithm
//
// KMeans seeds each restart by greedy k-means++ (Arthur and Vassilvitskii
// 2007, with the local trials of scikit-learn's _kmeans_plusplus: at each
// step LocalTrials candidates are drawn with probability proportional to
// weight times squared distance to the nearest centroid so far, and the one
// that lowers the potential most is kept). KMeans then runs Lloyd
// iterations accelerated by Hamerly's (2010) bounds, which skip the
// distance computations for rows whose nearest centroid cannot have
// changed. Hamerly's single lower bound per row is kept for every K: with
// K = 10 on overlapping data, Elkan's K bounds per row measured fewer
// distances but cost more in bound upkeep and memory traffic than they
// saved. The restarts are run side by side: each pass over the data (a
// seeding step or a Lloyd iteration) takes a chunk of rows once and
// applies it to every restart still running, so the rows are read from
// memory once per pass, not once per restart; a restart's arithmetic does
// not depend on the others, and one that has converged drops out while
// the others go on. Each cluster's sums are kept up to date from the rows
// that change label. On amd64 processors with AVX2 and FMA, distances are
// measured by vector kernels, and with K <= 16 a row whose bounds fail is
// first measured in float32 against all centroids at once (on the matrix
// centred on its column means); where float32 cannot separate the nearest
// centroid from the next, by a bound on its rounding error, the row is
// measured exactly in float64, so that the labels are those float64 alone
// would give. Float64 distances are summed in the same order whichever
// kernel measures them. A restart stops when no label changes or when
// the total squared centroid shift of an iteration is at most Tol times
// the mean per-column variance of the data, as in scikit-learn. A final assignment pass then gives
// every row its nearest final centroid, so labels, distances and inertia
// are consistent with the returned centroids. A cluster left empty is
// moved onto the row farthest from its centroid. Of NInit restarts, the
// one with the lowest inertia is kept (the first, on a tie).
//
// With Settings.Refine (and no Init), the kept restart is then refined
// by split–remove moves: one centroid is removed and another
// cluster is split in two (along its principal direction, then by
// 2-means on its rows), Lloyd iterations run from the k resulting
// centroids, and the move is kept when it lowers the inertia. Lloyd's
// iterations only move centroids locally, so a restart that ends with two
// centroids in one group of the data and one centroid across two groups
// stays there; with many clusters most restarts do, and more restarts
// find the better optimum only slowly. Every removal is tried, paired
// with the best split of another cluster, in order of the first-order
// estimate of the change in inertia; the first move that lowers the
// inertia is kept, and the refinement ends when none does (or after K
// kept moves). It draws nothing at random. SelectK refines its fits
// (unless SelectSettings.NoRefine); KMeans alone does not by default.
//
// # Determinism
//
// All randomness comes from a PCG generator (math/rand/v2) seeded with
// Settings.Seed; restart seeds are derived from it. Rows are processed in
// fixed chunks whose size depends only on the shape of the problem, each
// chunk's changes to the cluster sums are kept separately, and they are
// folded into the sums in chunk order. The same data, settings and seed therefore give
// bit-identical centroids, labels and inertia on 1, 2 or any number of
// threads. Across processor types (the amd64 vector kernel against the
// portable code) results can differ in the last bits, and so, rarely, in a
// label. Clusters are numbered canonically, by size descending with ties
// broken by the lexicographic order of the centroid coordinates, so that
// outputs diff cleanly.
//
// # Choosing k
//
// SelectK fits every k in [KMin, KMax] and computes, for each fit, the
// inertia, the mean silhouette coefficient (computed exactly on a uniform
// sample of SilhouetteSample rows, using only distances among the sample,
// with O(sample·k) memory), the Calinski–Harabasz index and the
// Davies–Bouldin index. It chooses k by rank sum: each k with k ≥ 2 is
// ranked 1 (best) to n on each index (silhouette and Calinski–Harabasz
// higher is better, Davies–Bouldin lower is better; equal values share the
// better rank, NaN ranks last), the three ranks are added, and the lowest
// sum wins. Ties go to the k nearest the knee of the inertia curve, then to
// the smaller k. The knee is the point of the inertia curve farthest below
// the chord joining its first and last points, with both axes scaled to
// [0, 1] (the maximum of Kneedle's difference curve). k = 1 is chosen only
// when it is the only k tried. Selection.Rule states the outcome in words.
// The indices ignore sample weights.
//
// With SelectSettings.StabilityBoots > 0, SelectK also scans stability: on
// a uniform sample of at most StabilitySample rows it refits every k on
// StabilityBoots bootstrap resamples (Stability, with 3 restarts each) and
// records, per k, the size-weighted mean of the clusters' bootstrap Jaccard
// similarities and the share of rows in dissolved clusters (below
// UnstableJaccard). A k is stable when that mean is at least StableJaccard
// (0.85, Hennig's "highly stable") and at most MaxDissolvedShare (5%) of the
// rows lie in dissolved clusters; Chosen is then the largest stable k (the
// finest partition the data reproduces), or the most stable k when none
// qualifies. The figures are Monte Carlo estimates: a k whose mean is
// within two standard errors of StableJaccard, or whose clusters within two
// standard errors of UnstableJaccard could move the dissolved share across
// MaxDissolvedShare, gets another round of StabilityBoots refits, up to
// four rounds (KStability.Refits, Decided), so that the data rather than
// the draw decides where it can; only ks larger than every k decided
// stable get them, since a smaller one cannot change the choice.
// IndexChoice and IndexRule keep the rank-sum rule's outcome. When the
// scan's sample is smaller than the rows SelectK fits, it fits its own
// references, so the fits of the ks feed only the validity indices: each
// k is then fitted with the scan's 3 restarts (and the refinement), and
// Chosen and IndexChoice again with Base's restarts, the fit they would
// have had. A caller for whom the indices are only reported (the
// stability rule chooses, or k comes from elsewhere) sets IndicesOnScan:
// every k is then fitted once, on the scan's sample with Base's restarts,
// and those fits serve as the scan's references and give the indices, on
// StabilitySample rows instead of FitSample; Chosen, its fit and the
// scan's figures are the same, and only Chosen is fitted on FitSample
// rows and every row.
// The indices reward compact, well-separated partitions and so prefer few
// clusters on behavioural data with a continuum of customers; stability
// asks instead whether a partition is a property of the data or of one
// fit.
//
// # Stability
//
// Stability follows Hennig's fpc::clusterboot: it refits k-means on
// bootstrap resamples and reports, per reference cluster, the mean of the
// largest Jaccard similarity with any bootstrap cluster on the rows drawn.
// Clusters with a mean below UnstableJaccard (0.6) are flagged Unstable.
// AdjustedRand measures the agreement of two whole labelings.
//
// # Transforms
//
// FitTransform with TransformAuto applies log1p to each column that is
// non-negative and has sample skewness above SkewThreshold (2), then
// standardises every column to mean 0 and standard deviation 1 (population
// definition); constant columns get scale 1. Two exceptions keep features
// on one scale: a logged column with zeros is divided by the spread of its
// positive values when that is smaller (zeros would otherwise shrink the
// differences among the rest), and a 0/1 flag is centred and divided by
// FlagScale (1/2), its two states two units apart (a rare flag divided by
// its standard deviation would dominate every distance).
package cluster

// Package kmeansbench times segmint's k-means (cluster.KMeans) against
// scikit-learn's KMeans (Lloyd and Elkan) and github.com/muesli/kmeans on
// the same standardised matrix, with the same k and number of restarts,
// and reports each engine's best time and the inertia of its result.
//
// The matrix is generated deterministically from a seed: a mixture of
// Gaussian blobs of unequal sizes and spreads that overlap, standardised
// to mean 0 and standard deviation 1 per column. scikit-learn runs in a
// python3 child process that reads the matrix from a raw float64 file and
// times fit alone; its BLAS and OpenMP threads are pinned, through
// OMP_NUM_THREADS and OPENBLAS_NUM_THREADS, to the threads segmint is given
// in the same row. Other variables of the environment (OPENBLAS_CORETYPE,
// OPENBLAS_L2_SIZE) are passed through unchanged.
//
// muesli/kmeans takes no seed and stops after a fixed number of
// iterations; it is run once per restart, the restart with the lowest
// inertia is kept, and its inertia is recomputed on the matrix as the sum
// of squared distances from each row to its nearest returned centre.
package kmeansbench

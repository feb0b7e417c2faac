package cluster

import (
	"math"
	"math/rand/v2"
)

// The engine driven one phase at a time, as KMeans drives it (see
// kmeans.go), for the tests and benchmarks of single phases.

// seed chooses the initial centroids of run 0 from rng (see seedRuns).
func (e *engine) seed(rng *rand.Rand) {
	e.runs[0].rng = rng
	e.activate(1)
	e.seedActive()
}

// step runs one Lloyd iteration of every active run, and returns for run
// 0 the number of rows whose label changed, the number of relocated
// clusters and the total squared shift of the centroids. It does not
// allocate.
func (e *engine) step() (changed, relocated int, shiftTot float64) {
	for _, r := range e.act {
		ru := &e.runs[r]
		ru.finishing, ru.done = false, false
		ru.maxIter, ru.tol = math.MaxInt, -1
	}
	e.pass()
	ru := &e.runs[0]
	ru.finishing = false
	return ru.changed, ru.relocated, ru.shiftTot
}

// finish runs the final pass of every active run: it assigns every row to
// its nearest centroid without moving the centroids, sets upper to the
// exact distance of each row to its centroid, and returns the weighted
// inertia of run 0.
func (e *engine) finish() float64 {
	for _, r := range e.act {
		ru := &e.runs[r]
		ru.finishing, ru.done = true, false
	}
	e.pass()
	return e.runs[0].inertia
}

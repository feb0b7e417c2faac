package cluster

import (
	"context"
	"fmt"
	"math"
)

// MiniBatchSettings configures MiniBatch. The zero value of every field
// except K selects the documented default.
type MiniBatchSettings struct {
	// K is the number of clusters. It must be at least 1.
	K int
	// BatchSize is the number of rows drawn, with replacement, per step.
	// Default 1024.
	BatchSize int
	// MaxIter bounds the number of passes over the data: at most
	// ceil(MaxIter·rows/BatchSize) steps are taken. Default 100.
	MaxIter int
	// MaxNoImprovement stops the run after this many consecutive steps
	// without improvement of the smoothed batch inertia. Default 10.
	MaxNoImprovement int
	// NInit is the number of greedy k-means++ seedings tried, each on its
	// own random subset of InitSize rows; the one with the lowest inertia
	// on a common validation subset is kept. Default 3.
	NInit int
	// InitSize is the number of rows in each seeding subset. Default
	// 3·BatchSize, at least 3·K, at most rows.
	InitSize int
	// ReassignmentRatio: a centroid whose accumulated weight falls below
	// this fraction of the largest is moved onto a random row of the
	// current batch. Default 0.01; a negative value disables it.
	ReassignmentRatio float64
	// Seed, Threads, LocalTrials and Weights are as in Settings. Threads
	// is used by the seeding and the final assignment pass.
	Seed        uint64
	Threads     int
	LocalTrials int
	Weights     []float64
}

func (s MiniBatchSettings) withDefaults(rows int) MiniBatchSettings {
	base := Settings{K: s.K, Threads: s.Threads, LocalTrials: s.LocalTrials, NInit: s.NInit, MaxIter: s.MaxIter}.withDefaults()
	s.Threads, s.LocalTrials = base.Threads, base.LocalTrials
	if s.BatchSize < 0 || s.MaxNoImprovement < 0 || s.InitSize < 0 || math.IsNaN(s.ReassignmentRatio) {
		panic(fmt.Sprintf("cluster: invalid mini-batch settings %+v", s))
	}
	if s.BatchSize == 0 {
		s.BatchSize = 1024
	}
	if s.MaxIter == 0 {
		s.MaxIter = 100
	}
	if s.MaxNoImprovement == 0 {
		s.MaxNoImprovement = 10
	}
	if s.NInit == 0 {
		s.NInit = 3
	}
	if s.InitSize == 0 {
		s.InitSize = 3 * s.BatchSize
	}
	s.InitSize = min(rows, max(s.InitSize, 3*s.K))
	if s.ReassignmentRatio == 0 {
		s.ReassignmentRatio = 0.01
	}
	return s
}

// MiniBatch clusters the rows of data by mini-batch k-means (Sculley
// 2010, with scikit-learn's per-centroid learning rates, smoothed-inertia
// early stopping and low-count reassignment), then assigns every row to
// its nearest final centroid in one full pass, so Assign, Distance and
// Inertia describe the whole data set. Results are reproducible from
// s.Seed and independent of s.Threads. Errors and panics are as for
// KMeans.
func MiniBatch(ctx context.Context, data []float64, rows, cols int, s MiniBatchSettings) (*Result, error) {
	if s.K < 1 {
		panic(fmt.Sprintf("cluster: K = %d, want at least 1", s.K))
	}
	if err := validate(data, rows, cols, s.K, s.Weights); err != nil {
		return nil, err
	}
	s = s.withDefaults(rows)
	k := s.K
	rng := newRand(s.Seed ^ 0x6d696e69)
	weight := func(i int) float64 {
		if s.Weights == nil {
			return 1
		}
		return s.Weights[i]
	}

	// Seeding: NInit greedy k-means++ runs on random subsets, judged on a
	// common validation subset.
	m := s.InitSize
	sub := make([]float64, m*cols)
	var subW []float64
	if s.Weights != nil {
		subW = make([]float64, m)
	}
	valid := make([]int, m)
	for i := range valid {
		valid[i] = rng.IntN(rows)
	}
	seeder := newEngine(sub, m, cols, k, subW, s.Threads, s.LocalTrials)
	defer seeder.close()
	cent := make([]float64, k*cols)
	bestValid := math.Inf(1)
	for range s.NInit {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range m {
			r := rng.IntN(rows)
			copy(sub[i*cols:(i+1)*cols], data[r*cols:(r+1)*cols])
			if subW != nil {
				subW[i] = s.Weights[r]
			}
		}
		if subW != nil && checkWeights(subW, m) != nil {
			for i := range subW {
				subW[i] = 1 // all-zero draw: seed unweighted
			}
		}
		seeder.seed(newRand(rng.Uint64()))
		var in float64
		for _, r := range valid {
			x := data[r*cols : (r+1)*cols]
			in += weight(r) * dist2(x, seeder.cent[nearest(x, seeder.cent, k)*cols:])
		}
		if in < bestValid || bestValid == math.Inf(1) {
			bestValid = in
			copy(cent, seeder.cent)
		}
	}

	// Mini-batch steps.
	counts := make([]float64, k)
	sums := make([]float64, k*cols)
	batchW := make([]float64, k)
	batch := make([]int, s.BatchSize)
	steps := int((int64(s.MaxIter)*int64(rows) + int64(s.BatchSize) - 1) / int64(s.BatchSize))
	alpha := min(1, 2*float64(s.BatchSize)/float64(rows+1))
	reassignEvery := max(1, (10*k+s.BatchSize-1)/s.BatchSize)
	var ewa, bestEWA float64
	noImprovement := 0
	converged := false
	step := 0
	for step < steps {
		if step%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		clear(sums)
		clear(batchW)
		var batchInertia, batchTotal float64
		for b := range batch {
			r := rng.IntN(rows)
			batch[b] = r
			x := data[r*cols : (r+1)*cols]
			j := nearest(x, cent, k)
			w := weight(r)
			batchInertia += w * dist2(x, cent[j*cols:])
			batchTotal += w
			sj := sums[j*cols : (j+1)*cols]
			for d, v := range x {
				sj[d] += w * v
			}
			batchW[j] += w
		}
		for j := range k {
			if bw := batchW[j]; bw > 0 {
				c := cent[j*cols : (j+1)*cols]
				sj := sums[j*cols : (j+1)*cols]
				total := counts[j] + bw
				for d := range c {
					c[d] = (c[d]*counts[j] + sj[d]) / total
				}
				counts[j] = total
			}
		}
		if s.ReassignmentRatio > 0 && (step%reassignEvery == 0 || hasZero(counts)) {
			reassignLowCounts(cent, counts, data, cols, batch, s.ReassignmentRatio, rng.IntN)
		}
		step++
		if batchTotal > 0 {
			batchInertia /= batchTotal
		}
		if step == 1 {
			ewa, bestEWA = batchInertia, batchInertia
			continue
		}
		ewa = ewa*(1-alpha) + batchInertia*alpha
		if ewa < bestEWA {
			bestEWA = ewa
			noImprovement = 0
		} else if noImprovement++; noImprovement >= s.MaxNoImprovement {
			converged = true
			break
		}
	}

	// One full, parallel assignment pass.
	e := newEngine(data, rows, cols, k, s.Weights, s.Threads, s.LocalTrials)
	defer e.close()
	copy(e.cent, cent)
	e.reset()
	inertia := e.finish()
	res := &Result{
		K: k, Cols: cols,
		Centroids:  append([]float64(nil), e.cent...),
		Assign:     make([]int, rows),
		Distance:   append([]float64(nil), e.upper...),
		Inertia:    inertia,
		Iterations: step,
		Converged:  converged,
		Seed:       s.Seed,
	}
	for i, a := range e.assign {
		res.Assign[i] = int(a)
	}
	res.canonicalize()
	return res, nil
}

func hasZero(v []float64) bool {
	for _, x := range v {
		if x == 0 {
			return true
		}
	}
	return false
}

// reassignLowCounts moves centroids whose accumulated weight is below
// ratio times the largest onto random rows of the batch (at most half the
// batch), and gives them the smallest weight among the others.
func reassignLowCounts(cent, counts, data []float64, cols int, batch []int, ratio float64, intN func(int) int) {
	var maxC float64
	for _, c := range counts {
		maxC = max(maxC, c)
	}
	limit := ratio * maxC
	minKept := math.Inf(1)
	low := 0
	for _, c := range counts {
		if c < limit {
			low++
		} else {
			minKept = min(minKept, c)
		}
	}
	if low == 0 || math.IsInf(minKept, 1) {
		return
	}
	budget := len(batch) / 2
	for j, c := range counts {
		if c >= limit || budget == 0 {
			continue
		}
		budget--
		r := batch[intN(len(batch))]
		copy(cent[j*cols:(j+1)*cols], data[r*cols:(r+1)*cols])
		counts[j] = minKept
	}
}

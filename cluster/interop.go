package cluster

import (
	"fmt"

	"github.com/muesli/clusters"
)

// ToObservations copies the rows of the row-major rows×cols matrix data
// into observations of the github.com/muesli/clusters package. It panics if
// len(data) != rows*cols.
func ToObservations(data []float64, rows, cols int) clusters.Observations {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("cluster: len(data) = %d, want rows*cols = %d×%d", len(data), rows, cols))
	}
	obs := make(clusters.Observations, rows)
	for i := range rows {
		obs[i] = clusters.Coordinates(append([]float64(nil), data[i*cols:(i+1)*cols]...))
	}
	return obs
}

// FromObservations copies observations into a new row-major matrix. It
// returns an error if obs is empty, an observation is nil, or the
// observations do not all have the same number of coordinates.
func FromObservations(obs clusters.Observations) (data []float64, rows, cols int, err error) {
	if len(obs) == 0 {
		return nil, 0, 0, fmt.Errorf("cluster: no observations")
	}
	if obs[0] == nil {
		return nil, 0, 0, fmt.Errorf("cluster: observation 0 is nil")
	}
	cols = len(obs[0].Coordinates())
	data = make([]float64, 0, len(obs)*cols)
	for i, o := range obs {
		if o == nil {
			return nil, 0, 0, fmt.Errorf("cluster: observation %d is nil", i)
		}
		c := o.Coordinates()
		if len(c) != cols {
			return nil, 0, 0, fmt.Errorf("cluster: observation %d has %d coordinates, want %d", i, len(c), cols)
		}
		data = append(data, c...)
	}
	return data, len(obs), cols, nil
}

// ToClusters returns r as clusters of the github.com/muesli/clusters
// package: one per centroid, in canonical order, each holding copies of
// its rows of data, the matrix r was fitted on. It panics if data does not
// have len(r.Assign) rows of r.Cols.
func (r *Result) ToClusters(data []float64) clusters.Clusters {
	cols := r.Cols
	if len(data) != len(r.Assign)*cols {
		panic(fmt.Sprintf("cluster: len(data) = %d, want %d rows × %d", len(data), len(r.Assign), cols))
	}
	out := make(clusters.Clusters, r.K)
	for j := range out {
		out[j].Center = clusters.Coordinates(append([]float64(nil), r.Centroid(j)...))
		if j < len(r.Sizes) {
			out[j].Observations = make(clusters.Observations, 0, r.Sizes[j])
		}
	}
	for i, a := range r.Assign {
		out[a].Observations = append(out[a].Observations,
			clusters.Coordinates(append([]float64(nil), data[i*cols:(i+1)*cols]...)))
	}
	return out
}

package output

import (
	"fmt"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/source"
)

// ClusterFileManifest is manifest.json of "segmint cluster".
type ClusterFileManifest struct {
	SchemaVersion string             `json:"schema_version"`
	Version       string             `json:"version"`
	Input         string             `json:"input"`
	Rows          int                `json:"rows"`
	Columns       []string           `json:"columns"`
	Transform     string             `json:"transform"`
	LogColumns    []string           `json:"log_transformed"`
	K             int                `json:"k"`
	NInit         int                `json:"n_init"`
	Seed          uint64             `json:"seed"`
	Inertia       float64            `json:"inertia"`
	Iterations    int                `json:"iterations"`
	Converged     bool               `json:"converged"`
	Sizes         []int              `json:"sizes"`
	KSelection    *KSelection        `json:"k_selection,omitempty"`
	Stability     *Stability         `json:"stability,omitempty"`
	Filled        map[string]int     `json:"nulls_filled"`
	Timings       map[string]float64 `json:"timings_seconds"`
	// Files lists the output's other files (a later --force replaces
	// these and nothing else).
	Files []string `json:"files"`
}

// ClusterFileTables are the tables `segmint cluster` writes beside its
// manifest: assignments.parquet (the id, cluster and distance of every
// row) and centroids.parquet (one row per cluster: its size and its
// centroid in the input's units).
type ClusterFileTables struct {
	// Input is the feature table clustered; its id column is written
	// under the name IDName.
	Input  *source.FeatureTable
	IDName string
	Result *cluster.Result
	// Centroids are Result's centroids in the input's units, row-major:
	// Result.K rows of len(Input.Columns).
	Centroids []float64
}

// WriteClusterFile writes the tables of t and m as manifest.json into s
// (flat layout); the caller commits s. m must hold the seed and k; its
// Files are filled in.
func WriteClusterFile(s *Staging, m *ClusterFileManifest, t *ClusterFileTables) error {
	meta := map[string]string{"segmint.schema_version": SchemaVersion, "segmint.seed": fmt.Sprint(m.Seed), "segmint.k": fmt.Sprint(m.K)}
	res, in := t.Result, t.Input
	assign := make([]int32, len(res.Assign))
	for i, c := range res.Assign {
		assign[i] = int32(c)
	}
	id := Column{Name: t.IDName, Int64: in.IDs}
	if in.Binary {
		id = Column{Name: t.IDName, Binary: in.Keys}
	} else if in.Keys != nil {
		id = Column{Name: t.IDName, String: in.Keys}
	}
	if err := writeFile(s, "assignments", []Column{id, {Name: "cluster", Int32: assign}, {Name: "distance", Float64: res.Distance}}, meta); err != nil {
		return err
	}
	cols := len(in.Columns)
	centroids := []Column{{Name: "cluster", Int32: make([]int32, res.K)}, {Name: "size", Int64: make([]int64, res.K)}}
	for c := range res.K {
		centroids[0].Int32[c] = int32(c)
		centroids[1].Int64[c] = int64(res.Sizes[c])
	}
	for j, name := range in.Columns {
		col := make([]float64, res.K)
		for c := range col {
			col[c] = t.Centroids[c*cols+j]
		}
		centroids = append(centroids, Column{Name: name, Float64: col})
	}
	if err := writeFile(s, "centroids", centroids, meta); err != nil {
		return err
	}
	var err error
	if m.Files, err = s.Files(); err != nil {
		return err
	}
	path, err := s.File("manifest.json")
	if err != nil {
		return err
	}
	return WriteJSON(path, m)
}

// writeFile writes the table name into s.
func writeFile(s *Staging, name string, cols []Column, meta map[string]string) error {
	path, err := s.Table(name)
	if err != nil {
		return err
	}
	return writeTable(path, cols, meta, withArrowSchema)
}

package output

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/segments"
)

// The output tables. Their columns are documented in docs/outputs.md,
// which a test compares with the files.
const (
	TableCustomers   = "customers"
	TableClusters    = "clusters"
	TableMemberships = "memberships"
	TableSegments    = "segments"
	TableKSelection  = "k_selection"
	TableMovement    = "movement"
)

// NewRunID returns a run identifier: the UTC start time and 6 random bytes.
func NewRunID() string {
	var b [6]byte
	rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// outputMeta is the key-value metadata of every output file: the schema
// version and the run's identity and parameters.
func outputMeta(m *Manifest) map[string]string {
	params, _ := json.Marshal(m.Parameters)
	return map[string]string{
		"segmint.schema_version": SchemaVersion,
		"segmint.run_id":         m.RunID,
		"segmint.version":        m.Version,
		"segmint.as_of":          m.AsOf.Format(time.RFC3339),
		"segmint.seed":           fmt.Sprint(m.Parameters.Seed),
		"segmint.k":              fmt.Sprint(m.K),
		"segmint.parameters":     string(params),
	}
}

// runColumns are the run_id and as_of columns every table ends with.
func runColumns(m *Manifest, n int) []Column {
	ids := make([]string, n)
	asOf := make([]int64, n)
	for i := range ids {
		ids[i] = m.RunID
		asOf[i] = m.AsOf.UnixMicro()
	}
	return []Column{{Name: "run_id", String: ids}, {Name: "as_of", Timestamp: asOf}}
}

// Tables is what the tables of a run are written from
// (docs/outputs.md). The writer takes no decision: every value is the
// fitting stage's.
type Tables struct {
	// Features is the feature table of every customer, rows in ascending
	// id order.
	Features *features.Table
	// Result is the clustering of Features' customers: Assign, Distance
	// and K are written.
	Result *cluster.Result
	// Stability is the bootstrap stability of the clusters (nil without).
	Stability *cluster.StabilityResult
	// Selection is the choice of k (nil when k was given).
	Selection   *cluster.Selection
	Memberships *segments.Memberships
	Mapping     *segments.Mapping
	// Predictions are the prediction columns of the customers table.
	Predictions []Column
	// Movement, with a previous run, is written as the movement table.
	Movement *Movement
}

// writeTables writes every table of t into s and records the rows of each
// in m.Outputs. m holds the run's identity and its segments (Segments).
func writeTables(s *Staging, m *Manifest, t *Tables) error {
	meta := outputMeta(m)
	for _, w := range []func(*Staging, *Manifest, *Tables, map[string]string) error{writeCustomers, writeClusters, writeMemberships, writeSegments, writeKSelection, writeMovement} {
		if err := w(s, m, t, meta); err != nil {
			return err
		}
	}
	return nil
}

// writeRows writes the table name into s and records its rows in m.
func writeRows(s *Staging, m *Manifest, name string, cols []Column, meta map[string]string, schema arrowSchema) error {
	path, err := s.Table(name)
	if err != nil {
		return err
	}
	if err := writeTable(path, cols, meta, schema); err != nil {
		return err
	}
	m.Outputs[name] = int64(cols[0].len())
	return nil
}

// writeCustomers writes the customers table: the features, the cluster,
// the segments and the predictions of every customer.
func writeCustomers(s *Staging, m *Manifest, t *Tables, meta map[string]string) error {
	ft, res, mem, mp := t.Features, t.Result, t.Memberships, t.Mapping
	n := len(ft.Customers)
	cols := featureColumns(ft)
	clusterCol := make([]int32, n)
	segCol := make([]string, n)
	labelCol := make([]string, n)
	primary := make([]string, n)
	basis := make([]string, n)
	stageCol := make([]string, n)
	for i, c := range res.Assign {
		clusterCol[i] = int32(c)
		segCol[i] = mp.Clusters[c].Segment
		labelCol[i] = mp.Clusters[c].Label
		primary[i], basis[i] = mem.PrimaryID(i), mem.BasisName(i)
		stageCol[i] = mem.StageName(i)
	}
	cols = append(cols,
		Column{Name: "cluster", Int32: clusterCol},
		Column{Name: "distance", Float64: res.Distance},
		Column{Name: "segment", String: segCol, NullEmpty: true},
		Column{Name: "cluster_label", String: labelCol},
		Column{Name: "primary_segment", String: primary},
		Column{Name: "primary_basis", String: basis},
		Column{Name: "lifecycle_stage", String: stageCol},
	)
	cols = append(cols, t.Predictions...)
	cols = append(cols, runColumns(m, n)...)
	return writeRows(s, m, TableCustomers, cols, meta, withArrowSchema)
}

// writeClusters writes the clusters table: one row per cluster, its
// mapping onto the segments, its stability and the mean of every feature.
func writeClusters(s *Staging, m *Manifest, t *Tables, meta map[string]string) error {
	ft, res, mp := t.Features, t.Result, t.Mapping
	k := res.K
	ids := make([]int32, k)
	size := make([]int64, k)
	share := make([]float64, k)
	seg := make([]string, k)
	label := make([]string, k)
	conf := make([]float64, k)
	lift := make([]float64, k)
	f1 := make([]float64, k)
	jac := make([]float64, k)
	jacSE := make([]float64, k)
	unstable := make([]bool, k)
	isNew := make([]bool, k)
	desc := make([]string, k)
	subGroup := make([]int32, k)
	named := make([]string, k)
	labelShare := make([]float64, k)
	for c, cm := range mp.Clusters {
		isNew[c], desc[c], subGroup[c] = cm.New, cm.Description, int32(cm.SubGroup)
		named[c], labelShare[c] = strings.Join(cm.Named, ","), math.NaN()
		if !cm.New {
			labelShare[c] = cm.LabelShare
		}
		ids[c], size[c], share[c], seg[c], label[c], conf[c] = int32(c), int64(cm.Size), cm.Share, cm.Segment, cm.Label, cm.Confidence
		lift[c], f1[c], jac[c], jacSE[c] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if cm.Best != nil {
			lift[c], f1[c] = cm.Best.Lift, cm.Best.F1
		}
		if t.Stability != nil {
			jac[c], jacSE[c], unstable[c] = t.Stability.Jaccard[c], t.Stability.JaccardSE[c], t.Stability.Unstable[c]
		}
	}
	cols := []Column{{Name: "cluster", Int32: ids}, {Name: "size", Int64: size}, {Name: "share", Float64: share}, {Name: "segment", String: seg, NullEmpty: true}, {Name: "label", String: label}, {Name: "confidence", Float64: conf}, {Name: "lift", Float64: lift}, {Name: "f1", Float64: f1}, {Name: "stability_jaccard", Float64: jac}, {Name: "stability_jaccard_se", Float64: jacSE}, {Name: "unstable", Bool: unstable}, {Name: "new", Bool: isNew}, {Name: "description", String: desc}, {Name: "sub_group", Int32: subGroup}, {Name: "label_segments", String: named, NullEmpty: true}, {Name: "label_share", Float64: labelShare}}
	if t.Movement != nil {
		prevCol := make([]int32, k)
		for c, p := range t.Movement.Report.ClusterMatch {
			prevCol[c] = int32(p)
		}
		cols = append(cols, Column{Name: "previous_cluster", Int32: prevCol})
	}
	for j, f := range ft.Features {
		means := make([]float64, k)
		cnt := make([]float64, k)
		for i, v := range ft.Columns[j] {
			if !math.IsNaN(v) {
				means[res.Assign[i]] += v
				cnt[res.Assign[i]]++
			}
		}
		for c := range means {
			means[c] /= cnt[c] // NaN (null) when no member has the feature
		}
		cols = append(cols, Column{Name: "mean_" + f.Name, Float64: means})
	}
	cols = append(cols, runColumns(m, k)...)
	return writeRows(s, m, TableClusters, cols, meta, withArrowSchema)
}

// writeMemberships writes the memberships table, the long form of the
// customers' segment memberships: one row per customer and segment whose
// rule the customer meets, customers in row order, segments in catalogue
// order.
func writeMemberships(s *Staging, m *Manifest, t *Tables, meta map[string]string) error {
	mem := t.Memberships
	var rows []int
	var seg []string
	for i := range t.Features.Customers {
		for sg, sd := range mem.Catalogue.Segments {
			if mem.Member[sg][i] {
				rows = append(rows, i)
				seg = append(seg, sd.ID)
			}
		}
	}
	cols := []Column{customerIDsOf(t.Features, rows), {Name: "segment", String: seg}}
	cols = append(cols, runColumns(m, len(rows))...)
	return writeRows(s, m, TableMemberships, cols, meta, withoutArrowSchema)
}

// writeSegments writes the segments table: one row per catalogue segment
// (m.Segments).
func writeSegments(s *Staging, m *Manifest, t *Tables, meta map[string]string) error {
	n := len(m.Segments)
	id, name, reason, clusters := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	evaluated := make([]bool, n)
	members, primary := make([]int64, n), make([]int64, n)
	revenue := make([]float64, n)
	spend := t.Features.Column("total_spend") != nil
	for r, ss := range m.Segments {
		id[r], name[r], reason[r], evaluated[r] = ss.ID, ss.Name, ss.Reason, ss.Evaluated
		members[r], primary[r] = int64(ss.Members), int64(ss.Primary)
		revenue[r] = math.NaN()
		if ss.Evaluated && spend {
			revenue[r] = finite(ss.Revenue)
		}
		var cl []string
		for _, c := range ss.Clusters {
			cl = append(cl, fmt.Sprint(c))
		}
		clusters[r] = strings.Join(cl, ",")
	}
	cols := []Column{{Name: "segment", String: id}, {Name: "name", String: name}, {Name: "evaluated", Bool: evaluated}, {Name: "reason", String: reason, NullEmpty: true}, {Name: "members", Int64: members}, {Name: "primary_members", Int64: primary}, {Name: "revenue", Float64: revenue}, {Name: "clusters", String: clusters}}
	cols = append(cols, runColumns(m, n)...)
	return writeRows(s, m, TableSegments, cols, meta, withoutArrowSchema)
}

// writeKSelection writes the k_selection table: one row per k tried (none
// when k was given).
func writeKSelection(s *Staging, m *Manifest, t *Tables, meta map[string]string) error {
	sel := t.Selection
	var n int
	if sel != nil {
		n = len(sel.Ks)
	}
	k := make([]int32, n)
	inertia, silhouette, ch, db := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	jaccard, jaccardSE, dissolved := make([]float64, n), make([]float64, n), make([]float64, n)
	refits := make([]int32, n)
	chosen, stable, stableValid, stabilityChosen, used := make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
	for i := range n {
		kk := sel.Ks[i]
		k[i], inertia[i] = int32(kk), sel.Inertia[i]
		silhouette[i], ch[i], db[i] = finite(sel.Silhouette[i]), finite(sel.CalinskiHarabasz[i]), finite(sel.DaviesBouldin[i])
		chosen[i], used[i] = kk == sel.IndexChoice, kk == t.Result.K
		jaccard[i], jaccardSE[i], dissolved[i] = math.NaN(), math.NaN(), math.NaN()
		if sel.Stability != nil {
			st := sel.Stability[i]
			jaccard[i], jaccardSE[i], dissolved[i] = finite(st.MeanJaccard), finite(st.MeanJaccardSE), finite(st.DissolvedShare)
			refits[i] = int32(st.Refits)
			stable[i], stableValid[i] = st.Stable, !math.IsNaN(jaccard[i])
			stabilityChosen[i] = kk == sel.Chosen
		}
	}
	cols := []Column{{Name: "k", Int32: k}, {Name: "inertia", Float64: inertia, Required: true}, {Name: "silhouette", Float64: silhouette}, {Name: "calinski_harabasz", Float64: ch}, {Name: "davies_bouldin", Float64: db}, {Name: "chosen", Bool: chosen}, {Name: "stability_jaccard", Float64: jaccard}, {Name: "stability_jaccard_se", Float64: jaccardSE}, {Name: "stability_refits", Int32: refits}, {Name: "dissolved_share", Float64: dissolved}, {Name: "stable", Bool: stable, Valid: stableValid}, {Name: "stability_chosen", Bool: stabilityChosen}, {Name: "used", Bool: used}}
	cols = append(cols, runColumns(m, n)...)
	return writeRows(s, m, TableKSelection, cols, meta, withoutArrowSchema)
}

// writeMovement writes the movement table, with a previous run.
func writeMovement(s *Staging, m *Manifest, t *Tables, meta map[string]string) error {
	mv := t.Movement
	if mv == nil {
		return nil
	}
	cols := []Column{mv.ids, {Name: "segment_before", String: mv.before, NullEmpty: true}, {Name: "segment_after", String: mv.after, NullEmpty: true}}
	cols = append(cols, runColumns(m, len(mv.before))...)
	return writeRows(s, m, TableMovement, cols, meta, withoutArrowSchema)
}

// finite returns x, or NaN (written as null) when x is infinite.
func finite(x float64) float64 {
	if math.IsInf(x, 0) {
		return math.NaN()
	}
	return x
}

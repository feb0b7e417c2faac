package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/report"
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

// newRunID returns a run identifier: the UTC start time and 6 random bytes.
func newRunID() string {
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

// writeParquetRows writes typed rows with parquet-go (zstd), for the tables
// with a fixed schema.
func writeParquetRows[T any](path string, rows []T, meta map[string]string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
	for k, v := range meta {
		opts = append(opts, parquet.KeyValueMetadata(k, v))
	}
	w := parquet.NewGenericWriter[T](f, opts...)
	for lo := 0; lo < len(rows); lo += 8192 {
		if _, err := w.Write(rows[lo:min(lo+8192, len(rows))]); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return syncFile{f}.Close()
}

// MembershipRowOf is one row of memberships.parquet, with customer ids of
// type ID: int64, string or []byte, as in the input.
type MembershipRowOf[ID customerID] struct {
	CustomerID ID        `parquet:"customer_id"`
	Segment    string    `parquet:"segment"`
	RunID      string    `parquet:"run_id"`
	AsOf       time.Time `parquet:"as_of,timestamp(microsecond)"`
}

// MembershipRow is a row of memberships.parquet with integer customer ids.
type MembershipRow = MembershipRowOf[int64]

// customerID are the Go types of the customer_id column of the outputs.
type customerID interface{ int64 | string | []byte }

// bytesIDs returns binary ids as the []byte values parquet-go writes.
func bytesIDs(ids []string) [][]byte {
	out := make([][]byte, len(ids))
	for i, s := range ids {
		out[i] = []byte(s)
	}
	return out
}

// writeMemberships writes memberships.parquet, the long form of the
// segment memberships of the customers ids, and returns its rows.
func writeMemberships[ID customerID](path string, ids []ID, mem *segments.Memberships, m *Manifest, meta map[string]string) (int, error) {
	var rows []MembershipRowOf[ID]
	for i, id := range ids {
		for s, sg := range mem.Catalogue.Segments {
			if mem.Member[s][i] {
				rows = append(rows, MembershipRowOf[ID]{CustomerID: id, Segment: sg.ID, RunID: m.RunID, AsOf: m.AsOf})
			}
		}
	}
	return len(rows), writeParquetRows(path, rows, meta)
}

// SegmentRow is one row of segments.parquet.
type SegmentRow struct {
	Segment        string    `parquet:"segment"`
	Name           string    `parquet:"name"`
	Evaluated      bool      `parquet:"evaluated"`
	Reason         *string   `parquet:"reason,optional"`
	Members        int64     `parquet:"members"`
	PrimaryMembers int64     `parquet:"primary_members"`
	Revenue        *float64  `parquet:"revenue,optional"`
	Clusters       string    `parquet:"clusters"`
	RunID          string    `parquet:"run_id"`
	AsOf           time.Time `parquet:"as_of,timestamp(microsecond)"`
}

// KSelectionRow is one row of k_selection.parquet.
type KSelectionRow struct {
	K                int32     `parquet:"k"`
	Inertia          float64   `parquet:"inertia"`
	Silhouette       *float64  `parquet:"silhouette,optional"`
	CalinskiHarabasz *float64  `parquet:"calinski_harabasz,optional"`
	DaviesBouldin    *float64  `parquet:"davies_bouldin,optional"`
	Chosen           bool      `parquet:"chosen"`
	StabilityJaccard *float64  `parquet:"stability_jaccard,optional"`
	DissolvedShare   *float64  `parquet:"dissolved_share,optional"`
	Stable           *bool     `parquet:"stable,optional"`
	StabilityChosen  bool      `parquet:"stability_chosen"`
	Used             bool      `parquet:"used"`
	RunID            string    `parquet:"run_id"`
	AsOf             time.Time `parquet:"as_of,timestamp(microsecond)"`
}

func optFloat(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func writeOutputs(stage *staging, m *Manifest, t *features.Table, pred *Predictions, cs *ClusterStage, mem *segments.Memberships, mp *segments.Mapping, mv *report.Movement, mvRows movementRows) error {
	meta := outputMeta(m)
	n := len(t.Customers)
	asOf := m.AsOf

	// customers
	cols := featureColumns(t)
	clusterCol := make([]int32, n)
	segCol := make([]string, n)
	labelCol := make([]string, n)
	primary := make([]string, n)
	basis := make([]string, n)
	stageCol := make([]string, n)
	for i, c := range cs.Result.Assign {
		clusterCol[i] = int32(c)
		segCol[i] = mp.Clusters[c].Segment
		labelCol[i] = mp.Clusters[c].Label
		primary[i], basis[i] = mem.PrimaryID(i), mem.BasisName(i)
		stageCol[i] = mem.StageName(i)
	}
	cols = append(cols,
		Column{Name: "cluster", Int32: clusterCol},
		Column{Name: "distance", Float64: cs.Result.Distance},
		Column{Name: "segment", String: segCol, NullEmpty: true},
		Column{Name: "cluster_label", String: labelCol},
		Column{Name: "primary_segment", String: primary},
		Column{Name: "primary_basis", String: basis},
		Column{Name: "lifecycle_stage", String: stageCol},
	)
	cols = append(cols, predictionTableColumns(pred, t.AsOf)...)
	cols = append(cols, runColumns(m, n)...)
	path, err := stage.table(TableCustomers)
	if err != nil {
		return err
	}
	if err := writeTable(path, cols, meta); err != nil {
		return err
	}
	m.Outputs[TableCustomers] = int64(n)

	// clusters
	k := cs.Result.K
	ids := make([]int32, k)
	size := make([]int64, k)
	share := make([]float64, k)
	seg := make([]string, k)
	label := make([]string, k)
	conf := make([]float64, k)
	lift := make([]float64, k)
	f1 := make([]float64, k)
	jac := make([]float64, k)
	unstable := make([]bool, k)
	isNew := make([]bool, k)
	desc := make([]string, k)
	subGroup := make([]int32, k)
	for c, cm := range mp.Clusters {
		isNew[c], desc[c], subGroup[c] = cm.New, cm.Description, int32(cm.SubGroup)
		ids[c], size[c], share[c], seg[c], label[c], conf[c] = int32(c), int64(cm.Size), cm.Share, cm.Segment, cm.Label, cm.Confidence
		lift[c], f1[c], jac[c] = math.NaN(), math.NaN(), math.NaN()
		if cm.Best != nil {
			lift[c], f1[c] = cm.Best.Lift, cm.Best.F1
		}
		if cs.Stability != nil {
			jac[c], unstable[c] = cs.Stability.Jaccard[c], cs.Stability.Unstable[c]
		}
	}
	ccols := []Column{{Name: "cluster", Int32: ids}, {Name: "size", Int64: size}, {Name: "share", Float64: share}, {Name: "segment", String: seg, NullEmpty: true}, {Name: "label", String: label}, {Name: "confidence", Float64: conf}, {Name: "lift", Float64: lift}, {Name: "f1", Float64: f1}, {Name: "stability_jaccard", Float64: jac}, {Name: "unstable", Bool: unstable}, {Name: "new", Bool: isNew}, {Name: "description", String: desc}, {Name: "sub_group", Int32: subGroup}}
	if mv != nil {
		prevCol := make([]int32, k)
		for c, p := range mv.ClusterMatch {
			prevCol[c] = int32(p)
		}
		ccols = append(ccols, Column{Name: "previous_cluster", Int32: prevCol})
	}
	for j, f := range t.Features {
		means := make([]float64, k)
		cnt := make([]float64, k)
		for i, v := range t.Columns[j] {
			if !math.IsNaN(v) {
				means[cs.Result.Assign[i]] += v
				cnt[cs.Result.Assign[i]]++
			}
		}
		for c := range means {
			means[c] /= cnt[c] // NaN (null) when no member has the feature
		}
		ccols = append(ccols, Column{Name: "mean_" + f.Name, Float64: means})
	}
	ccols = append(ccols, runColumns(m, k)...)
	if path, err = stage.table(TableClusters); err != nil {
		return err
	}
	if err := writeTable(path, ccols, meta); err != nil {
		return err
	}
	m.Outputs[TableClusters] = int64(k)

	// memberships (long form)
	if path, err = stage.table(TableMemberships); err != nil {
		return err
	}
	var nm int
	switch t.IDKind {
	case features.IDString:
		nm, err = writeMemberships(path, t.IDs, mem, m, meta)
	case features.IDBinary:
		nm, err = writeMemberships(path, bytesIDs(t.IDs), mem, m, meta)
	default:
		nm, err = writeMemberships(path, t.Customers, mem, m, meta)
	}
	if err != nil {
		return err
	}
	m.Outputs[TableMemberships] = int64(nm)

	// segments
	var srows []SegmentRow
	for _, ss := range m.Segments {
		r := SegmentRow{Segment: ss.ID, Name: ss.Name, Evaluated: ss.Evaluated, Members: int64(ss.Members), PrimaryMembers: int64(ss.Primary), RunID: m.RunID, AsOf: asOf}
		if ss.Reason != "" {
			reason := ss.Reason
			r.Reason = &reason
		}
		if ss.Evaluated && t.Column("total_spend") != nil {
			r.Revenue = optFloat(ss.Revenue)
		}
		var cl []string
		for _, c := range ss.Clusters {
			cl = append(cl, fmt.Sprint(c))
		}
		r.Clusters = strings.Join(cl, ",")
		srows = append(srows, r)
	}
	if path, err = stage.table(TableSegments); err != nil {
		return err
	}
	if err := writeParquetRows(path, srows, meta); err != nil {
		return err
	}
	m.Outputs[TableSegments] = int64(len(srows))

	// k_selection
	var krows []KSelectionRow
	if s := cs.Selection; s != nil {
		for i, kk := range s.Ks {
			row := KSelectionRow{K: int32(kk), Inertia: s.Inertia[i], Silhouette: optFloat(s.Silhouette[i]), CalinskiHarabasz: optFloat(s.CalinskiHarabasz[i]), DaviesBouldin: optFloat(s.DaviesBouldin[i]), Chosen: kk == s.IndexChoice, Used: kk == cs.Result.K, RunID: m.RunID, AsOf: asOf}
			if s.Stability != nil {
				st := s.Stability[i]
				row.StabilityJaccard, row.DissolvedShare = optFloat(st.MeanJaccard), optFloat(st.DissolvedShare)
				if row.StabilityJaccard != nil {
					stable := st.Stable
					row.Stable = &stable
				}
				row.StabilityChosen = kk == s.Chosen
			}
			krows = append(krows, row)
		}
	}
	if path, err = stage.table(TableKSelection); err != nil {
		return err
	}
	if err := writeParquetRows(path, krows, meta); err != nil {
		return err
	}
	m.Outputs[TableKSelection] = int64(len(krows))

	// movement
	if mvRows != nil {
		if path, err = stage.table(TableMovement); err != nil {
			return err
		}
		n, err := mvRows.write(path, m, meta)
		if err != nil {
			return err
		}
		m.Outputs[TableMovement] = int64(n)
	}
	return nil
}

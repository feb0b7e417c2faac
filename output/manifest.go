package output

import (
	"encoding/json"
	"os"
	"time"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// SchemaVersion is the version of the output contract, written into every
// output file's key-value metadata and the manifest.
const SchemaVersion = "1"

// Manifest records what a run read, how it was configured and what it
// wrote; it is written as manifest.json.
type Manifest struct {
	RunID         string                `json:"run_id"`
	SchemaVersion string                `json:"schema_version"`
	Tool          string                `json:"tool"`
	Version       string                `json:"version"`
	GoVersion     string                `json:"go_version"`
	Started       time.Time             `json:"started"`
	Finished      time.Time             `json:"finished"`
	Input         *source.FeatureReport `json:"input"`
	InputLabel    string                `json:"input_label,omitempty"`
	AsOf          time.Time             `json:"as_of"`
	WindowStart   time.Time             `json:"window_start"`
	Parameters    ManifestParams        `json:"parameters"`
	Features      ManifestFeatures      `json:"features"`
	K             int                   `json:"k"`
	Strategy      string                `json:"k_strategy"`
	Seeds         []string              `json:"seed_groups,omitempty"`
	Inertia       float64               `json:"inertia"`
	Iterations    int                   `json:"iterations"`
	KSelection    *KSelection           `json:"k_selection,omitempty"`
	Stability     *Stability            `json:"stability,omitempty"`
	Mapping       *segments.Mapping     `json:"mapping"`
	Segments      []SegmentSummary      `json:"segments"`
	CLV           *ManifestCLV          `json:"clv"`
	// Reconciled counts the customers who meet several rules and whose
	// primary segment is not the first of them in catalogue order
	// (segments.Memberships.Settle); FromProfile counts the customers
	// who meet no rule and take the segment whose profile they are nearest.
	Reconciled  int              `json:"primary_reconciled"`
	FromProfile int              `json:"primary_from_profile"`
	Movement    *MovementSummary `json:"movement,omitempty"`
	Outputs     map[string]int64 `json:"outputs"` // file -> rows
	// Files lists every file of the output's run directory but the
	// manifest itself (a flat --out; a hive run's _runs partition),
	// relative to it: a later --force replaces these and nothing else.
	Files   []string           `json:"files"`
	Timings map[string]float64 `json:"timings_seconds"`
}

// MovementSummary is the manifest's account of movement since a previous run.
type MovementSummary struct {
	PreviousRun  string `json:"previous_run"`
	Stayed       int64  `json:"stayed"`
	Moved        int64  `json:"moved"`
	New          int64  `json:"new"`
	Gone         int64  `json:"gone"`
	ClusterMatch []int  `json:"cluster_match"` // previous cluster of each cluster, -1 for none
}

// ManifestParams are the run's parameters.
type ManifestParams struct {
	K              int    `json:"k"`
	KMin           int    `json:"k_min"`
	KMax           int    `json:"k_max"`
	NInit          int    `json:"n_init"`
	Seed           uint64 `json:"seed"`
	StabilityBoots int    `json:"stability_boots"`
	Transform      string `json:"transform"`
	Workers        int    `json:"workers"`
}

// ManifestFeatures says which features were computed, clustered and left out.
type ManifestFeatures struct {
	Computed  []string           `json:"computed"`
	Clustered []string           `json:"clustered"`
	Absent    []features.Absence `json:"absent"`
	Excluded  []features.Absence `json:"excluded_from_clustering"`
	Log       []string           `json:"log_transformed"`
}

// KSelection holds the curves of the k choice.
type KSelection struct {
	Ks               []int     `json:"ks"`
	Inertia          []float64 `json:"inertia"`
	Silhouette       []float64 `json:"silhouette"`
	CalinskiHarabasz []float64 `json:"calinski_harabasz"`
	DaviesBouldin    []float64 `json:"davies_bouldin"`
	Knee             int       `json:"knee"`
	Chosen           int       `json:"chosen"`
	Rule             string    `json:"rule"`
	SilhouetteSample int       `json:"silhouette_sample"`
	// The stability scan (absent without it): per k the size-weighted mean
	// bootstrap Jaccard and the share of customers in dissolved clusters;
	// the k the stability rule chooses and why.
	StabilityJaccard []float64 `json:"stability_jaccard,omitempty"`
	DissolvedShare   []float64 `json:"dissolved_share,omitempty"`
	StabilityChosen  int       `json:"stability_chosen,omitempty"`
	StabilityRule    string    `json:"stability_rule,omitempty"`
	StabilityBoots   int       `json:"stability_boots,omitempty"`
	StabilitySample  int       `json:"stability_sample,omitempty"`
	// StabilityRangeLimited: the stability rule chose the largest k tried.
	StabilityRangeLimited bool `json:"stability_range_limited,omitempty"`
}

// NewKSelection is the manifest's record of a k selection.
func NewKSelection(s *cluster.Selection) *KSelection {
	k := &KSelection{Ks: s.Ks, Inertia: s.Inertia, Silhouette: s.Silhouette, CalinskiHarabasz: s.CalinskiHarabasz, DaviesBouldin: s.DaviesBouldin, Knee: s.Knee, Chosen: s.IndexChoice, Rule: s.IndexRule, SilhouetteSample: s.SilhouetteSample}
	if s.Stability != nil {
		k.StabilityChosen, k.StabilityRule, k.StabilityBoots, k.StabilitySample = s.Chosen, s.Rule, s.StabilityBoots, s.StabilitySample
		k.StabilityRangeLimited = s.RangeLimited
		for _, st := range s.Stability {
			k.StabilityJaccard = append(k.StabilityJaccard, st.MeanJaccard)
			k.DissolvedShare = append(k.DissolvedShare, st.DissolvedShare)
		}
	}
	return k
}

// Stability holds the bootstrap stability figures.
type Stability struct {
	Boots    int       `json:"boots"`
	Jaccard  []float64 `json:"jaccard"`
	Unstable []bool    `json:"unstable"`
	MeanARI  float64   `json:"mean_ari"`
}

// NewStability is the manifest's record of the clusters' bootstrap
// stability.
func NewStability(st *cluster.StabilityResult) *Stability {
	return &Stability{Boots: st.Boots, Jaccard: st.Jaccard, Unstable: st.Unstable, MeanARI: st.MeanARI}
}

// SegmentSummary is one catalogue segment's outcome.
type SegmentSummary struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Evaluated bool    `json:"evaluated"`
	Reason    string  `json:"reason,omitempty"`
	Members   int     `json:"members"`
	Primary   int     `json:"primary"`
	Clusters  []int   `json:"clusters"`
	Revenue   float64 `json:"revenue"`
}

// ManifestCLV is the manifest's account of the predictions
// (manifest.json, "clv"): the models, their time unit, every fitted
// parameter, the log-likelihoods, the customers fitted, whether the fits
// converged, and why the models do not speak where they do not.
type ManifestCLV struct {
	// Model is the purchase model asked for (bgnbd, pnbd, none).
	Model              string  `json:"model"`
	ModelName          string  `json:"model_name"`
	TimeUnit           string  `json:"time_unit"`
	HorizonDays        float64 `json:"horizon_days"`
	AnnualDiscountRate float64 `json:"annual_discount_rate"`
	// Predicted says whether the purchase model speaks: false when
	// every prediction is null, Reason and Detail say why.
	Predicted bool   `json:"predicted"`
	Reason    string `json:"reason,omitempty"`
	Detail    string `json:"reason_detail,omitempty"`
	// The data the guards read, and the guards.
	CustomersWithPurchase int            `json:"customers_with_purchase"`
	RepeatBuyers          int            `json:"repeat_buyers"`
	LongestHistoryDays    float64        `json:"longest_history_days"`
	Guards                ManifestGuards `json:"guards"`
	Purchase              *ManifestFit   `json:"purchase_model,omitempty"`
	Spend                 *ManifestFit   `json:"spend_model,omitempty"`
}

// ManifestGuards are the thresholds under which the models are not fitted.
type ManifestGuards struct {
	MinCustomers    int     `json:"min_customers"`
	MinHistoryDays  float64 `json:"min_history_days"`
	MinRepeatBuyers int     `json:"min_repeat_buyers"`
}

// ManifestFit is one model's maximum-likelihood fit.
type ManifestFit struct {
	Name string `json:"name"`
	// Parameters by name; alpha, beta (purchase models) are in days, v
	// (spend) in the currency's units.
	Parameters    map[string]float64 `json:"parameters"`
	LogLikelihood float64            `json:"log_likelihood"`
	Customers     int                `json:"customers"`
	Converged     bool               `json:"converged"`
	Method        string             `json:"method"`
	Gradient      float64            `json:"gradient"`
	// Used says whether the fit's predictions are written; Reason and
	// Detail say why not (spend model).
	Used   bool   `json:"used"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"reason_detail,omitempty"`
	// The spend model only: the customers left out (a repeat order
	// value of 0 or less) and the check of its assumption that the
	// number of repeat orders and their value are independent.
	Excluded                  int      `json:"excluded,omitempty"`
	FrequencyValueCorrelation *float64 `json:"frequency_value_correlation,omitempty"`
	CorrelationCheck          string   `json:"correlation_check,omitempty"`
}

// WriteJSON writes v, made safe for JSON (JSONSafe), indented, to path.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(JSONSafe(v), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

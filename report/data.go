package report

import "time"

// Data is everything the report shows. It is plain data, filled by the
// pipeline; the report package computes nothing but layout.
type Data struct {
	Title       string
	Version     string
	Generated   time.Time
	Input       string
	Files       int
	Events      int64
	Customers   int
	Products    int
	AsOf        time.Time
	WindowStart time.Time
	Skipped     []Count
	// Warnings are conditions of the input a reader must know of (a high
	// share of rejected rows), shown at the top of the report.
	Warnings []string

	Features  []Feature
	Absent    []Reasoned
	Excluded  []Reasoned
	Clustered []string

	K          int
	KRule      string
	Seed       uint64
	Inertia    float64
	KSelection *KSelection
	MeanARI    float64 // bootstrap stability, NaN when not computed
	Boots      int

	Clusters []Cluster
	Segments []Segment
	// SegmentTable is the report's opening table: one row per primary
	// segment with customers, in catalogue order, then one per group of
	// customers no segment describes (Unnamed), each with its first action.
	SegmentTable []SegmentRow
	// Unnamed are the customers whose primary segment is none (they meet
	// no rule and their cluster maps to no segment), one group per
	// cluster, each described by its cluster.
	Unnamed []UnnamedGroup
	// Documents are the source documents the segments' doc tags name.
	Documents []Document
	// Reconciled is the number of customers who meet several rules and
	// whose primary segment is not the precedence's first choice;
	// FromProfile the number who meet no rule and take the segment whose
	// profile they are nearest.
	Reconciled  int
	FromProfile int
	Uncarried   []string
	// NewCustomers is the number of customers in clusters that map to no
	// catalogue segment.
	NewCustomers int
	Lifecycle    []Count
	// Top20Share is the share of revenue from the top 20 % of customers by
	// spend; Pareto holds (customer share, revenue share) points. Both
	// empty when the input has no spend.
	Top20Share float64
	Pareto     [][2]float64
	Countries  []Count

	// Projection is a sample of customers on the first two principal
	// components of the clustering space, with their cluster; empty when
	// not computed.
	Projection []Point
	// ExplainedVariance is the share of variance of each of the two
	// components.
	ExplainedVariance [2]float64
	// Overlap[a][b] is the number of customers meeting both segment rules
	// OverlapIDs[a] and OverlapIDs[b] (the diagonal: the segment's size).
	OverlapIDs []string
	Overlap    [][]int
	// MembershipsPerCustomer[n] is the number of customers meeting n
	// non-facet segment rules (document C: not too many per customer).
	MembershipsPerCustomer []int
	// AbandonedCategories lists, for cart abandoners, the categories they
	// left in carts most often: customers per category.
	AbandonedCategories []Count
	// CountrySegments: customers per (country, primary segment), for the
	// location view; Countries above gives the totals.
	CountrySegments []CountrySegment
	// Movement since the previous run; nil when there is none.
	Movement *Movement
	// Predictions are the lifetime-value predictions; nil when the run
	// made none.
	Predictions *Predictions
}

// Predictions is the account of the lifetime-value predictions: the
// models, what they predict for the customers as a whole, and the
// predicted value by segment and by cluster (Segment, SegmentRow and
// Cluster carry their own).
type Predictions struct {
	// Model is the purchase model's name (BG/NBD, Pareto/NBD); HorizonDays
	// the horizon, DiscountRate the annual discount rate of the CLV.
	Model        string
	HorizonDays  float64
	DiscountRate float64
	// Reason, when not empty, says why the models cannot speak for the
	// data: every prediction is null. SpendReason says why there is no
	// order value and no CLV (when the purchase model speaks).
	Reason, SpendReason string
	// Customers is the number of customers with a purchase, the ones
	// predicted.
	Customers int
	// Fit and SpendFit state the fitted parameters and log-likelihoods
	// in words ("r = 0.243, alpha = 30.9 days, ...").
	Fit, SpendFit string
	// Correlation is the correlation between customers' repeat orders
	// and their mean value, which the spend model assumes to be about 0;
	// CorrelationWarning is set when it is not (NaN, "": not computed).
	Correlation        float64
	CorrelationWarning string
	// Totals over the customers: the predicted value (NaN without a spend
	// model), the expected orders within the horizon, the mean P(alive).
	PredictedCLV, ExpectedOrders, MeanPAlive float64
	// ChurnBands counts the predicted customers by their probability of
	// no order within the horizon, in bands of 20 points.
	ChurnBands []Count
}

// Point is one customer in the 2-D projection.
type Point struct {
	X, Y    float64
	Cluster int
}

// CountrySegment is the number of customers of one country whose primary
// segment is Segment.
type CountrySegment struct {
	Country, Segment string
	N                int64
}

// Movement describes how customers moved between segments since the
// previous run.
type Movement struct {
	PreviousRun   string    // the previous run's directory or id
	PreviousAsOf  time.Time // its as-of time
	Segments      []string  // row and column labels, "(new)" and "(gone)" included
	Counts        [][]int64 // Counts[from][to]
	Stayed, Moved int64
	New, Gone     int64
	// ClusterMatch says which previous cluster each current cluster was
	// matched to (-1: none), by member overlap.
	ClusterMatch []int
}

// Count is a labelled number.
type Count struct {
	Label string
	N     int64
}

// Reasoned is a name with a reason.
type Reasoned struct {
	Name, Reason string
}

// Feature documents one computed feature.
type Feature struct {
	Name, Unit, Description string
}

// KSelection holds the k-choice curves.
type KSelection struct {
	Ks                                                   []int
	Inertia, Silhouette, CalinskiHarabasz, DaviesBouldin []float64
	// Chosen is the k the validity indices' rank sum prefers.
	Chosen, Knee int
	// Used is the k of the clusters shown (0: the same as Chosen).
	Used             int
	SilhouetteSample int
	// Stability is the size-weighted mean bootstrap Jaccard of each k (nil
	// without the stability scan), StableChoice the k the stability rule
	// chooses, StabilityBoots and StabilitySample the scan's refits and
	// rows.
	Stability                       []float64
	StableChoice                    int
	StabilityBoots, StabilitySample int
}

// Cluster is one cluster with its mapping.
type Cluster struct {
	ID         int
	Size       int
	Share      float64
	Segment    string
	Label      string
	Confidence float64
	Why        string
	Evidence   []Evidence
	Candidates []Candidate
	Jaccard    float64 // NaN when not computed
	JaccardSE  float64 // its standard error; NaN when not computed
	Unstable   bool
	// New marks a cluster that maps to no catalogue segment; Description
	// says what sets it apart in the features' units. SubGroup (1-based,
	// 0 when alone) numbers the clusters of one segment.
	New         bool
	Description string
	SubGroup    int
	// Named is true when a mapped cluster's label says more than its
	// segment's name: a sub-group's number, the other segments it names
	// or the share of members it is true of. LabelShare is that share
	// (segments.ClusterMapping.LabelShare).
	Named      bool
	LabelShare float64
	// Z holds the cluster's standardised mean of each clustered feature, in
	// the order of Data.Clustered.
	Z []float64
	// PredictedCLV is the predicted value of the cluster's customers over
	// the horizon, AvgPredictedCLV per customer with a prediction; NaN
	// without predictions.
	PredictedCLV, AvgPredictedCLV float64
}

// Evidence is one distinguishing feature of a cluster.
type Evidence struct {
	Feature                    string
	Z, ClusterMean, Population float64
}

// Candidate is one segment a cluster overlaps.
type Candidate struct {
	Segment                     string
	Precision, Recall, Lift, F1 float64
}

// Segment is one catalogue segment's outcome.
type Segment struct {
	ID, Name, Description, Rule string
	Docs                        []string
	Evaluated                   bool
	Reason                      string
	Members, Primary            int
	Share                       float64
	Revenue                     float64
	Clusters                    []int
	Actions                     []string
	Facet                       bool
	// NeedsDays is the history the segment needs (0: any window).
	NeedsDays float64
	// Reading is set when a fallback was evaluated in place of the
	// segment's own rule (which the input cannot feed): how it reads the
	// segment; Rule is then the fallback's rule and OwnRule the segment's.
	Reading, OwnRule string
	// FromProfile is the number of the Primary customers who meet no rule
	// and have the segment as the profile they are nearest.
	FromProfile int
	// PredictedCLV is the predicted value of the segment's members over
	// the horizon, AvgPredictedCLV per member with a prediction, and
	// AvgChurn their mean churn probability; NaN without predictions.
	PredictedCLV, AvgPredictedCLV, AvgChurn float64
}

// SegmentRow is one row of the segment table: a primary segment, or a
// group of customers no segment describes (Unnamed true, ID "").
type SegmentRow struct {
	ID, Name string
	// Anchor is the id of the row's card on the page.
	Anchor    string
	Unnamed   bool
	Customers int
	// Share is of all customers; RevenueShare of all spend and AvgSpend
	// per customer, both NaN without spend.
	Share, RevenueShare, AvgSpend float64
	// PredictedCLV is the predicted value of the row's customers over the
	// horizon and AvgPredictedCLV per customer with a prediction; NaN
	// without predictions.
	PredictedCLV, AvgPredictedCLV float64
	// Action is the segment's first action; for an unnamed group, a
	// pointer to the segment it is closest to, if any.
	Action string
}

// UnnamedGroup is the customers of one cluster whose primary segment is
// none: they meet no segment's rule and their cluster maps to none.
type UnnamedGroup struct {
	Cluster   int
	Label     string // the cluster's label: what sets it apart
	Customers int
	Share     float64
	Revenue   float64 // NaN without spend
	// Description and Why are the cluster's (Cluster.Description, .Why).
	Description, Why string
	// Closest is the catalogue segment the cluster overlaps best (by F1),
	// "" when none; Candidates are the cluster's candidate segments.
	Closest    string
	Candidates []Candidate
}

// Document is one source document of the catalogue, by title.
type Document struct {
	ID, Title string
	Originals []string
}

// Package segments evaluates the named segments of the catalogue over the
// per-customer feature table and reconciles them with the k-means clusters.
//
// The catalogue (catalogue.yaml, embedded; replaceable or extendable with
// --segments) defines each segment of SEGMENTS.md as an expression rule over
// the features, evaluated with the expr-lang library. Rules may use feature
// values by name and pct.<feature>, the customer's percentile rank (mid-rank
// for ties) among the customers for whom the feature is defined, and read
// the lifetime-value predictions (Predictions: p_alive, churn_probability,
// expected_orders, predicted_clv) the same way; where the models cannot
// speak for the data, the predictions are absent with the models' reason,
// and a rule reading them is not evaluated. A segment
// whose rule reads a feature the input cannot provide is evaluated through
// its first fallback that reads only features present (a documented
// reading of the segment from other inputs, such as active customers read
// from purchase recency and rhythm on a transaction log without sessions;
// Memberships.Fallback records it, and the report marks it), else is not
// evaluated and carries the reason.
//
// History: each segment states the observation window it needs to tell
// its members from the other customers (needs_days: 90 for dormant, 30
// for a purchase "in the last 30 days"). On a shorter window (the
// population's WindowDays) the segment is not evaluated, its reason saying
// so ("needs 90 days of history; the data covers 2.8 hours"), and
// Catalogue.HistoryWarning words the warning a run raises when the window
// is shorter than the longest need. A life-cycle stage with a need the
// window does not meet is skipped.
//
// Memberships: a customer may meet several rules. Its primary segment
// (document C warns against one customer in many segments) is settled in two
// steps. Evaluate takes the first non-facet segment in catalogue order whose
// rule it meets (the catalogue's precedence). Memberships.Settle then
// decides from the rules and the customer's own evidence: a customer who
// meets one rule takes it; one who meets several takes the segment whose
// members' profile (their mean in the clustering space) it is nearest, the
// one its behaviour as a whole resembles, which does not depend on the
// number of clusters. A customer who meets no rule (a rule's hard threshold
// misses customers on its edge) takes, in the same way, the segment whose
// profile it is nearest of all, instead of falling into a catch-all "none";
// its memberships stay the rules'. The clusters decide one thing only: a
// customer who meets no rule in a cluster that maps to no segment (a
// behaviour the catalogue lacks) keeps "none". Basis records which of
// these applies to each customer. Its life-cycle stage is the first
// matching stage of the catalogue's lifecycle list.
//
// Documents: the catalogue lists the source documents its segments' docs
// tags name, by title.
//
// Mapping: each cluster is compared with each evaluated segment by the
// overlap of their members: precision (the share of the cluster meeting the
// rule), recall (the share of the segment inside the cluster), lift
// (precision over the segment's population rate) and F1. The cluster maps
// to the segment with the highest F1 among those with lift >= MinLift and
// precision >= MinPrecision; its confidence is that precision. A cluster
// that matches none is named by the features that set it apart most. The
// evidence of every mapping is the cluster's standardised distance from the
// population on each feature.
package segments

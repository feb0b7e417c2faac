package pipeline

import (
	"fmt"
	"math"

	"github.com/segmint/segmint/output"
	"github.com/segmint/segmint/report"
	"github.com/segmint/segmint/segments"
)

// churnBands is the number of bands the report counts churn
// probabilities in.
const churnBands = 5

// addPredictions puts the predictions into the report's data: the
// account of the models, and the predicted value of every segment card,
// row of the segment table and cluster. assign is every customer's
// cluster.
func addPredictions(d *report.Data, p *Predictions, mem *segments.Memberships, cat *segments.Catalogue, assign []int) {
	f := p.Fit
	rp := &report.Predictions{Model: f.ModelName(), HorizonDays: f.Options.HorizonDays, DiscountRate: f.Options.DiscountRate,
		Reason: f.Detail, Customers: f.Customers, Correlation: math.NaN(),
		PredictedCLV: math.NaN(), ExpectedOrders: math.NaN(), MeanPAlive: math.NaN()}
	d.Predictions = rp
	if f.Reason == "" && f.SpendReason != "" {
		rp.SpendReason = f.SpendDetail
	}
	if m := manifestCLV(p); m.Purchase != nil {
		rp.Fit = fitWords(m.Purchase, f.Options.Model)
		if m.Spend != nil {
			rp.SpendFit = fitWords(m.Spend, "gamma-gamma")
			if r := m.Spend.FrequencyValueCorrelation; r != nil {
				rp.Correlation = *r
				if math.Abs(*r) >= CorrelationLimit {
					rp.CorrelationWarning = m.Spend.CorrelationCheck
				}
			}
		}
	}
	// Nothing predicted: the totals stay NaN.
	if f.Reason != "" {
		for s := range d.Segments {
			seg := &d.Segments[s]
			seg.PredictedCLV, seg.AvgPredictedCLV, seg.AvgChurn = math.NaN(), math.NaN(), math.NaN()
		}
		for i := range d.SegmentTable {
			d.SegmentTable[i].PredictedCLV, d.SegmentTable[i].AvgPredictedCLV = math.NaN(), math.NaN()
		}
		for c := range d.Clusters {
			d.Clusters[c].PredictedCLV, d.Clusters[c].AvgPredictedCLV = math.NaN(), math.NaN()
		}
		return
	}
	var clvSum, orders, alive sum
	bands := make([]int64, churnBands)
	for i := range p.PAlive {
		clvSum.add(p.PredictedCLV[i])
		orders.add(p.ExpectedOrders[i])
		alive.add(p.PAlive[i])
		if c := p.ChurnProbability[i]; !math.IsNaN(c) {
			bands[min(int(c*churnBands), churnBands-1)]++
		}
	}
	rp.PredictedCLV, rp.ExpectedOrders, rp.MeanPAlive = clvSum.total(), orders.total(), alive.mean()
	for b, n := range bands {
		rp.ChurnBands = append(rp.ChurnBands, report.Count{Label: fmt.Sprintf("%d–%d%%", 100*b/churnBands, 100*(b+1)/churnBands), N: n})
	}

	// Segment cards: over the members of the segment's rule.
	for s := range d.Segments {
		var v, churn sum
		if s < len(mem.Member) {
			for i, in := range mem.Member[s] {
				if in {
					v.add(p.PredictedCLV[i])
					churn.add(p.ChurnProbability[i])
				}
			}
		}
		seg := &d.Segments[s]
		seg.PredictedCLV, seg.AvgPredictedCLV, seg.AvgChurn = v.total(), v.mean(), churn.mean()
	}
	// The segment table: over each row's customers, by primary segment
	// (or, for customers no segment describes, by cluster).
	byPrimary := make([]sum, len(cat.Segments))
	unnamed := make(map[int]*sum)
	byCluster := make([]sum, len(d.Clusters))
	for i, v := range p.PredictedCLV {
		if pr := mem.Primary[i]; pr >= 0 {
			byPrimary[pr].add(v)
		} else if i < len(assign) {
			u := unnamed[assign[i]]
			if u == nil {
				u = new(sum)
				unnamed[assign[i]] = u
			}
			u.add(v)
		}
		if i < len(assign) && assign[i] < len(byCluster) {
			byCluster[assign[i]].add(v)
		}
	}
	for r := range d.SegmentTable {
		row := &d.SegmentTable[r]
		var v *sum
		if !row.Unnamed {
			if s := cat.Index(row.ID); s >= 0 {
				v = &byPrimary[s]
			}
		} else {
			var c int
			if _, err := fmt.Sscanf(row.Anchor, "unnamed-%d", &c); err == nil {
				v = unnamed[c]
			}
		}
		if v == nil {
			v = new(sum)
		}
		row.PredictedCLV, row.AvgPredictedCLV = v.total(), v.mean()
	}
	for c := range d.Clusters {
		d.Clusters[c].PredictedCLV, d.Clusters[c].AvgPredictedCLV = byCluster[c].total(), byCluster[c].mean()
	}
}

// sum adds the values that are not NaN.
type sum struct {
	s float64
	n int
}

func (a *sum) add(v float64) {
	if !math.IsNaN(v) {
		a.s += v
		a.n++
	}
}

// total is the sum, NaN when no value was added.
func (a *sum) total() float64 {
	if a.n == 0 {
		return math.NaN()
	}
	return a.s
}

// mean is the mean, NaN when no value was added.
func (a *sum) mean() float64 {
	if a.n == 0 {
		return math.NaN()
	}
	return a.s / float64(a.n)
}

// fitWords states a fit for the report: its parameters, log-likelihood,
// customers and convergence.
func fitWords(m *output.ManifestFit, model string) string {
	var params string
	names := map[string][]string{
		ModelBGNBD:     {"r", "alpha", "a", "b"},
		ModelParetoNBD: {"r", "alpha", "s", "beta"},
		"gamma-gamma":  {"p", "q", "v"},
	}[model]
	for k, name := range names {
		if k > 0 {
			params += ", "
		}
		params += fmt.Sprintf("%s = %.4g", name, m.Parameters[name])
		if name == "alpha" || name == "beta" {
			params += " days"
		}
	}
	conv := "converged"
	if !m.Converged {
		conv = "did not converge"
	}
	return fmt.Sprintf("%s: %s; log-likelihood %.1f on %d customers, %s (%s)", m.Name, params, m.LogLikelihood, m.Customers, conv, m.Method)
}

// Package jobflags holds the command-line flags of the fitting stages that
// segmint run and segmint-beam share: the clustering (--k, --k-min,
// --k-max, --k-strategy, --n-init) and the lifetime-value predictions
// (--clv-model, --horizon, --discount-rate). Register adds them to a
// flag.FlagSet with segmint's names, defaults and help; Options checks
// their values and returns the pipeline's options. A value a flag does
// not take is a *layoutflags.UsageError, which both commands exit 2 on.
package jobflags

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/segmint/segmint/internal/layoutflags"
	"github.com/segmint/segmint/pipeline"
)

func usagef(format string, a ...any) error {
	return &layoutflags.UsageError{Msg: fmt.Sprintf(format, a...)}
}

// Cluster are the flags of the clustering stage.
type Cluster struct {
	K, KMin, KMax int
	KStrategy     string
	NInit         int
}

// Register adds --k, --k-min, --k-max, --k-strategy and --n-init to fs.
func (c *Cluster) Register(fs *flag.FlagSet) {
	fs.IntVar(&c.K, "k", 0, "number of clusters (0 = choose k in [--k-min, --k-max] by --k-strategy)")
	fs.IntVar(&c.KMin, "k-min", pipeline.DefaultKMin, "smallest k tried when --k is 0")
	fs.IntVar(&c.KMax, "k-max", pipeline.DefaultKMax, "largest k tried when --k is 0")
	fs.StringVar(&c.KStrategy, "k-strategy", pipeline.KDiscover, "how k is chosen when --k is 0: discover (k-means++ with the largest k whose clusters the bootstrap reproduces, then a cluster for each segment group those clusters miss where the data separates it from its neighbours by a valley of density), seeded (k-means started from the segment rules' groups, one cluster per group), stability (k-means++; the largest k whose clusters the bootstrap reproduces) or indices (k-means++; the rank sum of silhouette, Calinski-Harabasz and Davies-Bouldin). The report shows what stability and the indices choose whichever is used")
	fs.IntVar(&c.NInit, "n-init", 10, "k-means restarts (the lowest inertia is kept)")
}

// Options checks the flags' values and returns the clustering options
// with seed (the commands' --seed) and stability bootstraps boots
// (pipeline.ClusterOptions.StabilityBoots).
func (c *Cluster) Options(seed uint64, boots int) (pipeline.ClusterOptions, error) {
	o := pipeline.ClusterOptions{K: c.K, KMin: c.KMin, KMax: c.KMax, KStrategy: c.KStrategy, NInit: c.NInit, Seed: seed, StabilityBoots: boots}
	if c.K < 0 || c.NInit < 0 || c.KMin < 0 || c.KMax < 0 {
		return o, usagef("--k, --n-init, --k-min and --k-max must not be negative")
	}
	if c.K == 0 && c.KMin > c.KMax {
		return o, usagef("--k-min %d is greater than --k-max %d", c.KMin, c.KMax)
	}
	if !slices.Contains(pipeline.KStrategies, c.KStrategy) {
		return o, usagef("--k-strategy %q: want one of %s", c.KStrategy, strings.Join(pipeline.KStrategies, ", "))
	}
	return o, nil
}

// Predict are the flags of the lifetime-value predictions.
type Predict struct {
	Model    string
	Horizon  float64
	Discount float64
}

// Register adds --clv-model, --horizon and --discount-rate to fs.
func (p *Predict) Register(fs *flag.FlagSet) {
	fs.StringVar(&p.Model, "clv-model", pipeline.ModelBGNBD, "purchase model of the lifetime-value predictions (customers.parquet's p_alive, churn_probability, expected_orders, predicted_clv, ...): bgnbd (BG/NBD), pnbd (Pareto/NBD) or none (the prediction columns are null)")
	fs.Float64Var(&p.Horizon, "horizon", pipeline.DefaultHorizonDays, "horizon of churn_probability, expected_orders and predicted_clv, in `DAYS` after the as-of day")
	fs.Float64Var(&p.Discount, "discount-rate", 0.10, "annual `RATE` predicted_clv is discounted at (0.10 is 10 % a year; 0 for none)")
}

// Options checks the flags' values and returns the prediction options.
func (p *Predict) Options() (pipeline.PredictOptions, error) {
	o := pipeline.PredictOptions{Model: p.Model, HorizonDays: p.Horizon, DiscountRate: p.Discount, NoDiscount: p.Discount == 0}
	if !(p.Horizon > 0) {
		return o, usagef("--horizon %v: want a positive number of days", p.Horizon)
	}
	if err := o.Check(); err != nil {
		return o, usagef("--clv-model, --horizon, --discount-rate: %v", err)
	}
	return o, nil
}

package cli

import (
	"flag"

	"github.com/segmint/segmint/pipeline"
)

// predictFlags are the flags of the lifetime-value predictions (segmint
// run; segmint-beam has the same).
type predictFlags struct {
	Model    string
	Horizon  float64
	Discount float64
}

func (p *predictFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.Model, "clv-model", pipeline.ModelBGNBD, "purchase model of the lifetime-value predictions (customers.parquet's p_alive, churn_probability, expected_orders, predicted_clv, ...): bgnbd (BG/NBD), pnbd (Pareto/NBD) or none (the prediction columns are null)")
	fs.Float64Var(&p.Horizon, "horizon", pipeline.DefaultHorizonDays, "horizon of churn_probability, expected_orders and predicted_clv, in `DAYS` after the as-of day")
	fs.Float64Var(&p.Discount, "discount-rate", 0.10, "annual `RATE` predicted_clv is discounted at (0.10 is 10 % a year; 0 for none)")
}

// options returns the prediction options, or a usage error.
func (p *predictFlags) options() (pipeline.PredictOptions, error) {
	o := pipeline.PredictOptions{Model: p.Model, HorizonDays: p.Horizon, DiscountRate: p.Discount, NoDiscount: p.Discount == 0}
	if !(p.Horizon > 0) {
		return o, usagef("--horizon %v: want a positive number of days", p.Horizon)
	}
	if err := o.Check(); err != nil {
		return o, usagef("--clv-model, --horizon, --discount-rate: %v", err)
	}
	return o, nil
}

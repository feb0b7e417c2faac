package clv

// Reason says why a model cannot speak for a set of customers. The empty
// Reason means that it can. Callers write nulls for the predictions and
// the reason beside them.
type Reason string

// The reasons Guards report.
const (
	ReasonNone Reason = ""
	// ReasonFewCustomers: fewer than MinCustomers customers with a
	// purchase.
	ReasonFewCustomers Reason = "too_few_customers"
	// ReasonShortHistory: the longest history (max T) is shorter than
	// MinHistoryDays.
	ReasonShortHistory Reason = "short_history"
	// ReasonFewRepeatBuyers: fewer than MinRepeatBuyers customers with a
	// repeat purchase (for the spend model: with a repeat purchase of
	// positive value).
	ReasonFewRepeatBuyers Reason = "too_few_repeat_buyers"
	// ReasonNotConverged: the maximum-likelihood fit did not converge.
	ReasonNotConverged Reason = "fit_not_converged"
	// ReasonSpendUndefined: the Gamma-Gamma fit has q <= 1, so the mean
	// spend of the population, and with it the expected spend, is
	// infinite.
	ReasonSpendUndefined Reason = "spend_mean_undefined"
)

// Default thresholds of Guards.
const (
	DefaultMinCustomers    = 500
	DefaultMinHistoryDays  = 90
	DefaultMinRepeatBuyers = 50
)

// Guards are the thresholds under which the models are not fitted. The
// zero value of each field is its default.
//
// The repeat-buyer threshold is a count, not a share: the parameters of
// dropout (a, b or s, β) and of spend are learnt from the repeat buyers
// alone, so their precision depends on how many there are, whatever the
// share. CDNOW's sample has 946 of 2357 (40%); a shop where 2% of a
// million customers come back has twenty thousand, plenty for the fit,
// and its low share is a fact the model reproduces (most customers get a
// low P(alive)), not a reason to be silent.
type Guards struct {
	// MinCustomers is the least number of customers with a purchase;
	// zero means DefaultMinCustomers (500).
	MinCustomers int
	// MinHistoryDays is the least length of the longest history, max T,
	// in days; zero means DefaultMinHistoryDays (90). Under three months
	// the data cannot tell a customer who left from one who buys
	// seasonally or rarely.
	MinHistoryDays float64
	// MinRepeatBuyers is the least number of customers with X > 0; zero
	// means DefaultMinRepeatBuyers (50).
	MinRepeatBuyers int
}

func (g Guards) minCustomers() int {
	if g.MinCustomers == 0 {
		return DefaultMinCustomers
	}
	return g.MinCustomers
}

func (g Guards) minHistoryDays() float64 {
	if g.MinHistoryDays == 0 {
		return DefaultMinHistoryDays
	}
	return g.MinHistoryDays
}

func (g Guards) minRepeatBuyers() int {
	if g.MinRepeatBuyers == 0 {
		return DefaultMinRepeatBuyers
	}
	return g.MinRepeatBuyers
}

// Check returns why a purchase model should not be fitted to customers,
// or ReasonNone. Reasons are tested in the order of the constants.
func (g Guards) Check(customers []Customer) Reason {
	if len(customers) < g.minCustomers() {
		return ReasonFewCustomers
	}
	var maxT float64
	repeat := 0
	for _, c := range customers {
		maxT = max(maxT, c.T)
		if c.X > 0 {
			repeat++
		}
	}
	if maxT < g.minHistoryDays() {
		return ReasonShortHistory
	}
	if repeat < g.minRepeatBuyers() {
		return ReasonFewRepeatBuyers
	}
	return ReasonNone
}

// CheckFit returns ReasonNotConverged for a fit that did not converge,
// else ReasonNone.
func (g Guards) CheckFit(fit FitResult) Reason {
	if !fit.Converged {
		return ReasonNotConverged
	}
	return ReasonNone
}

// CheckSpend returns why a Gamma-Gamma fit should not be used, or
// ReasonNone: fewer than MinRepeatBuyers fitted customers, no
// convergence, or q <= 1.
func (g Guards) CheckSpend(fit GammaGammaFit) Reason {
	switch {
	case fit.Customers < g.minRepeatBuyers():
		return ReasonFewRepeatBuyers
	case !fit.Converged:
		return ReasonNotConverged
	case fit.Q <= 1:
		return ReasonSpendUndefined
	}
	return ReasonNone
}

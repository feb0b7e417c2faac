// Package clv fits probabilistic models of customer lifetime value by
// maximum likelihood and predicts each customer's future: the BG/NBD and
// Pareto/NBD models of repeat purchasing and the Gamma-Gamma model of
// spend.
//
// The package only computes. It reads no files; it takes transaction
// rows or customer summaries as plain slices.
//
// # Workflow
//
// Summarise collapses transaction rows into one Customer summary per
// customer. Guards.Check says whether the data can carry a model; FitBGNBD
// (or FitParetoNBD) and FitGammaGamma fit the models; Guards.CheckFit and
// Guards.CheckSpend say whether the fits can be used; Predict computes the
// predictions of every customer over a horizon. Where a guard returns a
// Reason, callers write nulls and the reason instead of predictions.
// ScoreCounts scores the expected transactions of a holdout period
// against those made, customer by customer, as a backtest does.
//
// # Summaries and units
//
// Time is counted in days on the UTC calendar. Rows with an order id
// collapse to one transaction per (customer, order), dated by the order's
// earliest row; rows without one collapse to one transaction per
// (customer, day); a transaction's value is the sum of its rows. For each
// customer, X is the number of repeat transactions (all but the first), TX
// the days from the first transaction to the last, T the days from the
// first transaction to the last day of the calibration period, and
// MeanValue the mean value of the repeat transactions, the first
// excluded, as in Fader, Hardie and Lee's CDNOW analyses.
//
// Model parameters carry the unit of time: Alpha and Beta are in days.
// Published fits in weeks convert as alpha_weeks = Alpha/7; R, A, B, S, P
// and Q do not depend on the unit. The likelihood of a customer is a
// density in the times of the X repeat purchases, so a log-likelihood in
// weeks is LL_days + ln 7 · ΣX.
//
// # BG/NBD
//
// Fader, Hardie and Lee (2005), "Counting your customers the easy way: an
// alternative to the Pareto/NBD model". While alive a customer buys at
// rate λ ~ Gamma(r, α); after each purchase they drop out with probability
// p ~ Beta(a, b). With B(·,·) the beta function, the likelihood is (their
// equation 6)
//
//	L = Γ(r+x) α^r / Γ(r) · B(a, b+x)/B(a, b) · [ (α+T)^{−(r+x)} + δ_{x>0} a/(b+x−1) (α+t_x)^{−(r+x)} ],
//
//	P(alive) = 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x}),
//
// and the expected number of transactions in (T, T+t] is (equation 10)
//
//	E[Y(t)] = P(alive) · (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; z)],
//
// with z = t/(α+T+t). A customer drops out only just after a purchase, so
// one alive at T makes the next purchase after an exponential time at the
// posterior rate λ ~ Gamma(r+x, α+T), and the probability of no purchase
// in (T, T+t] is 1 − P(alive) + P(alive)·((α+T)/(α+T+t))^{r+x}.
//
// # Pareto/NBD
//
// Schmittlein, Morrison and Colombo (1987), with the likelihood of Fader
// and Hardie (2005), "A note on deriving the Pareto/NBD model and related
// expressions". While alive a customer buys at rate λ ~ Gamma(r, α) and
// dies at rate μ ~ Gamma(s, β):
//
//	L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ ],
//
// whose integral the note writes with ₂F₁ in two cases, α >= β and α < β;
// P(alive) is the first term of the bracket over the bracket. Given alive
// at T, λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T) independently, so
//
//	E[Y(t)] = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}],
//	P(purchase in t | alive) = (r+x)/(α+T) ∫_0^t (1+u/(α+T))^{−(r+x+1)} (1+u/(β+T))^{−s} du,
//
// the latter from P(purchase before death and within t | λ, μ) =
// ∫_0^t λ e^{−(λ+μ)u} du; the probability of no purchase is
// 1 − P(alive)·P(purchase in t | alive).
//
// # The hypergeometric function
//
// Both integrals are instances of ∫ (A+u)^{−p1} (B+u)^{−p2} du, whose
// antiderivative, after Euler's transformation, is a power times
// ₂F₁(1, b; c; z) with c > b and 0 <= z < 1, a series of positive terms
// each less than z times the one before; it is summed directly up to
// z = 0.99 and, closer to 1, from the 1−z transformation (Abramowitz and
// Stegun 15.3.6), extrapolated across its poles where c−1−b is a whole
// number, with the direct series as the fallback where the
// transformation's two terms cancel. BG/NBD's ₂F₁ is evaluated in Euler's
// transformed form (1−z)^{a−1} ₂F₁(a+b−1−r, a−1; a+b+x−1; z), which
// neither overflows for customers with many purchases, as the printed form
// does, nor divides 0 by 0 at a = 1; for r > a+b+1, where that form's
// series alternates and cancels, the printed form is summed with
// rescaling instead. These series converge slowly as z nears 1, which
// happens only when t is hundreds of times α+T. mathext.Hypergeo is not
// used: for some whole c−a−b its digamma expansion does not return. Tests
// check the evaluations against the printed series summed term by term,
// against quadrature and against mathext.Hypergeo where it is safe.
//
// # Gamma-Gamma
//
// Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for
// customer base analysis", and Fader and Hardie, "The Gamma-Gamma model of
// monetary value". A customer's transaction values are Gamma(p, ν) with
// ν ~ Gamma(q, v), independent of the purchase process. It is fitted on
// the customers with X > 0 and MeanValue > 0 (zero-value means make the
// likelihood undefined; they are counted in GammaGammaFit.Excluded), and
// GammaGammaFit.Correlation reports the Pearson correlation between X and
// MeanValue, which the model assumes to be zero. The expected value of a
// customer's future transactions is
//
//	E[M | x, m̄] = p (v + x m̄) / (p x + q − 1),
//
// and the population mean p v / (q − 1) for customers without a repeat
// purchase; both need q > 1.
//
// # Predictions
//
// Predict returns, per customer and for a horizon of H days: P(alive);
// the churn probability, of no purchase in (T, T+H]; the expected number
// of orders in (T, T+H]; the expected order value; the predicted CLV,
// the Gamma-Gamma value times the expected orders of each month of the
// horizon discounted at the annual rate d (default 0.10) from the month's
// end,
//
//	CLV = E[M] · Σ_k (E[Y(t_k)] − E[Y(t_{k−1})]) · (1+d)^{−t_k/365.25},   t_k = min(k·365.25/12, H),
//
// which is continuous discounting at the rate ln(1+d) per year, as
// lifetimes' customer_lifetime_value does with monthly steps; the average
// days between orders, TX/X (NaN when X = 0); and the expected next
// order, the number of days after the calibration period at which
// E[Y(t)] reaches 1, NaN if that takes more than five years. A NaN is a
// value that does not exist for the customer; callers write null.
//
// # Fitting
//
// Each fit maximises the likelihood over the logs of the parameters. The
// purchase models sum it over the distinct (X, TX, T) summaries, each
// weighted by its number of customers: a million customers observed by
// the day have some hundred thousand distinct summaries, and terms that
// depend on one coordinate are computed once per distinct value. BG/NBD
// and Gamma-Gamma use analytic gradients; Pareto/NBD uses central finite
// differences (gonum/diff/fd), the derivatives in r and s of its integral
// having no simple closed form. BFGS runs first; if it does not converge,
// Nelder–Mead from the best point so far, polished by BFGS. A fit has
// converged when the gradient of the mean log-likelihood per customer,
// with respect to the log-parameters, is within 1e-5 (FitSettings). The
// Gamma-Gamma likelihood has a ridge along which p → ∞ and v → 0, so it is
// started from three points, compared on a subsample of at most 20,000
// customers, and the best is refined on all of them by Newton's method
// with the analytic Hessian.
//
// Fits on the CDNOW sample (2,357 customers, 39 calibration weeks)
// reproduce the published estimates to three significant figures and the
// log-likelihoods to 0.1: BG/NBD r = 0.243, α = 4.414 weeks, a = 0.793,
// b = 2.426, LL = −9582.4; Pareto/NBD r = 0.553, α = 10.578, s = 0.606,
// β = 11.669, LL = −9595.0; Gamma-Gamma on its 946 repeat buyers p = 6.25,
// q = 3.74, v = 15.44. The tests skip these checks when the sample is not
// in the shared data folder beside the repository.
//
// # Errors, panics, NaN and memory
//
// Misuse of the API, such as a dst of the wrong length, a nil model or a
// horizon that is not positive, panics with a message prefixed "clv:".
// Problems in the data return an error: a NaN or infinite row value is a
// *RowError wrapping ErrNonFinite; a summary no history can have (TX > T,
// a negative or fractional count, ...) is a *CustomerError wrapping
// ErrSummary or ErrNonFinite; no customers to fit is ErrNoCustomers. A fit
// that does not converge is not an error: it is reported in
// FitResult.Converged, for Guards.CheckFit. A cancelled context returns
// ctx.Err().
//
// Functions never modify or retain the caller's rows or summaries.
// Predict writes into dst when it is given, and allocates it otherwise.
// Likelihood sums and predictions run on FitSettings.Workers and
// PredictSettings.Workers goroutines (GOMAXPROCS by default) over blocks
// fixed by the data alone, combined in block order, so results are the
// same bit for bit on any number of goroutines.
package clv

// Package clv fits probabilistic customer-lifetime-value models by maximum
// likelihood: the BG/NBD and Pareto/NBD models of repeat purchasing and the
// Gamma-Gamma model of spend.
package clv

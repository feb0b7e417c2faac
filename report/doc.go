// Package report renders a run's results as one self-contained HTML page
// (no external resources: styles inline, charts inline SVG). It takes plain
// data (Data) and computes nothing but layout.
package report

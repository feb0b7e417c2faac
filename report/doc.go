// Package report renders a run's results for people: one self-contained
// HTML page (WriteHTML, Render) and a markdown summary for terminals and
// pull requests (WriteMarkdown, RenderMarkdown). It takes plain data (Data)
// and computes nothing but layout and the shares of the counts it is given.
// Two summaries that only the report shows are computed here, for the
// caller to put in Data: Projection (the customers on the first two
// principal components of the clustering matrix, with gonum) and Pareto
// (the concentration of spend).
//
// The page loads nothing: styles are inline and the charts are drawn with
// gonum/plot onto its SVG canvas and inlined, with fonts named (Liberation
// Sans, then Arial, Helvetica or any sans-serif), never fetched or embedded.
// Every section is always present; a section whose data is absent says so
// in a short note. User text is escaped in both outputs, and numbers that
// are not numbers (NaN, ±Inf) print as "–". A chart that gonum/plot cannot
// draw from degenerate input becomes a note rather than an error.
package report

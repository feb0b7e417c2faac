package planted

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

// RunOptions is one run of the whole job on a planted data set.
type RunOptions struct {
	Data synth.Settings
	// KStrategy is pipeline.ClusterOptions.KStrategy ("" the default);
	// StabilityBoots is pipeline.ClusterOptions.StabilityBoots.
	KStrategy      string
	StabilityBoots int
	// KMax is pipeline.ClusterOptions.KMax (0: the default range).
	KMax int
	// Dir holds the data and the run's output.
	Dir string
}

// Run generates the data set, runs the job on it and measures the
// recovery; it also returns the generator's summary and the output
// directory.
func Run(ctx context.Context, o RunOptions) (*Recovery, *synth.Summary, string, error) {
	sum, err := synth.Generate(ctx, filepath.Join(o.Dir, "data"), o.Data)
	if err != nil {
		return nil, nil, "", err
	}
	strategy := o.KStrategy
	if strategy == "" {
		strategy = pipeline.KSeeded
	}
	out := filepath.Join(o.Dir, "out-"+strategy)
	if _, err := pipeline.Run(ctx, pipeline.RunOptions{Events: sum.Files, Out: out, Force: true,
		Cluster: pipeline.ClusterOptions{Seed: 1, StabilityBoots: o.StabilityBoots, KStrategy: o.KStrategy, KMax: o.KMax}}); err != nil {
		return nil, nil, "", err
	}
	r, err := Measure(out, sum.Labels)
	return r, sum, out, err
}

// WriteRecovery writes r as the markdown table of docs/quality.md.
func WriteRecovery(w io.Writer, r *Recovery) {
	fmt.Fprintf(w, "k = %d, ARI %.3f, mapping share %.3f, purity %.3f\n\n", r.K, r.ARI, r.MappingShare, r.Purity)
	fmt.Fprintln(w, "| segment | customers | primary precision | primary recall | membership precision | membership recall | cluster maps to it |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |\n", row.Archetype, row.Customers,
			row.PrimaryPrecision, row.PrimaryRecall, row.MemberPrecision, row.MemberRecall, row.Mapped)
	}
	fmt.Fprintln(w, "\n| cluster | customers | majority archetype | its share | next archetype | its share |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, m := range r.Clusters {
		fmt.Fprintf(w, "| %d | %d | %s | %.2f | %s | %.2f |\n", m.Cluster, m.Size, m.Majority, m.MajorityShare, m.Second, m.SecondShare)
	}
}

// RobustnessOptions selects the variants and k strategies of the
// robustness suite.
type RobustnessOptions struct {
	Variants   []Variant
	Strategies []string
	Customers  int
	Seed       uint64
	Dir        string
	// StabilityBoots is pipeline.ClusterOptions.StabilityBoots (0: segmint
	// run's default, as the suite's test; -1: no stability figures for the
	// chosen clusters, which also skips discover's check that the clusters
	// it added reproduce).
	StabilityBoots int
	// KMax is pipeline.ClusterOptions.KMax (0: the default range).
	KMax int
	// Mixed, when positive, lists after the table every cluster whose
	// majority archetype holds less than this share of it, with the next
	// archetype: where purity is lost.
	Mixed float64
}

// Robustness runs every variant with every strategy and writes one
// markdown row each: k, clusters per archetype, purity, the lowest share
// found, ARI, mapping share, the lowest primary precision and recall of
// the planted segments with 100 customers or more, and the cells below
// 0.9 (the target; the suite's floors are 0.8).
func Robustness(ctx context.Context, w io.Writer, o RobustnessOptions) error {
	fmt.Fprintln(w, "| variant | k strategy | k | clusters per archetype | purity | min found | ARI | mapping share | min primary P | min primary R | segments below 0.9 | which (P/R, found) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	var mixed []string
	for i, v := range o.Variants {
		set := synth.Settings{Customers: o.Customers, Seed: o.Seed}
		v.Set(&set)
		for _, strategy := range o.Strategies {
			r, sum, out, err := Run(ctx, RunOptions{Data: set, KStrategy: strategy, StabilityBoots: o.StabilityBoots, KMax: o.KMax, Dir: filepath.Join(o.Dir, fmt.Sprint(i))})
			if err != nil {
				return fmt.Errorf("%s, %s: %w", v.Name, strategy, err)
			}
			line, err := robustnessRow(r, sum, out)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", v.Name, strategy, err)
			}
			fmt.Fprintf(w, "| %s | %s | %s |\n", v.Name, strategy, line)
			for _, m := range r.Clusters {
				if m.MajorityShare < o.Mixed {
					mixed = append(mixed, fmt.Sprintf("| %s | %s | %d | %d | %s | %.2f | %s | %.2f |", v.Name, strategy, m.Cluster, m.Size, m.Majority, m.MajorityShare, m.Second, m.SecondShare))
				}
			}
		}
	}
	if len(mixed) > 0 {
		fmt.Fprintf(w, "\nClusters whose majority archetype holds less than %.0f%% of them:\n\n", 100*o.Mixed)
		fmt.Fprintln(w, "| variant | k strategy | cluster | customers | majority archetype | its share | next archetype | its share |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
		for _, l := range mixed {
			fmt.Fprintln(w, l)
		}
	}
	return nil
}

// robustnessRow formats one run's cells after the variant and strategy.
func robustnessRow(r *Recovery, sum *synth.Summary, out string) (string, error) {
	var below, lost, found []string
	minR, minP, minFound := 1.0, 1.0, 1.0
	for _, row := range r.Rows {
		if row.Customers >= 100 {
			minFound = min(minFound, row.Found)
			if row.Found < 0.9 {
				lost = append(lost, fmt.Sprintf("%s found %.2f", row.Archetype, row.Found))
			}
		}
		if slices.Contains(synth.UnlistedArchetypes(), row.Archetype) {
			u, err := MeasureUnlisted(out, sum.Labels, row.Archetype)
			if err != nil {
				return "", err
			}
			found = append(found, fmt.Sprintf("%s: cluster recall %.2f, purity %.2f, new=%v", u.Archetype, u.Recall, u.Purity, u.New))
			continue
		}
		if row.Customers < 100 {
			continue
		}
		minR, minP = min(minR, row.PrimaryRecall), min(minP, row.PrimaryPrecision)
		if row.PrimaryPrecision < 0.9 || row.PrimaryRecall < 0.9 {
			below = append(below, fmt.Sprintf("%s %.2f/%.2f", row.Archetype, row.PrimaryPrecision, row.PrimaryRecall))
		}
	}
	perArchetype := float64(r.K) / float64(len(r.Rows))
	return fmt.Sprintf("%d | %.2f | %.3f | %.2f | %.3f | %.3f | %.2f | %.2f | %d | %s", r.K, perArchetype, r.Purity, minFound, r.ARI, r.MappingShare,
		minP, minR, len(below), strings.Join(append(append(below, lost...), found...), ", ")), nil
}

package pipeline_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

// robustVariant is one planted data set of the robustness suite: the
// generator's defaults with one family of parameters moved well away.
type robustVariant struct {
	name string
	set  func(*synth.Settings)
}

// scaledMix halves the weight of every other archetype (in id order) and
// doubles the rest, or the reverse.
func scaledMix(oddHalved bool) map[string]float64 {
	mix := synth.DefaultMix()
	for i, id := range slices.Sorted(maps.Keys(mix)) {
		if (i%2 == 1) == oddHalved {
			mix[id] *= 0.5
		} else {
			mix[id] *= 2
		}
	}
	return mix
}

var robustVariants = []robustVariant{
	{"default", func(*synth.Settings) {}},
	{"shares ×0.5/×2", func(s *synth.Settings) { s.Mix = scaledMix(true) }},
	{"shares ×2/×0.5", func(s *synth.Settings) { s.Mix = scaledMix(false) }},
	{"prices ×0.2", func(s *synth.Settings) { s.PriceScale = 0.2 }},
	{"prices ×5", func(s *synth.Settings) { s.PriceScale = 5 }},
	{"quantities 1–6", func(s *synth.Settings) { s.QuantityMax = 6 }},
	{"4 months", func(s *synth.Settings) { s.Days = synth.MinDays }},
	{"12 months", func(s *synth.Settings) { s.Days = 365 }},
	{"events per visit ×3", func(s *synth.Settings) { s.Scale = 3 }},
	{"gaps ×1.5", func(s *synth.Settings) { s.GapScale = 1.5 }},
	{"noise 1%", func(s *synth.Settings) { s.NoiseShare = 0.01 }},
	{"gaps ×0.5", func(s *synth.Settings) { s.GapScale = 0.5 }},
	{"unlisted behaviour", func(s *synth.Settings) {
		s.Mix = synth.DefaultMix()
		s.Mix[synth.ComparisonShoppers] = 6
	}},
}

// TestRobustness runs the whole pipeline over the family of planted data
// sets with the default k strategy (seeded) and the data-driven one
// (discover) and reports per variant the purity, the archetypes found, the
// ARI, the mapping share and every planted segment's primary precision
// and recall (the table of docs/quality.md's "Robustness" section comes
// from here: go test ./pipeline -run Robustness -v).
//
// Every run has segmint run's default settings (but the seed), the
// stability figures included: discover keeps a cluster it added only if the
// bootstrap reproduces it, so without them the table would not be what a
// user gets.
//
// Floors, on every variant and both strategies: purity 0.9 and mapping
// share 0.9, and primary precision and recall of at least 0.8 for every planted
// segment with 100 customers or more. The target is 0.9; the cells below
// it are listed in the log's table. The "unlisted behaviour" variant adds
// 6 % planted comparison shoppers, a behaviour no catalogue rule
// describes: at least 80 % of them must share one cluster, be at least
// 80 % of it, and the cluster must be flagged new and described
// (unlisted). Other k strategies and the harder variants, which do not
// meet the floors today, are measured by bench's command planted ("go run
// ./cmd/planted robustness --variants all --strategies seeded,discover,stability").
func TestRobustness(t *testing.T) {
	if testing.Short() {
		t.Skip("the robustness suite generates and segments 13 data sets")
	}
	customers := 3000
	strategies := []string{pipeline.KSeeded, pipeline.KDiscover}
	variants := robustVariants
	var table []string
	weak := map[string][]string{}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			set := synth.Settings{Customers: customers, Seed: 7}
			v.set(&set)
			sum, err := synth.Generate(context.Background(), filepath.Join(dir, "data"), set)
			if err != nil {
				t.Fatal(err)
			}
			for _, strategy := range strategies {
				out := filepath.Join(dir, "out-"+strategy)
				m, err := pipeline.Run(context.Background(), pipeline.RunOptions{Events: sum.Files, Out: out,
					Cluster: pipeline.ClusterOptions{Seed: 1, KStrategy: strategy}})
				if err != nil {
					t.Fatal(err)
				}
				r := measure(t, out, sum.Labels)
				var cells, below, found, lost []string
				minR, minP, minFound := 1.0, 1.0, 1.0
				for _, row := range r.Rows {
					if row.Customers >= 100 {
						minFound = min(minFound, row.Found)
						if row.Found < 0.9 {
							lost = append(lost, fmt.Sprintf("%s found %.2f", row.Archetype, row.Found))
						}
					}
					if slices.Contains(synth.UnlistedArchetypes(), row.Archetype) {
						f := unlisted(t, out, sum.Labels, row.Archetype)
						cells, found = append(cells, f), append(found, f)
						continue
					}
					if row.Customers < 100 {
						continue
					}
					cells = append(cells, fmt.Sprintf("%s %.2f/%.2f", row.Archetype, row.RulePrecision, row.RuleRecall))
					minR, minP = min(minR, row.RuleRecall), min(minP, row.RulePrecision)
					if row.RulePrecision < 0.9 || row.RuleRecall < 0.9 {
						below = append(below, fmt.Sprintf("%s %.2f/%.2f", row.Archetype, row.RulePrecision, row.RuleRecall))
					}
				}
				perArchetype := float64(m.K) / float64(len(r.Rows))
				line := fmt.Sprintf("| %s | %s | %d | %.2f | %.3f | %.2f | %.3f | %.3f | %.2f | %.2f | %d | %s |", v.name, strategy, m.K, perArchetype, r.Purity, minFound, r.ARI, r.MappingShare, minP, minR, len(below), strings.Join(append(append(below, lost...), found...), ", "))
				table = append(table, line)
				weak[strategy] = append(weak[strategy], below...)
				t.Logf("%s: k=%d ARI=%.3f mapping=%.3f; primary P/R: %s", strategy, m.K, r.ARI, r.MappingShare, strings.Join(cells, "; "))
				// Purity, not ARI: an archetype split into sub-groups
				// lowers the ARI although every cluster is one group.
				if r.Purity < 0.9 || r.MappingShare < 0.9 {
					t.Errorf("%s: purity %.3f, mapping share %.3f: want at least 0.9 and 0.9", strategy, r.Purity, r.MappingShare)
				}
				if minR < 0.8 || minP < 0.8 {
					t.Errorf("%s: a planted segment's primary precision (lowest %.2f) or recall (lowest %.2f) is below 0.8: %s", strategy, minP, minR, strings.Join(below, ", "))
				}
			}
		})
	}
	t.Logf("\n| variant | k strategy | k | clusters per archetype | purity | min found | ARI | mapping share | min primary P | min primary R | segments below 0.9 | which (P/R, found) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n%s", strings.Join(table, "\n"))
	for s, w := range weak {
		t.Logf("%s: %d segment×variant cells below 0.9", s, len(w))
	}
}

// unlistedFloor is the share of an unlisted archetype's customers that
// must share one cluster, and their share of that cluster, in the
// robustness suite.
const unlistedFloor = 0.8

// unlisted checks that the planted customers of an archetype that no
// catalogue segment describes come back as a cluster of their own: most of
// them in one cluster, most of that cluster theirs, the cluster flagged new
// and described. It returns the figures for the log's table.
func unlisted(t *testing.T, out, labelsPath, archetype string) string {
	t.Helper()
	type clusterRow struct {
		Cluster     int32  `parquet:"cluster"`
		Size        int64  `parquet:"size"`
		Label       string `parquet:"label"`
		New         bool   `parquet:"new"`
		Description string `parquet:"description"`
	}
	planted := map[int64]bool{}
	for _, l := range readRows[synth.LabelRow](t, labelsPath) {
		if l.Archetype == archetype {
			planted[l.CustomerID] = true
		}
	}
	in := map[int32]int{}
	for _, c := range readRows[customerRow](t, filepath.Join(out, "customers.parquet")) {
		if planted[c.CustomerID] {
			in[c.Cluster]++
		}
	}
	best, most := int32(-1), 0
	for c, n := range in {
		if n > most || n == most && c < best {
			best, most = c, n
		}
	}
	for _, c := range readRows[clusterRow](t, filepath.Join(out, "clusters.parquet")) {
		if c.Cluster != best {
			continue
		}
		recall, purity := float64(most)/float64(len(planted)), float64(most)/float64(c.Size)
		if recall < unlistedFloor || purity < unlistedFloor {
			t.Errorf("%s: %.2f of its %d customers in cluster %d, which they are %.2f of: want both >= %.1f", archetype, recall, len(planted), best, purity, unlistedFloor)
		}
		if !c.New || c.Description == "" {
			t.Errorf("%s: cluster %d (%q) new=%v, description %q: want a new, described cluster", archetype, best, c.Label, c.New, c.Description)
		}
		t.Logf("%s (%d planted): cluster %d holds %.2f of them, they are %.2f of it; new=%v, label %q", archetype, len(planted), best, recall, purity, c.New, c.Label)
		return fmt.Sprintf("%s: cluster recall %.2f, purity %.2f, new=%v", archetype, recall, purity, c.New)
	}
	t.Fatalf("%s: cluster %d not in clusters.parquet", archetype, best)
	return ""
}

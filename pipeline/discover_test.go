package pipeline

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/segments"
	"github.com/segmint/segmint/source"
)

// TestOnlineRetailClustersReproduce: on UCI Online Retail the default
// strategy's clusters are reproducible, whatever the seed: every cluster
// has a mean bootstrap Jaccard of at least cluster.PatternJaccard (below
// it, Hennig reads a pattern whose members are not clear), a cluster added
// for a segment group included (one that does not reproduce is left out,
// and the strategy says so), and seeds 1-3 give the same k. With
// --k-strategy seeded, 4 of the 10 clusters are below 0.6. Every mapped
// cluster's label names segments that most of its members meet.
func TestOnlineRetailClustersReproduce(t *testing.T) {
	clustersReproduce(t, onlineRetailData, onlineRetailLayout(t))
}

// TestCDNOWClustersReproduce is TestOnlineRetailClustersReproduce on the
// CDNOW sample, a log of purchases alone. The fit adds no segment group
// there; refits that added one took the active customers' cluster (22 %)
// to a mean Jaccard of 0.57-0.75 until their clusters for groups the fit
// did not add were taken out.
func TestCDNOWClustersReproduce(t *testing.T) {
	const cdnowPath = "../../shared/data/cdnow_sample.parquet"
	if _, err := os.Stat(cdnowPath); err != nil {
		t.Skipf("the CDNOW sample is not at %s (CI has it): %v", cdnowPath, err)
	}
	layout, err := source.Preset("transactions")
	if err != nil {
		t.Fatal(err)
	}
	if layout.Columns, err = source.ParseMapping("user_id=customer_id,event_time=date,amount=dollar_value,quantity=number_of_cds", nil); err != nil {
		t.Fatal(err)
	}
	clustersReproduce(t, cdnowPath, layout)
}

// clustersReproduce fits the events of path with default options and
// seeds 1-3 and checks what TestOnlineRetailClustersReproduce says.
func clustersReproduce(t *testing.T, path string, layout source.Layout) {
	t.Helper()
	ctx := context.Background()
	table, _, err := source.ComputeFeatures(ctx, []string{path}, source.ScanOptions{Layout: layout})
	if err != nil {
		t.Fatal(err)
	}
	var ks []int
	for seed := uint64(1); seed <= 3; seed++ {
		fit, err := Fit(ctx, table, segments.Default(), FitOptions{Cluster: ClusterOptions{Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		cs := fit.Clusters
		if cs.Stability == nil || cs.Proposals == nil {
			t.Fatalf("seed %d: no stability figures or no proposals (strategy %q)", seed, cs.Strategy)
		}
		t.Logf("seed %d: k = %d, Jaccard %.2f; %s", seed, cs.Result.K, cs.Stability.Jaccard, cs.Strategy)
		ks = append(ks, cs.Result.K)
		for c, j := range cs.Stability.Jaccard {
			if j < cluster.PatternJaccard {
				t.Errorf("seed %d: cluster %d (%d customers) has Jaccard %.3f, below %.2f", seed, c, cs.Result.Sizes[c], j, cluster.PatternJaccard)
			}
		}
		labelsDescribeMost(t, fit)
		for _, o := range cs.Proposals {
			if o.Skipped && !strings.Contains(cs.Strategy, "left out") {
				t.Errorf("seed %d: %s was left out and the strategy does not say so: %q", seed, o.Name, cs.Strategy)
			}
		}
	}
	if ks[0] != ks[1] || ks[1] != ks[2] {
		t.Errorf("k over seeds 1-3: %v, want the same", ks)
	}
}

// labelsDescribeMost checks that every mapped cluster's label names
// segments (Named) that at least half of its members meet, counted here
// from the memberships, and that LabelShare is that share.
func labelsDescribeMost(t *testing.T, fit *Fitted) {
	t.Helper()
	assign := fit.Clusters.Result.Assign
	for c, cm := range fit.Mapping.Clusters {
		if cm.New {
			continue
		}
		var idx []int
		for _, id := range cm.Named {
			idx = append(idx, fit.Catalogue.Index(id))
		}
		meet, size := 0, 0
		for i, a := range assign {
			if a != c {
				continue
			}
			size++
			for _, s := range idx {
				if fit.Memberships.Member[s][i] {
					meet++
					break
				}
			}
		}
		share := float64(meet) / float64(size)
		if math.Abs(share-cm.LabelShare) > 1e-12 || share < segments.MajorityLabel || len(idx) == 0 || idx[0] != fit.Catalogue.Index(cm.Segment) {
			t.Errorf("cluster %d (%d customers) labelled %q names %v, met by %.3f of its members (LabelShare %.3f); want the mapped segment first and at least %.2f", c, size, cm.Label, cm.Named, share, cm.LabelShare, segments.MajorityLabel)
		}
	}
}

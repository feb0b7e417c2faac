package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/segmint/segmint/cluster"
	"github.com/segmint/segmint/pipeline"
)

type clusterOptions struct {
	Config     string
	Features   string
	ID         string
	Columns    listFlag
	Out        string
	Force      bool
	K          int
	KMin, KMax int
	KStrategy  string
	NInit      int
	Seed       uint64
	Transform  string
	Boots      int
	Quiet      bool
}

func clusterFlags(o *clusterOptions, stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("cluster", `segmint cluster --features FILE.parquet --out DIR [flags]

Clusters any numeric feature table with segmint's k-means and writes
assignments.parquet (id, cluster, distance to the centre), centroids.parquet
(one row per cluster, in the input's units) and manifest.json (inertia, k,
n_init, seed, iterations, ...) into --out. Nulls in columns named after
segmint features get the feature's documented fill value; nulls elsewhere are
an error.`, stderr)
	fs.StringVar(&o.Features, "features", "", "feature table `FILE` (Parquet; required)")
	fs.StringVar(&o.ID, "id", "customer_id", "id `COLUMN` (integer or string), copied to assignments.parquet")
	fs.Var(&o.Columns, "columns", "`COLUMNS` to cluster, comma-separated (default: every numeric column but the id and the purchase summaries segmint run does not cluster either: days_first_to_last_order, days_since_first_order, repeat_order_value)")
	fs.StringVar(&o.Out, "out", "", "output `DIR`ectory (required; must not exist or be empty unless --force)")
	fs.BoolVar(&o.Force, "force", false, "replace a non-empty --out")
	fs.IntVar(&o.K, "k", 0, "number of clusters (0 = choose k in [--k-min, --k-max])")
	fs.IntVar(&o.KMin, "k-min", pipeline.DefaultKMin, "smallest k tried when --k is 0")
	fs.IntVar(&o.KMax, "k-max", pipeline.DefaultKMax, "largest k tried when --k is 0")
	fs.StringVar(&o.KStrategy, "k-strategy", pipeline.KStability, "how k is chosen when --k is 0: stability (the largest k whose clusters the bootstrap reproduces) or indices (the rank sum of silhouette, Calinski-Harabasz and Davies-Bouldin)")
	fs.IntVar(&o.NInit, "n-init", 10, "k-means restarts (the lowest inertia is kept)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fs.StringVar(&o.Transform, "transform", "auto", "auto (log1p for heavy-tailed non-negative columns, then standardise, a logged column with zeros by the spread of its positive values; 0/1 flags centred, 2 units between their states) or none (cluster the matrix exactly as given)")
	fs.IntVar(&o.Boots, "stability-boots", 0, "bootstrap refits for cluster stability (0 disables)")
	fs.BoolVar(&o.Quiet, "quiet", false, "print nothing but errors")
	registerConfig(fs, &o.Config)
	return fs
}

func init() {
	commandFlags["cluster"] = func() *flag.FlagSet {
		var o clusterOptions
		return clusterFlags(&o, io.Discard)
	}
}

func cmdCluster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o clusterOptions
	fs := clusterFlags(&o, stderr)
	if err := parseCommand(fs, "cluster", args, &o.Config); err != nil {
		return err
	}
	if o.Features == "" || o.Out == "" {
		return usagef("--features and --out are required")
	}
	if o.K < 0 || o.NInit < 0 || o.Boots < 0 {
		return usagef("--k, --n-init and --stability-boots must not be negative")
	}
	if o.KStrategy != pipeline.KIndices && o.KStrategy != pipeline.KStability {
		return usagef("--k-strategy %q: want indices or stability (a feature table has no segment rules to seed from)", o.KStrategy)
	}
	if err := checkOutput(o.Out, nil, o.Config, ""); err != nil {
		return err
	}
	co := pipeline.ClusterFileOptions{Features: o.Features, ID: o.ID, Columns: o.Columns, Out: o.Out, Force: o.Force,
		Cluster: pipeline.ClusterOptions{K: o.K, KMin: o.KMin, KMax: o.KMax, KStrategy: o.KStrategy, NInit: o.NInit, Seed: o.Seed, StabilityBoots: o.Boots}}
	switch o.Transform {
	case "auto":
		co.Transform = cluster.TransformAuto
	case "none":
		co.Transform = cluster.TransformNone
	default:
		return usagef("--transform %q: want auto or none", o.Transform)
	}
	m, err := pipeline.ClusterFile(ctx, co)
	if err != nil {
		return err
	}
	if !o.Quiet {
		fmt.Fprintf(stdout, "segmint: %d rows x %d columns -> k=%d, inertia %.6g after %d iterations; wrote %s\n", m.Rows, len(m.Columns), m.K, m.Inertia, m.Iterations, o.Out)
	}
	return nil
}

package segbeam_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/segmint/segmint/beam/segbeam"
	"github.com/segmint/segmint/pipeline"
	"github.com/segmint/segmint/synth"
)

// BenchmarkJob times the job on Prism over generated data (seed 3, the
// full layout, about 52 events per customer) at two sizes: the feature
// table alone and the whole output set of every customer, in events per
// second of wall time. With -cpuprofile it profiles the workers too,
// which Prism runs in the benchmark's process; docs/scale-out.md quotes
// its figures:
//
//	go test -run '^$' -bench Job -benchtime 1x -cpuprofile /tmp/cpu.out ./segbeam
func BenchmarkJob(b *testing.B) {
	ctx := context.Background()
	for _, customers := range []int{20_000, 100_000} {
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			dir := b.TempDir()
			sum, err := synth.Generate(ctx, filepath.Join(dir, "events"), synth.Settings{Customers: customers, Seed: 3})
			if err != nil {
				b.Fatal(err)
			}
			for _, featuresOnly := range []bool{true, false} {
				name := "whole-job"
				if featuresOnly {
					name = "features-only"
				}
				b.Run(name, func(b *testing.B) {
					var events int64
					for b.Loop() {
						counters, err := segbeam.Run(ctx, segbeam.Options{Events: sum.Files, Out: filepath.Join(b.TempDir(), "out"), FeaturesOnly: featuresOnly,
							Cluster: pipeline.ClusterOptions{KMin: pipeline.DefaultKMin, KMax: pipeline.DefaultKMax, NInit: 10, Seed: 1}}, runPrism)
						if err != nil {
							b.Fatal(err)
						}
						events += counters["events"]
					}
					b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
				})
			}
		})
	}
}

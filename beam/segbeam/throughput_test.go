package segbeam_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/segmint/segmint/beam/segbeam"
	"github.com/segmint/segmint/pipeline"
)

// TestThroughput measures the job on Prism over the files named by
// $SEGBEAM_THROUGHPUT_EVENTS (a glob; skipped without it): events per
// second of wall time for the feature table alone and for the whole job
// (the sample is every customer unless $SEGBEAM_THROUGHPUT_SAMPLE says
// otherwise). With go test -cpuprofile it profiles the workers too, which
// Prism runs in the test's process. docs/scale-out.md quotes its figures.
func TestThroughput(t *testing.T) {
	events := os.Getenv("SEGBEAM_THROUGHPUT_EVENTS")
	if events == "" {
		t.Skip("set SEGBEAM_THROUGHPUT_EVENTS to a glob of event files")
	}
	sample, _ := strconv.Atoi(os.Getenv("SEGBEAM_THROUGHPUT_SAMPLE"))
	ctx := context.Background()
	for _, featuresOnly := range []bool{true, false} {
		out := filepath.Join(t.TempDir(), "out")
		start := time.Now()
		counters, err := segbeam.Run(ctx, segbeam.Options{Events: []string{events}, Out: out, FeaturesOnly: featuresOnly, Sample: sample,
			Cluster: pipeline.ClusterOptions{KMin: pipeline.DefaultKMin, KMax: pipeline.DefaultKMax, NInit: 10, Seed: 1}}, runPrism)
		if err != nil {
			t.Fatal(err)
		}
		sec := time.Since(start).Seconds()
		t.Logf("features only %v: %d events in %.1f s: %.0f events/s", featuresOnly, counters["events"], sec, float64(counters["events"])/sec)
	}
}

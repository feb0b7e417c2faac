package kmeansbench

import (
	"context"
	"fmt"
	"testing"

	"github.com/segmint/segmint/cluster"
)

// BenchmarkSegmint times cluster.KMeans on the benchmark matrix, on one
// thread and on every core (threads=0).
func BenchmarkSegmint(b *testing.B) {
	for _, rows := range []int{100_000} {
		data := Blobs(1, rows, 16, 10, 1.5)
		for _, threads := range []int{1, 0} {
			b.Run(fmt.Sprintf("rows=%d/threads=%d", rows, threads), func(b *testing.B) {
				b.ReportAllocs()
				s := cluster.Settings{K: 10, NInit: 10, Seed: 1, Threads: threads}
				for b.Loop() {
					if _, err := cluster.KMeans(context.Background(), data, rows, 16, s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

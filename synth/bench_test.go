package synth

import (
	"strconv"
	"testing"
)

// BenchmarkGenerate measures end-to-end generation, Parquet files
// included, and reports events written per second.
func BenchmarkGenerate(b *testing.B) {
	for _, customers := range []int{2_000, 20_000, 100_000} {
		b.Run("customers="+strconv.Itoa(customers), func(b *testing.B) {
			dir := b.TempDir()
			b.ReportAllocs()
			var events int64
			for b.Loop() {
				sum, err := Generate(b.Context(), dir, Settings{Customers: customers, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				events += sum.Events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

package cluster

import (
	"context"
	"fmt"
	"testing"
)

func BenchmarkKMeans(b *testing.B) {
	for _, rows := range []int{10_000, 100_000} {
		data, _ := blobs(1, rows, 16, 10, 5, 1)
		for _, threads := range []int{1, 0} {
			b.Run(fmt.Sprintf("rows=%d/threads=%d", rows, threads), func(b *testing.B) {
				b.ReportAllocs()
				s := Settings{K: 10, NInit: 10, Seed: 1, Threads: threads}
				for b.Loop() {
					if _, err := KMeans(context.Background(), data, rows, 16, s); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

func BenchmarkLloydStep(b *testing.B) {
	for _, rows := range []int{10_000, 100_000} {
		data, _ := blobs(1, rows, 16, 10, 5, 1)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			e := newEngine(data, rows, 16, 10, nil, 2, 4)
			defer e.close()
			e.seed(newRand(1))
			e.reset()
			b.ReportAllocs()
			for b.Loop() {
				e.runs[0].full = true // time the full assignment pass
				e.step()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkSeed(b *testing.B) {
	rows := 100_000
	data, _ := blobs(1, rows, 16, 10, 5, 1)
	e := newEngine(data, rows, 16, 10, nil, 2, 4)
	defer e.close()
	b.ReportAllocs()
	for b.Loop() {
		e.seed(newRand(1))
	}
}

func BenchmarkSelectK(b *testing.B) {
	rows := 10_000
	data, _ := blobs(1, rows, 16, 6, 5, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SelectK(context.Background(), data, rows, 16, SelectSettings{KMin: 2, KMax: 8, Base: Settings{Seed: 1, NInit: 3}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

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

// BenchmarkSelectKWithScan compares SelectK with the stability scan on
// more rows than the scan resamples, the ks fitted for the validity
// indices on their own sample (own) and taken from the scan's references
// (IndicesOnScan): the same choice and scan, one set of fits fewer.
// Run with -benchtime 1x or 3x: an iteration takes seconds.
func BenchmarkSelectKWithScan(b *testing.B) {
	rows := 60_000
	data, _ := blobs(1, rows, 16, 8, 5, 1)
	for _, onScan := range []bool{false, true} {
		name := "own"
		if onScan {
			name = "on-scan"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := SelectK(context.Background(), data, rows, 16, SelectSettings{KMin: 2, KMax: 12, Base: Settings{Seed: 1}, StabilityBoots: 4, IndicesOnScan: onScan}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFitDrawn compares a bootstrap refit on every drawn row,
// repeats included, with fitDrawn's fit of the distinct rows weighted by
// their draws: the same k-means problem, on overlapping blobs with the
// default 10 restarts.
func BenchmarkFitDrawn(b *testing.B) {
	rows, cols := 100_000, 16
	data, _ := blobs(1, rows, cols, 18, 1, 1)
	rng := newRand(2)
	src := make([]int, rows)
	for i := range src {
		src[i] = rng.IntN(rows)
	}
	x := gatherRows(data, cols, src)
	s := Settings{K: 18, Seed: 3}
	b.Run("every-row", func(b *testing.B) {
		for b.Loop() {
			if _, err := KMeans(context.Background(), x, rows, cols, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("distinct-weighted", func(b *testing.B) {
		for b.Loop() {
			if _, err := fitDrawn(context.Background(), x, rows, cols, src, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

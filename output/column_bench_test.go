package output

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkWriteColumns writes a feature table of 200,000 customers: an
// int64 id, a country and 24 float64 features of mostly distinct values,
// some null (go test ./output -run '^$' -bench WriteColumns).
func BenchmarkWriteColumns(b *testing.B) {
	const n = 200_000
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]int64, n)
	country := make([]string, n)
	for i := range ids {
		ids[i] = 512_000_000 + int64(i)
		country[i] = [...]string{"US", "DE", "GB", "FR", "PL"}[rng.IntN(5)]
	}
	cols := []Column{{Name: "customer_id", Int64: ids}, {Name: "country", String: country, NullEmpty: true}}
	for j := range 24 {
		v := make([]float64, n)
		for i := range v {
			switch {
			case j%5 == 0 && rng.IntN(4) == 0:
				v[i] = math.NaN()
			case j%3 == 0:
				v[i] = float64(rng.IntN(20)) // a count
			default:
				v[i] = math.Exp(rng.NormFloat64() * 2)
			}
		}
		cols = append(cols, Column{Name: fmt.Sprintf("f%02d", j), Float64: v})
	}
	b.ResetTimer()
	for range b.N {
		if err := WriteColumns(io.Discard, cols, nil); err != nil {
			b.Fatal(err)
		}
	}
}

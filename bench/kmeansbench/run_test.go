package kmeansbench

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestBlobsDeterministicAndStandardised(t *testing.T) {
	a := Blobs(7, 2000, 5, 4, 1.5)
	b := Blobs(7, 2000, 5, 4, 1.5)
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different matrices")
	}
	for d := range 5 {
		var s, ss float64
		for i := range 2000 {
			s += a[i*5+d]
		}
		mean := s / 2000
		for i := range 2000 {
			v := a[i*5+d] - mean
			ss += v * v
		}
		if math.Abs(mean) > 1e-12 || math.Abs(ss/2000-1) > 1e-12 {
			t.Errorf("column %d: mean %v variance %v", d, mean, ss/2000)
		}
	}
}

func TestRunWithoutSklearn(t *testing.T) {
	o, _, err := parseArgs([]string{"--rows", "2e3", "--threads", "1,2", "--repeats", "1", "--n-init", "2", "--no-sklearn"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var out, log bytes.Buffer
	if err := Run(context.Background(), o, &out, &log); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| 2000 | 16 | 10 | 2 | segmint | 1 |", "| 2000 | 16 | 10 | 2 | segmint | 2 |", "muesli/kmeans", "scikit-learn: skipped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, args := range [][]string{{"--rows", "1.5"}, {"--rows", "-3"}, {"--k", "0"}, {"extra"}} {
		if _, _, err := parseArgs(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q: want an error", args)
		}
	}
}

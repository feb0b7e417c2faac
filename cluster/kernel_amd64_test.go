package cluster

import (
	"context"
	"testing"
)

// TestPortablePath runs the portable distance code on an amd64 machine,
// so both paths are exercised: the fit must be consistent and recover the
// blobs either way.
func TestPortablePath(t *testing.T) {
	saved := useVector
	t.Cleanup(func() { useVector = saved })
	for _, vector := range []bool{false, true} {
		if vector && !saved {
			continue
		}
		useVector = vector
		data, labels := separatedBlobs(3, 4000, 7, 5, 8, 1)
		r, err := KMeans(context.Background(), data, 4000, 7, Settings{K: 5, Seed: 1, NInit: 2, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, r, data, 4000, 7, nil)
		if ari := AdjustedRand(labels, r.Assign); ari <= 0.95 {
			t.Errorf("vector=%v: ARI %v", vector, ari)
		}
		TestDist2RowsMatchesScalar(t)
		TestNearest2(t)
	}
}

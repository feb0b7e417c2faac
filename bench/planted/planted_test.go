package planted

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/segmint/segmint/synth"
)

// TestRecoveryOfASmallSet runs the job on 600 planted customers and checks
// that the figures add up: every customer counted once, shares in [0, 1],
// one row per planted archetype, and a table row for each.
func TestRecoveryOfASmallSet(t *testing.T) {
	r, sum, _, err := Run(context.Background(), RunOptions{Data: synth.Settings{Customers: 600, Seed: 7}, StabilityBoots: -1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, row := range r.Rows {
		n += row.Customers
		for _, v := range []float64{row.PrimaryPrecision, row.PrimaryRecall, row.MemberPrecision, row.MemberRecall, row.Mapped, row.Found} {
			if v < 0 || v > 1 {
				t.Errorf("%s: a share of %v", row.Archetype, v)
			}
		}
	}
	planted := 0
	for _, c := range sum.ByArchetype {
		if c > 0 {
			planted++
		}
	}
	if n != sum.Customers || len(r.Rows) != planted {
		t.Errorf("%d customers in %d rows, want %d in %d", n, len(r.Rows), sum.Customers, planted)
	}
	if r.ARI < -1 || r.ARI > 1 || r.MappingShare < 0 || r.MappingShare > 1 || r.K < 2 {
		t.Errorf("ARI %v, mapping share %v, k %d", r.ARI, r.MappingShare, r.K)
	}
	sized := 0
	for _, m := range r.Clusters {
		sized += m.Size
		if m.MajorityShare < m.SecondShare || m.MajorityShare+m.SecondShare > 1+1e-9 || m.MajorityShare <= 0 {
			t.Errorf("cluster %d: shares %v and %v", m.Cluster, m.MajorityShare, m.SecondShare)
		}
	}
	if len(r.Clusters) != r.K || sized != sum.Customers {
		t.Errorf("%d cluster rows holding %d customers, want %d holding %d", len(r.Clusters), sized, r.K, sum.Customers)
	}
	var b bytes.Buffer
	WriteRecovery(&b, r)
	if got, want := strings.Count(b.String(), "\n| "), len(r.Rows)+1+len(r.Clusters)+1; got != want {
		t.Errorf("%d table rows, want %d:\n%s", got, want, b.String())
	}
}

func TestPickVariants(t *testing.T) {
	cases := []struct {
		spec string
		want int
	}{{"all", 15}, {"suite", 13}, {"hard", 2}, {"default,noise 5%", 2}}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			vs, err := pickVariants(tc.spec)
			if err != nil || len(vs) != tc.want {
				t.Errorf("%d variants, %v; want %d", len(vs), err, tc.want)
			}
		})
	}
	if _, err := pickVariants("no such"); err == nil {
		t.Error("an unknown variant: want an error")
	}
}

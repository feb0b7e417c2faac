package report

import (
	"math"
	"testing"
)

func TestProjectionFindsTheMainAxis(t *testing.T) {
	// Points on the line y = 2x (plus a little noise in z) : the first
	// component carries nearly all the variance.
	rows, cols := 200, 3
	data := make([]float64, rows*cols)
	assign := make([]int, rows)
	for i := 0; i < rows; i++ {
		x := float64(i) - 100
		data[i*cols], data[i*cols+1], data[i*cols+2] = x, 2*x, 0.01*math.Sin(float64(i))
		assign[i] = i % 3
	}
	pts, ev, err := Projection(data, rows, cols, assign, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 50 {
		t.Errorf("%d points, want 50", len(pts))
	}
	if ev[0] < 0.999 || ev[1] > 0.001 {
		t.Errorf("explained variance %v, want ~[1 0]", ev)
	}
	// Projected x is the signed distance along (1,2)/sqrt(5).
	for _, p := range pts[:3] {
		if math.Abs(math.Abs(p.Y)) > 0.05 {
			t.Errorf("second component %v, want ~0", p.Y)
		}
	}
	if d := math.Abs(pts[1].X-pts[0].X) - 4*math.Sqrt(5); math.Abs(d) > 1e-6 {
		t.Errorf("spacing along the first component: off by %v", d)
	}
}

func TestPareto(t *testing.T) {
	spend := []float64{100, 0, 0, 0, 0, 0, 0, 0, 0, math.NaN()}
	top, curve := Pareto(spend, 10)
	if top != 1 {
		t.Errorf("top 20%% share = %v, want 1", top)
	}
	if len(curve) != 11 || curve[0][1] != 0 || curve[10][1] != 1 {
		t.Errorf("curve %v", curve)
	}
	even := []float64{1, 1, 1, 1, 1}
	if top, _ := Pareto(even, 5); math.Abs(top-0.2) > 1e-12 {
		t.Errorf("even spend: top 20%% share = %v, want 0.2", top)
	}
}

package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var pageTemplate string

var funcs = template.FuncMap{
	"pct": pct,
	"num": formatNum,
	"pm":  plusMinus,
	"int": func(x any) string { return commas(toInt64(x)) },
	"z": func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "–"
		}
		return fmt.Sprintf("%+.2f", x)
	},
	"heat":            heatColour,
	"share":           shareColour,
	"addf":            func(a, b float64) float64 { return a + b },
	"divf":            func(a, b int) float64 { return float64(a) / float64(max(b, 1)) },
	"join":            strings.Join,
	"ints":            joinInts,
	"sizeChart":       sizeChart,
	"kCharts":         kCharts,
	"paretoChart":     paretoChart,
	"projectionChart": projectionChart,
	"funnelChart":     funnelChart,
	"movementChart":   movementChart,
	"overlapRows":     overlapRows,
	"memberships":     memberships,
	"manySegments":    manySegments,
	"bars":            func(cs []Count) []bar { return bars(cs, 0) },
	"countryBars":     countryBars,
	"countrySegments": countrySegments,
	"movementRows":    movementRows,
	"clusterMatches":  clusterMatches,
	"stages":          stages,
	"window":          windowDates,
	"span":            func(start, end time.Time) string { return days(end.Sub(start).Hours() / 24) },
	"days":            days,
	"document":        document,
	"readSegments":    readSegments,
	"notEvaluated":    notEvaluated,
	"evaluatedFirst":  evaluatedFirst,
	"predicted":       predicted,
}

// formatNum prints a number for people: thousands separators from 1,000,
// one decimal from 10, two below, and "–" for NaN and infinities.
func formatNum(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "–"
	case math.Abs(x) >= 1000:
		return commas(int64(math.Round(x)))
	case math.Abs(x) >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func toInt64(x any) int64 {
	switch v := x.(type) {
	case int:
		return int64(v)
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// heatColour maps a standardised value to a diverging blue-white-red fill.
func heatColour(z float64) template.CSS {
	if math.IsNaN(z) {
		return "background:#eee"
	}
	t := math.Max(-1, math.Min(1, z/2))
	var r, g, b float64
	if t >= 0 {
		r, g, b = 255, 255-t*180, 255-t*180
	} else {
		r, g, b = 255+t*180, 255+t*120, 255
	}
	return template.CSS(fmt.Sprintf("background:rgb(%d,%d,%d)", int(r), int(g), int(b)))
}

// Render returns the report page for d.
func Render(d *Data) ([]byte, error) {
	t, err := template.New("report").Funcs(funcs).Parse(pageTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteHTML renders d into a new file at path.
func WriteHTML(path string, d *Data) error {
	page, err := Render(d)
	if err != nil {
		return err
	}
	return os.WriteFile(path, page, 0o644)
}

// joinInts lists numbers separated by commas.
func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

// windowDates shows an observation window: its dates, and its times too
// when it is shorter than two days ("2019-10-01 00:00 → 02:50"), where the
// dates alone would read "2019-10-01 → 2019-10-01".
func windowDates(start, end time.Time) string {
	if end.Sub(start) >= 48*time.Hour {
		return start.Format("2006-01-02") + " → " + end.Format("2006-01-02")
	}
	to := end.Format("15:04")
	if end.Format("2006-01-02") != start.Format("2006-01-02") {
		to = end.Format("2006-01-02 15:04")
	}
	return start.Format("2006-01-02 15:04") + " → " + to
}

// days formats a span of days: minutes below an hour, hours to a tenth
// below two days, else days to a tenth, every fraction cut rather than
// rounded up ("50 minutes", "2.8 hours", "373.2 days").
func days(d float64) string {
	cut := func(v float64) string {
		s := strconv.FormatFloat(math.Floor(v*10)/10, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0")
	}
	unit := func(v, one, many string) string {
		if v == "1" {
			return v + " " + one
		}
		return v + " " + many
	}
	switch {
	case !finite(d) || d < 0:
		return "–"
	case d*24 < 1:
		return unit(strconv.Itoa(int(d*24*60)), "minute", "minutes")
	case d < 2:
		return unit(cut(d*24), "hour", "hours")
	}
	return unit(cut(d), "day", "days")
}

// plusMinus is " ± se" for a positive standard error, else "".
func plusMinus(se float64) string {
	if !(se > 0) {
		return ""
	}
	return " ± " + formatNum(se)
}

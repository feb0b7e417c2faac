package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"os"
	"strings"
)

//go:embed report.html.tmpl
var pageTemplate string

var funcs = template.FuncMap{
	"pct": func(x float64) string {
		if math.IsNaN(x) {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*x)
	},
	"num": func(x float64) string {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return "–"
		case math.Abs(x) >= 1000:
			return commas(int64(math.Round(x)))
		case math.Abs(x) >= 10:
			return fmt.Sprintf("%.1f", x)
		}
		return fmt.Sprintf("%.2f", x)
	},
	"int": func(x any) string { return commas(toInt64(x)) },
	"z": func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "–"
		}
		return fmt.Sprintf("%+.2f", x)
	},
	"heat": heatColour,
	"join": strings.Join,
	"bars": func(d *Data) template.HTML { return sizeBars(d) },
	"kplot": func(k *KSelection) template.HTML {
		return kPlots(k)
	},
	"pareto": func(d *Data) template.HTML { return paretoPlot(d) },
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

package office

import (
	"fmt"
	"html/template"
	"strings"

	"haochaping/web/page"
)

// The dashboard's charts, drawn on the server as SVG: no script, no library, and they print.
// Each carries a <title> and a table of the same figures beside it for screen readers.

// Point is one value of a series: its label (a day, a month) and a share 0..1, or -1 when
// there was nothing to measure.
type Point struct {
	Label string
	Value float64
}

// TrendSVG draws a series of shares as a line over 0–100 %, with the target as a dashed line.
func TrendSVG(title string, points []Point, target float64) template.HTML {
	const w, h, left, bottom, top = 640.0, 220.0, 40.0, 28.0, 10.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s"><title>%s</title>`, w, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	plotH := h - bottom - top
	y := func(v float64) float64 { return top + plotH*(1-v) }
	for _, g := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line class="grid" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/><text class="axis" x="%.0f" y="%.1f" text-anchor="end">%.0f%%</text>`,
			left, w, y(g), y(g), left-6, y(g)+4, g*100)
	}
	if target > 0 {
		fmt.Fprintf(&b, `<line class="target" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/>`, left, w, y(target), y(target))
	}
	n := len(points)
	step := (w - left - 10) / float64(max(n-1, 1))
	var path strings.Builder
	for i, p := range points {
		x := left + 5 + float64(i)*step
		if p.Value >= 0 {
			cmd := "L"
			if path.Len() == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x, y(p.Value))
			fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="3"/>`, x, y(p.Value))
		}
		if n <= 12 || i%max(1, n/8) == 0 || i == n-1 {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x, h-8, template.HTMLEscapeString(p.Label))
		}
	}
	if path.Len() > 0 {
		fmt.Fprintf(&b, `<path class="line" d="%s"/>`, strings.TrimSpace(path.String()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text in it was escaped above
}

// Bar is one bar of a mix: its label, count and share of the whole.
type Bar struct {
	Label string
	Count int64
	Share float64
}

// BarsSVG draws shares as horizontal bars with their counts.
func BarsSVG(title string, bars []Bar) template.HTML {
	const w, rowH, labelW = 640.0, 34.0, 110.0
	h := rowH*float64(len(bars)) + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s"><title>%s</title>`, w, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for i, bar := range bars {
		y := float64(i)*rowH + 4
		bw := (w - labelW - 130) * bar.Share
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.1f">%s</text><rect class="bar" x="%.0f" y="%.1f" width="%.1f" height="%.0f" rx="3"/><text class="value" x="%.1f" y="%.1f">%s（%.1f%%）</text>`,
			y+20, template.HTMLEscapeString(bar.Label), labelW, y+4, bw, rowH-12, labelW+bw+8, y+20, page.Thousands(bar.Count), bar.Share*100)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

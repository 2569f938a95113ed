package demohistory

import (
	"math"
	"slices"
)

// Which window handles a case: a department's items go to its own (specialised) windows, and to
// the hall's comprehensive windows, which take every department's cases ("一窗受理"). Left at
// that, the comprehensive windows would serve several times the others' share — more than a
// counter can — and look like bursts of praise to the 刷好评 watch (ten top ratings within ten
// minutes from one pad or one member of staff). So the weights are balanced until the busy
// windows of a hall carry about the same load.

// serveWeight is the starting weight of a window for a department's cases.
func serveWeight(w *orgWindow, own, hasSpecialised bool) float64 {
	switch {
	case own && w.kind == "specialised":
		return 6
	case own && w.kind == "comprehensive":
		return 3
	case own && (w.kind == "cross_region" || w.kind == "assisted"):
		return 1
	case own:
		return 0.3
	case w.kind == "comprehensive" && hasSpecialised:
		return 1.5
	case w.kind == "comprehensive":
		return 3
	}
	return 0
}

// balanced reports whether a window kind takes part in the balancing: the counters of ordinary
// business. The complaint, fallback, assisted and cross-region windows keep their small share.
func balanced(kind string) bool { return kind == "comprehensive" || kind == "specialised" }

// ticketWeight is how often a window kind hands out tickets rated without a case.
func ticketWeight(kind string) float64 {
	switch kind {
	case "comprehensive", "specialised":
		return 1.5
	case "complaint", "fallback":
		return 0.5
	}
	return 1
}

// routeWindows sets each department's windows and weights (serve, serveCum).
func routeWindows(o *org) {
	for _, reg := range o.regions {
		// A department's volume at the windows: the popularity of its items.
		vol := map[*orgDepartment]float64{}
		var depts []*orgDepartment
		for _, it := range reg.items {
			if _, seen := vol[it.dept]; !seen {
				depts = append(depts, it.dept)
			}
			vol[it.dept] += it.weight
		}
		// In ID order: the sums below must come out the same on every run.
		slices.SortFunc(depts, func(a, b *orgDepartment) int { return int(a.id - b.id) })
		weights := map[*orgDepartment][]float64{}
		for _, d := range depts {
			spec := false
			for _, w := range d.windows {
				spec = spec || w.kind == "specialised"
			}
			d.serve = nil
			var wt []float64
			for _, w := range reg.windows {
				if x := serveWeight(w, w.dept == d, spec); x > 0 {
					d.serve = append(d.serve, w)
					wt = append(wt, x)
				}
			}
			weights[d] = wt
		}
		for range 6 {
			load := make(map[*orgWindow]float64, len(reg.windows))
			for _, d := range depts {
				wt := weights[d]
				sum := 0.0
				for _, x := range wt {
					sum += x
				}
				for k, w := range d.serve {
					load[w] += vol[d] * wt[k] / sum
				}
			}
			mean, n := 0.0, 0
			for _, w := range reg.windows {
				if balanced(w.kind) && load[w] > 0 {
					mean += load[w]
					n++
				}
			}
			if n == 0 {
				break
			}
			mean /= float64(n)
			for _, d := range depts {
				for k, w := range d.serve {
					if balanced(w.kind) && load[w] > 0 {
						weights[d][k] *= math.Sqrt(mean / load[w]) // damped: the loads move together
					}
				}
			}
		}
		for _, d := range depts {
			d.serveCum = cumulative(weights[d])
		}
	}
}

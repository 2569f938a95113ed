package citizen_test

import (
	"slices"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// BenchmarkMobilePageLoad loads the receipt link's rating page on a phone-sized headless
// Chromium slowed to a cheap phone (CPU 4× slower, no cache: every load fetches all), against
// the running system on this machine, and reports the medians of the browser's own timings:
// first contentful paint when headless reports it, DOMContentLoaded, and the load event — the
// page laid out with everything it loaded. Run: go test -run '^$' -bench MobilePageLoad
// -benchtime 30x ./web/citizen/
func BenchmarkMobilePageLoad(b *testing.B) {
	_, srv := apptest.Serve(b, linkNow)
	path := linkPath(b, srv.PushCase(apptest.Case("BENCH-LINK-0001", linkNow.Add(-time.Hour))))
	br := browsertest.Open(b, srv.URL, browsertest.Phone)
	br.CheapPhone(4)
	var dcl, load []float64
	var w browsertest.Weight
	for b.Loop() {
		br.Go(path)
		w = br.Weigh()
		dcl, load = append(dcl, w.DOMDoneMS), append(load, w.LoadMS)
	}
	b.ReportMetric(median(dcl), "dcl-ms")
	b.ReportMetric(median(load), "load-ms")
	b.ReportMetric(float64(w.Bytes), "bytes")
	b.ReportMetric(float64(w.Requests), "requests")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

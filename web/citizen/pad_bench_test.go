package citizen_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// BenchmarkPadPrompt measures what the window's business system waits for: from its signed
// POST /api/v1/channels/window/prompts to the pad (headless Chromium at pad size, on its
// server-sent event stream) showing that case's rating, laid out. Each op prompts a new case
// from the idle screen; prompt-ms is the median of the ops, p90-ms the 90th percentile (ns/op
// also counts pushing the case and going back to idle). Run: go test -run '^$' -bench
// PadPrompt -benchtime 30x ./web/citizen/
func BenchmarkPadPrompt(b *testing.B) {
	_, srv := apptest.Serve(b, padNow)
	pad := srv.DemoDevice(padDevice)
	br := browsertest.Open(b, srv.URL, browsertest.Pad)
	pairPad(b, srv, br)
	waitIdle(br)
	var took []time.Duration
	n := 0
	for b.Loop() {
		n++
		no := fmt.Sprintf("BENCH-PAD-%04d", n)
		srv.PushCase(apptest.Case(no, padNow.Add(-20*time.Minute)))
		took = append(took, promptToScreen(b, srv, br, pad, no))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "prompt-ms")
	b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "p90-ms")
}

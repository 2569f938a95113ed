package loadgen

import (
	"math"
	"testing"
)

func TestPlanDrawsTheDemoHistorysMix(t *testing.T) {
	t.Parallel()
	p, err := NewPlan(7, DefaultMix, 0.2, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	ratings := map[Kind]int{}
	var total, bad, repeats int
	const n = 40000
	for i := range n {
		req := p.Draw(i)
		if req.Kind == KindRepeat {
			repeats++
			continue
		}
		if req.Kind != KindKiosk && len(req.Ratings) != 1 {
			t.Fatalf("request %d on %s carries %d ratings", i, req.Kind, len(req.Ratings))
		}
		if req.Kind == KindKiosk && (len(req.Ratings) < KioskBatchMin || len(req.Ratings) > KioskBatchMax) {
			t.Fatalf("kiosk upload of %d records", len(req.Ratings))
		}
		for _, r := range req.Ratings {
			ratings[req.Kind]++
			total++
			if r.Bad {
				bad++
				if r.Level > 2 || len(r.Reasons) != 1 {
					t.Fatalf("bad rating %+v", r)
				}
			} else if r.Level < 3 || len(r.Reasons) != 0 {
				t.Fatalf("good rating %+v", r)
			}
		}
	}
	want := map[Kind]float64{KindWindow: 0.45, KindMobile: 0.25, KindPC: 0.20, KindKiosk: 0.10}
	for k, share := range want {
		if got := float64(ratings[k]) / float64(total); math.Abs(got-share) > 0.015 {
			t.Errorf("%s: %.3f of the ratings, want %.2f", k, got, share)
		}
	}
	if got := float64(bad) / float64(total); math.Abs(got-0.2) > 0.01 {
		t.Errorf("bad: %.3f of the ratings, want 0.20", got)
	}
	if got := float64(repeats) / n; math.Abs(got-0.02) > 0.004 {
		t.Errorf("repeats: %.4f of the requests, want 0.02", got)
	}
	// The same seed draws the same request, whatever the order.
	if a, b := p.Draw(123), p.Draw(123); a.Kind != b.Kind || len(a.Ratings) != len(b.Ratings) || a.Pick != b.Pick {
		t.Fatalf("request 123 drawn twice differently: %+v, %+v", a, b)
	}
}

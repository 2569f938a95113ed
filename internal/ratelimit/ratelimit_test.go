package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestRefusalWaitsWholeSeconds(t *testing.T) {
	for wait, want := range map[time.Duration]time.Duration{
		0: time.Second, 50 * time.Millisecond: time.Second, 1500 * time.Millisecond: 2 * time.Second, 59 * time.Second: 59 * time.Second,
	} {
		p := Refusal(wait)
		if p.Status != 429 || p.Code != "rate_limited" || p.RetryAfter != want {
			t.Errorf("Refusal(%v) = %d %s %v, want 429 rate_limited %v", wait, p.Status, p.Code, p.RetryAfter, want)
		}
	}
}

func TestNilLimiterLimitsNothing(t *testing.T) {
	var l *Limiter
	if l.Device(context.Background(), "d") != nil || l.Address(context.Background(), "127.0.0.1") != nil {
		t.Fatal("a nil limiter refused")
	}
}

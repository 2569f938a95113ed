package testenv

import (
	"os"
	"testing"
	"time"

	"haochaping/internal/bjtime"
)

// TestNowVar names the environment variable that sets DefaultNow for a whole run, e.g.
// HAOCHAPING_TEST_NOW=2026-12-01T17:30:00Z: the suite as it runs at that instant.
const TestNowVar = "HAOCHAPING_TEST_NOW"

// DefaultNow is where a test's clock starts: HAOCHAPING_TEST_NOW when set, else the machine's
// time. Tests whose outcome depends on the time set their clock themselves (Env.Clock.Set).
func DefaultNow(t testing.TB) time.Time {
	v := os.Getenv(TestNowVar)
	if v == "" {
		return time.Now()
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatalf("testenv: %s=%q: want RFC 3339, e.g. 2026-12-01T17:30:00Z", TestNowVar, v)
	}
	return at
}

// Beijing is an instant given in Beijing time: Beijing(2026, 2, 13, 23, 59, 59).
func Beijing(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, bjtime.Location)
}

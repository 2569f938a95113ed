package testenv

import (
	"testing"
	"time"
)

// Eventually polls cond every 20 ms until it holds, failing the test after timeout. It waits
// for a condition, not for a guessed duration.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package testenv

import (
	"context"
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

// RollUp runs the evaluation rollup until it has counted every evaluation, supersession of a
// default and upward report committed so far (the three it reads by transaction). One run may
// count less: it stops at the oldest transaction still open anywhere on the
// server (another test's, say), and counts the rest on a later run.
func (e *Env) RollUp(svc interface {
	RollUp(context.Context) (int64, error)
}) {
	e.T.Helper()
	Eventually(e.T, 30*time.Second, "the rollup counted every evaluation", func() bool {
		if _, err := svc.RollUp(context.Background()); err != nil {
			e.T.Fatalf("rollup: %v", err)
		}
		return e.Count(`WITH w AS (SELECT COALESCE((SELECT watermark FROM rollup_state WHERE name = 'evaluations'), 0) AS v)
			SELECT (SELECT count(*) FROM evaluations, w WHERE txid >= w.v)
			     + (SELECT count(*) FROM evaluation_supersessions, w WHERE txid >= w.v)
			     + (SELECT count(*) FROM upward_reports, w WHERE txid >= w.v)`) == 0
	})
}

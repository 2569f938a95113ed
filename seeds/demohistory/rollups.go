package demohistory

import (
	"context"
	"fmt"
	"time"

	"haochaping/calendar"
	"haochaping/measures"
	"haochaping/rectify"
)

// rollUp runs, once, what the jobs would run over the next minutes, so that the dashboard shows
// the history at once: the evaluation rollup (until it has counted every evaluation), 评价率's
// case counts, the rectification measures, the ledger's status, and the monthly rankings of the
// period's months in order (a unit at the bottom two months running is flagged).
func (l *Loader) rollUp(ctx context.Context, p *plan, o *Options, maxTxid int64, sum *Summary) error {
	ev := &measures.Service{DB: l.DB}
	log := l.logger()
	step := time.Now()
	took := func(what string) {
		log.Debug("demo: rollup step done", "step", what, "took", time.Since(step))
		step = time.Now()
	}
	// One run counts the evaluations of the transactions finished before the oldest one still
	// open anywhere on the server; the rest wait for a later run (testenv.Env.RollUp). The
	// history is counted once the watermark has passed the last transaction that loaded it —
	// live ratings arriving meanwhile are the job's business.
	deadline := time.Now().Add(o.RollupWait)
	for {
		if _, err := ev.RollUp(ctx); err != nil {
			return err
		}
		var mark int64
		if err := l.DB.Pool.QueryRow(ctx, `SELECT COALESCE((SELECT watermark FROM rollup_state WHERE name = 'evaluations'), 0)`).
			Scan(&mark); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
		if mark > maxTxid {
			sum.RolledUp = true
			break
		}
		if time.Now().After(deadline) {
			log.Warn("demo: the rollup waits for transactions still open on the server; the rollups job will count the rest",
				"watermark", mark, "last_load_transaction", maxTxid)
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	took("evaluations")
	if _, err := ev.RecountCases(ctx); err != nil {
		return err
	}
	took("cases")
	rc := &rectify.Service{DB: l.DB, Calendar: calendar.Default(), Keys: l.Keys, Log: log}
	if _, err := ev.RollUpRectification(ctx); err != nil {
		return err
	}
	if _, err := rc.UpdateLedgerStatus(ctx); err != nil {
		return err
	}
	took("rectification")
	first := dayDate(p.startDay)
	last := dayDate(p.endDay)
	for m := time.Date(first.Year(), first.Month(), 1, 12, 0, 0, 0, time.UTC); !m.After(last); m = m.AddDate(0, 1, 0) {
		if _, err := ev.ComputeRankings(ctx, m); err != nil {
			return err
		}
	}
	took("rankings")
	return nil
}

package demohistory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"haochaping/evaluation"
	"haochaping/rectify"
)

// The COPY streams, into the owners' bulk loads (evaluation.CopyCases, CopyEvaluations,
// CopyOutbox; rectify.CopyWorkOrders, CopyEvents, CopyNotifications). Three streams run at once, each on its own connection, chunk after chunk, one
// transaction a chunk: cases; evaluations; and the loop — outbox, work orders, events,
// notifications. So PostgreSQL works on two or three backends at once. When the foreign keys are
// checked (a role that may not skip the triggers), a stream's chunk k waits until the chunk k it
// refers to is committed (evaluations after cases, the loop after evaluations); when they are
// not, the streams run free.

// reservation holds the first of the IDs reserved for the history, and of the work-order numbers.
type reservation struct {
	caseID, evaluationID, workOrderID, numberSeq int64
}

// reserve takes blocks of IDs from the tables' identity sequences (and of numbers from
// work_order_number_seq), so that the history's rows can carry their IDs — the references
// between them are computed, not looked up — and never meet a live row's. The tables are
// locked for the moment of it (SHARE ROW EXCLUSIVE: no insert can draw from a sequence meanwhile).
func reserve(ctx context.Context, pool *pgxpool.Pool, cases, evaluations, workOrders int64) (reservation, error) {
	var res reservation
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Inserts wait meanwhile; a transaction of long standing would make us wait: give up instead.
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '15s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE cases, evaluations, work_orders IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("reserve IDs: %w", err)
		}
		block := func(table string, n int64, first *int64) error {
			if err := tx.QueryRow(ctx, `SELECT GREATEST(nextval(pg_get_serial_sequence($1, 'id')),
				(SELECT COALESCE(max(id), 0) + 1 FROM `+pgx.Identifier{table}.Sanitize()+`))`, table).Scan(first); err != nil {
				return fmt.Errorf("reserve %s IDs: %w", table, err)
			}
			if n > 1 {
				if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, table, *first+n-1); err != nil {
					return fmt.Errorf("reserve %s IDs: %w", table, err)
				}
			}
			return nil
		}
		if err := block("cases", cases, &res.caseID); err != nil {
			return err
		}
		if err := block("evaluations", evaluations, &res.evaluationID); err != nil {
			return err
		}
		if err := block("work_orders", workOrders, &res.workOrderID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT nextval('work_order_number_seq')`).Scan(&res.numberSeq); err != nil {
			return fmt.Errorf("reserve work-order numbers: %w", err)
		}
		if workOrders > 1 {
			if _, err := tx.Exec(ctx, `SELECT setval('work_order_number_seq', $1)`, res.numberSeq+workOrders-1); err != nil {
				return fmt.Errorf("reserve work-order numbers: %w", err)
			}
		}
		return nil
	})
	return res, err
}

// canSkipTriggers reports whether this role may set session_replication_role = replica, which
// skips the foreign-key triggers (and the outbox's NOTIFY) during the load: checking each row's
// nine references costs three times the COPY itself, and the generator draws every reference
// from the organisation it read or from IDs it reserved. Only superusers may (PostgreSQL 15).
func canSkipTriggers(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
		return err
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" { // insufficient_privilege
		return false, nil
	}
	return err == nil, err
}

// meter counts what the streams have sent, for the progress bar.
type meter struct {
	evaluations, rows atomic.Int64
}

// copier runs the streams.
type copier struct {
	pool         *pgxpool.Pool
	p            *plan
	ids          *identityPool
	res          reservation
	skipTriggers bool
	meter        *meter
	log          *slog.Logger

	evalTally *tally
	loop      loopTally
	maxTxid   int64 // the last transaction that wrote evaluations: the rollup must pass it
}

// loopTally counts the loop's rows and the work orders' states at the end.
type loopTally struct {
	outbox, workOrders, events, notifications int64
	states                                    map[string]int64
	callbackOverdue, rectifyOverdue           int64
}

func (c *copier) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	n := len(c.p.chunks)
	casesDone := make(chan struct{}, n)
	evalsDone := make(chan struct{}, n)
	c.evalTally = newTally()
	c.loop.states = map[string]int64{}
	var wg sync.WaitGroup
	stream := func(name string, fn func(ctx context.Context, k int, ch chunk) error, after <-chan struct{}, done chan<- struct{}) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k, ch := range c.p.chunks {
				if after != nil {
					select {
					case <-after:
					case <-ctx.Done():
						return
					}
				}
				began := time.Now()
				if err := fn(ctx, k, ch); err != nil {
					cancel(fmt.Errorf("%s, chunk %d of %d: %w", name, k+1, n, err))
					return
				}
				c.log.Debug("demo: chunk committed", "stream", name, "chunk", k+1, "of", n, "took", time.Since(began))
				if done != nil {
					done <- struct{}{}
				}
			}
		}()
	}
	afterCases, afterEvals := (<-chan struct{})(casesDone), (<-chan struct{})(evalsDone)
	if c.skipTriggers {
		afterCases, afterEvals = nil, nil
	}
	stream("cases", c.copyCases, nil, casesDone)
	stream("evaluations", c.copyEvaluations, afterCases, evalsDone)
	stream("work orders", c.copyLoop(), afterEvals, nil)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// inChunk runs fn in a transaction of its own, without the triggers when allowed.
func (c *copier) inChunk(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if c.skipTriggers {
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

func (c *copier) copyCases(ctx context.Context, _ int, ch chunk) error {
	src := newCaseRows(c.p, c.ids, c.res.caseID, ch, &c.meter.rows)
	return c.inChunk(ctx, func(tx pgx.Tx) error {
		n, err := evaluation.CopyCases(ctx, tx, src)
		if err == nil && n != int64(ch.cases) {
			err = fmt.Errorf("copied %d cases, planned %d", n, ch.cases)
		}
		return err
	})
}

func (c *copier) copyEvaluations(ctx context.Context, _ int, ch chunk) error {
	t := newTally()
	src := newEvaluationRows(c.p, c.ids, c.res.evaluationID, c.res.caseID, ch, &c.meter.evaluations, t)
	var txid int64
	err := c.inChunk(ctx, func(tx pgx.Tx) error {
		n, err := evaluation.CopyEvaluations(ctx, tx, src)
		if err == nil && n != int64(ch.evals) {
			err = fmt.Errorf("copied %d evaluations, planned %d", n, ch.evals)
		}
		if err == nil { // what the txid column's default wrote
			err = tx.QueryRow(ctx, `SELECT pg_current_xact_id()::text::bigint`).Scan(&txid)
		}
		return err
	})
	if err == nil {
		c.maxTxid = max(c.maxTxid, txid)
		c.meter.rows.Add(int64(ch.evals))
		c.evalTally.merge(t)
	}
	return err
}

// copyLoop returns the loop stream. It keeps the showcase from chunk to chunk, so it runs the
// chunks in order on one goroutine; a chunk's bad reviews are few (2–4% of its evaluations),
// so their rows are built in memory and copied from slices.
func (c *copier) copyLoop() func(ctx context.Context, k int, ch chunk) error {
	sc := newShowcase(c.p.showcaseFrom)
	return func(ctx context.Context, _ int, ch chunk) error {
		var out loopRows
		cur := newCursor(c.p, ch)
		evalIdx, woIdx := ch.evalIdx, ch.woIdx
		states := map[string]int64{}
		var cbLate, rectLate int64
		var s slot
		for {
			d, i, ok := cur.next()
			if !ok {
				break
			}
			c.p.decide(d, i, &s)
			if s.bad {
				w, err := c.p.simulate(&out, sc, &s, d, i, c.res.evaluationID+evalIdx, c.res.workOrderID+woIdx, c.res.numberSeq+woIdx)
				if err != nil {
					return err
				}
				states[string(w.state)]++
				if w.cbOverdue {
					cbLate++
				}
				if w.rectOverdue {
					rectLate++
				}
				woIdx++
			}
			if s.emitEval {
				evalIdx++
			}
		}
		if woIdx-ch.woIdx != int64(ch.wos) {
			return fmt.Errorf("made %d work orders, planned %d", woIdx-ch.woIdx, ch.wos)
		}
		err := c.inChunk(ctx, func(tx pgx.Tx) error {
			for _, t := range []struct {
				rows [][]any
				copy func(context.Context, pgx.Tx, pgx.CopyFromSource) (int64, error)
			}{
				{out.outbox, evaluation.CopyOutbox},
				{out.workOrders, rectify.CopyWorkOrders},
				{out.events, rectify.CopyEvents},
				{out.notifications, rectify.CopyNotifications},
			} {
				if len(t.rows) == 0 {
					continue
				}
				if _, err := t.copy(ctx, tx, pgx.CopyFromRows(t.rows)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rows := int64(len(out.outbox) + len(out.workOrders) + len(out.events) + len(out.notifications))
		c.meter.rows.Add(rows)
		c.loop.outbox += int64(len(out.outbox))
		c.loop.workOrders += int64(len(out.workOrders))
		c.loop.events += int64(len(out.events))
		c.loop.notifications += int64(len(out.notifications))
		for st, n := range states {
			c.loop.states[st] += n
		}
		c.loop.callbackOverdue += cbLate
		c.loop.rectifyOverdue += rectLate
		return nil
	}
}

func (t *tally) merge(o *tally) {
	for c := range t.byChannel {
		t.byChannel[c] += o.byChannel[c]
	}
	for r, rt := range o.regions {
		cur := t.regions[r]
		if cur == nil {
			cur = &regionTally{}
			t.regions[r] = cur
		}
		cur.total += rt.total
		cur.active += rt.active
	}
	t.active += o.active
	t.bad += o.bad
	t.realName += o.realName
	t.defaults += o.defaults
	t.tickets += o.tickets
}

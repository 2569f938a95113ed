package evaluation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"haochaping/internal/database"
	"haochaping/internal/problem"
	"haochaping/internal/replay"
)

// committer writes evaluations in group commits: submissions that arrive while a commit is
// under way are written together in the next transaction, so that one WAL flush serves many
// ratings. Each submission is still answered only after the transaction holding it commits.
type committer struct {
	pool     *pgxpool.Pool
	queue    chan *commitJob
	maxBatch int
	stopping chan struct{}
	mu       sync.RWMutex // held for reading while sending on queue; for writing to close it
	closed   bool
	wg       sync.WaitGroup
}

type commitJob struct {
	row  *insertRow
	done chan struct{} // closed when the fields below are final
	// Filled by the committer:
	err       error
	id        int64
	created   bool
	createdAt time.Time
	replayed  bool // the request's signature was used before (package replay)
}

// errShuttingDown answers ratings that arrive after Close began.
var errShuttingDown = &problem.Error{Status: 503, Code: "shutting_down", Message: "服务正在重启，请稍后重试"}

func newCommitter(pool *pgxpool.Pool, workers, maxBatch int) *committer {
	c := &committer{
		pool:     pool,
		queue:    make(chan *commitJob, workers*maxBatch),
		maxBatch: maxBatch,
		stopping: make(chan struct{}),
	}
	for range workers {
		c.wg.Add(1)
		go c.run()
	}
	return c
}

// submit hands jobs to the committer and waits until each is committed or refused; the
// outcome is in each job's fields.
func (c *committer) submit(ctx context.Context, jobs []*commitJob) {
	c.mu.RLock()
	closed, queued := c.closed, 0
	if !closed {
	enqueue:
		for _, j := range jobs {
			j.done = make(chan struct{})
			select {
			case c.queue <- j:
				queued++
			case <-ctx.Done():
				break enqueue
			}
		}
	}
	c.mu.RUnlock()
	for i, j := range jobs {
		switch {
		case i < queued:
			<-j.done // a queued job always commits or fails; a retry finds it as a duplicate
		case closed:
			j.err = errShuttingDown
		default:
			j.err = ctx.Err()
		}
	}
}

func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *committer) run() {
	defer c.wg.Done()
	for j := range c.queue {
		batch := []*commitJob{j}
	drain:
		for len(batch) < c.maxBatch {
			select {
			case more, ok := <-c.queue:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			default:
				break drain
			}
		}
		c.commit(batch)
	}
}

// commit writes the batch in one transaction. If that fails, each row is retried in a
// transaction of its own, so that one bad row never costs the others their rating.
func (c *committer) commit(batch []*commitJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A fixed order of keys keeps two concurrent batches from deadlocking on each other.
	sort.Slice(batch, func(a, b int) bool { return batch[a].row.Key < batch[b].row.Key })
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error { return insertJobs(ctx, tx, batch) })
	if err == nil || len(batch) == 1 {
		for _, j := range batch {
			j.err = wrapCommitErr(err)
			close(j.done)
		}
		return
	}
	for _, j := range batch {
		j.created, j.id, j.replayed = false, 0, false
		one := []*commitJob{j}
		err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error { return insertJobs(ctx, tx, one) })
		j.err = wrapCommitErr(err)
		close(j.done)
	}
}

func wrapCommitErr(err error) error {
	if err == nil {
		return nil
	}
	if database.IsUnavailable(err) {
		return &problem.Error{Status: 503, Code: "database_unavailable", Message: "数据库暂时不可用，请稍后重试"}
	}
	return fmt.Errorf("commit evaluation: %w", err)
}

const insertEvaluationSQL = `
WITH e AS (
    INSERT INTO evaluations (
        idem_key, channel, device_id, case_id, stage, ticket_no, service_day,
        region_id, department_id, hall_id, window_id, staff_id, item_id,
        level, reasons, reason_set_version, comment, active, real_name,
        evaluator_name_enc, evaluator_name_masked, evaluator_phone_enc, evaluator_phone_masked,
        evaluator_phone_index, served_at, rated_at, created_at, reason_kind, comment_enc)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
            $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $30)
    ON CONFLICT DO NOTHING
    RETURNING id, bad, created_at
), o AS (
    INSERT INTO outbox (topic, evaluation_id) SELECT 'bad_review', id FROM e WHERE bad
), s AS (
    INSERT INTO evaluation_supersessions (default_id, evaluation_id, at)
    SELECT $29::bigint, id, created_at FROM e WHERE $29::bigint <> 0
)
SELECT id, created_at FROM e`

// supersedeSQL takes a default evaluation out of the one-per-case-and-stage index, in the
// transaction that writes the active rating replacing it (insertEvaluationSQL records which).
// A default already replaced by a concurrent rating stays as it is; that rating then makes
// this one's insert a repeat.
const supersedeSQL = `UPDATE evaluations SET superseded = true WHERE id = $1 AND NOT active AND NOT superseded`

// findOriginalSQL finds the evaluation a conflicting row repeats: same key, same case and
// stage (the one in force), or same ticket at the same window on the same day.
const findOriginalSQL = `
SELECT id, active FROM evaluations WHERE idem_key = $1
UNION ALL
SELECT id, active FROM evaluations WHERE case_id = $2 AND stage = $3 AND NOT superseded
UNION ALL
SELECT id, active FROM evaluations WHERE window_id = $4 AND service_day = $5 AND ticket_no = $6
LIMIT 1`

func queueInsert(b *pgx.Batch, r *insertRow) {
	if r.Replaces != 0 {
		b.Queue(supersedeSQL, r.Replaces)
	}
	b.Queue(insertEvaluationSQL,
		r.Key, r.Channel, r.DeviceID, r.CaseID, r.Stage, r.TicketNo, r.ServiceDay,
		r.RegionID, r.DepartmentID, r.HallID, r.WindowID, r.StaffID, r.ItemID,
		r.Level, r.Reasons, r.ReasonSetVersion, r.Comment, r.Active, r.RealName,
		r.EvaluatorNameEnc, r.EvaluatorNameMasked, r.EvaluatorPhoneEnc, r.EvaluatorPhoneMasked,
		r.EvaluatorPhoneIndex, r.ServedAt, r.RatedAt, r.ReceivedAt, r.ReasonKind, r.Replaces, r.CommentEnc)
	if r.Replay != nil {
		replay.Queue(b, *r.Replay)
	}
}

// settleReplay reads the signature's recording queued after j's insert. A replay's insert
// writes nothing (its original holds the key, the case or the ticket); if one did, the
// transaction is not trusted.
func settleReplay(res pgx.BatchResults, j *commitJob) error {
	if j.row.Replay == nil {
		return nil
	}
	fresh, err := replay.Settle(res)
	if err != nil {
		return err
	}
	j.replayed = !fresh
	if j.replayed && j.created {
		return replay.ErrReplayed
	}
	return nil
}

func insertJobs(ctx context.Context, tx pgx.Tx, jobs []*commitJob) error {
	// Most rows replace no default: one statement writes them all. The few that do supersede
	// one first, row by row.
	var many, one []*commitJob
	for _, j := range jobs {
		if j.row.Replaces == 0 {
			many = append(many, j)
		} else {
			one = append(one, j)
		}
	}
	var missing []*commitJob
	if len(many) > 0 {
		m, err := insertRows(ctx, tx, many)
		if err != nil {
			return err
		}
		missing = m
	}
	if len(one) > 0 {
		m, err := insertEach(ctx, tx, one)
		if err != nil {
			return err
		}
		missing = append(missing, m...)
	}
	for _, j := range missing {
		if err := settleConflict(ctx, tx, j); err != nil {
			return err
		}
	}
	return nil
}

// insertEach writes jobs one statement each; it returns the jobs that were not written.
func insertEach(ctx context.Context, tx pgx.Tx, jobs []*commitJob) ([]*commitJob, error) {
	b := &pgx.Batch{}
	for _, j := range jobs {
		queueInsert(b, j.row)
	}
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	var missing []*commitJob
	for _, j := range jobs {
		if j.row.Replaces != 0 {
			if _, err := res.Exec(); err != nil {
				return nil, err
			}
		}
		err := res.QueryRow().Scan(&j.id, &j.createdAt)
		switch {
		case err == nil:
			j.created = true
		case errors.Is(err, pgx.ErrNoRows):
			missing = append(missing, j)
		default:
			return nil, err
		}
		if err := settleReplay(res, j); err != nil {
			return nil, err
		}
	}
	return missing, res.Close()
}

// settleConflict answers a row that was not written because another evaluation holds its key,
// its case and stage, or its ticket: that one is the original — unless it is a default that
// the default job wrote while this rating was on its way, which the rating then replaces.
func settleConflict(ctx context.Context, tx pgx.Tx, j *commitJob) error {
	r := j.row
	var active bool
	if err := tx.QueryRow(ctx, findOriginalSQL, r.Key, r.CaseID, r.Stage, r.WindowID, r.ServiceDay, r.TicketNo).
		Scan(&j.id, &active); err != nil {
		return fmt.Errorf("find the evaluation %q repeats: %w", r.Key, err)
	}
	if active || r.CaseID == nil || r.Replaces != 0 {
		return nil
	}
	r.Replaces = j.id
	again := *r
	again.Replay = nil // recorded with the first insert, in this transaction
	b := &pgx.Batch{}
	queueInsert(b, &again)
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	if _, err := res.Exec(); err != nil {
		return fmt.Errorf("supersede default %d: %w", r.Replaces, err)
	}
	err := res.QueryRow().Scan(&j.id, &j.createdAt)
	switch {
	case err == nil:
		j.created = true
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("evaluation %q: replaced default %d, yet the rating conflicts", r.Key, r.Replaces)
	default:
		return err
	}
	return nil
}

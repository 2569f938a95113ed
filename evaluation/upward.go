package evaluation

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/calendar"
	"haochaping/internal/bjtime"
	"haochaping/internal/pii"
)

// The upward report (上报省平台): every evaluation is sent once to the provincial platform, in
// batches, and marked in upward_reports only once the platform has taken it.
const (
	defaultUpwardBatch = 500
	// upwardTimeout bounds one request: a platform that hangs must not hold the claimed rows
	// (and a pool connection) for the whole run.
	upwardTimeout = 30 * time.Second
	// A batch is tried up to upwardAttempts times, waiting 200 ms, 400 ms, … (at most 5 s)
	// in between: about 6 s of patience for a blip, after which the run gives up and the next
	// run resumes where this one stopped.
	upwardAttempts     = 6
	upwardFirstBackoff = 200 * time.Millisecond
	upwardMaxBackoff   = 5 * time.Second
	// timelyWorkdays is the 及时上报 limit: reported by the end of the 5th working day after
	// the service (DOMAIN.md, "Measures").
	timelyWorkdays = 5
)

// UpwardBatch is the body of one report request.
//
// Delivery is at least once: a batch the platform took but whose answer was lost (a timeout,
// a dropped connection, our commit failing after its 2xx) is not marked here and is sent again
// by a later run, under a new batch_id. The platform deduplicates on evaluation_id, which is
// stable for ever. Once marked, an evaluation is never sent again.
type UpwardBatch struct {
	BatchID     string             `json:"batch_id"` // unique per request
	SentAt      string             `json:"sent_at"`  // RFC 3339, +08:00
	Count       int                `json:"count"`
	Evaluations []UpwardEvaluation `json:"evaluations"`
}

// UpwardEvaluation is one evaluation as the provincial platform receives it: what was rated,
// who is answerable, and the rating — never the evaluator or applicant (no name, phone or ID
// number, masked or not).
type UpwardEvaluation struct {
	EvaluationID   int64    `json:"evaluation_id"` // our id: the key to deduplicate on
	Channel        string   `json:"channel"`
	CaseNo         string   `json:"case_no,omitempty"`
	Stage          string   `json:"stage,omitempty"`
	TicketNo       string   `json:"ticket_no,omitempty"`
	ItemCode       string   `json:"item_code,omitempty"`
	ItemName       string   `json:"item_name,omitempty"`
	RegionCode     string   `json:"region_code"`
	DepartmentCode string   `json:"department_code"`
	DepartmentName string   `json:"department_name"`
	HallCode       string   `json:"hall_code,omitempty"`
	WindowCode     string   `json:"window_code,omitempty"`
	StaffNo        string   `json:"staff_no,omitempty"`
	Level          int      `json:"level"`
	Reasons        []string `json:"reasons"`
	Comment        string   `json:"comment"`
	Active         bool     `json:"active"` // false: a default evaluation (默认评价)
	RealName       bool     `json:"real_name"`
	ServedAt       string   `json:"served_at"` // RFC 3339, +08:00
	RatedAt        string   `json:"rated_at"`  // RFC 3339, +08:00

	servedAt   time.Time // for the timeliness of the report
	recordedAt time.Time // when the evaluation was written (a default: when the job recorded it)
}

// ReportUpward sends the evaluations not yet reported to the provincial platform, oldest
// first, in batches of Settings.UpwardBatch, and returns how many the platform took in this
// run. It does nothing when Settings.UpwardURL is empty. A batch the platform refuses, or
// cannot be reached for, is retried with backoff; if it still fails the run stops with the
// error and the next run resumes. Any number of instances may run it at once: each batch is
// claimed with row locks that the others skip.
func (s *Service) ReportUpward(ctx context.Context) (int64, error) {
	if s.settings.UpwardURL == "" {
		return 0, nil
	}
	if err := checkUpwardURL(s.settings.UpwardURL); err != nil {
		return 0, err // a settings error: retrying would not help
	}
	limit := s.settings.UpwardBatch
	if limit <= 0 {
		limit = defaultUpwardBatch
	}
	var total, after int64
	for {
		res, err := s.reportBatchWithRetry(ctx, after, limit)
		total += res.reported
		if err != nil {
			return total, err
		}
		// A short claim means nothing is left that this run can take; rows another instance
		// holds, or committed late under a lower id, are for the next run.
		if res.claimed < limit {
			return total, nil
		}
		// Later batches start after this one, so that the run reads the reported prefix of
		// the table once, not once per batch.
		after = res.lastID
	}
}

func checkUpwardURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("upward report: UpwardURL %q is not an http(s) URL", raw)
	}
	return nil
}

// batchResult is what one batch came to.
type batchResult struct {
	claimed  int   // rows locked by the claim
	lastID   int64 // the highest id claimed
	reported int64 // rows the platform took and that are now marked
}

// reportBatchWithRetry reports the next batch after id `after`, retrying a failed attempt
// with exponential backoff. Each attempt claims afresh, so a retry also picks up the rows
// another instance released meanwhile.
func (s *Service) reportBatchWithRetry(ctx context.Context, after int64, limit int) (batchResult, error) {
	wait := upwardFirstBackoff
	for attempt := 1; ; attempt++ {
		res, err := s.reportBatch(ctx, after, limit)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return batchResult{}, fmt.Errorf("upward report interrupted: %w", err)
		}
		if attempt == upwardAttempts {
			return batchResult{}, fmt.Errorf("upward report: gave up after %d attempts: %w", attempt, err)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return batchResult{}, fmt.Errorf("upward report interrupted: %w", err)
		}
		wait = min(wait*2, upwardMaxBackoff)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reportBatch is one attempt: claim a batch, send it, and only on a 2xx answer mark it and
// count it in the rollups, all in the transaction that holds the claim. Any error rolls the
// transaction back, so nothing is marked and the rows are free for the next attempt.
func (s *Service) reportBatch(ctx context.Context, after int64, limit int) (batchResult, error) {
	var res batchResult
	tx, err := s.db.Pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("upward report: begin: %w", err)
	}
	defer rollback(ctx, tx)

	ids, err := claimUnreported(ctx, tx, after, limit)
	if err != nil {
		return res, err
	}
	res.claimed = len(ids)
	if len(ids) == 0 {
		return res, nil
	}
	res.lastID = ids[len(ids)-1]
	items, err := loadUnreported(ctx, tx, ids)
	if err != nil {
		return res, err
	}
	if len(items) == 0 {
		return res, nil // another instance reported them all between our read and our lock
	}

	batch := UpwardBatch{BatchID: newBatchID(s.Now()), SentAt: rfc3339(s.Now()), Count: len(items), Evaluations: items}
	if err := s.postUpward(ctx, &batch); err != nil {
		return res, err
	}
	// Taken by the platform: the report time is now, whatever the request cost.
	n, err := markReported(ctx, tx, batch.BatchID, s.Now(), items)
	if err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("upward report: commit batch %s: %w", batch.BatchID, err)
	}
	res.reported = n
	return res, nil
}

// rollback ends a transaction that was not committed (a no-op after Commit). It runs even if
// ctx was cancelled, so that the connection goes back to the pool clean.
func rollback(ctx context.Context, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}

// claimUnreportedSQL locks the next evaluations without an upward_reports row, oldest first; a
// default replaced by an active rating before it was reported is never reported.
// NOT EXISTS plans as a merge anti-join of the two primary keys, walked in id order, so the
// LIMIT stops the walk early; the bound is repeated inside the subquery so that the walk of
// upward_reports starts at the cursor too, not at its first row. SKIP LOCKED: rows another
// instance is sending are passed over, never waited for. FOR NO KEY UPDATE rather than FOR
// UPDATE: it still excludes the other reporters, but not the foreign-key checks of the
// dispatcher writing a bad review's work order, which must not wait for the platform.
const claimUnreportedSQL = `
SELECT e.id FROM evaluations e
WHERE e.id > $1 AND NOT e.superseded
  AND NOT EXISTS (SELECT 1 FROM upward_reports u WHERE u.evaluation_id = e.id AND u.evaluation_id > $1)
ORDER BY e.id
LIMIT $2
FOR NO KEY UPDATE OF e SKIP LOCKED`

func claimUnreported(ctx context.Context, tx pgx.Tx, after int64, limit int) ([]int64, error) {
	rows, err := tx.Query(ctx, claimUnreportedSQL, after, limit)
	if err != nil {
		return nil, fmt.Errorf("upward report: claim evaluations after %d: %w", after, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("upward report: claim evaluations after %d: %w", after, err)
	}
	return ids, nil
}

// loadUnreportedSQL reads what the platform receives about the claimed rows. It checks
// upward_reports again, in this statement's fresh snapshot: the claim's snapshot was taken
// before its locks were granted, so a row another instance marked and committed meanwhile
// looked unreported to it. Now that we hold the locks, any such commit is visible here.
const loadUnreportedSQL = `
SELECT e.id, e.channel, COALESCE(c.case_no, ''), COALESCE(e.stage, ''), COALESCE(e.ticket_no, ''),
       COALESCE(si.code, ''), COALESCE(si.name, ''), r.code, d.code, d.name,
       COALESCE(h.code, ''), COALESCE(w.code, ''), COALESCE(st.staff_no, ''),
       e.level, e.reasons, e.comment, e.active, e.real_name, e.served_at, e.rated_at, e.created_at
FROM evaluations e
JOIN regions r ON r.id = e.region_id
JOIN departments d ON d.id = e.department_id
LEFT JOIN cases c ON c.id = e.case_id
LEFT JOIN service_items si ON si.id = e.item_id
LEFT JOIN halls h ON h.id = e.hall_id
LEFT JOIN windows w ON w.id = e.window_id
LEFT JOIN staff st ON st.id = e.staff_id
WHERE e.id = ANY($1::bigint[])
  AND NOT EXISTS (SELECT 1 FROM upward_reports u WHERE u.evaluation_id = e.id)
ORDER BY e.id`

func loadUnreported(ctx context.Context, tx pgx.Tx, ids []int64) ([]UpwardEvaluation, error) {
	rows, err := tx.Query(ctx, loadUnreportedSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("upward report: load evaluations: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (UpwardEvaluation, error) {
		var u UpwardEvaluation
		var level int16
		var ratedAt time.Time
		err := row.Scan(&u.EvaluationID, &u.Channel, &u.CaseNo, &u.Stage, &u.TicketNo,
			&u.ItemCode, &u.ItemName, &u.RegionCode, &u.DepartmentCode, &u.DepartmentName,
			&u.HallCode, &u.WindowCode, &u.StaffNo,
			&level, &u.Reasons, &u.Comment, &u.Active, &u.RealName, &u.servedAt, &ratedAt, &u.recordedAt)
		u.Level = int(level)
		u.Comment = pii.HideNumbersInText(u.Comment)
		if u.Reasons == nil {
			u.Reasons = []string{}
		}
		u.ServedAt, u.RatedAt = rfc3339(u.servedAt), rfc3339(ratedAt)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("upward report: load evaluations: %w", err)
	}
	return items, nil
}

func rfc3339(t time.Time) string { return t.In(bjtime.Location).Format(time.RFC3339) }

// newBatchID names one request: its time, for people reading logs on either side, and 128
// random bits, so that it is unique across attempts, instances and cities.
func newBatchID(now time.Time) string {
	return now.In(bjtime.Location).Format("20060102T150405") + "-" + rand.Text()
}

// postUpward sends the batch; only a 2xx answer is an acceptance.
func (s *Service) postUpward(ctx context.Context, batch *UpwardBatch) error {
	body, err := json.Marshal(batch)
	if err != nil {
		return fmt.Errorf("upward report: encode batch %s: %w", batch.BatchID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, upwardTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.settings.UpwardURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("upward report: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("upward report: send batch %s (%d evaluations): %w", batch.BatchID, batch.Count, err)
	}
	defer resp.Body.Close()
	// Read a little of the answer: for the error message, and so that the connection can be
	// reused.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("upward report: batch %s refused: %s: %s", batch.BatchID, resp.Status,
			strings.TrimSpace(string(snippet)))
	}
	return nil
}

// markReportedSQL marks the batch. The rollup job (package measures) counts the marked rows
// into 及时上报率 when it reaches their transaction.
const markReportedSQL = `
INSERT INTO upward_reports (evaluation_id, batch_id, reported_at, timely)
SELECT b.id, $2, $3, b.timely FROM unnest($1::bigint[], $4::boolean[]) AS b(id, timely)`

// markReported records the batch as taken at reportedAt. An evaluation is reported on time
// when reportedAt is no later than the end of the 5th working day after its service
// (DOMAIN.md). A default evaluation counts from when it was recorded instead: it comes into
// being when the 7-day window ends, after those 5 working days, and could never be on time. A row
// already marked (impossible while every reporter claims under lock and re-reads) violates
// upward_reports' key and fails the attempt, rather than being counted twice.
func markReported(ctx context.Context, tx pgx.Tx, batchID string, reportedAt time.Time, items []UpwardEvaluation) (int64, error) {
	cal := calendar.Default()
	ids := make([]int64, len(items))
	timely := make([]bool, len(items))
	for i, it := range items {
		ids[i] = it.EvaluationID
		from := it.servedAt
		if !it.Active {
			from = it.recordedAt
		}
		timely[i] = !reportedAt.After(cal.DeadlineAfter(from, timelyWorkdays))
	}
	tag, err := tx.Exec(ctx, markReportedSQL, ids, batchID, reportedAt, timely)
	if err != nil {
		return 0, fmt.Errorf("upward report: mark batch %s: %w", batchID, err)
	}
	return tag.RowsAffected(), nil
}

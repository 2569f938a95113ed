package upward

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
	"haochaping/internal/pii"
)

// Sender sends the pending upward records to the platform, exactly once each in effect: a
// record is acknowledged only on the platform's per-record answer, the claim holds row locks
// that another instance skips (so two instances never send one record at once), and the
// platform keeps one record per (projectNo, assessNumber), so a resend after a lost answer is a
// duplicate there, not a second record.
type Sender struct {
	DB      *database.DB
	PII     *pii.Keys // opens the identity fields, which travel only in this channel
	Profile *Profile
	Keys    Keys
	URL     string
	Headers map[string]string // the profile's headers, with their values
	Client  *http.Client
	Now     func() time.Time
	Batch   int // records a message; 100 when zero
	// Acknowledged is told, in the transaction that settles them, the evaluations whose first
	// record the platform acknowledged (evaluation.MarkAcknowledged: 及时上报率); may be nil.
	Acknowledged func(ctx context.Context, tx pgx.Tx, evaluationIDs []int64, at time.Time, message string) error
}

// Sent is what one run did.
type Sent struct {
	Acknowledged, Refused, Failed int
}

// Send sends the due records, oldest first, a message at a time — the 办件 service records,
// then the evaluations whose service record the platform holds — until none is due or the
// platform cannot be reached (then the records wait their backoff and the next run resumes).
func (s *Sender) Send(ctx context.Context) (Sent, error) {
	var total Sent
	for {
		idle := true
		for _, k := range kinds {
			if len(s.Profile.Fields(k)) == 0 {
				continue
			}
			n, done, err := s.sendBatch(ctx, k)
			total.Acknowledged += n.Acknowledged
			total.Refused += n.Refused
			total.Failed += n.Failed
			if err != nil || (done && n.Failed > 0) {
				return total, err
			}
			idle = idle && done
		}
		if idle {
			return total, nil
		}
	}
}

func (s *Sender) batchSize() int {
	if s.Batch <= 0 {
		return 100
	}
	return s.Batch
}

// claimSQL locks the next due records of a kind, skipping those another instance holds. A
// record whose predecessor — the service record before a rating, the rating before the rating
// of its fix — is not yet acknowledged waits for it, so the platform receives them in order.
// A profile without service records leaves assess_number 0 rows unsent, and does not wait for them.
const claimSQL = `SELECT u.id FROM upward_records u
WHERE u.state = 'pending' AND u.next_attempt_at <= $1 AND u.kind = $3
  AND NOT EXISTS (SELECT 1 FROM upward_records b WHERE b.evaluation_id = u.evaluation_id
                  AND b.assess_number < u.assess_number AND b.state <> 'acknowledged' AND (b.kind <> 'service' OR $4))
ORDER BY u.next_attempt_at, u.id LIMIT $2 FOR UPDATE OF u SKIP LOCKED`

// sendBatch claims, builds, sends and settles one message of kind k, in one transaction that
// holds the claim; done when nothing more is due or the platform failed.
func (s *Sender) sendBatch(ctx context.Context, k Kind) (n Sent, done bool, err error) {
	now := s.Now()
	tx, err := s.DB.Pool.Begin(ctx)
	if err != nil {
		return n, true, fmt.Errorf("upward: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit a no-op
	rows, err := tx.Query(ctx, claimSQL, now, s.batchSize(), k, len(s.Profile.Service) > 0)
	if err != nil {
		return n, true, fmt.Errorf("upward: claim: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return n, true, fmt.Errorf("upward: claim: %w", err)
	}
	if len(ids) == 0 {
		return n, true, nil
	}
	recs, err := loadRecords(ctx, tx, s.PII, ids)
	if err != nil {
		return n, true, err
	}
	var out []map[string]string
	var sending []claimed
	hashes := map[int64][]byte{}
	for _, c := range recs {
		fields, problems := s.Profile.Build(k, c.record)
		if len(problems) > 0 {
			// Our own check refuses what the platform would: never sent, shown to the office.
			if err := settle(ctx, tx, c.id, "refused", describe(problems), nil, now); err != nil {
				return n, true, err
			}
			n.Refused++
			continue
		}
		hash := hashOf(fields)
		if c.acknowledged != nil && bytes.Equal(hash, c.acknowledged) {
			// Pending again because its work order moved, but nothing the platform holds of it
			// changed (a callback, a reminder): acknowledged as it stands, not sent again.
			if err := settle(ctx, tx, c.id, "acknowledged", "", hash, now); err != nil {
				return n, true, err
			}
			continue
		}
		out = append(out, fields)
		sending = append(sending, c)
		hashes[c.id] = hash
	}
	if len(out) == 0 {
		return n, false, commit(ctx, tx)
	}
	answer, sendErr := s.post(ctx, k, now, out)
	if sendErr != nil {
		for _, c := range sending {
			if err := retryLater(ctx, tx, c.id, sendErr.Error(), now); err != nil {
				return n, true, err
			}
		}
		n.Failed += len(sending)
		return n, true, commit(ctx, tx)
	}
	byKey := map[recordKey]Result{}
	for _, r := range answer.Results {
		byKey[recordKey{k, r.ProjectNo, r.Number}] = r
	}
	var firsts []int64
	for i, c := range sending {
		res, ok := byKey[s.Profile.key(k, out[i])]
		switch {
		case !ok:
			// The platform read the message and said nothing of this record: try again later.
			if _, err := tx.Exec(ctx, `UPDATE upward_records SET attempts = attempts + 1, last_error = '平台未返回该记录的结果',
				next_attempt_at = $2::timestamptz + interval '1 minute' WHERE id = $1`, c.id, now); err != nil {
				return n, true, fmt.Errorf("upward: %w", err)
			}
			n.Failed++
		case res.Status == "refused" && transient(res.Problems):
			// Refused for the platform's own reason (busy), not the record's: try again later.
			if err := retryLater(ctx, tx, c.id, describe(res.Problems), now); err != nil {
				return n, true, err
			}
			n.Failed++
		case res.Status == "refused" && c.kind == Evaluation && s.Profile.serviceMissing(res.Problems):
			// The platform no longer holds the service record: send it again (its hash
			// forgotten, or it would be settled as unchanged), and this record after it.
			if _, err := tx.Exec(ctx, `UPDATE upward_records SET state = 'pending', next_attempt_at = $2, attempts = 0, record_hash = NULL
				WHERE evaluation_id = $1 AND kind = 'service'`, c.evaluationID, now); err != nil {
				return n, true, fmt.Errorf("upward: send the service record of %d again: %w", c.id, err)
			}
			if err := retryLater(ctx, tx, c.id, describe(res.Problems), now); err != nil {
				return n, true, err
			}
			n.Failed++
		case res.Status == "refused":
			if err := settle(ctx, tx, c.id, "refused", describe(res.Problems), nil, now); err != nil {
				return n, true, err
			}
			n.Refused++
		default: // accepted, updated, duplicate: the platform holds this record as sent
			if err := settle(ctx, tx, c.id, "acknowledged", "", hashes[c.id], now); err != nil {
				return n, true, err
			}
			if c.kind == Evaluation && c.assess == 1 {
				firsts = append(firsts, c.evaluationID)
			}
			n.Acknowledged++
		}
	}
	if s.Acknowledged != nil && len(firsts) > 0 {
		if err := s.Acknowledged(ctx, tx, firsts, now, "upward-"+now.Format("20060102T150405")); err != nil {
			return n, true, err
		}
	}
	return n, false, commit(ctx, tx)
}

// retryLater counts a failed attempt and sets when the record is due again: 1 minute after the
// first failure, doubling, at most an hour — a day's outage costs a record about 30 attempts,
// and the first run after the platform returns catches up. (attempts on the right of SET is
// the count before this one.)
func retryLater(ctx context.Context, tx pgx.Tx, id int64, why string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE upward_records SET attempts = attempts + 1, last_error = $2,
		next_attempt_at = $3::timestamptz + LEAST(interval '1 hour', interval '1 minute' * power(2, LEAST(attempts, 6)))
		WHERE id = $1`, id, truncate(why, 500), now); err != nil {
		return fmt.Errorf("upward: note the failure of record %d: %w", id, err)
	}
	return nil
}

func settle(ctx context.Context, tx pgx.Tx, id int64, state, refusal string, hash []byte, now time.Time) error {
	var err error
	if state == "acknowledged" {
		_, err = tx.Exec(ctx, `UPDATE upward_records SET state = 'acknowledged', refusal = '', last_error = '', record_hash = $2,
			acknowledged_at = $3, first_acknowledged_at = COALESCE(first_acknowledged_at, $3) WHERE id = $1`, id, hash, now)
	} else {
		_, err = tx.Exec(ctx, `UPDATE upward_records SET state = 'refused', refusal = $2 WHERE id = $1`, id, truncate(refusal, 2000))
	}
	if err != nil {
		return fmt.Errorf("upward: settle record %d: %w", id, err)
	}
	return nil
}

func commit(ctx context.Context, tx pgx.Tx) error {
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("upward: commit: %w", err)
	}
	return nil
}

// post seals the records of kind k and sends them; an error is the platform not taking the
// message at all.
func (s *Sender) post(ctx context.Context, k Kind, now time.Time, recs []map[string]string) (*Answer, error) {
	payload, err := json.Marshal(map[string]any{s.Profile.ParamsKey(k): recs})
	if err != nil {
		return nil, err
	}
	body, err := s.Profile.Seal(s.Keys, now, payload)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+s.Profile.Paths[k], bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("upward: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for h, v := range s.Headers {
		req.Header.Set(h, v)
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("upward: send %d records: %w", len(recs), err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	var a Answer
	if resp.StatusCode/100 != 2 || json.Unmarshal(raw, &a) != nil || a.Code != "0" {
		return nil, fmt.Errorf("upward: the platform answered %s: %s", resp.Status, truncate(strings.TrimSpace(string(raw)), 200))
	}
	return &a, nil
}

// transient reports whether a refusal names no field of the record: the platform's own trouble
// (平台繁忙), which a later attempt gets past, rather than the record's, which the office must see.
func transient(problems []Problem) bool {
	for _, p := range problems {
		if p.Field != "" {
			return false
		}
	}
	return true
}

func describe(problems []Problem) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "；")
}

func hashOf(fields map[string]string) []byte {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\x00" + fields[k] + "\x00"))
	}
	return h.Sum(nil)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Resend sends a refused record again (the office's 重新上报, after the cause is fixed).
func Resend(ctx context.Context, db *database.DB, id int64, now time.Time) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE upward_records SET state = 'pending', attempts = 0, next_attempt_at = $2
		WHERE id = $1 AND state = 'refused'`, id, now)
	if err != nil {
		return fmt.Errorf("upward: resend %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("upward: record %d is not refused", id)
	}
	return nil
}

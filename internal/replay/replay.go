// Package replay keeps the record of signatures already used (table used_signatures), so that
// a signed request is accepted once: a captured request sent again within the allowed clock
// skew is refused.
//
// A signature is recorded in PostgreSQL, not Redis, so that the guard holds while Redis is
// down, and across instances. For most endpoints it is recorded in a commit of its own as the
// request is authenticated (Record). A rating instead carries its signature to the group
// commit that writes it (Queue, Settle): the rating and its signature are one durable write,
// and the request costs no commit of its own. That is safe because a rating that is refused
// records nothing — and a replay of it is refused the same way — and a replay that races its
// original is settled by the unique key of used_signatures inside the two transactions.
package replay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"haochaping/internal/problem"
)

// Mark is one signed request's signature, to be recorded once.
type Mark struct {
	DeviceID  string
	Signature []byte
}

const recordSQL = `INSERT INTO used_signatures (device_id, signature) VALUES ($1, $2) ON CONFLICT DO NOTHING`

// Refused is the answer to a replayed request.
func Refused() error {
	return problem.Unauthorized("signature_replayed", "该签名已使用过：每个请求须重新签名")
}

// IsRefused says whether err is the answer to a replayed request.
func IsRefused(err error) bool {
	pe, ok := problem.As(err)
	return ok && pe.Code == "signature_replayed"
}

// Record records m in a commit of its own; a signature used before is Refused.
func Record(ctx context.Context, pool *pgxpool.Pool, m Mark) error {
	tag, err := pool.Exec(ctx, recordSQL, m.DeviceID, m.Signature)
	if err != nil {
		return fmt.Errorf("record signature: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return Refused()
	}
	return nil
}

// Queue adds the recording of m to a batch that runs in the caller's transaction; Settle
// reads its result, in the batch's order.
func Queue(b *pgx.Batch, m Mark) { b.Queue(recordSQL, m.DeviceID, m.Signature) }

// Settle reads the result of a Queue: false when the signature was used before.
func Settle(res pgx.BatchResults) (fresh bool, err error) {
	tag, err := res.Exec()
	if err != nil {
		return false, fmt.Errorf("record signature: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Prune forgets signatures older than keep: requests signed so long ago are refused for their
// timestamp anyway.
func Prune(ctx context.Context, pool *pgxpool.Pool, keep time.Duration) error {
	_, err := pool.Exec(ctx, `DELETE FROM used_signatures WHERE seen_at < now() - $1::interval`,
		fmt.Sprintf("%d seconds", int(keep.Seconds())))
	if err != nil {
		return fmt.Errorf("prune signatures: %w", err)
	}
	return nil
}

// ErrReplayed aborts a transaction in which a replayed signature went with a write that did
// happen — which a replay cannot cause, so the transaction is not trusted.
var ErrReplayed = errors.New("replay: a replayed signature came with a new row")

const recordManySQL = `
INSERT INTO used_signatures (device_id, signature) SELECT * FROM unnest($1::text[], $2::bytea[])
ON CONFLICT DO NOTHING
RETURNING device_id, signature`

// QueueMany adds the recording of marks, in one statement, to a batch that runs in the
// caller's transaction; SettleMany reads its result.
func QueueMany(b *pgx.Batch, marks []Mark) {
	ids, sigs := make([]string, len(marks)), make([][]byte, len(marks))
	for i, m := range marks {
		ids[i], sigs[i] = m.DeviceID, m.Signature
	}
	b.Queue(recordManySQL, ids, sigs)
}

// SettleMany reads the result of a QueueMany: for each mark, whether it was new. Of two equal
// marks, only the first is.
func SettleMany(res pgx.BatchResults, marks []Mark) ([]bool, error) {
	rows, err := res.Query()
	if err != nil {
		return nil, fmt.Errorf("record signatures: %w", err)
	}
	written := map[string]int{}
	for rows.Next() {
		var id string
		var sig []byte
		if err := rows.Scan(&id, &sig); err != nil {
			rows.Close()
			return nil, fmt.Errorf("record signatures: %w", err)
		}
		written[id+"\x00"+string(sig)]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("record signatures: %w", err)
	}
	fresh := make([]bool, len(marks))
	for i, m := range marks {
		k := m.DeviceID + "\x00" + string(m.Signature)
		if written[k] > 0 {
			fresh[i] = true
			written[k]--
		}
	}
	return fresh, nil
}

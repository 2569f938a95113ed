package audit

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// Report is what Verify found.
type Report struct {
	Rows     int64  `json:"rows"`
	FirstID  int64  `json:"first_id,omitempty"`
	LastID   int64  `json:"last_id,omitempty"`
	BrokenAt int64  `json:"broken_at,omitempty"` // the first row whose hash or link does not hold; 0: none
	Reason   string `json:"reason,omitempty"`
}

// OK reports whether the chain held from the first row to the last.
func (r *Report) OK() bool { return r.BrokenAt == 0 }

// Verify walks the chain from the oldest row kept: each row's prev_hash must be the hash of the
// row before it, and its hash must be that of its content — a row changed, deleted from the
// middle or inserted out of turn breaks it. progress, if not nil, is told the rows checked.
func (l *Log) Verify(ctx context.Context, progress func(done int64)) (*Report, error) {
	rows, err := l.DB.Pool.Query(ctx, `SELECT id, at, kind, actor, address, method, path, status, code, detail::text, prev_hash, hash
		FROM security_audit ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	rep := &Report{}
	var prev []byte
	for rows.Next() {
		var (
			id                                             int64
			at                                             time.Time
			kind, actor, address, method, path, code, text string
			status                                         int
			prevHash, hash                                 []byte
		)
		if err := rows.Scan(&id, &at, &kind, &actor, &address, &method, &path, &status, &code, &text, &prevHash, &hash); err != nil {
			return nil, fmt.Errorf("audit verify: %w", err)
		}
		if rep.Rows == 0 {
			rep.FirstID = id
			prev = prevHash // the anchor: the oldest row kept (older ones may have been retired)
		}
		rep.Rows++
		rep.LastID = id
		switch {
		case !bytes.Equal(prevHash, prev):
			rep.BrokenAt, rep.Reason = id, "它记录的上一行哈希与上一行不符（有行被删除或插入）"
		case !bytes.Equal(hash, chainHash(prevHash, content(at, kind, actor, address, method, path, status, code, text))):
			rep.BrokenAt, rep.Reason = id, "内容与哈希不符（该行被修改）"
		}
		if rep.BrokenAt != 0 {
			return rep, nil
		}
		prev = hash
		if progress != nil && rep.Rows%10000 == 0 {
			progress(rep.Rows)
		}
	}
	return rep, rows.Err()
}

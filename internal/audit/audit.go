// Package audit is the security audit log (安全审计): who logged in or was refused, which
// requests were refused for want of a session or a right, which device signatures failed,
// who saw a citizen's phone, exported or imported a ledger, or changed a user, a device or a
// setting. It owns the table security_audit: append-only (a trigger refuses changes) and
// hash-chained, so that a row altered or removed, even by someone who can disable the trigger,
// is found by Verify.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/database"
)

// Event is one entry of the log.
type Event struct {
	ID      int64          `json:"id"`
	At      time.Time      `json:"at"`
	Kind    string         `json:"kind"` // login_ok, login_refused, unauthenticated, forbidden, signature_refused, …
	Actor   string         `json:"actor,omitempty"`
	Address string         `json:"address,omitempty"`
	Method  string         `json:"method,omitempty"`
	Path    string         `json:"path,omitempty"`
	Status  int            `json:"status,omitempty"`
	Code    string         `json:"code,omitempty"`
	Detail  map[string]any `json:"detail,omitempty"`
}

// Log writes and checks the security audit log.
type Log struct {
	DB  *database.DB
	Now func() time.Time // the clock; time.Now when nil
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// genesis is the prev_hash of the first row ever written.
var genesis = make([]byte, sha256.Size)

// Record appends e to the chain. Appends are serialised (one advisory lock): each row's hash
// needs the previous one's.
func (l *Log) Record(ctx context.Context, e Event) error {
	if e.At.IsZero() {
		e.At = l.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond) // as PostgreSQL keeps it, so that Verify recomputes the same bytes
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Kind, err)
	}
	if e.Detail == nil {
		detail = []byte(`{}`)
	}
	return pgx.BeginFunc(ctx, l.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, l.DB.LockKey("security_audit")); err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
		prev := genesis
		err := tx.QueryRow(ctx, `SELECT hash FROM security_audit ORDER BY id DESC LIMIT 1`).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("audit chain: %w", err)
		}
		// detail is kept as jsonb, which orders keys its own way: the hash covers the text
		// PostgreSQL gives back, which Verify reads again.
		var canonical string
		if err := tx.QueryRow(ctx, `SELECT $1::jsonb::text`, string(detail)).Scan(&canonical); err != nil {
			return fmt.Errorf("audit %s: %w", e.Kind, err)
		}
		hash := chainHash(prev, content(e.At, e.Kind, e.Actor, e.Address, e.Method, e.Path, e.Status, e.Code, canonical))
		if _, err := tx.Exec(ctx, `
			INSERT INTO security_audit (at, kind, actor, address, method, path, status, code, detail, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
			e.At, e.Kind, e.Actor, e.Address, e.Method, e.Path, e.Status, e.Code, canonical, prev, hash); err != nil {
			return fmt.Errorf("audit %s: %w", e.Kind, err)
		}
		return nil
	})
}

// content is the text a row's hash covers after its prev_hash: every column but id and the
// hashes, each length-prefixed so that no two rows read alike.
func content(at time.Time, kind, actor, address, method, path string, status int, code, detail string) []byte {
	var b []byte
	for _, s := range []string{at.UTC().Format(time.RFC3339Nano), kind, actor, address, method, path, fmt.Sprint(status), code, detail} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// chainHash is a row's hash: SHA-256 of the previous row's hash and the row's content.
func chainHash(prev, content []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(content)
	return h.Sum(nil)
}

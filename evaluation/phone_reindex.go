package evaluation

import (
	"bytes"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// reindexBatch is how many queued rows one transaction of ReindexPhones rehashes.
const reindexBatch = 500

// ReindexPhones rehashes the phones queued in phone_reindex (migration 00018) in their normal
// form (pii.NormalPhone), so that a phone stored as 138-1234-5678 is found as 13812345678. It
// opens each sealed phone in memory only and writes nothing but the hash; it returns how many
// hashes changed. Batches take their rows with SKIP LOCKED, so two runs share the queue, and a
// hash is written only if the sealed phone is still the one it was computed from (a case
// pushed again meanwhile wrote its own, already normal).
func (s *Service) ReindexPhones(ctx context.Context) (int64, error) {
	var changed int64
	for {
		n, more, err := s.reindexPhonesBatch(ctx)
		changed += n
		if err != nil || !more {
			return changed, err
		}
	}
}

func (s *Service) reindexPhonesBatch(ctx context.Context) (changed int64, more bool, err error) {
	tx, err := s.db.Pool.Begin(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("reindex phones: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit a no-op
	rows, err := tx.Query(ctx, `DELETE FROM phone_reindex q USING (
			SELECT tbl, row_id FROM phone_reindex ORDER BY tbl, row_id LIMIT $1 FOR UPDATE SKIP LOCKED) t
		WHERE q.tbl = t.tbl AND q.row_id = t.row_id RETURNING q.tbl, q.row_id`, reindexBatch)
	if err != nil {
		return 0, false, fmt.Errorf("reindex phones: take a batch: %w", err)
	}
	ids := map[string][]int64{}
	taken := 0
	for rows.Next() {
		var tbl string
		var id int64
		if err := rows.Scan(&tbl, &id); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("reindex phones: %w", err)
		}
		ids[tbl] = append(ids[tbl], id)
		taken++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("reindex phones: take a batch: %w", err)
	}
	if taken == 0 {
		return 0, false, nil
	}
	// The statements name their tables in literals, for the owners' test.
	n, err := s.rehash(ctx, tx, ids["cases"],
		`SELECT id, applicant_phone_enc, applicant_phone_index FROM cases WHERE id = ANY($1) AND applicant_phone_enc IS NOT NULL`,
		`UPDATE cases c SET applicant_phone_index = u.idx FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) u(id, enc, idx)
		 WHERE c.id = u.id AND c.applicant_phone_enc = u.enc`)
	if err != nil {
		return 0, false, fmt.Errorf("reindex phones of cases: %w", err)
	}
	changed += n
	n, err = s.rehash(ctx, tx, ids["evaluations"],
		`SELECT id, evaluator_phone_enc, evaluator_phone_index FROM evaluations WHERE id = ANY($1) AND evaluator_phone_enc IS NOT NULL`,
		`UPDATE evaluations e SET evaluator_phone_index = u.idx FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) u(id, enc, idx)
		 WHERE e.id = u.id AND e.evaluator_phone_enc = u.enc`)
	if err != nil {
		return 0, false, fmt.Errorf("reindex phones of evaluations: %w", err)
	}
	changed += n
	if err := tx.Commit(ctx); err != nil {
		return 0, false, fmt.Errorf("reindex phones: %w", err)
	}
	return changed, taken == reindexBatch, nil
}

// rehash reads the sealed phones of the rows ids by load (id, sealed, hash), and writes by
// store ($1 ids, $2 the sealed phones read, $3 the new hashes) the hashes that differ.
func (s *Service) rehash(ctx context.Context, tx pgx.Tx, ids []int64, load, store string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	rows, err := tx.Query(ctx, load, ids)
	if err != nil {
		return 0, err
	}
	var upIDs []int64
	var upEnc, upIdx [][]byte
	for rows.Next() {
		var id int64
		var enc, idx []byte
		if err := rows.Scan(&id, &enc, &idx); err != nil {
			rows.Close()
			return 0, err
		}
		phone, err := s.keys.Open(enc)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("row %d: %w", id, err)
		}
		if fresh := s.keys.PhoneIndex(phone); !bytes.Equal(fresh, idx) {
			upIDs, upEnc, upIdx = append(upIDs, id), append(upEnc, enc), append(upIdx, fresh)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(upIDs) == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, store, upIDs, upEnc, upIdx)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

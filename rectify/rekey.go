package rectify

import (
	"context"
	"fmt"

	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/rekey"
)

// SealedTables are this package's tables with sealed values, for `haochaping keys rotate`
// and `keys status`: the timeline's texts in full. (The events only name them, and are never
// rewritten.)
func SealedTables() []rekey.Table {
	return []rekey.Table{{
		Name: "sealed_texts", Sealed: []string{"sealed"},
		Update: `UPDATE sealed_texts t SET sealed = u.sealed FROM unnest($1::bigint[], $2::bytea[]) u(id, sealed) WHERE t.id = u.id`,
	}}
}

// maskBatch is how many rows one transaction of MaskStoredTexts reads.
const maskBatch = 500

// MaskStoredTexts is the backfill of the texts written in clear before migration 00025 in
// the tables this package may rewrite: the reasons of work orders (their originals are in the
// events of the actions that set them) and the notices (which only quote them). Each is
// replaced by its masked copy. The events themselves are append-only and are not rewritten:
// those written before are masked when read (timeline). Batches walk each table in id order,
// FOR UPDATE SKIP LOCKED; a masked text masks to itself, so a second run, or one after a
// kill, changes nothing it did before. It returns the rows changed.
func (s *Service) MaskStoredTexts(ctx context.Context, progress func(table string, read, changed int64)) (int64, error) {
	var total int64
	for _, t := range []struct{ table, load, store string }{
		{"work_orders", `SELECT w.id, w.evaluation_id, w.extension_reason, w.rectify_deadline_reason FROM work_orders w
			WHERE w.id > $1 AND (w.extension_reason <> '' OR w.rectify_deadline_reason <> '') ORDER BY w.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
			`UPDATE work_orders w SET extension_reason = u.a, rectify_deadline_reason = u.b
			 FROM unnest($1::bigint[], $2::text[], $3::text[]) u(id, a, b) WHERE w.id = u.id`},
		{"notifications", `SELECT n.id, w.evaluation_id, n.title, n.body FROM notifications n JOIN work_orders w ON w.id = n.work_order_id
			WHERE n.id > $1 ORDER BY n.id LIMIT $2 FOR UPDATE OF n SKIP LOCKED`,
			`UPDATE notifications n SET title = u.a, body = u.b FROM unnest($1::bigint[], $2::text[], $3::text[]) u(id, a, b) WHERE n.id = u.id`},
	} {
		var tell func(read, changed int64)
		if progress != nil {
			tell = func(read, changed int64) { progress(t.table, read, changed) }
		}
		changed, err := database.EachBatch(maskBatch, tell, func(after int64) (int64, int64, int64, error) {
			return s.maskBatch(ctx, t.load, t.store, after)
		})
		total += changed
		if err != nil {
			return total, fmt.Errorf("mask the texts of %s: %w", t.table, err)
		}
	}
	return total, nil
}

// maskBatch masks two text columns of up to maskBatch rows after the id after.
func (s *Service) maskBatch(ctx context.Context, load, store string, after int64) (read, changed, last int64, err error) {
	tx, err := s.DB.Pool.Begin(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit a no-op
	rows, err := tx.Query(ctx, load, after, maskBatch)
	if err != nil {
		return 0, 0, 0, err
	}
	type row struct {
		id, evaluationID int64
		a, b             string
	}
	var batch []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.evaluationID, &r.a, &r.b); err != nil {
			rows.Close()
			return 0, 0, 0, err
		}
		batch = append(batch, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, 0, err
	}
	var ids []int64
	var as, bs []string
	for _, r := range batch {
		read, last = read+1, r.id
		names, err := s.peopleNames(ctx, tx, r.evaluationID)
		if err != nil {
			return 0, 0, 0, err
		}
		if a, b := pii.MaskText(r.a, names...), pii.MaskText(r.b, names...); a != r.a || b != r.b {
			ids, as, bs = append(ids, r.id), append(as, a), append(bs, b)
		}
	}
	if len(ids) > 0 {
		tag, err := tx.Exec(ctx, store, ids, as, bs)
		if err != nil {
			return 0, 0, 0, err
		}
		changed = tag.RowsAffected()
	}
	return read, changed, last, tx.Commit(ctx)
}

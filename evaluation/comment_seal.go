package evaluation

import (
	"context"
	"fmt"

	"haochaping/internal/database"
	"haochaping/internal/pii"
)

// sealComment is a comment as it is stored: the masked copy shown and exported (numbers, and
// the names of the evaluator and the case's applicant, masked), and the comment in full,
// sealed — only when the two differ, as most comments hold no personal data.
func (s *Service) sealComment(sub *Submission, subj *subject) (masked string, sealed []byte) {
	if sub.Comment == "" {
		return "", nil
	}
	var names []string
	if sub.Evaluator != nil {
		names = append(names, sub.Evaluator.Name)
	}
	if subj.applicantNameEnc != nil {
		if name, err := s.keys.Open(subj.applicantNameEnc); err == nil {
			names = append(names, name)
		} // a name that does not open masks nothing more: the numbers are masked still
	}
	masked = pii.MaskText(sub.Comment, names...)
	if masked == sub.Comment {
		return masked, nil
	}
	return masked, s.keys.Seal(sub.Comment)
}

// sealTextBatch is how many evaluations one transaction of SealComments reads.
const sealTextBatch = 500

// SealComments is the backfill of the comments written in clear before the masked copy and
// its sealed original existed (migration 00025): each comment whose masked copy differs is
// sealed and replaced by the copy. It walks the table in id order, a batch a transaction,
// the rows FOR UPDATE SKIP LOCKED; a row done has its comment masked already, so a second
// run — or one after a kill — changes nothing it did before. progress, if not nil, is told
// the rows read and changed after each batch. It returns the comments sealed.
func (s *Service) SealComments(ctx context.Context, progress func(read, sealed int64)) (int64, error) {
	return database.EachBatch(sealTextBatch, progress, func(after int64) (int64, int64, int64, error) {
		return s.sealCommentsBatch(ctx, after)
	})
}

func (s *Service) sealCommentsBatch(ctx context.Context, after int64) (read, changed, last int64, err error) {
	tx, err := s.db.Pool.Begin(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("seal comments: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit a no-op
	rows, err := tx.Query(ctx, `
		SELECT e.id, e.comment, e.evaluator_name_enc, c.applicant_name_enc
		FROM evaluations e LEFT JOIN cases c ON c.id = e.case_id
		WHERE e.id > $1 AND e.comment <> '' AND e.comment_enc IS NULL
		ORDER BY e.id LIMIT $2 FOR UPDATE OF e SKIP LOCKED`, after, sealTextBatch)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("seal comments: take a batch: %w", err)
	}
	var ids []int64
	var masked []string
	var sealed [][]byte
	for rows.Next() {
		var id int64
		var comment string
		var evaluatorEnc, applicantEnc []byte
		if err := rows.Scan(&id, &comment, &evaluatorEnc, &applicantEnc); err != nil {
			rows.Close()
			return 0, 0, 0, fmt.Errorf("seal comments: %w", err)
		}
		read, last = read+1, id
		var names []string
		for _, enc := range [][]byte{evaluatorEnc, applicantEnc} {
			name, err := s.keys.Open(enc)
			if err != nil {
				rows.Close()
				return 0, 0, 0, fmt.Errorf("seal comments: evaluation %d: %w", id, err)
			}
			names = append(names, name)
		}
		if m := pii.MaskText(comment, names...); m != comment {
			ids, masked, sealed = append(ids, id), append(masked, m), append(sealed, s.keys.Seal(comment))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, 0, fmt.Errorf("seal comments: take a batch: %w", err)
	}
	if len(ids) > 0 {
		tag, err := tx.Exec(ctx, `UPDATE evaluations e SET comment = u.masked, comment_enc = u.sealed
			FROM unnest($1::bigint[], $2::text[], $3::bytea[]) u(id, masked, sealed) WHERE e.id = u.id`, ids, masked, sealed)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("seal comments: write a batch: %w", err)
		}
		changed = tag.RowsAffected()
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, 0, 0, fmt.Errorf("seal comments: %w", err)
	}
	return read, changed, last, nil
}

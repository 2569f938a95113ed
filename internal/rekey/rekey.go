// Package rekey moves sealed values to the current data key (`haochaping keys rotate`) and
// counts them by key (`haochaping keys status`). Each owning package describes its tables
// (Table) and writes them with its own UPDATE; this package only runs the batches. The state
// of a rotation is in the rows themselves — each sealed value starts with the id of its key —
// so a rotation killed midway is resumed by running it again, and a finished one does nothing.
package rekey

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"haochaping/internal/database"
	"haochaping/internal/pii"
)

// Table is a table with sealed columns, as its owner describes it.
type Table struct {
	Name   string   // the table, as SQL names it
	ID     string   // its id column: "id" when empty
	IDType string   // its id column's type: "bigint" (the default), "text" or "bytea"
	Sealed []string // the sealed columns
	// Rewrite turns one row's sealed values (in Sealed's order) into the values Update writes
	// (the resealed values, and the keyed hashes computed from them). nil: each sealed column
	// resealed under the current key, nothing else.
	Rewrite func(keys *pii.Keys, sealed [][]byte) ([][]byte, error)
	// Update writes a batch: $1 the ids (an array of IDType), then one bytea[] for each value
	// Rewrite returns, in its order. It is a literal of the owning package, which alone writes
	// the table (migrations/owners_test.go).
	Update string
}

// Progress is reported after each batch: rows of Table moved to the current key so far, of
// the Total that were under another key when the rotation of the table began.
type Progress struct {
	Table       string
	Done, Total int64
}

// Rotator runs rotations in batches of Batch rows (500 when zero).
type Rotator struct {
	DB       *database.DB
	Keys     *pii.Keys
	Batch    int
	Progress func(Progress) // may be nil
}

func (t Table) id() string {
	if t.ID == "" {
		return "id"
	}
	return t.ID
}

func (t Table) idType() string {
	if t.IDType == "" {
		return "bigint"
	}
	return t.IDType
}

// stale is the predicate of a row holding a value under another key than the prefix in
// the placeholder param names.
func (t Table) stale(param string) string {
	var parts []string
	for _, c := range t.Sealed {
		parts = append(parts, fmt.Sprintf("(%s IS NOT NULL AND substring(%s from 1 for %d) <> %s::bytea)", c, c, pii.PrefixLen, param))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// Stale counts the rows of t with a value under another key than the current one.
func (r *Rotator) Stale(ctx context.Context, t Table) (int64, error) {
	var n int64
	err := r.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM `+t.Name+` WHERE `+t.stale("$1"),
		r.Keys.CurrentPrefix()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s under old keys: %w", t.Name, err)
	}
	return n, nil
}

// Rotate moves every sealed value of t to the current key, a batch a transaction, the rows
// taken FOR UPDATE SKIP LOCKED (a row another transaction holds is left for the next pass,
// and two rotations may run at once). It returns the rows rewritten. A row that would not
// open fails the rotation, naming it; what was committed before stays.
func (r *Rotator) Rotate(ctx context.Context, t Table) (int64, error) {
	total, err := r.Stale(ctx, t)
	if err != nil {
		return 0, err
	}
	var done int64
	r.report(t, done, total)
	for total > 0 {
		n, err := r.pass(ctx, t, &done, total)
		if err != nil {
			return done, err
		}
		if n == 0 {
			break // nothing left, or only rows locked by others: `keys status` shows them
		}
	}
	return done, nil
}

func (r *Rotator) report(t Table, done, total int64) {
	if r.Progress != nil {
		r.Progress(Progress{Table: t.Name, Done: done, Total: total})
	}
}

// pass walks the table once in id order, batch by batch; it returns the rows it rewrote.
func (r *Rotator) pass(ctx context.Context, t Table, done *int64, total int64) (int64, error) {
	var last any // nil: from the first row
	var rewritten int64
	for {
		n, next, err := r.batch(ctx, t, last)
		if err != nil {
			return rewritten, err
		}
		if next == nil {
			return rewritten, nil
		}
		rewritten += n
		*done += n
		r.report(t, *done, total)
		last = next
	}
}

// batch rewrites up to Batch stale rows after last; next is the last id it saw (nil: none).
func (r *Rotator) batch(ctx context.Context, t Table, last any) (n int64, next any, err error) {
	size := r.Batch
	if size <= 0 {
		size = 500
	}
	tx, err := r.DB.Pool.Begin(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("rotate %s: %w", t.Name, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit a no-op
	q := fmt.Sprintf(`SELECT %[1]s, %[2]s FROM %[3]s WHERE ($1::%[4]s IS NULL OR %[1]s > $1::%[4]s) AND %[5]s ORDER BY %[1]s LIMIT $3 FOR UPDATE SKIP LOCKED`,
		t.id(), strings.Join(t.Sealed, ", "), t.Name, t.idType(), t.stale("$2"))
	rows, err := tx.Query(ctx, q, last, r.Keys.CurrentPrefix(), size)
	if err != nil {
		return 0, nil, fmt.Errorf("rotate %s: take a batch: %w", t.Name, err)
	}
	var int64IDs []int64
	var textIDs []string
	var byteaIDs [][]byte
	var out [][][]byte // out[column][row]
	for rows.Next() {
		sealed := make([][]byte, len(t.Sealed))
		var int64ID int64
		var textID string
		var byteaID []byte
		dest := []any{&int64ID}
		switch t.idType() {
		case "text":
			dest[0] = &textID
		case "bytea":
			dest[0] = &byteaID
		}
		for i := range sealed {
			dest = append(dest, &sealed[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return 0, nil, fmt.Errorf("rotate %s: %w", t.Name, err)
		}
		switch t.idType() {
		case "text":
			textIDs, next = append(textIDs, textID), textID
		case "bytea":
			byteaIDs, next = append(byteaIDs, byteaID), byteaID
		default:
			int64IDs, next = append(int64IDs, int64ID), int64ID
		}
		values, err := t.rewrite(r.Keys, sealed)
		if err != nil {
			rows.Close()
			return 0, nil, fmt.Errorf("rotate %s row %v: %w", t.Name, next, err)
		}
		if out == nil {
			out = make([][][]byte, len(values))
		}
		for i, v := range values {
			out[i] = append(out[i], v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("rotate %s: take a batch: %w", t.Name, err)
	}
	if next == nil {
		return 0, nil, tx.Commit(ctx)
	}
	args := []any{int64IDs}
	switch t.idType() {
	case "text":
		args[0] = textIDs
	case "bytea":
		args[0] = byteaIDs
	}
	for _, col := range out {
		args = append(args, col)
	}
	tag, err := tx.Exec(ctx, t.Update, args...)
	if err != nil {
		return 0, nil, fmt.Errorf("rotate %s: write a batch: %w", t.Name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, nil, fmt.Errorf("rotate %s: %w", t.Name, err)
	}
	return tag.RowsAffected(), next, nil
}

func (t Table) rewrite(keys *pii.Keys, sealed [][]byte) ([][]byte, error) {
	if t.Rewrite != nil {
		return t.Rewrite(keys, sealed)
	}
	out := make([][]byte, len(sealed))
	for i, b := range sealed {
		var err error
		if out[i], err = keys.Reseal(b); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Sealed[i], err)
		}
	}
	return out, nil
}

// Count is how many values of one column are sealed under one key.
type Count struct {
	Table, Column string
	KeyID         string // pii.KeyIDOf: the key's id in hex, or "v1"
	Current       bool
	Values        int64
}

// Status counts the sealed values of t's columns by key.
func Status(ctx context.Context, db *database.DB, keys *pii.Keys, t Table) ([]Count, error) {
	var out []Count
	for _, c := range t.Sealed {
		// A value of the first format has no key id: its first byte alone is its group.
		rows, err := db.Pool.Query(ctx, fmt.Sprintf(`SELECT CASE WHEN get_byte(%s, 0) = 2 THEN substring(%s from 1 for %d) ELSE substring(%s from 1 for 1) END,
			count(*) FROM %s WHERE %s IS NOT NULL AND length(%s) > 0 GROUP BY 1 ORDER BY 1`, c, c, pii.PrefixLen, c, t.Name, c, c))
		if err != nil {
			return nil, fmt.Errorf("count %s.%s by key: %w", t.Name, c, err)
		}
		for rows.Next() {
			var prefix []byte
			var n int64
			if err := rows.Scan(&prefix, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("count %s.%s by key: %w", t.Name, c, err)
			}
			out = append(out, Count{Table: t.Name, Column: c, KeyID: pii.KeyIDOf(prefix), Current: keys.IsCurrent(prefix), Values: n})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("count %s.%s by key: %w", t.Name, c, err)
		}
	}
	return out, nil
}

// ErrLeft is returned by RotateAll when rows stayed under an old key (held by others meanwhile).
var ErrLeft = errors.New("some rows stayed under an old key")

// RotateAll rotates each table in turn and checks that none is left under an old key.
func (r *Rotator) RotateAll(ctx context.Context, tables []Table) error {
	for _, t := range tables {
		if _, err := r.Rotate(ctx, t); err != nil {
			return err
		}
	}
	for _, t := range tables {
		n, err := r.Stale(ctx, t)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%s: %d rows: %w; run `haochaping keys rotate` again", t.Name, n, ErrLeft)
		}
	}
	return nil
}

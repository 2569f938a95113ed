package app_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"haochaping/app"
	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/internal/pii"
	"haochaping/internal/rekey"
	"haochaping/internal/testenv"
	"haochaping/ledger"
	"haochaping/rectify"
)

// TestKeysRotate: rows sealed under key A; `keys rotate` to key B with A as the previous key,
// killed after its first batch and run again, leaves every sealed value under B's id and
// opening under B alone; a phone is still found by its hash; a link printed under A still
// verifies while A is configured; and a third run changes nothing.
func TestKeysRotate(t *testing.T) {
	env, srv := apptest.Serve(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC))
	ctx := context.Background()
	underA := env.Keys

	// Under key A: the seeded devices; cases with their applicant; a bad review with the
	// evaluator and a comment; a callback whose facts name the phone (a sealed text).
	var token string
	for i := range 3 {
		pushed := srv.PushCase(apptest.Case(fmt.Sprintf("ROT-%04d", i), env.Clock.Now().Add(-time.Hour)))
		u, _ := url.Parse(pushed["evaluation_url"].(string))
		token = strings.TrimPrefix(u.Path, "/e/")
	}
	order := srv.BadReview("ROT01", "13900002222")
	env.Exec(`UPDATE evaluations SET comment = '请回电 139****2222', comment_enc = $1 WHERE id = (SELECT evaluation_id FROM work_orders WHERE id = $2)`,
		underA.Seal("请回电 13900002222"), order)
	zh01, err := srv.App.Users.Get(ctx, "zh01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.App.Rectify.Callback(ctx, zh01, order, rectify.CallbackInput{Common: rectify.Common{Method: "phone"},
		Reached: ptr(true), Facts: "已联系 13900002222"}); err != nil {
		t.Fatal(err)
	}
	ledgerReport(t, env, srv, "已联系群众 139-0000-2222 核实")
	// A value as it was sealed before keys had ids (format 1), under A.
	env.Exec(`UPDATE cases SET applicant_name_enc = $1 WHERE case_no = 'ROT-0000'`, legacySeal(env.Cfg.DataKey, "王五"))
	// An office login's TOTP secret (access's sealed table).
	env.Exec(`INSERT INTO user_totp (user_id, secret_sealed, enrolled_at) SELECT id, $1, now() FROM users WHERE username = 'office'`,
		underA.Seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
	tables := app.SealedTables()
	before := snapshot(t, env, tables)
	if counts, err := app.KeyStatus(ctx, env.DB, underA); err != nil || !slices.ContainsFunc(counts, func(c rekey.Count) bool {
		return c.Table == "cases" && c.Column == "applicant_name_enc" && c.KeyID == "v1" && c.Values == 1 && !c.Current
	}) {
		t.Fatalf("keys status before: %v %+v", err, counts)
	}
	if len(before) < 10 {
		t.Fatalf("only %d sealed values to rotate", len(before))
	}

	keyB := make([]byte, 32)
	_, _ = rand.Read(keyB)
	underB, err := pii.NewKeys(keyB, env.Cfg.DataKey)
	if err != nil {
		t.Fatal(err)
	}
	onlyB, _ := pii.NewKeys(keyB)

	// Killed after its first batch of two rows...
	killed, kill := context.WithCancel(ctx)
	r := &rekey.Rotator{DB: env.DB, Keys: underB, Batch: 2, Progress: func(p rekey.Progress) {
		if p.Done > 0 {
			kill()
		}
	}}
	if err := r.RotateAll(killed, tables); !errors.Is(err, context.Canceled) {
		t.Fatalf("the killed rotation: %v", err)
	}
	moved := 0
	for _, v := range snapshot(t, env, tables) {
		if underB.IsCurrent(v) {
			moved++
		}
	}
	if moved == 0 || moved == len(before) {
		t.Fatalf("after the kill %d of %d values are under B: not midway", moved, len(before))
	}

	// ... and run again: it completes.
	var progress strings.Builder
	if err := app.RotateKeys(ctx, env.DB, underB, 2, &progress); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "keys rotate: cases ") {
		t.Errorf("no progress per table: %q", progress.String())
	}
	after := snapshot(t, env, tables)
	if len(after) != len(before) {
		t.Fatalf("%d sealed values after, %d before", len(after), len(before))
	}
	for where, v := range after {
		if !onlyB.IsCurrent(v) {
			t.Errorf("%s is under key %s, not B's %08x", where, pii.KeyIDOf(v), onlyB.CurrentID())
		}
		was, err := underA.Open(before[where])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := onlyB.Open(v); err != nil || got != was {
			t.Errorf("%s opens under B alone to %q (%v), want %q", where, got, err, was)
		}
	}
	counts, err := app.KeyStatus(ctx, env.DB, onlyB)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		if !c.Current {
			t.Errorf("keys status: %s.%s has %d values under %s", c.Table, c.Column, c.Values, c.KeyID)
		}
	}

	// The phone is found by its hash under B alone; the link printed under A verifies while A
	// is configured as previous, and not once it is dropped.
	found := *srv.App.Rectify
	found.Keys = onlyB
	office, _ := srv.App.Users.Get(ctx, "office")
	page, err := found.List(ctx, office, rectify.Filter{Query: "139 0000 2222"})
	if err != nil || page.Total != 1 || page.Items[0].ID != order {
		t.Fatalf("search by phone after the rotation: %v, %+v", err, page)
	}
	withPrevious := evaluation.NewService(env.DB, underB, evaluation.Settings{RatingDays: 7, PublicURL: "http://x"}, env.Clock.Now)
	defer withPrevious.Close()
	if _, _, err := withPrevious.ParseLinkToken(token); err != nil {
		t.Fatalf("a link of key A with A as previous: %v", err)
	}
	dropped := evaluation.NewService(env.DB, onlyB, evaluation.Settings{RatingDays: 7, PublicURL: "http://x"}, env.Clock.Now)
	defer dropped.Close()
	if _, _, err := dropped.ParseLinkToken(token); err == nil {
		t.Fatal("a link of key A verified with A dropped")
	}

	// Once more: nothing to do, nothing changed.
	progress.Reset()
	if err := app.RotateKeys(ctx, env.DB, underB, 2, &progress); err != nil {
		t.Fatal(err)
	}
	for where, v := range snapshot(t, env, tables) {
		if !bytes.Equal(v, after[where]) {
			t.Errorf("the third run rewrote %s", where)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(progress.String()), "\n") {
		if !strings.HasSuffix(line, " 0/0") {
			t.Errorf("the third run: %q", line)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// legacySeal is a value as pii sealed it before keys had ids: 1 | nonce | ciphertext.
func legacySeal(master []byte, s string) []byte {
	encKey, _ := hkdf.Key(sha256.New, master, nil, "haochaping seal v1", 32)
	block, _ := aes.NewCipher(encKey)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(append([]byte{1}, nonce...), nonce, []byte(s), []byte{1})
}

// ledgerReport has 市审批服务局's head report progress on its first work-ledger entry, in a
// round the office opens.
func ledgerReport(t *testing.T, env *testenv.Env, srv *apptest.Server, progress string) {
	t.Helper()
	ctx := context.Background()
	office, _ := srv.App.Users.Get(ctx, "office")
	head, _ := srv.App.Users.Get(ctx, "spj-head")
	if _, err := srv.App.Ledger.OpenRound(ctx, office, "轮次", env.Clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	entry := int64(env.Count(`SELECT e.id FROM ledger_entries e JOIN ledger_assignments a ON a.entry_id = e.id
		JOIN departments d ON d.id = a.department_id WHERE e.kind = 'work' AND d.code = 'ZZ-SPJ' ORDER BY e.no LIMIT 1`))
	if _, err := srv.App.Ledger.Report(ctx, head, ledger.ReportInput{EntryID: entry, Progress: progress}, "web"); err != nil {
		t.Fatal(err)
	}
}

// TestSealFreeTextBackfill: texts stored in clear before migration 00025 — a comment, a
// ledger report, a work order's reason and its notice — are masked by `pii seal-text`, the
// comment's and the report's originals sealed; a second run changes nothing.
func TestSealFreeTextBackfill(t *testing.T) {
	env, srv := apptest.Serve(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC))
	ctx := context.Background()
	order := srv.BadReview("BF01", "13900003333")
	ledgerReport(t, env, srv, "placeholder")
	// As they were before: in clear, nothing sealed.
	comment, report, reason := "李四说请回电 139 0000 3333", "群众电话13900003333已回访", "李四要求回电13900003333"
	env.Exec(`UPDATE evaluations SET comment = $1, comment_enc = NULL WHERE id = (SELECT evaluation_id FROM work_orders WHERE id = $2)`, comment, order)
	env.Exec(`UPDATE ledger_reports SET progress = $1, text_enc = NULL`, report)
	env.Exec(`UPDATE work_orders SET rectify_deadline_reason = $1 WHERE id = $2`, reason, order)
	env.Exec(`UPDATE notifications SET body = $1 WHERE work_order_id = $2`, reason, order)

	var out strings.Builder
	if err := srv.App.SealFreeText(ctx, &out); err != nil {
		t.Fatal(err)
	}
	var gotComment, gotReport, gotReason string
	var commentEnc, reportEnc []byte
	if err := env.DB.Pool.QueryRow(ctx, `SELECT e.comment, e.comment_enc, w.rectify_deadline_reason FROM work_orders w
		JOIN evaluations e ON e.id = w.evaluation_id WHERE w.id = $1`, order).Scan(&gotComment, &commentEnc, &gotReason); err != nil {
		t.Fatal(err)
	}
	if err := env.DB.Pool.QueryRow(ctx, `SELECT progress, text_enc FROM ledger_reports`).Scan(&gotReport, &reportEnc); err != nil {
		t.Fatal(err)
	}
	if gotComment != "李*说请回电 139****3333" || gotReport != "群众电话139****3333已回访" || gotReason != "李*要求回电139****3333" {
		t.Fatalf("after the backfill: %q, %q, %q\n%s", gotComment, gotReport, gotReason, out.String())
	}
	if n := env.Count(`SELECT count(*) FROM notifications WHERE work_order_id = $1 AND body LIKE '%13900003333%'`, order); n != 0 {
		t.Errorf("%d notices still hold the phone", n)
	}
	if got, err := env.Keys.Open(commentEnc); err != nil || got != comment {
		t.Errorf("the sealed comment: %q, %v", got, err)
	}
	if got, err := env.Keys.Open(reportEnc); err != nil || !strings.Contains(got, report) {
		t.Errorf("the sealed report: %q, %v", got, err)
	}
	before := snapshot(t, env, app.SealedTables())
	out.Reset()
	if err := srv.App.SealFreeText(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), ", 1 masked") {
		t.Errorf("the second run masked again:\n%s", out.String())
	}
	for where, v := range snapshot(t, env, app.SealedTables()) {
		if !bytes.Equal(v, before[where]) {
			t.Errorf("the second run rewrote %s", where)
		}
	}
}

// snapshot is every sealed value of the tables, by "table.column#id".
func snapshot(t *testing.T, env *testenv.Env, tables []rekey.Table) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, tb := range tables {
		id := tb.ID
		if id == "" {
			id = "id"
		}
		for _, col := range tb.Sealed {
			rows, err := env.DB.Pool.Query(context.Background(), `SELECT `+id+`::text, `+col+` FROM `+tb.Name+` WHERE `+col+` IS NOT NULL`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				var v []byte
				if err := rows.Scan(&id, &v); err != nil {
					t.Fatal(err)
				}
				out[tb.Name+"."+col+"#"+id] = v
			}
			rows.Close()
		}
	}
	return out
}

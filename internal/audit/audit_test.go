package audit_test

import (
	"strings"
	"testing"
	"time"

	"haochaping/internal/audit"
	"haochaping/internal/database"
	"haochaping/internal/testenv"
)

// TestTheChainHoldsAndTamperingIsFound: events recorded verify; the trigger refuses a change;
// a row changed or removed with the trigger switched off (as a superuser could) is found, at
// the row where the chain breaks.
func TestTheChainHoldsAndTamperingIsFound(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 12, 1, 10, 0, 0))
	log := &audit.Log{DB: env.DB, Now: env.Clock.Now}
	ctx := t.Context()
	for i, e := range []audit.Event{
		{Kind: "login_refused", Actor: "office", Address: "203.0.113.7", Method: "POST", Path: "/api/v1/auth/login", Status: 401, Code: "invalid_credentials"},
		{Kind: "login_ok", Actor: "office", Address: "203.0.113.7"},
		{Kind: "phone_revealed", Actor: "zh01", Detail: map[string]any{"work_order": "ZG20261201000001", "z": 1, "a": []any{"x"}}},
		{Kind: "forbidden", Actor: "ga01", Method: "GET", Path: "/api/v1/workorders/7", Status: 403, Code: "forbidden_role"},
		{Kind: "export", Actor: "office", Detail: map[string]any{"ledger": "work", "rows": 113}},
	} {
		env.Clock.Set(env.Clock.Now().Add(time.Duration(i) * time.Second))
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := log.Verify(ctx, nil)
	if err != nil || !rep.OK() || rep.Rows != 5 {
		t.Fatalf("an untouched chain: %+v %v", rep, err)
	}
	// No change, no removal of recent rows: the application's role may not update at all, and
	// the trigger refuses the owner too.
	for _, c := range []struct {
		as   *database.DB
		sql  string
		want string
	}{
		{env.DB, `UPDATE security_audit SET actor = 'someone' WHERE id = 2`, "permission denied"},
		{env.DB, `DELETE FROM security_audit WHERE id = 2`, "append-only"},
		{env.Owner, `UPDATE security_audit SET actor = 'someone' WHERE id = 2`, "append-only"},
		{env.Owner, `DELETE FROM security_audit WHERE id = 2`, "append-only"},
	} {
		if _, err := c.as.Pool.Exec(ctx, c.sql); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want refused (%s)", c.sql, err, c.want)
		}
	}
	ids := map[int]int64{}
	rows, _ := env.DB.Pool.Query(ctx, `SELECT id FROM security_audit ORDER BY id`)
	for i := 0; rows.Next(); i++ {
		var id int64
		_ = rows.Scan(&id)
		ids[i] = id
	}
	rows.Close()
	// As a superuser could: the trigger off, the third row's actor rewritten.
	env.Exec(`ALTER TABLE security_audit DISABLE TRIGGER security_audit_append_only`)
	env.Exec(`UPDATE security_audit SET actor = 'nobody' WHERE id = $1`, ids[2])
	rep, err = log.Verify(ctx, nil)
	if err != nil || rep.OK() || rep.BrokenAt != ids[2] || !strings.Contains(rep.Reason, "修改") {
		t.Fatalf("a changed row: %+v %v", rep, err)
	}
	env.Exec(`UPDATE security_audit SET actor = 'zh01' WHERE id = $1`, ids[2])
	if rep, _ := log.Verify(ctx, nil); !rep.OK() {
		t.Fatalf("restored, the chain should hold again: %+v", rep)
	}
	// A row removed from the middle: the next one's link no longer holds.
	env.Exec(`DELETE FROM security_audit WHERE id = $1`, ids[1])
	rep, err = log.Verify(ctx, nil)
	if err != nil || rep.BrokenAt != ids[2] || !strings.Contains(rep.Reason, "删除") {
		t.Fatalf("a removed row: %+v %v", rep, err)
	}
}

// TestRetireKeepsSixMonths: rows past 180 days go, from the oldest end; the rest still verify
// from the first one left; the setting may keep them longer, never shorter.
func TestRetireKeepsSixMonths(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	log := &audit.Log{DB: env.DB}
	ctx := t.Context()
	now := time.Now()
	for _, age := range []int{400, 200, 100, 1} { // days ago, oldest first
		if err := log.Record(ctx, audit.Event{At: now.AddDate(0, 0, -age), Kind: "login_ok", Actor: "office"}); err != nil {
			t.Fatal(err)
		}
	}
	env.Exec(`INSERT INTO settings (region_id, key, value) VALUES (NULL, 'audit_retention_days', '300')`)
	if n, err := log.Retire(ctx); err != nil || n != 1 {
		t.Fatalf("retired %d, %v; want the 400-day-old row alone (kept 300 days)", n, err)
	}
	env.Exec(`UPDATE settings SET value = '30' WHERE region_id IS NULL AND key = 'audit_retention_days'`)
	if n, err := log.Retire(ctx); err != nil || n != 1 {
		t.Fatalf("retired %d, %v; want the 200-day-old row alone (never under 180 days)", n, err)
	}
	if rep, err := log.Verify(ctx, nil); err != nil || !rep.OK() || rep.Rows != 2 {
		t.Fatalf("after retiring: %+v %v", rep, err)
	}
}

package main

import (
	"strings"
	"testing"

	"haochaping/internal/audit"
)

// `haochaping audit verify` says the chain holds, then, after a row is altered behind the
// trigger's back, names that row and exits 1.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	c, env := newCLI(t, false)
	log := &audit.Log{DB: env.DB}
	for _, k := range []string{"login_ok", "export", "user_changed"} {
		if err := log.Record(t.Context(), audit.Event{Kind: k, Actor: "office"}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.run("audit", "verify")
	if err != nil || !strings.Contains(out, "ok: 3 rows") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	id := env.Count(`SELECT id FROM security_audit ORDER BY id OFFSET 1 LIMIT 1`)
	env.Exec(`ALTER TABLE security_audit DISABLE TRIGGER security_audit_append_only`)
	env.Exec(`UPDATE security_audit SET kind = 'login_refused' WHERE id = $1`, id)
	out, err = c.run("audit", "verify")
	if err == nil || !strings.Contains(out, "BROKEN at row") || !strings.Contains(out, "修改") {
		t.Fatalf("a tampered log: %v\n%s", err, out)
	}
}

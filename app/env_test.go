package app_test

import (
	"context"
	"strings"
	"testing"

	"haochaping/app"
	"haochaping/internal/testenv"
)

// TestTheSystemRefusesAPrivilegedDatabaseRole: outside demo mode the system does not run on a
// role that could disable its own triggers — a superuser, or the owner of the tables — and
// says what to do instead; on the application's own role it runs.
func TestTheSystemRefusesAPrivilegedDatabaseRole(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	check := func(url string, demo bool) error {
		cfg := *env.Cfg
		cfg.DatabaseURL, cfg.Demo = url, demo
		e := &app.Env{Cfg: &cfg, Log: env.Log}
		if err := e.OpenDB(ctx); err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		return e.CheckRole(ctx)
	}
	if err := check(env.Cfg.OwnerDatabaseURL, false); err == nil || !strings.Contains(err.Error(), "owns the tables") || !strings.Contains(err.Error(), "DATABASE_OWNER_URL") {
		t.Errorf("the owner's role outside demo mode: %v, want refused", err)
	}
	if err := check(env.Cfg.OwnerDatabaseURL, true); err != nil {
		t.Errorf("the owner's role in demo mode: %v, want a warning only", err)
	}
	if err := check(env.Cfg.DatabaseURL, false); err != nil {
		t.Errorf("the application's role: %v", err)
	}
}

package app_test

import (
	"context"
	"testing"

	"haochaping/app"
	"haochaping/internal/testenv"
)

// TestAReplicaDownDoesNotStopTheStart: with DATABASE_REPLICA_URL on a port nothing listens on,
// the database opens (the replica's pool connects when first used), and the system's reports
// are routed through it — to fall back to the primary — while its other measures are not.
func TestAReplicaDownDoesNotStopTheStart(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	cfg := *env.Cfg
	cfg.ReplicaDatabaseURL = testenv.UnreachableURL(t, cfg.DatabaseURL)
	e := &app.Env{Cfg: &cfg, Log: env.Log}
	if err := e.OpenDB(context.Background()); err != nil {
		t.Fatalf("open with the replica down: %v", err)
	}
	defer e.Close()
	if e.DB.Replica == nil {
		t.Fatal("DATABASE_REPLICA_URL set, but no replica prepared")
	}
	a := app.New(&cfg, e.DB, env.Keys, env.Redis, env.Log)
	defer a.Close()
	if a.Reports.Replica != e.DB.Replica || a.Measures.Replica != nil {
		t.Fatalf("reports on %p, measures on %p; want the reports on the replica %p and the measures on the primary",
			a.Reports.Replica, a.Measures.Replica, e.DB.Replica)
	}
}

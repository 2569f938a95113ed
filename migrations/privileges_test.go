package migrations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"haochaping/internal/testenv"
	"haochaping/migrations"
)

// TestTheApplicationRoleIsLeastPrivileged: the system connects as a role that reads and writes
// rows and nothing more (issue 12: it was a superuser, and could switch off the trigger that
// keeps work_order_events append-only). Each attempt runs in a transaction rolled back after,
// so that a role that could would still leave the schema as it was.
func TestTheApplicationRoleIsLeastPrivileged(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	if env.DB == env.Owner {
		t.Fatal("DATABASE_URL and DATABASE_OWNER_URL name one role: the local stack gives the application a role of its own (scripts/devstack.sh)")
	}
	ctx := context.Background()
	var super, bypass bool
	if err := env.DB.Pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Errorf("the application's role: superuser %v, bypasses row security %v", super, bypass)
	}
	for _, sql := range []string{
		`ALTER TABLE work_order_events DISABLE TRIGGER work_order_events_append_only`,
		`ALTER TABLE security_audit DISABLE TRIGGER ALL`,
		`SET LOCAL session_replication_role = replica`,
		`UPDATE work_order_events SET note = ''`,
		`DELETE FROM work_order_events`,
		`TRUNCATE work_order_events`,
		`TRUNCATE security_audit`,
		`UPDATE security_audit SET actor = 'nobody'`,
		`DELETE FROM goose_db_version`,
		`CREATE TABLE intruder (id int)`,
		`DROP TABLE evaluations`,
		`ALTER TABLE evaluations ADD COLUMN intruder int`,
		`CREATE SCHEMA intruder`,
		`CREATE OR REPLACE FUNCTION work_order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`,
	} {
		err := pgx.BeginFunc(ctx, env.DB.Pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			if err == nil {
				return errors.New("allowed") // and rolled back
			}
			return err
		})
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" { // insufficient_privilege
			t.Errorf("%s: %v, want refused for want of privilege", sql, err)
		}
	}
	// What the system does keep: writing a work order's timeline.
	var n int
	if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM work_order_events`).Scan(&n); err != nil {
		t.Errorf("reading the timeline: %v", err)
	}
}

// TestGrantsOfProcessesStartingTogether: every process of the system migrates and grants when
// it starts, and the fault run starts four at once; their grants must not collide (they did:
// "tuple concurrently updated" stopped a worker at its start).
func TestGrantsOfProcessesStartingTogether(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	if env.DB == env.Owner {
		t.Skip("one role for both: nothing is granted")
	}
	app, err := pgconn.ParseConfig(env.Cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := env.Owner.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for round := 0; round < 5; round++ {
		errs := make(chan error, 6)
		for i := 0; i < cap(errs); i++ {
			go func() {
				errs <- migrations.GrantApp(ctx, sqlDB, env.Owner.LockKey("migrate"), env.Prefix, app.User)
			}()
		}
		for i := 0; i < cap(errs); i++ {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

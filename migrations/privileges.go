package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// appPrivileges is what the application's role may do in the schema, granted anew after every
// migration so that a new table is covered the day it appears. Rows only: the role owns
// nothing, so it can neither change the schema nor disable a trigger (only an owner may), and
// it is no superuser, so session_replication_role — which would skip every trigger — is
// refused to it too. The append-only records get no UPDATE, and no TRUNCATE anywhere (TRUNCATE
// fires no row trigger): 件件有记录 holds even against the application itself.
var appPrivileges = []string{
	`GRANT USAGE ON SCHEMA %[1]s TO %[2]s`,
	`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %[1]s TO %[2]s`,
	`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %[1]s TO %[2]s`,
	`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %[1]s TO %[2]s`,
	// A table the owner makes between migrations (a test's scratch table, an operator's fix) is
	// the application's to use too, as if a migration had made it.
	`ALTER DEFAULT PRIVILEGES IN SCHEMA %[1]s GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %[2]s`,
	`ALTER DEFAULT PRIVILEGES IN SCHEMA %[1]s GRANT USAGE, SELECT ON SEQUENCES TO %[2]s`,
	// The timeline of each work order: written once, never changed.
	`REVOKE UPDATE, DELETE ON %[1]s.work_order_events FROM %[2]s`,
	// The security audit log: its trigger lets only housekeeping past the retention delete.
	`REVOKE UPDATE ON %[1]s.security_audit FROM %[2]s`,
	// The migrations' own bookkeeping is the owner's.
	`REVOKE INSERT, UPDATE, DELETE ON %[1]s.goose_db_version FROM %[2]s`,
}

// GrantApp gives role the application's privileges in schema; both are quoted as identifiers.
// It holds the migrations' advisory lock (lockID) while it grants: processes starting together
// would otherwise update the same ACLs at once, and PostgreSQL refuses the loser ("tuple
// concurrently updated").
// It runs as the schema's owner, in one transaction, and is idempotent; granting the owner
// itself does nothing.
func GrantApp(ctx context.Context, db *sql.DB, lockID int64, schema, role string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("grant %s: %w", role, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit a no-op
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockID); err != nil {
		return fmt.Errorf("grant %s: lock: %w", role, err)
	}
	var self string
	if err := tx.QueryRowContext(ctx, `SELECT current_user`).Scan(&self); err != nil {
		return fmt.Errorf("grant %s: %w", role, err)
	}
	if self == role {
		return nil // one role for both: revoking would take the owner's own rights
	}
	s, r := pgx.Identifier{schema}.Sanitize(), pgx.Identifier{role}.Sanitize()
	for _, stmt := range appPrivileges {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(stmt, s, r)); err != nil {
			return fmt.Errorf("grant %s: %s: %w", role, fmt.Sprintf(stmt, s, r), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("grant %s: %w", role, err)
	}
	return nil
}

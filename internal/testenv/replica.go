package testenv

import (
	"context"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ReplicaURLVar names the streaming replica of the test PostgreSQL, as the application's role
// (scripts/devstack.sh starts one and writes it into .devstack/env).
const ReplicaURLVar = "HAOCHAPING_TEST_REPLICA_URL"

// RequireReplica is the URL of the streaming replica of the test PostgreSQL; the test is
// skipped, saying why, when none is set.
func RequireReplica(t testing.TB) string {
	t.Helper()
	replica := os.Getenv(ReplicaURLVar)
	if replica == "" {
		t.Skip(ReplicaURLVar + " is not set: no streaming replica to read (scripts/devstack.sh up starts one and sets it; HAOCHAPING_DEVSTACK_REPLICA=0 leaves it out)")
	}
	return replica
}

// ReplicaURL is the test's schema on the replica at replica (RequireReplica's URL), once the replica has
// replayed all the primary wrote so far: it copies the whole cluster, this schema too.
func (e *Env) ReplicaURL(replica string) string {
	e.T.Helper()
	replica = WithSearchPath(replica, e.Prefix)
	e.WaitForReplica(replica)
	return replica
}

// WaitForReplica polls until the replica at replicaURL has replayed the primary's WAL up to where it
// is now: from then on it holds everything the test has written.
func (e *Env) WaitForReplica(replicaURL string) {
	e.T.Helper()
	ctx := context.Background()
	replica, err := pgxpool.New(ctx, replicaURL)
	if err != nil {
		e.T.Fatalf("testenv: %s: %v", ReplicaURLVar, err)
	}
	defer replica.Close()
	var lsn string
	if err := e.DB.Pool.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		e.T.Fatalf("testenv: the primary's WAL position: %v", err)
	}
	Eventually(e.T, 30*time.Second, "the replica replayed the primary's WAL up to "+lsn, func() bool {
		var done bool
		err := replica.QueryRow(ctx, `SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn).Scan(&done)
		if err != nil {
			e.T.Fatalf("testenv: the replica's replay position: %v", err)
		}
		return done
	})
}

// UnreachableURL is dbURL with its host a loopback port that nothing listens on (one just
// released): a replica that is down.
func UnreachableURL(t testing.TB, dbURL string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	u.Host = addr
	return u.String()
}

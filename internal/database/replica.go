package database

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Querier is what a read-only query needs of a pool: the primary's or a replica's
// (*pgxpool.Pool is one).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// ReplicaRetry is how long the reports read the primary after the replica could not be
// reached, before they try it again: a replica that is down costs one failed connection per
// interval, not one per request.
const ReplicaRetry = 30 * time.Second

// replicaConnectTimeout bounds the wait for a replica that does not answer at all (a host
// that drops packets): the dashboard then falls back instead of hanging.
const replicaConnectTimeout = 2 * time.Second

// Replica routes read-only report queries to a streaming replica (DATABASE_REPLICA_URL), and to
// the primary while the replica cannot be reached — the report is then as fresh as it can be,
// not missing. What it serves may lag the primary by the replica's replay delay: only queries
// that need not read their own writes may use it (docs/ARCHITECTURE.md, "Read replica").
type Replica struct {
	pool    *pgxpool.Pool // the replica's
	primary *pgxpool.Pool
	log     *slog.Logger

	mu        sync.Mutex
	downUntil time.Time // the machine's time until which the primary serves; zero: the replica does
	now       func() time.Time
}

// OpenReplica prepares a pool on the replica at url (the same database, role and search_path
// as the primary's URL, on the replica's host). It does not connect: a replica down at start
// is the primary's load until it is up, not a failure to start.
func OpenReplica(url string, primary *DB, log *slog.Logger) (*Replica, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_REPLICA_URL: %w", err)
	}
	cfg.ConnConfig.ConnectTimeout = replicaConnectTimeout
	// The session settings of the primary's pool (Open): measures group by Beijing days.
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Shanghai"
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "haochaping-reports"
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_REPLICA_URL: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Replica{pool: pool, primary: primary.Pool, log: log, now: time.Now}, nil
}

// Close releases the replica's connections (the primary's are its DB's).
func (r *Replica) Close() {
	if r != nil {
		r.pool.Close()
	}
}

// Read runs fn on the replica, or on the primary when the replica is known to be down or
// turns out to be: fn must be safe to run twice (it reads, and sets its results afresh).
// Errors of the query itself (bad SQL, a missing table) are fn's own and returned as they are.
func (r *Replica) Read(ctx context.Context, fn func(Querier) error) error {
	_, err := r.read(ctx, fn)
	return err
}

// read is Read that also says whether the replica answered.
func (r *Replica) read(ctx context.Context, fn func(Querier) error) (onReplica bool, err error) {
	if r.isDown() {
		return false, fn(r.primary)
	}
	err = fn(r.pool)
	switch {
	case err == nil:
		r.markUp()
		return true, nil
	case ctx.Err() != nil:
		return false, err // the request ended: the primary would not answer it either
	case isRecoveryConflict(err):
		// The replica cancelled the query to replay the primary's changes: it is up, and the
		// primary answers this one.
		r.log.Info("replica cancelled a report query (recovery conflict); reading it from the primary", "err", err)
		return false, fn(r.primary)
	case unreachable(err):
		r.markDown(err)
		return false, fn(r.primary)
	}
	return true, err
}

func (r *Replica) isDown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now().Before(r.downUntil)
}

// markDown sends the reports to the primary for ReplicaRetry, and says so once per outage.
func (r *Replica) markDown(err error) {
	r.mu.Lock()
	wasUp := r.downUntil.IsZero()
	r.downUntil = r.now().Add(ReplicaRetry)
	r.mu.Unlock()
	if wasUp {
		r.log.Warn("replica unreachable: the dashboard's measures are read from the primary", "retry_in", ReplicaRetry.String(), "err", err)
	} else {
		r.log.Debug("replica still unreachable", "err", err)
	}
}

func (r *Replica) markUp() {
	r.mu.Lock()
	wasDown := !r.downUntil.IsZero()
	r.downUntil = time.Time{}
	r.mu.Unlock()
	if wasDown {
		r.log.Info("replica reachable again: the dashboard's measures are read from it")
	}
}

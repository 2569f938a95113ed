package database

import (
	"context"
	"fmt"
	"time"
)

// ReadSource is where the reports are read, for the page that shows them.
type ReadSource struct {
	// Replica: the replica answered. Lag is then how far its replay is behind the primary
	// (zero when it has replayed everything it received).
	Replica bool
	Lag     time.Duration
	// Fallback: a replica is set but could not be reached, and the primary answered.
	Fallback bool
}

// lagSQL is the replica's delay: the age of the last transaction it replayed — unless it has
// replayed all it received, when an idle primary would make that age grow while nothing is
// missing. On a server not in recovery (the primary, a promoted replica) it is zero.
const lagSQL = `SELECT pg_is_in_recovery(),
	CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
	     ELSE COALESCE(EXTRACT(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8`

// Source says where the reports read now, and the replica's delay, in one query routed as the
// reports are.
func (r *Replica) Source(ctx context.Context) (ReadSource, error) {
	var recovering bool
	var lag float64
	onReplica, err := r.read(ctx, func(q Querier) error {
		return q.QueryRow(ctx, lagSQL).Scan(&recovering, &lag)
	})
	if err != nil {
		return ReadSource{}, fmt.Errorf("replica lag: %w", err)
	}
	if !onReplica {
		return ReadSource{Fallback: true}, nil
	}
	return ReadSource{Replica: true, Lag: time.Duration(lag * float64(time.Second))}, nil
}

// InRecovery reports pg_is_in_recovery() of the server the reports read now: true on a
// streaming replica, false on the primary. The tests ask it to show where a query ran.
func (r *Replica) InRecovery(ctx context.Context) (bool, error) {
	var recovering bool
	err := r.Read(ctx, func(q Querier) error {
		return q.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&recovering)
	})
	return recovering, err
}

package measures

import (
	"context"
	"time"

	"haochaping/internal/database"
)

// Service computes the measures and keeps the rollups behind them.
type Service struct {
	DB *database.DB
	// Replica, when set, is where the read-only queries go (every method that writes nothing),
	// and the primary while it is down: a report's reader, which may lag the primary by the
	// replica's delay. Nil: they read DB. The rollups and rankings are written on DB always.
	Replica *database.Replica
	// Now is the business clock (time.Now when nil).
	Now func() time.Time
}

// OnReplica is a copy of s whose read-only queries go to r (nil: to the primary, as s's): the
// dashboard's reader, while the console and the jobs keep the primary.
func (s *Service) OnReplica(r *database.Replica) *Service {
	c := *s
	c.Replica = r
	return &c
}

// read runs fn on the replica if one is set (the primary while it is down), else on the
// primary. fn may run twice: it must set its results afresh.
func (s *Service) read(ctx context.Context, fn func(database.Querier) error) error {
	if s.Replica == nil {
		return fn(s.DB.Pool)
	}
	return s.Replica.Read(ctx, fn)
}

// ReadSource says where the read-only queries read now (the zero value when no replica is
// set: the primary, as ever), for the page that shows them.
func (s *Service) ReadSource(ctx context.Context) (database.ReadSource, error) {
	if s.Replica == nil {
		return database.ReadSource{}, nil
	}
	return s.Replica.Source(ctx)
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

package measures

import (
	"time"

	"haochaping/internal/database"
)

// Service computes the measures and keeps the rollups behind them.
type Service struct {
	DB *database.DB
	// Now is the business clock (time.Now when nil).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

package ledger

import (
	"time"

	"haochaping/calendar"
	"haochaping/internal/bjtime"
	"haochaping/internal/database"
	"haochaping/internal/pii"
)

// Service keeps the ledgers.
type Service struct {
	DB       *database.DB
	Calendar *calendar.Calendar
	// Keys seal the reports' texts in full (report_seal.go).
	Keys *pii.Keys
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time { return s.Clock() }

// Clock is the service's time now: Now, else the machine's.
func (s *Service) Clock() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// today is the Beijing date.
func (s *Service) today() time.Time { return bjtime.Day(s.now()) }

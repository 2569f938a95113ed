package evaluation

import (
	"context"
	"time"

	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/refcache"
)

// Settings are the numbers of the evaluation rules that the deployment chooses.
type Settings struct {
	// RatingDays is how many natural days after service a rating is accepted, for regions
	// without a setting of their own (settings key "evaluation_window_days"). Default 7.
	RatingDays int
	// PublicURL is the base of the evaluation links printed on receipts.
	PublicURL string
	// UpwardURL is the provincial platform's endpoint that receives evaluations (上报); empty:
	// the upward report is off.
	UpwardURL string
	// UpwardBatch is how many evaluations one report request carries (default 500).
	UpwardBatch int
}

// Service ingests cases and evaluations.
type Service struct {
	db       *database.DB
	keys     *pii.Keys
	settings Settings
	reasons  *reasonCache
	commits  *committer
	// ticketPlaces: the windows and staff that window visits are rated at (resolveTicket).
	ticketPlaces *refcache.Cache[ticketPlaceKey, ticketPlace]
	// Now is the business clock.
	Now func() time.Time
}

// commitsInFlight is how many group commits may be under way at once. More means smaller
// batches, and each transaction has a fixed cost in the database (BEGIN, the statement's
// start, COMMIT) that a batch shares: with 32 clients and nothing but the API running, 4 in
// flight held 4.4 ratings a commit and took 3,567-3,847 ratings/s, 2 took 4,250-4,459/s, 1
// 4,877-4,982/s (docs/PERFORMANCE.md, 2026-12-04). Two rather than one: one batch fills while
// the other flushes on a machine with more cores than this one, and a batch waiting on a lock
// or retried row by row holds back half of the ratings, not all.
const commitsInFlight = 2

// NewService starts a Service on the business clock now (nil: the machine's); Close stops it
// after the ratings in flight are committed.
func NewService(db *database.DB, keys *pii.Keys, settings Settings, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if settings.RatingDays <= 0 {
		settings.RatingDays = 7
	}
	return &Service{
		db:       db,
		keys:     keys,
		settings: settings,
		reasons:  &reasonCache{pool: db.Pool},
		commits:  newCommitter(db.Pool, commitsInFlight, 256),
		// Bounded: the staff number is the device's to send, so made-up ones are keys too.
		ticketPlaces: refcache.New[ticketPlaceKey, ticketPlace](db.RefData, 20_000, 5*time.Minute),
		Now:          now,
	}
}

// Close waits for the ratings in flight to be committed and answered.
func (s *Service) Close() { s.commits.close() }

// Reasons returns the reason set in effect.
func (s *Service) Reasons(ctx context.Context) (*ReasonSet, error) { return s.reasons.current(ctx) }

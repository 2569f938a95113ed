package rectify

import (
	"log/slog"
	"time"

	"haochaping/calendar"
	"haochaping/internal/database"
	"haochaping/internal/live"
	"haochaping/internal/pii"
	"haochaping/internal/queue"
	"haochaping/internal/sms"
)

// Service runs the bad-review loop.
type Service struct {
	DB       *database.DB
	Queue    *queue.Queue
	Live     *live.Bus // tells open consoles that a notification came (nil: nobody is told)
	Calendar *calendar.Calendar
	Keys     *pii.Keys
	Log      *slog.Logger
	// SMS sends the evaluator's text messages (verdict_sms.go); nil: none is sent, and they
	// wait in evaluator_sms.
	SMS sms.Sender
	// Links makes the evaluation link a text message carries (evaluation.Service).
	Links LinkMaker
	// WebhookURL, when set, receives every notification as a WeCom/DingTalk-style robot message.
	WebhookURL string
	// ResendAfter is how long an outbox row may wait for its work order before the reconciler
	// sends it again (1 minute).
	ResendAfter time.Duration
	// Now is the clock.
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

func (s *Service) resendAfter() time.Duration {
	if s.ResendAfter > 0 {
		return s.ResendAfter
	}
	return time.Minute
}

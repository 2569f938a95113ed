package evaluation

import (
	"time"

	"haochaping/internal/replay"
)

// Submission is a rating as any channel hands it over, before validation. Adapters fill
// what their payload carries; Ingest resolves the rest from the case or the window.
type Submission struct {
	Channel  Channel
	DeviceID string
	// Key identifies this submission across retries (the idempotency key). Adapters derive it
	// from what the device sends again on a retry: a ticket, a local sequence number, a link.
	Key string

	// What is rated: a case at a stage ("一事一评") ...
	CaseNo string
	CaseID int64 // set instead of CaseNo when a link already names the case
	Stage  Stage // empty: the case's current stage
	// ... or a visit to a window by its queue ticket ("一次一评").
	TicketNo string
	WindowID int64
	ServedAt time.Time // when the ticket was served
	StaffNo  string    // who served, when the pad knows

	// The device's place: a pad's window (above), a kiosk's hall. A device rates only what was
	// served at its place (access to the case is checked in Ingest).
	HallID int64

	Level   Level
	Reasons []string // codes or names of the reason set of the service rated (现场 or 网上)
	Comment string
	// RatedAt is when the evaluator rated, by the device's clock; it counts only for an Offline
	// device. Every other rating is timed by its arrival.
	RatedAt time.Time
	// Offline: the device buffers ratings while its network is down (a kiosk) and uploads them
	// later with their own times.
	Offline bool

	// The evaluator. EvaluatorIsApplicant: the case's applicant (a link from their receipt,
	// a kiosk session opened with their ID card). Otherwise Evaluator, or nobody (anonymous).
	EvaluatorIsApplicant bool
	Evaluator            *Person
	// CallbackPhone is a number the applicant left for the callback on a case that names
	// none (the page behind the receipt link asks for it); ignored when the case has one.
	CallbackPhone string
	// MustBeApplicant: refuse unless Evaluator is the case's applicant (the portal's
	// logged-in user rating someone else's case).
	MustBeApplicant bool

	// Replay is the signature of the request that carried this rating, recorded in the
	// rating's own commit (package replay); nil when the request's signature was recorded
	// already, or there was none.
	Replay *replay.Mark
}

// Person is an evaluator or applicant as the outside world names them.
type Person struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
}

// Status says whether an answer made a new evaluation or found the one already made.
type Status string

// The statuses of an ingest answer.
const (
	Created   Status = "created"
	Duplicate Status = "duplicate"
)

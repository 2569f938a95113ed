package window

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/problem"
)

// A prompt (评价请求) is how the window's business system asks its pad to rate: signed as the
// pad's device, it names the case just served (case_no, and stage when not the case's current
// one) or the visit's ticket (ticket_no and served_at), and perhaps who served (staff_no). It
// is checked as the rating will be, then carried to the pad (PromptBus), which shows the
// citizen the rating of that service for pad_prompt_seconds, or until they rate. The rating
// the pad sends is the prompt's case at the prompt's stage, so it is that case's one
// evaluation, never a second one.

// Prompt is a prompt as the pad receives it: what is rated, and what to show of it.
type Prompt struct {
	ID        string    `json:"id"`
	DeviceID  string    `json:"device_id"`
	WindowID  int64     `json:"window_id"`
	CaseNo    string    `json:"case_no,omitempty"`
	Stage     string    `json:"stage,omitempty"` // the stage rated, resolved when the prompt was made
	TicketNo  string    `json:"ticket_no,omitempty"`
	ServedAt  time.Time `json:"served_at"`
	StaffNo   string    `json:"staff_no,omitempty"` // as the window's system named them; empty: the case's
	RegionID  int64     `json:"region_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Deadline  time.Time `json:"deadline"` // the last instant the service may be rated
	Seconds   int       `json:"seconds"`  // how long it is shown untouched
	// Key is the idempotency key the pad's own POST /channels/window/evaluations derives from
	// the same request: the rating made on the prompt is that rating, not another.
	Key string `json:"key"`

	// What the pad shows.
	ItemName   string              `json:"item_name,omitempty"`
	Department string              `json:"department"`
	Hall       string              `json:"hall,omitempty"`
	Window     string              `json:"window,omitempty"`
	StaffName  string              `json:"staff_name,omitempty"`
	ShownStaff string              `json:"shown_staff_no,omitempty"` // who served, as shown: the named staff, else the case's
	Reasons    []evaluation.Reason `json:"reasons"`
}

// StageName is the stage as people read it (受理, 办结); empty for a visit.
func (p *Prompt) StageName() string {
	if p.Stage == "" {
		return ""
	}
	return evaluation.Stage(p.Stage).Name()
}

// Submission is the rating of the prompt: the same mapping, and the same idempotency key, as
// the pad's own POST /channels/window/evaluations, so that a repeat is the duplicate it is.
func (p *Prompt) Submission(level int, reasons []string, comment string) *evaluation.Submission {
	pl := &Payload{
		CaseNo: p.CaseNo, Stage: p.Stage, TicketNo: p.TicketNo, StaffNo: p.StaffNo,
		Rating:   channels.Rating{Level: level, Reasons: reasons, Comment: comment},
		ServedAt: channels.Time{Time: p.ServedAt},
	}
	return pl.Submission(p.DeviceID, p.WindowID, p.Key)
}

// promptAnswer is the answer to the window's system: the prompt made, never a rating.
type promptAnswer struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	CaseNo    string    `json:"case_no,omitempty"`
	Stage     string    `json:"stage,omitempty"`
	TicketNo  string    `json:"ticket_no,omitempty"`
	StaffNo   string    `json:"staff_no,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RegisterPrompts mounts POST /channels/window/prompts: 202 with the prompt once it is on its
// way to the pad.
func RegisterPrompts(r fiber.Router, auth *channels.Authenticator, svc *evaluation.Service, bus *PromptBus) {
	r.Post("/channels/window/prompts", auth.Require("window"), func(c *fiber.Ctx) error {
		// The pad's payload, without a rating: what is rated and who served, checked alike.
		req, err := Decode(c.Body())
		if err != nil {
			return err
		}
		if req.Level != 0 || len(req.Reasons) > 0 || req.Comment != "" {
			// The citizen rates on the pad; a business system that sends a level is mistaken.
			return problem.Invalid("rating_not_allowed", "level", "评价请求不能带评价等级：评价由群众在评价器上作出")
		}
		dev := channels.DeviceOf(c)
		subj, err := svc.PadSubject(c.UserContext(), &evaluation.Submission{
			Channel: evaluation.Window, DeviceID: dev.ID, WindowID: *dev.WindowID,
			CaseNo: req.CaseNo, Stage: evaluation.Stage(req.Stage), TicketNo: req.TicketNo,
			ServedAt: req.ServedAt.Time, StaffNo: req.StaffNo,
		})
		if err != nil {
			return err
		}
		now := svc.Now()
		ttl := time.Duration(subj.PromptSeconds) * time.Second
		p := &Prompt{
			ID: newPromptID(), DeviceID: dev.ID, WindowID: *dev.WindowID,
			CaseNo: subj.CaseNo, Stage: string(subj.Stage), TicketNo: subj.TicketNo, ServedAt: subj.ServedAt,
			StaffNo: req.StaffNo, RegionID: subj.RegionID, CreatedAt: now, ExpiresAt: now.Add(ttl), Deadline: subj.Deadline, Seconds: subj.PromptSeconds,
			ItemName: subj.ItemName, Department: subj.Department, Hall: subj.Hall, Window: subj.Window,
			StaffName: subj.StaffName, ShownStaff: subj.StaffNo, Reasons: subj.Reasons,
			Key: channels.DerivedKey("window", dev.ID, req.derivedKey()),
		}
		if err := bus.Publish(c.UserContext(), p, ttl); err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(promptAnswer{
			ID: p.ID, Status: "sent", CaseNo: p.CaseNo, Stage: p.Stage, TicketNo: p.TicketNo,
			StaffNo: p.ShownStaff, ExpiresAt: p.ExpiresAt,
		})
	})
}

// newPromptID is 128 random bits: a pad's rating names its prompt by it.
func newPromptID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

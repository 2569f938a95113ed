// Package window is the adapter of the 评价器 pad at a service window ("一次一评"). When the
// window's business system names the case served, the pad rates that case — its one
// evaluation, so no default is recorded for it later; a visit without a case is rated by its
// queue ticket. The window is the one the device is registered to, and the pad may name only
// staff of its window.
package window

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/bjtime"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// Payload is what the pad sends: a case (case_no, and stage when not the case's current one),
// or a ticket, or both (the ticket of the visit in which the case was served).
type Payload struct {
	CaseNo   string `json:"case_no"`
	Stage    string `json:"stage"`
	TicketNo string `json:"ticket_no"`
	StaffNo  string `json:"staff_no"` // optional: who served, when the pad knows
	channels.Rating
	ServedAt  channels.Time      `json:"served_at"` // a ticket's; a case's comes from the case
	Evaluator *evaluation.Person `json:"evaluator"` // optional: a citizen who leaves a number for the callback
}

var ticketPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)

// Decode reads and checks the pad's payload.
func Decode(body []byte) (*Payload, error) {
	var p Payload
	if err := jsonbody.Decode(body, &p); err != nil {
		return nil, err
	}
	p.CaseNo = strings.TrimSpace(p.CaseNo)
	p.TicketNo = strings.TrimSpace(p.TicketNo)
	p.StaffNo = strings.TrimSpace(p.StaffNo)
	switch {
	case p.TicketNo == "" && p.CaseNo == "":
		return nil, problem.Invalid("ticket_required", "ticket_no", "请提供办件编号或排队号")
	case len(p.CaseNo) > 64:
		return nil, problem.Invalid("invalid_case_no", "case_no", "办件编号过长")
	case p.TicketNo != "" && !ticketPattern.MatchString(p.TicketNo):
		return nil, problem.Invalid("invalid_ticket", "ticket_no", "排队号须为 1 至 32 位字母、数字、下划线或连字符")
	case p.CaseNo == "" && p.ServedAt.IsZero():
		return nil, problem.Invalid("served_at_required", "served_at", "请提供服务时间")
	}
	return &p, nil
}

// Submission maps the payload of a pad registered to windowID.
func (p *Payload) Submission(deviceID string, windowID int64, key string) *evaluation.Submission {
	sub := &evaluation.Submission{
		Channel: evaluation.Window, DeviceID: deviceID, Key: key,
		CaseNo: p.CaseNo, Stage: evaluation.Stage(p.Stage),
		TicketNo: p.TicketNo, WindowID: windowID, StaffNo: p.StaffNo, ServedAt: p.ServedAt.Time,
		Evaluator: p.Evaluator,
		// At the counter the one rating a case is its applicant, unless they leave another number.
		EvaluatorIsApplicant: p.CaseNo != "" && p.Evaluator == nil,
	}
	p.Rating.Apply(sub)
	return sub
}

// derivedKey is the part of the idempotency key that a retry repeats: the case and stage, else
// the ticket on its service day.
func (p *Payload) derivedKey() string {
	if p.CaseNo == "" {
		return bjtime.Day(p.ServedAt.Time).Format("20060102") + ":" + p.TicketNo
	}
	return "case:" + p.CaseNo + ":" + p.Stage
}

// Register mounts POST /channels/window/evaluations.
func Register(r fiber.Router, auth *channels.Authenticator, svc *evaluation.Service) {
	r.Post("/channels/window/evaluations", auth.RequireRating("window"), func(c *fiber.Ctx) error {
		p, err := Decode(c.Body())
		if err != nil {
			return err
		}
		dev := channels.DeviceOf(c)
		sub := p.Submission(dev.ID, *dev.WindowID, channels.Key(c, "window", dev.ID, p.derivedKey()))
		sub.Replay = channels.ReplayMark(c)
		e, err := svc.Ingest(c.UserContext(), sub)
		if err != nil {
			return err
		}
		return channels.RespondEvaluation(c, e)
	})
}

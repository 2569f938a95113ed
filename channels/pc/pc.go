// Package pc is the adapter of the 政务服务网 portal ("一事一评"): the portal's server sends the
// case number and its logged-in user, who must be the case's applicant.
package pc

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// User is the portal's logged-in user.
type User struct {
	ID string `json:"id"` // the portal's account ID, for the portal's own records
	evaluation.Person
}

// Payload is what the portal sends. The rating is timed by its arrival.
type Payload struct {
	CaseNo string `json:"case_no"`
	Stage  string `json:"stage"` // optional: the case's current stage
	User   *User  `json:"user"`
	channels.Rating
}

// Decode reads and checks the portal's payload.
func Decode(body []byte) (*Payload, error) {
	var p Payload
	if err := jsonbody.Decode(body, &p); err != nil {
		return nil, err
	}
	p.CaseNo = strings.TrimSpace(p.CaseNo)
	switch {
	case p.CaseNo == "":
		return nil, problem.Invalid("case_no_required", "case_no", "请提供办件编号")
	case len(p.CaseNo) > 64:
		return nil, problem.Invalid("invalid_case_no", "case_no", "办件编号过长")
	case p.User == nil:
		return nil, problem.Invalid("user_required", "user", "请提供登录用户")
	}
	return &p, nil
}

// Submission maps the portal's payload.
func (p *Payload) Submission(deviceID, key string) *evaluation.Submission {
	person := p.User.Person
	sub := &evaluation.Submission{
		Channel: evaluation.PC, DeviceID: deviceID, Key: key,
		CaseNo: p.CaseNo, Stage: evaluation.Stage(p.Stage),
		Evaluator: &person, MustBeApplicant: true,
	}
	p.Rating.Apply(sub)
	return sub
}

// Register mounts POST /channels/pc/evaluations.
func Register(r fiber.Router, auth *channels.Authenticator, svc *evaluation.Service) {
	r.Post("/channels/pc/evaluations", auth.RequireRating("pc"), func(c *fiber.Ctx) error {
		p, err := Decode(c.Body())
		if err != nil {
			return err
		}
		dev := channels.DeviceOf(c)
		sub := p.Submission(dev.ID, channels.Key(c, "pc", dev.ID, p.CaseNo+":"+p.Stage))
		sub.Replay = channels.ReplayMark(c)
		e, err := svc.Ingest(c.UserContext(), sub)
		if err != nil {
			return err
		}
		return channels.RespondEvaluation(c, e)
	})
}

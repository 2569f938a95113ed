// Package mobile is the adapter of the mobile channel: the app, mini-program or H5 page opened
// from the QR code on the receipt. The one-time token of that link names the case and stage;
// the evaluator is the case's applicant.
package mobile

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
)

// Payload is what the mobile backend sends for a citizen who scanned the receipt. The rating
// is timed by its arrival: a backend cannot back-date one into a window that has closed.
type Payload struct {
	Token string `json:"token"`
	channels.Rating
}

// Decode reads and checks the payload.
func Decode(body []byte) (*Payload, error) {
	var p Payload
	if err := jsonbody.Decode(body, &p); err != nil {
		return nil, err
	}
	p.Token = strings.TrimSpace(p.Token)
	if p.Token == "" {
		return nil, problem.Invalid("token_required", "token", "请提供评价二维码中的令牌")
	}
	if len(p.Token) > 100 {
		return nil, problem.Invalid("invalid_token", "token", "评价二维码无效，请使用办件回执上的二维码")
	}
	return &p, nil
}

// Submission maps the payload, once the token has named the case and stage.
func (p *Payload) Submission(deviceID string, caseID int64, stage evaluation.Stage) *evaluation.Submission {
	sub := &evaluation.Submission{
		Channel: evaluation.Mobile, DeviceID: deviceID, Key: "mobile:" + p.Token,
		CaseID: caseID, Stage: stage, EvaluatorIsApplicant: true,
	}
	p.Rating.Apply(sub)
	return sub
}

// Register mounts POST /api/v1/channels/mobile/evaluations on api, and the QR code of an
// evaluation link, GET /e/:token/qr.png, on root.
func Register(api, root fiber.Router, auth *channels.Authenticator, svc *evaluation.Service) {
	api.Post("/channels/mobile/evaluations", auth.RequireRating("mobile"), func(c *fiber.Ctx) error {
		p, err := Decode(c.Body())
		if err != nil {
			return err
		}
		caseID, stage, err := svc.ParseLinkToken(p.Token)
		if err != nil {
			return err
		}
		sub := p.Submission(channels.DeviceOf(c).ID, caseID, stage)
		sub.Replay = channels.ReplayMark(c)
		e, err := svc.Ingest(c.UserContext(), sub)
		if pe, ok := problem.As(err); ok && pe.Code == "rating_period_over" {
			return problem.Gone("link_expired", "评价二维码已过期："+pe.Message)
		}
		if err != nil {
			return err
		}
		return channels.RespondEvaluation(c, e)
	})
	root.Get("/e/:token/qr.png", func(c *fiber.Ctx) error {
		token := c.Params("token")
		if _, _, err := svc.ParseLinkToken(token); err != nil {
			return problem.NotFound("invalid_token", "评价二维码无效")
		}
		png, err := qrcode.Encode(svc.EvaluationURL(token), qrcode.Medium, 256)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/png")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(png)
	})
}

// Package staffapi is the HTTP API of the bad-review loop for staff and the office
// (/api/v1/workorders/…): one handler a file. Every route needs a logged-in user; the scope
// of what each user may see is enforced by the rectify package in its SQL.
package staffapi

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/auth"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
	"haochaping/rectify"
)

// Register mounts the staff API on the /api/v1 group.
func Register(api fiber.Router, users *auth.Users, svc *rectify.Service) {
	h := &handlers{svc: svc}
	r := api.Group("", users.Require())
	r.Get("/workorders", h.list)
	r.Get("/workorders/:id", h.get)
	r.Post("/workorders/:id/callback", h.callback)
	r.Post("/workorders/:id/decide", h.decide)
	r.Post("/workorders/:id/rectify", h.rectify)
	r.Post("/workorders/:id/feedback", h.feedback)
	r.Post("/workorders/:id/close", h.close)
	r.Post("/workorders/:id/return", h.returnOrder)
	r.Post("/workorders/:id/extension", h.requestExtension)
	r.Post("/workorders/:id/extension/ruling", h.ruleExtension)
	r.Post("/workorders/:id/appeal/ruling", h.ruleAppeal)
	r.Post("/workorders/:id/reassign", h.reassign)
	r.Post("/workorders/:id/supervise", h.supervise)
	r.Post("/workorders/:id/reveal-phone", h.revealPhone)
	r.Get("/workorders/:id/scripts/:script", h.renderScript)
	r.Get("/callback-scripts", h.listScripts)
	r.Post("/callback-scripts", h.createScript)
	r.Put("/callback-scripts/:script", h.updateScript)
	r.Get("/notifications", h.inbox)
	r.Post("/notifications/:id/read", h.markRead)
}

type handlers struct {
	svc *rectify.Service
}

// param reads a positive integer path parameter.
func param(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound("not_found", "不存在")
	}
	return id, nil
}

// bind reads the path's :id and the JSON body; an empty body is an empty input.
func bind(c *fiber.Ctx, in any) (int64, error) {
	id, err := param(c, "id")
	if err != nil {
		return 0, err
	}
	if len(c.Body()) > 0 {
		if err := jsonbody.Decode(c.Body(), in); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// answer writes the outcome of an action.
func answer(c *fiber.Ctx, d *rectify.Detail, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// Package staffapi is the HTTP API of the bad-review loop for staff and the office
// (/api/v1/workorders/…): one handler a file. Every route needs a logged-in user; the scope
// of what each user may see is enforced by the rectify package in its SQL.
package staffapi

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
	"haochaping/rectify"
	"haochaping/web/session"
)

// Register mounts the staff API on the /api/v1 group.
func Register(api fiber.Router, users *access.Users, svc *rectify.Service) {
	h := &handlers{svc: svc}
	// The login check is on each route, not on a group: a group's middleware would apply to
	// every path under /api/v1, answering 401 for unknown routes and for public ones.
	in := session.Require(users)
	api.Get("/workorders", in, h.list)
	api.Get("/workorders/counts", in, h.counts) // before /workorders/:id, which would take "counts" for an id
	api.Get("/workorders/:id", in, h.get)
	api.Post("/workorders/:id/callback", in, h.callback)
	api.Post("/workorders/:id/decide", in, h.decide)
	api.Post("/workorders/:id/rectify", in, h.rectify)
	api.Post("/workorders/:id/feedback", in, h.feedback)
	api.Post("/workorders/:id/close", in, h.close)
	api.Post("/workorders/:id/return", in, h.returnOrder)
	api.Post("/workorders/:id/extension", in, h.requestExtension)
	api.Post("/workorders/:id/extension/ruling", in, h.ruleExtension)
	api.Post("/workorders/:id/appeal/ruling", in, h.ruleAppeal)
	api.Post("/workorders/:id/reassign", in, h.reassign)
	api.Post("/workorders/:id/supervise", in, h.supervise)
	api.Post("/workorders/:id/reveal-phone", in, h.revealPhone)
	api.Post("/workorders/:id/reveal-text", in, h.revealText)
	api.Get("/workorders/:id/scripts/:script", in, h.renderScript)
	api.Get("/callback-scripts", in, h.listScripts)
	api.Post("/callback-scripts", in, h.createScript)
	api.Put("/callback-scripts/:script", in, h.updateScript)
	api.Get("/notifications", in, h.inbox)
	api.Post("/notifications/:id/read", in, h.markRead)
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

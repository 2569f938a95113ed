package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/jsonbody"
	"haochaping/rectify"
	"haochaping/web/session"
)

// listScripts is GET /callback-scripts: the 回访话术.
func (h *handlers) listScripts(c *fiber.Ctx) error {
	list, err := h.svc.Scripts(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}

// createScript is POST /callback-scripts (office only).
func (h *handlers) createScript(c *fiber.Ctx) error {
	var in rectify.ScriptInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	sc, err := h.svc.SaveScript(c.UserContext(), session.UserOf(c), 0, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sc)
}

// updateScript is PUT /callback-scripts/:script (office only).
func (h *handlers) updateScript(c *fiber.Ctx) error {
	id, err := param(c, "script")
	if err != nil {
		return err
	}
	var in rectify.ScriptInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	sc, err := h.svc.SaveScript(c.UserContext(), session.UserOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(sc)
}

// renderScript is GET /workorders/:id/scripts/:script: the script filled in for the order.
func (h *handlers) renderScript(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	script, err := param(c, "script")
	if err != nil {
		return err
	}
	text, err := h.svc.RenderScript(c.UserContext(), session.UserOf(c), id, script)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"text": text})
}

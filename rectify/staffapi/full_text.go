package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// revealText is POST /workorders/:id/reveal-text: the order's texts as typed, for whoever
// handles it; the disclosure is recorded in the timeline.
func (h *handlers) revealText(c *fiber.Ctx) error {
	var in rectify.Common
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	full, err := h.svc.RevealText(c.UserContext(), session.UserOf(c), id, in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(full)
}

package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// settings is GET /settings?region=CODE: each setting of the region (default: the
// administrator's own; "default": the city-wide default) with its value in force and source.
func (h *handlers) settings(c *fiber.Ctx) error {
	rs, err := h.svc.Settings(c.UserContext(), session.UserOf(c), query(c, "region"))
	if err != nil {
		return err
	}
	return c.JSON(rs)
}

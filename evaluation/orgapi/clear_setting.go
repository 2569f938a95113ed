package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// clearSetting is DELETE /settings/{region}/{key}: the region's own value goes, and the value
// inherited applies again; it answers the setting as now in force.
func (h *handlers) clearSetting(c *fiber.Ctx) error {
	e, err := h.svc.ClearSetting(c.UserContext(), session.UserOf(c), param(c, "region"), param(c, "key"))
	if err != nil {
		return err
	}
	return c.JSON(e)
}

package deviceapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// list is GET /devices: the pads and kiosks within the administrator's reach, by hall.
func (h *handlers) list(c *fiber.Ctx) error {
	list, err := h.devices.AdminList(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"items": list})
}

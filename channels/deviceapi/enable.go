package deviceapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// enable is POST /devices/{id}/enable: the device is accepted again; a pad or kiosk is paired
// anew.
func (h *handlers) enable(c *fiber.Ctx) error {
	dev, err := h.devices.AdminSetEnabled(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("id")), true, h.now())
	if err != nil {
		return err
	}
	return c.JSON(dev)
}

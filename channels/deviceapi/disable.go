package deviceapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// disable is POST /devices/{id}/disable: the device is refused from now on, and the browser it
// was paired with loses its session.
func (h *handlers) disable(c *fiber.Ctx) error {
	dev, err := h.devices.AdminSetEnabled(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("id")), false, h.now())
	if err != nil {
		return err
	}
	return c.JSON(dev)
}

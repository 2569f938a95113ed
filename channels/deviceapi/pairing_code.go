package deviceapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// pairingCode is POST /devices/{id}/pairing-code: a one-time code for a pad or kiosk within the
// administrator's reach, valid a quarter of an hour; it replaces the device's unused codes.
func (h *handlers) pairingCode(c *fiber.Ctx) error {
	code, err := h.devices.AdminPairingCode(c.UserContext(), session.UserOf(c), strings.Clone(c.Params("id")), h.now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(code)
}

// Package deviceapi is the office's API over the devices: a pairing code for a pad or a
// kiosk, to be entered once on its screen.
package deviceapi

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/channels"
	"haochaping/web/session"
)

// Register mounts POST /devices/{id}/pairing-code for the office on api; now is the clock.
func Register(api fiber.Router, users *access.Users, devices *channels.Devices, now func() time.Time) {
	api.Post("/devices/:id/pairing-code", session.Require(users), session.RequireRole(access.OfficeAdmin),
		func(c *fiber.Ctx) error {
			code, err := devices.NewPairingCode(c.UserContext(), strings.Clone(c.Params("id")), now())
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(code)
		})
}

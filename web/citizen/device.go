package citizen

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
)

// deviceCookie holds a paired pad's or kiosk's device session (channels.Devices.Pair).
const deviceCookie = "hcp_device"

// deviceContextKey is where requireDevice leaves the device.
type deviceContextKey struct{}

// screenOf names the page of a device's channel: a window's pad, a hall's kiosk.
func screenOf(channel string) string {
	if channel == "kiosk" {
		return "/kiosk"
	}
	return "/pad"
}

// requireDevice admits the browser of a paired device of channel (window or kiosk); any other
// is sent to pair itself. A fetch from the page's script gets 401 instead of a redirect.
func (d Deps) requireDevice(channel string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		dev, err := d.Devices.SessionDevice(c.UserContext(), c.Cookies(deviceCookie), time.Now())
		if err != nil {
			return err
		}
		if dev == nil || dev.Channel != channel {
			if c.Method() != fiber.MethodGet || strings.Contains(c.Get(fiber.HeaderAccept), "application/json") ||
				strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream") {
				return fiber.NewError(fiber.StatusUnauthorized)
			}
			return c.Redirect("/pair?for="+strings.TrimPrefix(screenOf(channel), "/"), fiber.StatusSeeOther)
		}
		c.Locals(deviceContextKey{}, dev)
		return c.Next()
	}
}

// deviceOf is the device requireDevice admitted.
func deviceOf(c *fiber.Ctx) *channels.Device {
	dev, _ := c.Locals(deviceContextKey{}).(*channels.Device)
	return dev
}

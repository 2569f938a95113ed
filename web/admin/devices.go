package admin

import "github.com/gofiber/fiber/v2"

// registerDevices mounts the pages of the pads and kiosks.
func (d Deps) registerDevices(r fiber.Router, route routeFunc) {}

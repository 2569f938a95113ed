package admin

import "github.com/gofiber/fiber/v2"

// registerSettings mounts the page of the settings per region.
func (d Deps) registerSettings(r fiber.Router, route routeFunc) {}

package admin

import "github.com/gofiber/fiber/v2"

// registerUsers mounts the pages of the staff logins.
func (d Deps) registerUsers(r fiber.Router, route routeFunc) {}

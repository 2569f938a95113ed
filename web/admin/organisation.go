package admin

import "github.com/gofiber/fiber/v2"

// registerOrganisation mounts the pages of the halls, windows and staff.
func (d Deps) registerOrganisation(r fiber.Router, route routeFunc) {}

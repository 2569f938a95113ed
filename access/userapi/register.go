// Package userapi is the office's HTTP API over the staff logins (/api/v1/users): list,
// create, read, disable and enable, a new password, a new role and scope, a reset of the
// second factor. One handler a file. Every route needs an office administrator's session; which logins it reaches — those whose
// scope lies in its region or below — the access package decides in its SQL, so a login
// outside the reach is answered 404 like one that does not exist. No answer carries a
// password hash; a generated password is answered once, to the administrator who made it.
package userapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/web/session"
)

// Register mounts the users API on the /api/v1 group.
func Register(api fiber.Router, users *access.Users) {
	h := &handlers{users: users}
	// The checks are on each route, not on a group: a group's middleware would apply to every
	// path under /api/v1.
	in, office := session.Require(users), session.RequireRole(access.OfficeAdmin)
	api.Get("/users", in, office, h.list)
	api.Post("/users", in, office, h.create)
	api.Get("/users/:username", in, office, h.get)
	api.Post("/users/:username/disable", in, office, h.disable)
	api.Post("/users/:username/enable", in, office, h.enable)
	api.Post("/users/:username/password", in, office, h.password)
	api.Put("/users/:username/role", in, office, h.role)
	api.Post("/users/:username/totp-reset", in, office, h.totpReset)
}

type handlers struct {
	users *access.Users
}

// Package deviceapi is the office's API over the pads and kiosks (/api/v1/devices): list and
// register them, disable and enable them, and make a pairing code to be entered once on a
// device's screen. One handler a file. Every route needs an office administrator's session;
// which devices it reaches — those of the halls in its region or below — the channels package
// decides in its SQL, so a device outside the reach is answered 404 like one that does not
// exist.
package deviceapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/channels"
	"haochaping/web/session"
)

// Register mounts the devices API for the office on api; now is the clock the pairing codes
// and device sessions are checked against (the machine's, as /pair reads it).
func Register(api fiber.Router, users *access.Users, devices *channels.Devices, now func() time.Time) {
	h := &handlers{devices: devices, now: now}
	in, office := session.Require(users), session.RequireRole(access.OfficeAdmin)
	api.Get("/devices", in, office, h.list)
	api.Post("/devices", in, office, h.create)
	api.Post("/devices/:id/disable", in, office, h.disable)
	api.Post("/devices/:id/enable", in, office, h.enable)
	api.Post("/devices/:id/pairing-code", in, office, h.pairingCode)
}

type handlers struct {
	devices *channels.Devices
	now     func() time.Time
}

package admin

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/channels"
	"haochaping/web/page"
	"haochaping/web/session"
)

// registerDevices mounts the pages of the pads and kiosks.
func (d Deps) registerDevices(r fiber.Router, route routeFunc) {
	r.Get("/admin/devices", route(d.showDevices)...)
	r.Get("/admin/devices/new", route(d.showNewDevice)...) // before /admin/devices/:id
	r.Post("/admin/devices", route(d.createDevice)...)
	r.Get("/admin/devices/:id", route(d.showDevice)...)
	r.Post("/admin/devices/:id/pairing-code", route(d.makePairingCode)...)
	r.Post("/admin/devices/:id/disable", route(d.disableDevice)...)
	r.Post("/admin/devices/:id/enable", route(d.enableDevice)...)
}

// devicesView is the list of pads and kiosks within the administrator's reach.
type devicesView struct {
	Devices []*channels.Device
	Reach   access.Scope
}

// showDevices is GET /admin/devices.
func (d Deps) showDevices(c *fiber.Ctx) error {
	u := session.UserOf(c)
	list, err := d.Devices.AdminList(c.UserContext(), u)
	if err != nil {
		return err
	}
	return d.Pages.Render(c, fiber.StatusOK, "admin_devices", page.View{Title: "设备管理", Layout: "wide",
		Data: devicesView{Devices: list, Reach: u.Scope}})
}

// wallClock is the clock of pairing: the machine's, as /pair reads it.
func (d Deps) wallClock() time.Time {
	if d.WallClock != nil {
		return d.WallClock()
	}
	return time.Now()
}

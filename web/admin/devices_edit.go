package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// deviceView is a device's page: what it is, the pairing code just made, the switch to disable
// or enable it.
type deviceView struct {
	Device  *channels.Device
	Pairing *channels.PairingCode
	Done    string
	Secret  string // the signing secret, shown once after registration
	Problem string // a refused action, said at the top
}

var doneDeviceMessages = map[string]string{
	"created": "设备已登记。", "disable": "设备已停用，已配对的浏览器立即失效。", "enable": "设备已启用，请重新配对。",
}

// DoneMessage is what the page says was just done.
func (v deviceView) DoneMessage() string { return doneDeviceMessages[v.Done] }

// PairPath is where the device's browser enters the code.
func (v deviceView) PairPath() string {
	if v.Device.Channel == "kiosk" {
		return "/pair?for=kiosk"
	}
	return "/pair?for=pad"
}

// showDevice is GET /admin/devices/{id}.
func (d Deps) showDevice(c *fiber.Ctx) error {
	return d.renderDevice(c, fiber.StatusOK, strings.Clone(c.Params("id")), deviceView{Done: strings.Clone(c.Query("done"))})
}

// renderDevice renders a device's page; a device outside the reach is not found (404).
func (d Deps) renderDevice(c *fiber.Ctx, status int, id string, v deviceView) error {
	dev, err := d.Devices.AdminGet(c.UserContext(), session.UserOf(c), id)
	if err != nil {
		return err
	}
	v.Device = dev
	return d.Pages.Render(c, status, "admin_devices_edit", page.View{Title: "设备 " + dev.ID, Layout: "wide", Data: v})
}

// makePairingCode is POST /admin/devices/{id}/pairing-code: the code, shown large on the page
// that answers (never kept anywhere but as its hash).
func (d Deps) makePairingCode(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	code, err := d.Devices.AdminPairingCode(c.UserContext(), session.UserOf(c), id, d.wallClock())
	if p, ok := problem.As(err); ok && p.Status < 500 && p.Status != fiber.StatusNotFound {
		return d.renderDevice(c, p.Status, id, deviceView{Problem: p.Message})
	}
	if err != nil {
		return err
	}
	return d.renderDevice(c, fiber.StatusOK, id, deviceView{Pairing: code})
}

// disableDevice is POST /admin/devices/{id}/disable.
func (d Deps) disableDevice(c *fiber.Ctx) error { return d.setDeviceEnabled(c, false) }

// enableDevice is POST /admin/devices/{id}/enable.
func (d Deps) enableDevice(c *fiber.Ctx) error { return d.setDeviceEnabled(c, true) }

func (d Deps) setDeviceEnabled(c *fiber.Ctx, enabled bool) error {
	id := strings.Clone(c.Params("id"))
	if _, err := d.Devices.AdminSetEnabled(c.UserContext(), session.UserOf(c), id, enabled, d.wallClock()); err != nil {
		return err
	}
	done := "disable"
	if enabled {
		done = "enable"
	}
	return c.Redirect("/admin/devices/"+id+"?done="+done, fiber.StatusSeeOther)
}

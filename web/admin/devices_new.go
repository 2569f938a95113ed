package admin

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// deviceFields are the fields of the registration form, by the names the domain's refusals use.
var deviceFields = []string{"channel", "window", "hall", "name", "id"}

// deviceFormView is the registration form: the halls and windows within reach.
type deviceFormView struct {
	Places []channels.Place
}

// showNewDevice is GET /admin/devices/new.
func (d Deps) showNewDevice(c *fiber.Ctx) error {
	return d.renderNewDevice(c, fiber.StatusOK, nil)
}

func (d Deps) renderNewDevice(c *fiber.Ctx, status int, form *page.Form) error {
	places, err := d.Devices.PlacesInReach(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	title := "登记设备"
	if form.Failed() {
		title += "（请修改后重新提交）"
	}
	return d.Pages.Render(c, status, "admin_devices_new", page.View{Title: title, Layout: "wide", Form: form,
		Data: deviceFormView{Places: places}})
}

// createDevice is POST /admin/devices: the device's page, with its signing secret shown this
// once (never in a URL), or the form again with the refusal beside its field.
func (d Deps) createDevice(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, deviceFields...)}
	dev, err := d.Devices.AdminAdd(c.UserContext(), session.UserOf(c), channels.NewDevice{ID: form.Value("id"),
		Channel: form.Value("channel"), Name: form.Value("name"), WindowCode: form.Value("window"), HallCode: form.Value("hall")})
	if p, ok := problem.As(err); ok && p.Status < 500 {
		form.AddProblem(p, fieldsByName(deviceFields))
		return d.renderNewDevice(c, fiber.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return d.renderDevice(c, fiber.StatusCreated, dev.ID, deviceView{Done: "created", Secret: dev.Secret})
}

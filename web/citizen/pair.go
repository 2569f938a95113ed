package citizen

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/web/page"
)

// pairView is the pairing form of a pad or a kiosk.
type pairView struct {
	For  string // pad or kiosk
	Name string // 窗口评价器 or 自助终端
}

func pairViewOf(c *fiber.Ctx) pairView {
	if c.Query("for") == "kiosk" || c.FormValue("for") == "kiosk" {
		return pairView{For: "kiosk", Name: "自助终端"}
	}
	return pairView{For: "pad", Name: "窗口评价器"}
}

// showPair is GET /pair: the form to enter the code the office shows for this device.
func (d Deps) showPair(c *fiber.Ctx) error {
	return d.Pages.Render(c, fiber.StatusOK, "pair", page.View{Title: "设备配对", Data: pairViewOf(c)})
}

// pair is POST /pair: the code entered makes this browser the device, and the device session
// is kept in a cookie for years — a pad is paired once, and re-pairing its successor ends it.
func (d Deps) pair(c *fiber.Ctx) error {
	v := pairViewOf(c)
	form := &page.Form{Values: page.FormValues(c, "code")}
	token, dev, err := d.Devices.Pair(c.UserContext(), form.Value("code"), strings.Clone(c.Get(fiber.HeaderUserAgent)), time.Now())
	if p, ok := problem.As(err); ok && p.Status < 500 {
		form.AddProblem(p, map[string]string{"code": "code"})
		return d.Pages.Render(c, fiber.StatusUnprocessableEntity, "pair", page.View{Title: "设备配对（请重新输入）", Form: form, Data: v})
	}
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: deviceCookie, Value: token, Path: "/", Expires: time.Now().AddDate(5, 0, 0),
		HTTPOnly: true, Secure: d.Secure, SameSite: fiber.CookieSameSiteStrictMode,
	})
	return c.Redirect(screenOf(dev.Channel), fiber.StatusSeeOther)
}

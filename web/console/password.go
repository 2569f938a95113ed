package console

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// passwordView is the change-password page: whether a change has just been made.
type passwordView struct {
	Done      bool
	Username  string // for the browser's password manager, which files the new password under it
	MinLength int
}

// showPassword is GET /console/password[?done=1].
func (d Deps) showPassword(c *fiber.Ctx) error {
	return d.Pages.Render(c, fiber.StatusOK, "console_password", page.View{Title: "修改密码",
		Data: passwordView{Done: c.Query("done") == "1", Username: session.UserOf(c).Username, MinLength: access.MinPasswordLength}})
}

// changePassword is POST /console/password: the same change as POST /api/v1/auth/password; the
// user's other sessions end, this browser's stays.
func (d Deps) changePassword(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, "current", "new", "confirm")}
	current, next := form.Value("current"), form.Value("new")
	if current == "" {
		form.Add("current", "请输入当前密码")
	}
	if next == "" {
		form.Add("new", "请输入新密码")
	} else if form.Value("confirm") != next {
		form.Add("confirm", "两次输入的新密码不一致")
	}
	status := fiber.StatusUnprocessableEntity
	if !form.Failed() {
		err := d.Users.ChangePassword(c.UserContext(), strings.Clone(c.IP()), session.UserOf(c),
			c.Cookies(session.CookieName), current, next)
		var p *problem.Error
		switch {
		case err == nil:
			return c.Redirect("/console/password?done=1", fiber.StatusSeeOther)
		case errors.As(err, &p) && p.Status < 500:
			form.AddProblem(p, map[string]string{"current": "current", "new": "new"})
			status = refusalStatus(c, err)
		default:
			return err
		}
	}
	for _, f := range []string{"current", "new", "confirm"} {
		form.Values[f] = nil // passwords are never sent back
	}
	return d.Pages.Render(c, status, "console_password", page.View{Title: "修改密码（请重新输入）",
		Form: form, Data: passwordView{Username: session.UserOf(c).Username, MinLength: access.MinPasswordLength}})
}

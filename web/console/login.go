package console

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// loginView is the login form: where it leads after, and why the user is here.
type loginView struct {
	Next    string
	Expired bool // sent here from a page: the session ended (or never was)
}

// showLogin is GET /login?next=PATH.
func (d Deps) showLogin(c *fiber.Ctx) error {
	next := session.SafeNext(strings.Clone(c.Query("next")), "/console")
	return d.Pages.Render(c, fiber.StatusOK, "login", page.View{Title: "工作人员登录",
		Data: loginView{Next: next, Expired: c.Query("next") != ""}})
}

// login is POST /login: the same check as the API's, and the session in the cookie — or, for a
// login with a second factor, the way to its second step.
func (d Deps) login(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, "username", "password", "next")}
	next := session.SafeNext(form.Value("next"), "/console")
	username, password := strings.TrimSpace(form.Value("username")), form.Value("password")
	if username == "" {
		form.Add("username", "请输入用户名")
	}
	if password == "" {
		form.Add("password", "请输入密码")
	}
	var refusal error
	if !form.Failed() {
		r, err := d.Users.StartLogin(c.UserContext(), strings.Clone(c.IP()), username, password)
		refusal = err
		var p *problem.Error
		switch {
		case err == nil && r.SecondFactor != access.SecondFactorNone:
			// No session yet: the challenge, in its own cookie, opens only the second step.
			session.MarkAudit(c, "login_pending", r.User.Username)
			session.SetChallengeCookie(c, r.Challenge)
			step := "/console/login/totp"
			if r.SecondFactor == access.SecondFactorEnroll {
				step = "/console/totp/setup"
			}
			return c.Redirect(step+"?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		case err == nil:
			session.SetCookie(c, r.Token, r.Expires)
			return c.Redirect(next, fiber.StatusSeeOther)
		case errors.As(err, &p) && p.Code == "login_throttled":
			form.Add("password", p.Message) // 登录失败次数过多，请 N 分钟后再试
		case errors.As(err, &p) && p.Status < 500:
			form.Add("password", "用户名或密码不正确")
		default:
			return err
		}
	}
	form.Values["password"] = nil // never sent back
	return d.Pages.Render(c, refusalStatus(c, refusal), "login", page.View{Title: "工作人员登录（请重新输入）",
		Form: form, Data: loginView{Next: next}})
}

// logout is POST /logout: the session ends on the server, not only in the browser.
func (d Deps) logout(c *fiber.Ctx) error {
	if token := c.Cookies(session.CookieName); token != "" {
		if err := d.Users.Logout(c.UserContext(), token); err != nil {
			return err
		}
	}
	session.ClearCookie(c)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

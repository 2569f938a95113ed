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

// totpLoginView is the page of the second step: whose login it is and where it leads after.
type totpLoginView struct {
	Username     string
	Next         string
	RecoveryOpen bool // the recovery code's form was the one refused: keep it open
}

// challengeOf is the browser's login challenge for purpose, or nil (with the redirect back to
// the password already answered) when it has none or it ended.
func (d Deps) challengeOf(c *fiber.Ctx, purpose access.SecondFactor) (*access.LoginChallenge, string, error) {
	next := session.SafeNext(strings.Clone(c.Query("next", c.FormValue("next"))), "/console")
	ch, err := d.Users.Challenge(c.UserContext(), c.Cookies(session.ChallengeCookieName), purpose)
	if p, ok := problem.As(err); ok && p.Status == fiber.StatusUnauthorized {
		session.ClearChallengeCookie(c)
		return nil, next, c.Redirect("/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
	}
	return ch, next, err
}

// showTOTPLogin is GET /console/login/totp: the code of the authenticator app.
func (d Deps) showTOTPLogin(c *fiber.Ctx) error {
	ch, next, err := d.challengeOf(c, access.SecondFactorCode)
	if ch == nil {
		return err
	}
	return d.Pages.Render(c, fiber.StatusOK, "console_totp_login", page.View{Title: "双因素认证",
		Data: totpLoginView{Username: ch.User.Username, Next: next}})
}

// totpLogin is POST /console/login/totp: the code (or a recovery code), then the session.
func (d Deps) totpLogin(c *fiber.Ctx) error {
	ch, next, err := d.challengeOf(c, access.SecondFactorCode)
	if ch == nil {
		return err
	}
	form := &page.Form{Values: page.FormValues(c, "code", "recovery")}
	field, typed := "code", strings.TrimSpace(form.Value("code"))
	if rc := strings.TrimSpace(form.Value("recovery")); rc != "" || typed == "" && form.Values["recovery"] != nil {
		field, typed = "recovery", rc
	}
	status := fiber.StatusUnprocessableEntity
	if typed == "" {
		form.Add(field, map[string]string{"code": "请输入验证器上的 6 位验证码", "recovery": "请输入恢复码"}[field])
	} else {
		r, err := d.Users.CompleteLogin(c.UserContext(), strings.Clone(c.IP()), c.Cookies(session.ChallengeCookieName), typed)
		var p *problem.Error
		switch {
		case err == nil:
			session.MarkLoginCompleted(c, r)
			session.ClearChallengeCookie(c)
			session.SetCookie(c, r.Token, r.Expires)
			return c.Redirect(next, fiber.StatusSeeOther)
		case errors.As(err, &p) && p.Code == "challenge_invalid":
			session.ClearChallengeCookie(c)
			return c.Redirect("/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		case errors.As(err, &p) && p.Status < 500:
			status = refuseCode(c, form, p, err, ch.User.Username, field)
		default:
			return err
		}
	}
	form.Values["code"], form.Values["recovery"] = nil, nil // a refused code is not shown again
	return d.Pages.Render(c, status, "console_totp_login", page.View{Title: "双因素认证（请重新输入）", Form: form,
		Data: totpLoginView{Username: ch.User.Username, Next: next, RecoveryOpen: field == "recovery"}})
}

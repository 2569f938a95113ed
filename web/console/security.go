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

// securityView is the signed-in user's second factor: whether it is set up, since when, and
// how many recovery codes are left.
type securityView struct {
	Status access.TOTPStatus
}

// showSecurity is GET /console/security.
func (d Deps) showSecurity(c *fiber.Ctx) error {
	return d.renderSecurity(c, fiber.StatusOK, nil)
}

func (d Deps) renderSecurity(c *fiber.Ctx, status int, form *page.Form) error {
	st, err := d.Users.SecondFactorStatus(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	title := "双因素认证"
	if form.Failed() {
		title += "（请重新输入）"
	}
	return d.Pages.Render(c, status, "console_security", page.View{Title: title, Form: form, Data: securityView{Status: st}})
}

// regenerateRecoveryCodes is POST /console/security/recovery-codes: ten new recovery codes, for
// a current code of the authenticator; the old ones stop working. Shown this once.
func (d Deps) regenerateRecoveryCodes(c *fiber.Ctx) error {
	form := &page.Form{Values: page.FormValues(c, "code")}
	status := fiber.StatusUnprocessableEntity
	user := session.UserOf(c)
	if strings.TrimSpace(form.Value("code")) == "" {
		form.Add("code", "请输入验证器上的 6 位验证码")
	} else {
		codes, err := d.Users.RegenerateRecoveryCodes(c.UserContext(), strings.Clone(c.IP()), user, form.Value("code"))
		var p *problem.Error
		switch {
		case err == nil:
			session.MarkAudit(c, "recovery_codes_regenerated", user.Username)
			c.Set(fiber.HeaderCacheControl, "no-store")
			return d.Pages.Render(c, fiber.StatusOK, "console_recovery_codes", page.View{Title: "新的恢复码",
				Data: recoveryCodesView{Codes: codes, Next: "/console/security"}})
		case errors.As(err, &p) && p.Status < 500:
			status = refuseCode(c, form, p, err, user.Username, "code")
		default:
			return err
		}
	}
	form.Values["code"] = nil
	return d.renderSecurity(c, status, form)
}

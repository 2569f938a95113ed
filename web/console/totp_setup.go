package console

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/web/page"
	"haochaping/web/session"
)

// totpSetupView is the enrollment page: the new secret to scan or type, and the first code.
type totpSetupView struct {
	Username string
	Role     string
	Secret   string // in groups of four, for typing
	Next     string
}

// recoveryCodesView shows the recovery codes once, after an enrollment or a regeneration.
type recoveryCodesView struct {
	Codes    []string
	Next     string
	Enrolled bool // just enrolled (else: regenerated)
}

// groupsOfFour writes a base32 secret as "ABCD EFGH …", as people copy it into an app.
func groupsOfFour(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// showTOTPSetup is GET /console/totp/setup: for a login that must have a second factor and has
// none yet, after its password.
func (d Deps) showTOTPSetup(c *fiber.Ctx) error {
	return d.renderTOTPSetup(c, fiber.StatusOK, nil)
}

func (d Deps) renderTOTPSetup(c *fiber.Ctx, status int, form *page.Form) error {
	ch, next, err := d.challengeOf(c, access.SecondFactorEnroll)
	if ch == nil {
		return err
	}
	e, err := d.Users.EnrollmentOf(c.UserContext(), c.Cookies(session.ChallengeCookieName))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store") // the page shows the secret
	title := "设置双因素认证"
	if form.Failed() {
		title += "（请重新输入）"
	}
	return d.Pages.Render(c, status, "console_totp_setup", page.View{Title: title, Form: form,
		Data: totpSetupView{Username: e.Username, Role: ch.User.RoleLabel, Secret: groupsOfFour(e.Secret), Next: next}})
}

// totpQRCode is GET /console/totp/setup/qr.png: the otpauth:// URL of the pending secret as a
// QR code. A PNG of its own route because the pages' CSP allows images from 'self' only (no
// data: URIs); bound to the challenge cookie, and never cached.
func (d Deps) totpQRCode(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	e, err := d.Users.EnrollmentOf(c.UserContext(), c.Cookies(session.ChallengeCookieName))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(e.URL, qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// totpSetup is POST /console/totp/setup: the first code confirms the secret; the recovery codes
// are shown, this once, and the session opens.
func (d Deps) totpSetup(c *fiber.Ctx) error {
	ch, next, err := d.challengeOf(c, access.SecondFactorEnroll)
	if ch == nil {
		return err
	}
	form := &page.Form{Values: page.FormValues(c, "code")}
	status := fiber.StatusUnprocessableEntity
	if strings.TrimSpace(form.Value("code")) == "" {
		form.Add("code", "请输入验证器上显示的 6 位验证码")
	} else {
		r, codes, err := d.Users.CompleteEnrollment(c.UserContext(), strings.Clone(c.IP()), c.Cookies(session.ChallengeCookieName), form.Value("code"))
		var p *problem.Error
		switch {
		case err == nil:
			session.MarkAudit(c, "totp_enrolled", r.User.Username)
			session.ClearChallengeCookie(c)
			session.SetCookie(c, r.Token, r.Expires)
			c.Set(fiber.HeaderCacheControl, "no-store")
			return d.Pages.Render(c, fiber.StatusOK, "console_recovery_codes", page.View{Title: "请保存恢复码",
				Data: recoveryCodesView{Codes: codes, Next: next, Enrolled: true}})
		case errors.As(err, &p) && (p.Code == "challenge_invalid" || p.Code == "totp_already_enrolled"):
			session.ClearChallengeCookie(c)
			return c.Redirect("/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		case errors.As(err, &p) && p.Status < 500:
			status = refuseCode(c, form, p, err, ch.User.Username, "code")
		default:
			return err
		}
	}
	form.Values["code"] = nil
	return d.renderTOTPSetup(c, status, form)
}

package office

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/audit"
	"haochaping/web/auditapi"
	"haochaping/web/page"
)

// auditView is a page of the security audit log with its filters.
type auditView struct {
	Items                 []audit.Event
	Total                 int
	Kind, Actor, From, To string
	Kinds                 []choice
	page.Pager
}

const auditPerPage = 50

// showAudit is GET /office/audit?kind&actor&from&to&page: the security audit log, newest
// first, for the city's auditors and office (auditapi.CityOversight, on the route).
func (d Deps) showAudit(c *fiber.Ctx) error {
	q, err := auditapi.ParseQuery(c)
	if err != nil {
		return err
	}
	q.PerPage = auditPerPage
	p, err := d.Audit.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	v := auditView{Items: p.Items, Total: p.Total, Kind: q.Kind, Actor: q.Actor, From: c.Query("from"), To: c.Query("to")}
	v.From, v.To = strings.Clone(v.From), strings.Clone(v.To)
	for _, k := range []string{"login_refused", "login_ok", "unauthenticated", "forbidden", "signature_refused", "phone_revealed", "text_revealed",
		"export", "import", "user_changed", "device_changed", "organisation_changed", "setting_changed", "script_changed", "password_changed",
		"login_pending", "totp_refused", "totp_enrolled", "recovery_code_used", "recovery_codes_regenerated", "totp_reset", "upward_resent"} {
		v.Kinds = append(v.Kinds, choice{k, audit.KindNames[k]})
	}
	q2 := url.Values{}
	for k, val := range map[string]string{"kind": v.Kind, "actor": v.Actor, "from": v.From, "to": v.To} {
		if val != "" {
			q2.Set(k, val)
		}
	}
	v.Pager = page.NewPager("/office/audit", q2, p.Page, (p.Total+auditPerPage-1)/auditPerPage)
	return d.Pages.Render(c, fiber.StatusOK, "office_audit", page.View{Title: "安全审计日志", Layout: "wide", Data: v})
}

package web

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/internal/audit"
	"haochaping/internal/problem"
	"haochaping/web/session"
)

// sensitive are the acts the security audit log records when they succeed, by the route that
// carries them (the API's and the pages' alike), with the kind of event each is.
var sensitive = []struct {
	method, prefix, suffix, kind string
}{
	{"POST", "/api/v1/users/", "/totp-reset", "totp_reset"}, // before the users' general rule
	{"POST", "/admin/users/", "/totp-reset", "totp_reset"},
	{"POST", "/api/v1/workorders/", "/reveal-phone", "phone_revealed"},
	{"POST", "/console/orders/", "/reveal-phone", "phone_revealed"},
	{"POST", "/console/orders/", "/reveal-text", "text_revealed"},
	{"POST", "/api/v1/workorders/", "/reveal-text", "text_revealed"},
	{"GET", "/api/v1/ledgers/export", "", "export"},
	{"POST", "/api/v1/ledgers/import", "", "import"},
	{"POST", "/ledgers/import", "", "import"},
	{"*", "/api/v1/users", "", "user_changed"},
	{"*", "/admin/users", "", "user_changed"},
	{"*", "/api/v1/devices", "", "device_changed"},
	{"*", "/admin/devices", "", "device_changed"},
	{"*", "/api/v1/org/", "", "organisation_changed"},
	{"*", "/admin/organisation", "", "organisation_changed"},
	{"*", "/api/v1/settings", "", "setting_changed"},
	{"*", "/admin/settings", "", "setting_changed"},
	{"*", "/api/v1/callback-scripts", "", "script_changed"},
	{"POST", "/api/v1/auth/password", "", "password_changed"},
	{"POST", "/console/password", "", "password_changed"},
	{"POST", "/api/v1/upward/records/", "/resend", "upward_resent"},
	{"POST", "/office/upward/", "", "upward_resent"}, // one record's 重新上报, and 全部重新上报
}

// auditTrail records, after each request, what the security audit log keeps of it: a login
// accepted or refused (with the name tried), and a sensitive act that succeeded. Refusals
// (401, 403) are recorded by the error handler. It also gives the domain's own records the
// client's address.
func auditTrail(log *audit.Log) fiber.Handler {
	return func(c *fiber.Ctx) error {
		address := strings.Clone(c.IP())
		c.SetUserContext(audit.WithAddress(c.UserContext(), address))
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = classifyAny(err)
		}
		method, path := c.Method(), c.Path()
		// A handler that knows better — the steps of a login with a second factor — says what
		// happened, and who it was.
		if m := session.AuditMarkOf(c); m != nil {
			e := audit.Event{Kind: m.Kind, Actor: m.Actor, Address: address, Method: strings.Clone(method),
				Path: strings.Clone(path), Status: status}
			if p, ok := problem.As(err); ok {
				e.Code = p.Code
			}
			log.Note(c.UserContext(), e)
			return err
		}
		if method == fiber.MethodPost && (path == "/api/v1/auth/login" || path == "/login") {
			kind := "login_refused"
			if status < 400 && (path != "/login" || status == fiber.StatusSeeOther) {
				kind = "login_ok"
			}
			log.Note(c.UserContext(), audit.Event{Kind: kind, Actor: attemptedUsername(c), Address: address,
				Method: method, Path: strings.Clone(path), Status: status})
			return err
		}
		if err != nil || status >= 400 {
			return err
		}
		if kind := sensitiveKind(method, path); kind != "" {
			e := audit.Event{Kind: kind, Address: address, Method: strings.Clone(method), Path: strings.Clone(path), Status: status}
			if u := session.UserOf(c); u != nil {
				e.Actor = u.Username
			}
			log.Note(c.UserContext(), e)
		}
		return err
	}
}

// sensitiveKind is the kind of event a successful request is, or "" for one not recorded.
// Reads are not recorded but for exports: listing users or devices changes nothing.
func sensitiveKind(method, path string) string {
	for _, s := range sensitive {
		if !strings.HasPrefix(path, s.prefix) || !strings.HasSuffix(path, s.suffix) {
			continue
		}
		if s.method == method || s.method == "*" && method != fiber.MethodGet && method != fiber.MethodHead {
			return s.kind
		}
	}
	return ""
}

// attemptedUsername is the name a login request tried, from the form or the JSON body.
func attemptedUsername(c *fiber.Ctx) string {
	if v := c.FormValue("username"); v != "" {
		return strings.Clone(strings.TrimSpace(v))
	}
	var body struct {
		Username string `json:"username"`
	}
	_ = json.Unmarshal(c.Body(), &body)
	return strings.TrimSpace(body.Username)
}

// auditRefusal records a 401 or 403 the error handler answers: who (the login, or the device
// the request named) asked for what, and the refusal's code. A refused signature is its own
// kind, the signal of a device or key under attack.
func auditRefusal(c *fiber.Ctx, log *audit.Log, p *problem.Error) {
	if p.Status != fiber.StatusUnauthorized && p.Status != fiber.StatusForbidden {
		return
	}
	if c.Method() == fiber.MethodPost && (c.Path() == "/api/v1/auth/login" || c.Path() == "/login") ||
		session.AuditMarkOf(c) != nil {
		return // auditTrail records the login, and what a handler marked
	}
	kind := map[int]string{fiber.StatusUnauthorized: "unauthenticated", fiber.StatusForbidden: "forbidden"}[p.Status]
	actor := ""
	if u := session.UserOf(c); u != nil {
		actor = u.Username
	} else if dev := c.Get(channels.HeaderDeviceID); dev != "" {
		actor = "device:" + strings.Clone(dev)
		if strings.HasPrefix(p.Code, "signature_") || strings.HasPrefix(p.Code, "device_") || p.Code == "timestamp_skewed" {
			kind = "signature_refused"
		}
	}
	log.Note(c.UserContext(), audit.Event{Kind: kind, Actor: actor, Address: strings.Clone(c.IP()), Method: strings.Clone(c.Method()),
		Path: strings.Clone(c.Path()), Status: p.Status, Code: p.Code})
}

package session

import "github.com/gofiber/fiber/v2"

// AuditMark is what a handler tells the security audit log about its request when the route
// alone does not say it: the second step of a login (whose user has no session yet), an
// enrollment, a recovery code spent. package web's audit trail records it after the request,
// refused or not.
type AuditMark struct {
	Kind  string // login_pending, login_ok, totp_refused, totp_enrolled, recovery_code_used, …
	Actor string // the username
}

type auditMarkKey struct{}

// MarkAudit records kind for this request, by actor (the strings are kept: pass copies).
func MarkAudit(c *fiber.Ctx, kind, actor string) {
	c.Locals(auditMarkKey{}, &AuditMark{Kind: kind, Actor: actor})
}

// AuditMarkOf is what the handler marked; nil when nothing.
func AuditMarkOf(c *fiber.Ctx) *AuditMark {
	m, _ := c.Locals(auditMarkKey{}).(*AuditMark)
	return m
}

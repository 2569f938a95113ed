package page

import "github.com/gofiber/fiber/v2"

// ContentSecurityPolicy allows nothing but this server: no inline script or style (templates
// use classes and static/*.js), no other host for anything, no framing, forms posting only
// here. A page that breaks it is refused by the browser; the browser tests fail on any
// violation.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// SecurityHeaders sets the headers every answer carries. Referrer-Policy same-origin: a page's
// URL may hold an evaluation link's token, which no other site should learn, while the CSRF
// check of HTTPS requests needs the page's own referer. Served over HTTPS (secure), the
// browser is told to come back only over HTTPS for a year (HSTS); over plain HTTP the header
// would mean nothing and is left out.
func SecurityHeaders(secure bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set(fiber.HeaderContentSecurityPolicy, ContentSecurityPolicy)
		h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		h.Set(fiber.HeaderXFrameOptions, "DENY")
		h.Set(fiber.HeaderReferrerPolicy, "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if secure {
			h.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}

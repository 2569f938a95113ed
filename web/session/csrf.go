package session

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/web/page"
)

// checkCookieWrite refuses an API write authenticated by the session cookie alone unless it
// carries the page's CSRF token in X-CSRF-Token, equal to its CSRF cookie (double submit): a
// browser sends the session cookie with a cross-site form or a text/plain fetch, but another
// site can neither read the CSRF cookie nor set the header. A request with a bearer token is
// not a browser's ambient credential and needs no token; reads change nothing.
func checkCookieWrite(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return nil
	}
	if bearer(c) != "" {
		return nil
	}
	header, cookie := c.Get(page.CSRFHeader), c.Cookies(page.CSRFCookie)
	if header == "" || cookie == "" || subtle.ConstantTimeCompare([]byte(header), []byte(cookie)) != 1 {
		return problem.Forbidden("csrf_failed", "用会话 Cookie 调用接口写入数据时须在 X-CSRF-Token 头中携带页面的 CSRF 令牌；脚本请使用 Bearer 令牌")
	}
	return nil
}

// bearer is the token of "Authorization: Bearer <token>", or "".
func bearer(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		if scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
	}
	return ""
}

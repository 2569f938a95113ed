package page

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/redis/go-redis/v9"

	"haochaping/internal/problem"
)

// csrfField is the hidden form field, and CSRFHeader the header scripts send, that carry the
// token back; CSRFCookie holds it in the browser (the API's cookie-authenticated writes check
// the same pair: web/session).
const (
	csrfField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
	CSRFCookie = "hcp_csrf"
)

// csrfContextKey is where the middleware leaves the request's token for Render.
type csrfContextKey struct{}

// CSRFToken is the token of the request, for a form or a script to send back.
func CSRFToken(c *fiber.Ctx) string {
	if t, ok := c.Locals(csrfContextKey{}).(string); ok {
		return t
	}
	return ""
}

// CSRF protects the pages' forms and scripts (fiber's middleware, double-submit cookie): an
// unsafe request must send back, in the form field _csrf or the header X-CSRF-Token, the token
// of its cookie. Tokens live in Redis, so that every instance knows them and a restart loses
// none; they last 12 hours, as long as a kiosk or a pad stays on one page. secure marks the
// cookie for HTTPS.
func CSRF(rdb redis.UniversalClient, secure bool) fiber.Handler {
	return csrf.New(csrf.Config{
		CookieName:     CSRFCookie,
		CookieSameSite: "Lax",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		Expiration:     12 * time.Hour,
		Storage:        &redisStorage{rdb: rdb, prefix: "haochaping:csrf:"},
		ContextKey:     csrfContextKey{},
		Extractor: func(c *fiber.Ctx) (string, error) {
			if t := c.Get(CSRFHeader); t != "" {
				return t, nil
			}
			if t := c.FormValue(csrfField); t != "" {
				return t, nil
			}
			return "", csrf.ErrTokenNotFound
		},
		ErrorHandler: func(*fiber.Ctx, error) error {
			return problem.Forbidden("csrf_failed", "页面已过期或来源不明，请返回上一页刷新后重新提交")
		},
	})
}

// redisStorage is the fiber.Storage of the CSRF tokens, on the application's Redis.
type redisStorage struct {
	rdb    redis.UniversalClient
	prefix string
}

func (s *redisStorage) Get(key string) ([]byte, error) {
	b, err := s.rdb.Get(context.Background(), s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return b, err
}

func (s *redisStorage) Set(key string, val []byte, exp time.Duration) error {
	return s.rdb.Set(context.Background(), s.prefix+key, val, exp).Err()
}

func (s *redisStorage) Delete(key string) error {
	return s.rdb.Del(context.Background(), s.prefix+key).Err()
}

// Reset and Close belong to the interface; the tokens expire by themselves and the client is
// the application's.
func (s *redisStorage) Reset() error { return nil }
func (s *redisStorage) Close() error { return nil }

// safeReturn is a path on this site to send the browser back to: a relative path, never
// another host ("//evil", "/\evil").
func safeReturn(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

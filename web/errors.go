package web

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/audit"
	"haochaping/internal/database"
	"haochaping/internal/problem"
	"haochaping/web/page"
)

// errorHandler answers every error as JSON {code, message, fields} — or, on a page, as the
// error page in words: the domain's refusals as they are, fiber's own (unknown route, body too
// large) with codes of ours, and anything else as a logged 500 that says nothing of its cause.
func errorHandler(log *slog.Logger, pages *page.Renderer, trail *audit.Log) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p, ok := problem.As(err)
		if !ok {
			p = classify(err)
		}
		auditRefusal(c, trail, p)
		if p.Status >= 500 {
			// Copied: fiber's strings are views into buffers the next request reuses, and a
			// log handler may keep a record past this call (buffered or asynchronous output).
			log.Error("request failed", "method", strings.Clone(c.Method()), "path", strings.Clone(c.Path()),
				"status", p.Status, "request_id", strings.Clone(c.GetRespHeader(fiber.HeaderXRequestID)), "err", err)
		}
		if p.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(p.RetryAfter.Seconds()))))
		}
		if page.IsPage(c) || browsing(c) {
			if p.Code == "not_found" {
				p = problem.NotFound("not_found", "您要找的页面不存在，请检查网址，或从首页进入。")
			}
			if err := pages.RenderError(c, p); err == nil {
				return nil
			}
		}
		return c.Status(p.Status).JSON(p)
	}
}

// browsing says a person's browser asked for an address outside the API (a mistyped page,
// an old link): it is answered with the error page, not JSON.
func browsing(c *fiber.Ctx) bool {
	return !strings.HasPrefix(c.Path(), "/api/") && strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

func classify(err error) *problem.Error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return problem.NotFound("not_found", "接口不存在")
		case fiber.StatusMethodNotAllowed:
			return &problem.Error{Status: fe.Code, Code: "method_not_allowed", Message: "不支持该请求方法"}
		case fiber.StatusRequestEntityTooLarge:
			return &problem.Error{Status: fe.Code, Code: "body_too_large", Message: "请求体过大"}
		case fiber.StatusRequestTimeout:
			return &problem.Error{Status: fe.Code, Code: "timeout", Message: "请求超时"}
		}
		if fe.Code < 500 {
			return &problem.Error{Status: fe.Code, Code: "bad_request", Message: "请求无效"}
		}
	}
	if errors.Is(err, context.Canceled) {
		return &problem.Error{Status: 499, Code: "client_closed", Message: "客户端已断开"}
	}
	if database.IsUnavailable(err) {
		return &problem.Error{Status: 503, Code: "database_unavailable", Message: "数据库暂时不可用，请稍后重试"}
	}
	return &problem.Error{Status: 500, Code: "internal_error", Message: "服务器内部错误，请稍后重试"}
}

// classifyAny is the status the error handler will answer for err.
func classifyAny(err error) int {
	if p, ok := problem.As(err); ok {
		return p.Status
	}
	return classify(err).Status
}

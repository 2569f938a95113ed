package page

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
)

// pageContextKey marks a request answered with pages, so that its errors are pages too.
type pageContextKey struct{}

// Pages marks the routes after it as pages: an error they return is answered as the error
// page, in words, rather than as the API's JSON.
func Pages(c *fiber.Ctx) error {
	c.Locals(pageContextKey{}, true)
	return c.Next()
}

// IsPage reports whether the request was marked by Pages.
func IsPage(c *fiber.Ctx) bool {
	v, _ := c.Locals(pageContextKey{}).(bool)
	return v
}

// errorView is what the error page shows.
type errorView struct {
	Status  int
	Message string
}

// RenderError answers p as the error page.
func (r *Renderer) RenderError(c *fiber.Ctx, p *problem.Error) error {
	title := "出错了"
	switch p.Status {
	case fiber.StatusNotFound:
		title = "页面不存在"
	case fiber.StatusForbidden:
		title = "无法完成操作"
	case fiber.StatusGone:
		title = "链接已失效"
	case fiber.StatusTooManyRequests:
		title = "请求过于频繁"
	}
	if p.Status >= 500 {
		title = "系统暂时无法处理"
	}
	return r.Render(c, p.Status, "error", View{Title: title, Data: errorView{p.Status, p.Message}})
}

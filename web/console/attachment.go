package console

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/web/session"
)

// showAttachment is GET /console/attachments/{id}: a rectification's photo or file, for whoever
// may see its work order, shown in the browser as the type its bytes were checked to be.
func (d Deps) showAttachment(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return problem.NotFound("attachment_not_found", "附件不存在")
	}
	f, err := d.Rectify.OpenAttachment(c.UserContext(), session.UserOf(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, "inline; filename*=UTF-8''"+url.PathEscape(f.Name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(f.Data)
}

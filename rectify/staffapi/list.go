package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// list is GET /workorders: the inbox, overdue first, filtered as filterOf reads it; page and
// per_page choose the page.
func (h *handlers) list(c *fiber.Ctx) error {
	f, err := filterOf(c)
	if err != nil {
		return err
	}
	if f.Page, err = queryInt(c, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	if f.PerPage, err = queryInt(c, "per_page", 20, 1, 100); err != nil {
		return err
	}
	page, err := h.svc.List(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

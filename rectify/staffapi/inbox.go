package staffapi

import (
	"haochaping/web/session"

	"github.com/gofiber/fiber/v2"
)

// inbox is GET /notifications: my notifications, newest first (unread=true: only unread).
func (h *handlers) inbox(c *fiber.Ctx) error {
	unreadOnly, err := queryBool(c, "unread")
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	list, unread, err := h.svc.Inbox(c.UserContext(), session.UserOf(c), unreadOnly, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list, "unread": unread})
}

// markRead is POST /notifications/:id/read.
func (h *handlers) markRead(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.MarkRead(c.UserContext(), session.UserOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

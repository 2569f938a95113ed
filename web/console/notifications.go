package console

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/page"
	"haochaping/web/session"
)

// showNotifications is GET /console/notifications: the user's newest messages (派单, 提醒,
// 逾期, 督办 …), unread first in weight, each leading to its work order.
func (d Deps) showNotifications(c *fiber.Ctx) error {
	list, unread, err := d.Rectify.Inbox(c.UserContext(), session.UserOf(c), false, 50)
	if err != nil {
		return err
	}
	return d.Pages.Render(c, fiber.StatusOK, "console_notifications", page.View{Title: "消息", Layout: "wide",
		Data: struct {
			List   []rectify.Notification
			Unread int
		}{list, unread}})
}

// readNotification is POST /console/notifications/{id}/read.
func (d Deps) readNotification(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	if err := d.Rectify.MarkRead(c.UserContext(), session.UserOf(c), id); err != nil {
		return err
	}
	return c.Redirect("/console/notifications", fiber.StatusSeeOther)
}

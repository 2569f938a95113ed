package page

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// Staff is who is logged in on a staff page, for the header: their name, role and when the
// session ends (a clerk should not lose a half-written callback to a silent expiry).
type Staff struct {
	Name, Role string
	Expires    time.Time
	Unread     int  // messages not read yet
	Dashboard  bool // may read the measures: the dashboard is in the menu
	Admin      bool // an office administrator: the administration is in the menu
	Figures    bool // a staff member: their own figures are in the menu
}

type staffKey struct{}

// SetStaff marks the request as a staff page of s; Render puts s in the View.
func SetStaff(c *fiber.Ctx, s *Staff) { c.Locals(staffKey{}, s) }

func staffOf(c *fiber.Ctx) *Staff {
	s, _ := c.Locals(staffKey{}).(*Staff)
	return s
}

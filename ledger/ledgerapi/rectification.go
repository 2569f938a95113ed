package ledgerapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/rectify"
	"haochaping/web/session"
)

// rectification is GET /ledgers/rectification: the 差评整改台账, the bad reviews of the user's
// scope with their records, oldest first. Query: from and to (YYYY-MM-DD, the Beijing days
// rated, both included), department (a code), state (work-order states, comma-separated),
// open (true: not closed).
func (h *handlers) rectification(c *fiber.Ctx) error {
	var f ledger.RectificationFilter
	var err error
	if f.From, f.To, err = period(c.Query("from"), c.Query("to"), "from", "to"); err != nil {
		return err
	}
	if f.Department, err = h.department(c.UserContext(), c.Query("department"), "department"); err != nil {
		return err
	}
	if v := c.Query("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			s := strings.TrimSpace(st)
			if !rectify.State(s).Valid() {
				return problem.Invalid("invalid_state", "state", "未知的工单状态："+st)
			}
			f.States = append(f.States, s)
		}
	}
	if f.OpenOnly, err = queryBool(c, "open"); err != nil {
		return err
	}
	rows, err := h.svc.RectificationRows(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []ledger.RectificationRow{}
	}
	return c.JSON(fiber.Map{"items": rows})
}

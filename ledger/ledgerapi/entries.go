package ledgerapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/web/session"
)

// entries is GET /ledgers/entries: the entries the user may see, in ledger order. Query: kind
// (work, problem, rectification), status (its code or Chinese name), department (a code: the
// entries that unit answers for), due_from and due_to (YYYY-MM-DD, the entry's last deadline,
// both included).
func (h *handlers) entries(c *fiber.Ctx) error {
	var f ledger.Filter
	switch k := ledger.Kind(c.Query("kind")); k {
	case "":
	case ledger.Work, ledger.Problems, ledger.Rectification:
		f.Kind = k
	default:
		return problem.Invalid("invalid_kind", "kind", "kind 须为 work、problem 或 rectification")
	}
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		s, ok := ledger.StatusFromName(v)
		if !ok {
			return problem.Invalid("invalid_status", "status",
				"status 须为 not_started、in_progress、completed、overdue、ongoing 或其中文名称（未开始、推进中、已完成、逾期、持续推进）")
		}
		f.Status = s
	}
	var err error
	if f.DueFrom, f.DueTo, err = period(c.Query("due_from"), c.Query("due_to"), "due_from", "due_to"); err != nil {
		return err
	}
	if f.Department, err = h.department(c.UserContext(), c.Query("department"), "department"); err != nil {
		return err
	}
	list, err := h.svc.Entries(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*ledger.Entry{}
	}
	return c.JSON(fiber.Map{"items": list})
}

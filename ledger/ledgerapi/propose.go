package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
	"haochaping/web/session"
)

// proposeInput is the body of POST /ledgers/recurring/propose.
type proposeInput struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// propose is POST /ledgers/recurring/propose (office only; the route checks the role): finds
// the recurring problems of the bad reviews rated from..to (Beijing days, both included) and
// proposes those not proposed before for that period.
func (h *handlers) propose(c *fiber.Ctx) error {
	var in proposeInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	from, to, err := period(in.From, in.To, "from", "to")
	if err != nil {
		return err
	}
	if from.IsZero() {
		return problem.Invalid("invalid_date", "from", "请填写开始日期 YYYY-MM-DD")
	}
	if to.IsZero() {
		return problem.Invalid("invalid_date", "to", "请填写结束日期 YYYY-MM-DD")
	}
	scope := session.UserOf(c).Scope
	n, err := h.svc.ProposeRecurring(c.UserContext(), &scope, from, to)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"proposed": n})
}

package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// ruleAppeal is POST /workorders/:id/appeal/ruling: the office upholds or rejects an appeal.
func (h *handlers) ruleAppeal(c *fiber.Ctx) error {
	var in rectify.RulingInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.RuleAppeal(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}

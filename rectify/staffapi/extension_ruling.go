package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// ruleExtension is POST /workorders/:id/extension/ruling: the office grants or refuses an extension.
func (h *handlers) ruleExtension(c *fiber.Ctx) error {
	var in rectify.ExtensionRulingInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.RuleExtension(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}

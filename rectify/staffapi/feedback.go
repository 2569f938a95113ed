package staffapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/rectify"
	"haochaping/web/session"
)

// feedback is POST /workorders/:id/feedback: 反馈 to the evaluator.
func (h *handlers) feedback(c *fiber.Ctx) error {
	var in rectify.FeedbackInput
	id, err := bind(c, &in)
	if err != nil {
		return err
	}
	d, err := h.svc.Feedback(c.UserContext(), session.UserOf(c), id, in)
	return answer(c, d, err)
}

package ledgerapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/jsonbody"
	"haochaping/ledger"
	"haochaping/web/session"
)

// accept is POST /ledgers/recurring/:id/accept (office only): makes a proposed recurring
// problem an entry of the rectification ledger, with the unit answerable (default: the one
// the reviews name) and a deadline.
func (h *handlers) accept(c *fiber.Ctx) error {
	id, err := param(c, "id")
	if err != nil {
		return err
	}
	var in ledger.AcceptInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	e, err := h.svc.AcceptRecurring(c.UserContext(), session.UserOf(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

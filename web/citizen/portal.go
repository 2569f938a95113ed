package citizen

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels/pc"
	"haochaping/evaluation"
)

// The portal's page: 政务服务网 sends its logged-in user here with a signed ticket naming the
// case (channels/pc/ticket.go); the form is the phone's, at a desk.

// openTicket checks the ticket and opens its case.
func (d Deps) openTicket(c *fiber.Ctx, raw string) (*pc.Ticket, *evaluation.LinkCase, error) {
	t, _, err := pc.ParseTicket(c.UserContext(), d.Devices, raw, time.Now())
	if err != nil {
		return nil, nil, err
	}
	l, err := d.Evaluation.OpenCase(c.UserContext(), t.CaseNo, evaluation.Stage(t.Stage))
	if err != nil {
		return nil, nil, err
	}
	return t, l, nil
}

func portalView(raw string, l *evaluation.LinkCase) rateView {
	return rateView{Case: l, Action: "/pc", Hidden: map[string]string{"ticket": raw}}
}

// showPortal is GET /pc?ticket=T: the rating form for the ticket's case, or — rated already —
// the case's page.
func (d Deps) showPortal(c *fiber.Ctx) error {
	raw := strings.Clone(c.Query("ticket"))
	_, l, err := d.openTicket(c, raw)
	if err != nil {
		return err
	}
	if l.Rated != nil {
		return c.Redirect("/e/"+l.Token, fiber.StatusSeeOther)
	}
	return d.showRateForm(c, portalView(raw, l), nil)
}

// ratePortal is POST /pc: the rating of the ticket's user, who must be the case's applicant.
func (d Deps) ratePortal(c *fiber.Ctx) error {
	raw := strings.Clone(c.FormValue("ticket"))
	t, l, err := d.openTicket(c, raw)
	if err != nil {
		return err
	}
	if l.Rated != nil {
		return c.Redirect("/e/"+l.Token, fiber.StatusSeeOther)
	}
	form, in := readRating(c, false)
	return d.submitRating(c, portalView(raw, l), form, t.Submission(in.Rating))
}

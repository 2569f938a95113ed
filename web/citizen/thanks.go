package citizen

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
)

// thanksView says what happens next.
type thanksView struct {
	Token        string
	Case         *evaluation.LinkCase
	Rating       *evaluation.Evaluation
	CallbackDays int
}

// thanks is GET /e/{token}/done: the thank-you after a rating. A bad review is told within how
// many working days it will be called back, as the region's setting has it.
func (d Deps) thanks(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	l, err := d.Evaluation.OpenLink(c.UserContext(), token)
	if err != nil {
		return err
	}
	if l.Rated == nil {
		return c.Redirect("/e/"+token, fiber.StatusSeeOther)
	}
	v := thanksView{Token: token, Case: l, Rating: l.Rated}
	if l.Rated.Bad {
		days, err := d.Rectify.RegionDeadlineDays(c.UserContext(), l.RegionID)
		if err != nil {
			return err
		}
		v.CallbackDays = days.Callback
	}
	return d.Pages.Render(c, fiber.StatusOK, "thanks", page.View{Title: "感谢您的评价", Data: v})
}

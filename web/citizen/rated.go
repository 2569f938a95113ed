package citizen

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
)

// ratedView is the page of a link already used: the rating given.
type ratedView struct {
	Token   string
	Case    *evaluation.LinkCase
	Rating  *evaluation.Evaluation
	Reasons []string
}

// showRated answers a used link with the rating it carries; a bad one, with what became of
// it (progress.go).
func (d Deps) showRated(c *fiber.Ctx, token string, l *evaluation.LinkCase) error {
	if l.Rated.Bad {
		return d.showProgress(c, token, l, nil)
	}
	v := ratedView{Token: token, Case: l, Rating: l.Rated, Reasons: l.ReasonNames(l.Rated.Reasons)}
	return d.Pages.Render(c, fiber.StatusOK, "rated", page.View{Title: "您已评价", Data: v})
}

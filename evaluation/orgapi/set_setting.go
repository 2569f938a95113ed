package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// settingInput is the body of PUT /settings/{region}/{key}.
type settingInput struct {
	Value string `json:"value"`
}

// setSetting is PUT /settings/{region}/{key}: the region's own value of the setting.
func (h *handlers) setSetting(c *fiber.Ctx) error {
	var in settingInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	e, err := h.svc.SetSetting(c.UserContext(), session.UserOf(c), param(c, "region"), param(c, "key"), in.Value)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

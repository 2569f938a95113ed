package orgapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/web/session"
)

// halls is GET /org/halls: the halls of the administrator's region and the regions below it.
func (h *handlers) halls(c *fiber.Ctx) error {
	list, err := h.svc.Halls(c.UserContext(), session.UserOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": nonNil(list)})
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

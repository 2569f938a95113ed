package deviceapi

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/channels"
	"haochaping/internal/jsonbody"
	"haochaping/web/session"
)

// createInput is the body of POST /devices.
type createInput struct {
	ID      string `json:"id"` // empty: generated
	Channel string `json:"channel"`
	Name    string `json:"name"`
	Window  string `json:"window"` // a pad's window code
	Hall    string `json:"hall"`   // a kiosk's hall code
}

// create is POST /devices: a pad on a window or a kiosk in a hall, within the administrator's
// reach. The answer carries the device's signing secret, this once: the window's business
// system signs its prompts to the pad with it.
func (h *handlers) create(c *fiber.Ctx) error {
	var in createInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	dev, err := h.devices.AdminAdd(c.UserContext(), session.UserOf(c), channels.NewDevice{
		ID: in.ID, Channel: in.Channel, Name: in.Name, WindowCode: in.Window, HallCode: in.Hall,
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(dev)
}

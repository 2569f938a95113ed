package channels

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
)

// Rating is the part of a rating every channel's payload shares.
type Rating struct {
	Level   int      `json:"level"`
	Reasons []string `json:"reasons"`
	Comment string   `json:"comment"`
}

// Apply copies the rating into a submission.
func (r Rating) Apply(sub *evaluation.Submission) {
	sub.Level = evaluation.Level(r.Level)
	sub.Reasons = r.Reasons
	sub.Comment = r.Comment
}

// IdempotencyKey is the optional header with which a device names a submission itself; it
// takes precedence over the key an adapter derives.
const IdempotencyKey = "Idempotency-Key"

// Key builds the idempotency key of a submission: the channel and device keep keys of
// different devices apart.
func Key(c *fiber.Ctx, channel, deviceID, derived string) string {
	if k := c.Get(IdempotencyKey); k != "" && len(k) <= 128 {
		return channel + ":" + deviceID + ":h:" + k
	}
	return DerivedKey(channel, deviceID, derived)
}

// DerivedKey is the idempotency key an adapter derives from what the device sends again on a
// retry, kept apart by channel and device.
func DerivedKey(channel, deviceID, derived string) string {
	return channel + ":" + deviceID + ":" + derived
}

// RespondEvaluation answers a single rating: 201 with the new evaluation, or 200 with the
// original one when the submission repeats it.
func RespondEvaluation(c *fiber.Ctx, e *evaluation.Evaluation) error {
	status := fiber.StatusCreated
	if e.Status == evaluation.Duplicate {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(e)
}

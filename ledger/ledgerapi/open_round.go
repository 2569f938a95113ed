package ledgerapi

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/bjtime"
	"haochaping/internal/jsonbody"
	"haochaping/internal/problem"
	"haochaping/web/session"
)

// openRoundInput is the body of POST /ledgers/rounds.
type openRoundInput struct {
	Title string `json:"title"`
	DueAt string `json:"due_at"`
}

// openRound is POST /ledgers/rounds (office only): opens a reporting round, closing the one
// still open. due_at is RFC 3339, "2006-01-02 15:04:05" (Beijing time), or a date meaning the
// end of that Beijing day.
func (h *handlers) openRound(c *fiber.Ctx) error {
	var in openRoundInput
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	due, err := dueAt(in.DueAt)
	if err != nil {
		return err
	}
	r, err := h.svc.OpenRound(c.UserContext(), session.UserOf(c), in.Title, due)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// dueAt reads a round's deadline: an instant, or a day meaning the end of that Beijing day.
func dueAt(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, problem.Invalid("invalid_due", "due_at", "请填写截止时间")
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", v, bjtime.Location); err == nil {
		return t, nil
	}
	if d, err := time.Parse("2006-01-02", v); err == nil {
		return bjtime.StartOfDay(d.AddDate(0, 0, 1)).Add(-time.Nanosecond), nil
	}
	return time.Time{}, problem.Invalid("invalid_due", "due_at",
		"截止时间须为 RFC 3339 时间（如 2026-11-30T18:00:00+08:00）或日期 YYYY-MM-DD（当日 24 时前）")
}

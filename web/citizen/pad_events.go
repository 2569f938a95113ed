package citizen

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/channels/window"
)

// The prompt stream of a pad, as server-sent events: the browser's EventSource reconnects by
// itself (after the retry: below), and each connection starts with the prompt still open, so a
// prompt sent while the pad was away is not lost.
const (
	padRetry     = "1000"           // ms before the browser reconnects
	padHeartbeat = 15 * time.Second // a comment line: proxies keep the stream, a gone pad is noticed
	// padWriteGrace is how long one write may take; the server's WriteTimeout would otherwise
	// cut the stream WriteTimeout after it began.
	padWriteGrace = 2 * padHeartbeat
)

// padPromptEvent is what the page is told of a prompt: where its rating is shown.
type padPromptEvent struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// padEventStream is GET /pad/events?after=ID: the pad's prompts as they come, beginning with the
// one still open (unless it is after, the one the pad is done with).
func (d Deps) padEventStream(c *fiber.Ctx) error {
	deviceID := deviceOf(c).ID // ours, not fiber's: it outlives the handler
	after := strings.Clone(c.Query("after"))
	// The stream outlives the handler, so it cannot use the request's context; it ends when
	// the pad goes (a write fails) or the server shuts down (done).
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := d.Prompts.Subscribe(ctx, deviceID) // before Pending: a prompt in between comes twice, never not at all
	if err != nil {
		cancel()
		return err
	}
	pending, _, err := d.Prompts.Pending(ctx, deviceID)
	if err != nil {
		_ = sub.Close()
		cancel()
		return err
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no") // a proxy in front must not hold the events back
	conn, done := c.Context().Conn(), c.Context().Done()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		defer sub.Close()
		send := func(s string) bool {
			_ = conn.SetWriteDeadline(time.Now().Add(padWriteGrace))
			if _, err := w.WriteString(s); err != nil {
				return false
			}
			return w.Flush() == nil
		}
		if !send("retry: " + padRetry + "\n: connected\n\n") {
			return
		}
		if pending != nil && pending.ID != after && !send(promptEvent(pending)) {
			return
		}
		beat := time.NewTicker(padHeartbeat)
		defer beat.Stop()
		for {
			select {
			case <-done:
				return
			case p, ok := <-sub.C:
				if !ok {
					return
				}
				if p.ID != after && !send(promptEvent(p)) {
					return
				}
			case <-beat.C:
				if !send(": heartbeat\n\n") {
					return
				}
			}
		}
	})
	return nil
}

// promptEvent is the event of prompt p.
func promptEvent(p *window.Prompt) string {
	raw, _ := json.Marshal(padPromptEvent{ID: p.ID, URL: "/pad/p/" + p.ID})
	return "event: prompt\nid: " + p.ID + "\ndata: " + string(raw) + "\n\n"
}

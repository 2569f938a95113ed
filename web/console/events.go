package console

import (
	"bufio"
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/live"
	"haochaping/rectify"
	"haochaping/web/session"
)

// The console's live count of unread messages, as server-sent events: on every signal that a
// notification came for the user (internal/live, from whichever process made it), the count
// is read again from PostgreSQL and sent when it changed. The browser's EventSource
// reconnects by itself; every connection starts with the count.
const (
	eventsRetry     = "3000"
	eventsHeartbeat = 20 * time.Second
)

// eventStream is GET /console/events.
func (d Deps) eventStream(c *fiber.Ctx) error {
	u := session.UserOf(c)
	var topics []string
	if u.StaffID != nil {
		topics = append(topics, live.StaffTopic(*u.StaffID))
	}
	if u.Role == access.OfficeAdmin {
		topics = []string{live.AnyOffice}
	}
	// The stream outlives the handler: its own context, ended when the browser goes (a write
	// fails) or the server shuts down.
	ctx, cancel := context.WithCancel(context.Background())
	var signals <-chan struct{}
	var sub *live.Subscription
	if d.Live != nil && len(topics) > 0 {
		s, err := d.Live.Subscribe(ctx, topics...)
		if err != nil {
			cancel()
			return err
		}
		sub, signals = s, s.C
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	conn, done := c.Context().Conn(), c.Context().Done()
	svc := d.Rectify
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		if sub != nil {
			defer sub.Close()
		}
		send := func(s string) bool {
			_ = conn.SetWriteDeadline(time.Now().Add(2 * eventsHeartbeat))
			if _, err := w.WriteString(s); err != nil {
				return false
			}
			return w.Flush() == nil
		}
		last := -1
		sendCount := func() bool {
			n, err := unreadCount(ctx, svc, u)
			if err != nil || n == last {
				return err == nil
			}
			last = n
			return send("event: unread\ndata: " + strconv.Itoa(n) + "\n\n")
		}
		if !send("retry: "+eventsRetry+"\n\n") || !sendCount() {
			return
		}
		beat := time.NewTicker(eventsHeartbeat)
		defer beat.Stop()
		for {
			select {
			case <-done:
				return
			case _, ok := <-signals:
				if !ok || !sendCount() {
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

func unreadCount(ctx context.Context, svc *rectify.Service, u *access.User) (int, error) {
	_, n, err := svc.Inbox(ctx, u, true, 1)
	return n, err
}

// Package sms sends text messages to citizens' phones: an interface that a gateway implements,
// the sender of the local stack, which only logs, and one for tests, which records. Which one
// runs is a setting (HAOCHAPING_SMS); the callers queue their messages (rectify) so that a
// failed send is retried, and never hand a phone number to anything but Send.
package sms

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"haochaping/internal/pii"
)

// Sender delivers one text message. An error means it was not delivered and may be tried
// again; a gateway that cannot tell should answer nil only once it has accepted the message.
type Sender interface {
	Send(ctx context.Context, phone, text string) error
}

// Kinds are the senders a setting may name. A real gateway is another Sender, added here and
// in New.
var Kinds = []string{"log"}

// Known reports whether kind names a sender ("" is the default, "log").
func Known(kind string) bool { return kind == "" || slices.Contains(Kinds, kind) }

// New returns the sender a setting names: "log" (the default, for the local stack and demos)
// logs each message with the phone masked.
func New(kind string, log *slog.Logger) (Sender, error) {
	switch kind {
	case "", "log":
		return &LogSender{Log: log}, nil
	}
	return nil, fmt.Errorf("HAOCHAPING_SMS=%q: the senders built in are: %s", kind, strings.Join(Kinds, ", "))
}

// LogSender writes each message to the log instead of a phone: the phone masked, the text as
// it would be sent (it carries no personal data).
type LogSender struct{ Log *slog.Logger }

// Send logs the message.
func (s *LogSender) Send(ctx context.Context, phone, text string) error {
	s.Log.InfoContext(ctx, "sms", "to", pii.MaskPhone(phone), "text", text)
	return nil
}

// Message is one message a Recorder was asked to send.
type Message struct{ Phone, Text string }

// Recorder is a Sender for tests: it records every message, and fails the next Fail sends,
// so that a test can see the queue retry them.
type Recorder struct {
	mu   sync.Mutex
	sent []Message
	fail int
}

// Send records the message, or fails while failures are owed.
func (r *Recorder) Send(_ context.Context, phone, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return fmt.Errorf("sms: the gateway refused (a failure the test asked for)")
	}
	r.sent = append(r.sent, Message{phone, text})
	return nil
}

// FailNext makes the next n sends fail.
func (r *Recorder) FailNext(n int) {
	r.mu.Lock()
	r.fail = n
	r.mu.Unlock()
}

// Sent returns the messages delivered so far.
func (r *Recorder) Sent() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.sent...)
}

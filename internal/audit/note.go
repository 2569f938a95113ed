package audit

import (
	"context"
	"log/slog"
)

type addressKey struct{}

// WithAddress is ctx carrying the client's address, for the events recorded while serving it.
func WithAddress(ctx context.Context, address string) context.Context {
	return context.WithValue(ctx, addressKey{}, address)
}

// Note records e for a domain act that has already happened (a phone shown, a user changed):
// a failure to record is logged, not returned, since the act stands. The address comes from
// ctx when e has none. A nil Log records nothing (a service assembled without one, in a test).
func (l *Log) Note(ctx context.Context, e Event) {
	if l == nil {
		return
	}
	if e.Address == "" {
		e.Address, _ = ctx.Value(addressKey{}).(string)
	}
	if err := l.Record(ctx, e); err != nil {
		slog.ErrorContext(ctx, "security audit: not recorded", "kind", e.Kind, "actor", e.Actor, "err", err)
	}
}

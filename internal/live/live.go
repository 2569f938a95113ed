// Package live carries "something changed for you" signals between the system's processes
// (the worker creates a notification; a clerk's open console, served by another process, should
// know at once): Redis pub/sub, fire and forget. A signal lost (Redis down) loses no fact — the
// page reads the truth from PostgreSQL when it next loads; the signal only says when.
package live

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Bus publishes and subscribes to topics, its channels under prefix (deployments and tests
// apart on one Redis).
type Bus struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns the bus on rdb.
func New(rdb redis.UniversalClient, prefix string) *Bus { return &Bus{rdb: rdb, prefix: prefix} }

func (b *Bus) channel(topic string) string { return b.prefix + ":live:" + topic }

// Publish signals topic; an error is the caller's to log, never to fail on.
func (b *Bus) Publish(ctx context.Context, topic string) error {
	if err := b.rdb.Publish(ctx, b.channel(topic), "1").Err(); err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// Subscription receives the signals of its topics on C until Close.
type Subscription struct {
	ps *redis.PubSub
	C  <-chan struct{}
}

// Subscribe listens to topics; it returns once Redis confirmed, so that nothing published
// after it is missed.
func (b *Bus) Subscribe(ctx context.Context, topics ...string) (*Subscription, error) {
	chans := make([]string, len(topics))
	for i, t := range topics {
		chans[i] = b.channel(t)
	}
	// A topic ending in "*" is a pattern (an office hears every region's: its scope holds
	// the sub-regions, and the reader filters by scope when it recounts).
	var ps *redis.PubSub
	if strings.HasSuffix(topics[0], "*") {
		ps = b.rdb.PSubscribe(ctx, chans...)
	} else {
		ps = b.rdb.Subscribe(ctx, chans...)
	}
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("subscribe to %v: %w", topics, err)
	}
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for range ps.Channel() {
			select {
			case out <- struct{}{}:
			default: // one pending signal says it all
			}
		}
	}()
	return &Subscription{ps: ps, C: out}, nil
}

// Close ends the subscription.
func (s *Subscription) Close() error { return s.ps.Close() }

// StaffTopic is the topic of a staff member's notifications; OfficeTopic, of a region's office.
func StaffTopic(staffID int64) string   { return fmt.Sprintf("staff:%d", staffID) }
func OfficeTopic(regionID int64) string { return fmt.Sprintf("office:%d", regionID) }

// AnyOffice is the pattern of every office's topic.
const AnyOffice = "office:*"

package window

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"haochaping/evaluation"
)

// PromptBus carries prompts from the window's business system to the pad's screen through
// Redis: each prompt is published on the pad's own pub/sub channel, for the pad connected
// now, and kept as the pad's pending prompt for as long as it may be shown, for a pad that
// connects (or reconnects) meanwhile. A prompt is also kept by its ID a while longer, so that
// a citizen who began to rate before it lapsed can still send the rating. Redis holds no
// rating: a prompt lost with Redis is asked again at the counter.
type PromptBus struct {
	rdb    redis.UniversalClient
	prefix string // keeps deployments (and tests) apart on one Redis
}

// RatingHold is how long after a prompt lapses a rating begun on it is still accepted.
const RatingHold = 10 * time.Minute

// lastStaffTTL is how long the pad remembers who served last, for its idle screen: a day.
const lastStaffTTL = 24 * time.Hour

// NewPromptBus returns the bus on rdb, its keys under prefix.
func NewPromptBus(rdb redis.UniversalClient, prefix string) *PromptBus {
	return &PromptBus{rdb: rdb, prefix: prefix}
}

func (b *PromptBus) pendingKey(deviceID string) string {
	return b.prefix + ":pad:" + deviceID + ":pending"
}
func (b *PromptBus) staffKey(deviceID string) string { return b.prefix + ":pad:" + deviceID + ":staff" }
func (b *PromptBus) channel(deviceID string) string {
	return b.prefix + ":pad:" + deviceID + ":prompts"
}
func (b *PromptBus) promptKey(id string) string { return b.prefix + ":pad-prompt:" + id }

// Publish sends p to its pad and keeps it pending for ttl, replacing the pad's earlier prompt.
func (b *PromptBus) Publish(ctx context.Context, p *Prompt, ttl time.Duration) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = b.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		tx.Set(ctx, b.pendingKey(p.DeviceID), raw, ttl)
		tx.Set(ctx, b.promptKey(p.ID), raw, ttl+RatingHold)
		if p.ShownStaff != "" {
			staff, _ := json.Marshal(evaluation.StaffRef{No: p.ShownStaff, Name: p.StaffName})
			tx.Set(ctx, b.staffKey(p.DeviceID), staff, lastStaffTTL)
		}
		tx.Publish(ctx, b.channel(p.DeviceID), raw)
		return nil
	})
	if err != nil {
		return fmt.Errorf("publish prompt to %s: %w", p.DeviceID, err)
	}
	return nil
}

// Pending is the pad's prompt not yet rated nor lapsed, and how long it may still be shown;
// nil when there is none.
func (b *PromptBus) Pending(ctx context.Context, deviceID string) (*Prompt, time.Duration, error) {
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, b.pendingKey(deviceID))
		ttl = p.PTTL(ctx, b.pendingKey(deviceID))
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("pending prompt of %s: %w", deviceID, err)
	}
	p, err := decodePrompt(get.Val())
	if err != nil || ttl.Val() <= 0 {
		return nil, 0, err
	}
	return p, ttl.Val(), nil
}

// Prompt is the prompt id sent to deviceID, while a rating of it is accepted; nil when there
// is none (lapsed, or another pad's).
func (b *PromptBus) Prompt(ctx context.Context, deviceID, id string) (*Prompt, error) {
	if id == "" || len(id) > 64 {
		return nil, nil
	}
	raw, err := b.rdb.Get(ctx, b.promptKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("prompt %s: %w", id, err)
	}
	p, err := decodePrompt(raw)
	if err != nil || p.DeviceID != deviceID {
		return nil, err
	}
	return p, nil
}

// doneScript drops the pad's pending prompt if it is still the one rated (a newer one stays).
var doneScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).id == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// Done marks prompt id of deviceID rated: a pad that reconnects is not shown it again. The
// prompt stays readable by its ID, so that the same rating sent again is answered as the
// duplicate it is.
func (b *PromptBus) Done(ctx context.Context, deviceID, id string) error {
	if err := doneScript.Run(ctx, b.rdb, []string{b.pendingKey(deviceID)}, id).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("prompt %s done: %w", id, err)
	}
	return nil
}

// LastStaff is the staff member the pad's last prompt named, if within a day; nil otherwise.
func (b *PromptBus) LastStaff(ctx context.Context, deviceID string) (*evaluation.StaffRef, error) {
	raw, err := b.rdb.Get(ctx, b.staffKey(deviceID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last staff of %s: %w", deviceID, err)
	}
	var s evaluation.StaffRef
	if err := json.Unmarshal(raw, &s); err != nil || s.No == "" {
		return nil, nil
	}
	return &s, nil
}

// PromptSubscription is a pad's stream of prompts as they are published.
type PromptSubscription struct {
	ps *redis.PubSub
	C  <-chan *Prompt
}

// Subscribe listens for deviceID's prompts. It returns once Redis has confirmed the
// subscription, so that a prompt published after it is not missed: read Pending after
// Subscribe, and a prompt published in between comes twice (the pad knows it by its ID).
func (b *PromptBus) Subscribe(ctx context.Context, deviceID string) (*PromptSubscription, error) {
	ps := b.rdb.Subscribe(ctx, b.channel(deviceID))
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("subscribe to the prompts of %s: %w", deviceID, err)
	}
	out := make(chan *Prompt, 4)
	go func() {
		defer close(out)
		for m := range ps.Channel() {
			if p, err := decodePrompt(m.Payload); err == nil {
				select {
				case out <- p:
				default: // a pad far behind gets the pending prompt when it catches up
				}
			}
		}
	}()
	return &PromptSubscription{ps: ps, C: out}, nil
}

// Close ends the subscription; C is closed.
func (s *PromptSubscription) Close() error { return s.ps.Close() }

func decodePrompt(raw string) (*Prompt, error) {
	var p Prompt
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, fmt.Errorf("decode prompt: %w", err)
	}
	return &p, nil
}

// Package ratelimit is the budget of requests of the public endpoints: per device (its
// correctly signed requests) and per client address (the citizens' pages, the pairing and the
// signed APIs). The counts live in Redis, GCRA by github.com/go-redis/redis_rate, so every
// instance of the system shares them.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"haochaping/internal/problem"
)

// Limiter counts requests against the configured budgets. A nil *Limiter limits nothing.
type Limiter struct {
	limiter *redis_rate.Limiter
	prefix  string
	device  redis_rate.Limit
	address redis_rate.Limit
	log     *slog.Logger
}

// New makes a limiter over rdb; prefix keeps deployments sharing one Redis apart. perDevice
// and perAddress are requests a minute, 0 for none; a whole minute's budget may come at once
// (a kiosk or backend sending its backlog after an outage).
func New(rdb redis.UniversalClient, prefix string, perDevice, perAddress int, log *slog.Logger) *Limiter {
	if log == nil {
		log = slog.Default()
	}
	perMinute := func(n int) redis_rate.Limit { return redis_rate.Limit{Rate: n, Burst: n, Period: time.Minute} }
	return &Limiter{limiter: redis_rate.NewLimiter(rdb), prefix: prefix, device: perMinute(perDevice),
		address: perMinute(perAddress), log: log}
}

// Device takes one request from the device's budget: a 429 rate_limited *problem.Error when
// it is spent.
func (l *Limiter) Device(ctx context.Context, deviceID string) error {
	if l == nil {
		return nil
	}
	return l.take(ctx, "device:"+deviceID, l.device)
}

// Address takes one request from the client address's budget.
func (l *Limiter) Address(ctx context.Context, addr string) error {
	if l == nil {
		return nil
	}
	return l.take(ctx, "address:"+addr, l.address)
}

func (l *Limiter) take(ctx context.Context, key string, limit redis_rate.Limit) error {
	if limit.Rate <= 0 {
		return nil
	}
	res, err := l.limiter.Allow(ctx, l.prefix+":"+key, limit)
	if err != nil {
		// Open on a Redis failure: ratings and cases must not be lost because the counter is
		// unreachable (the queue behind them reports its own outage).
		l.log.Warn("rate limit unavailable, request let through", "key", key, "err", err)
		return nil
	}
	if res.Allowed > 0 {
		return nil
	}
	return Refusal(res.RetryAfter)
}

// Refusal is the answer to a spent budget: 429 rate_limited, to try again after wait (whole
// seconds, at least one).
func Refusal(wait time.Duration) *problem.Error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return problem.TooManyRequests("rate_limited", fmt.Sprintf("一分钟内来自同一网络地址或同一设备的请求过多，请 %d 秒后再试。", secs),
		time.Duration(secs)*time.Second)
}

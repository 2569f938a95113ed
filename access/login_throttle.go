package access

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"haochaping/internal/problem"
)

// LoginLimits say how many failed logins lock an account or a client address, and for how long.
type LoginLimits struct {
	PerAccount int           // failures that lock an account; 5 when zero
	PerAddress int           // failures from one address that lock it; 30 when zero
	Lockout    time.Duration // the first lockout; each further failure doubles it; 1 minute when zero
	MaxLockout time.Duration // the longest lockout; 1 hour when zero
	Memory     time.Duration // how long failures are remembered after the last; 1 hour when zero
}

func (l LoginLimits) withDefaults() LoginLimits {
	if l.PerAccount <= 0 {
		l.PerAccount = 5
	}
	if l.PerAddress <= 0 {
		l.PerAddress = 30
	}
	if l.Lockout <= 0 {
		l.Lockout = time.Minute
	}
	if l.MaxLockout <= 0 {
		l.MaxLockout = time.Hour
	}
	if l.Memory <= 0 {
		l.Memory = time.Hour
	}
	return l
}

// LoginThrottle counts failed logins per account and per client address in Redis, so that every
// instance of the server sees the same counts. Plain Redis (one small Lua script) rather than a
// rate-limit library: what is needed is a failure counter with a lockout that doubles, which a
// token bucket (redis_rate) does not express. The lockout's end is stored as an instant of Now,
// so that a test's clock drives it; the keys' TTLs only clean up.
type LoginThrottle struct {
	Redis  redis.UniversalClient
	Prefix string // keeps deployments apart on one Redis (the queue prefix)
	Limits LoginLimits
	Now    func() time.Time // the machine's clock when nil
}

func (t *LoginThrottle) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

func (t *LoginThrottle) accountKey(username string) string {
	if len(username) > 64 { // no such user exists (32 at most): the prefix is enough to count
		username = username[:64]
	}
	return t.Prefix + ":login-failures:account:" + username
}

func (t *LoginThrottle) addressKey(address string) string {
	return t.Prefix + ":login-failures:address:" + address
}

// newThrottled is 429 login_throttled with the time to wait, which the error handler sends as
// Retry-After like every other problem's.
func newThrottled(retry time.Duration) error {
	minutes := int(math.Ceil(retry.Minutes()))
	return problem.TooManyRequests("login_throttled", fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试", minutes), retry)
}

// RetryAfter is how long a throttled login must wait; false when err is not a throttled login.
func RetryAfter(err error) (time.Duration, bool) {
	if p, ok := problem.As(err); ok && p.Code == "login_throttled" {
		return p.RetryAfter, true
	}
	return 0, false
}

// unavailable is a login that cannot be counted because Redis is down: refused with 503
// login_unavailable rather than let through uncounted — the limit on guessing is the control, and
// an outage of Redis must not switch it off. Sessions already open keep working (they live in
// PostgreSQL). The cause stays in the error for the log.
func unavailable(what string, err error) error {
	return fmt.Errorf("%s: %w", what, errors.Join(
		problem.Unavailable("login_unavailable", "登录服务暂时不可用，请稍后再试"), err))
}

// lockedFor is how long the account or the address is still locked; zero when neither is.
func (t *LoginThrottle) lockedFor(ctx context.Context, username, address string) (time.Duration, error) {
	keys := []string{t.accountKey(username)}
	if address != "" {
		keys = append(keys, t.addressKey(address))
	}
	pipe := t.Redis.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.HGet(ctx, k, "until")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, unavailable("read login lockouts", err)
	}
	now := t.now().UnixMilli()
	var longest int64
	for _, c := range cmds {
		until, err := strconv.ParseInt(c.Val(), 10, 64)
		if err == nil && until-now > longest {
			longest = until - now
		}
	}
	return time.Duration(longest) * time.Millisecond, nil
}

// countFailure adds a failure to the key and locks it when the limit is reached: the first
// lockout is Lockout, each failure after doubles it, up to MaxLockout.
var countFailure = redis.NewScript(`
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local now, limit, base, max, memory = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if n >= limit then
  local lock = base * 2 ^ math.min(n - limit, 40)
  if lock > max then lock = max end
  untilAt = now + lock
  redis.call('HSET', KEYS[1], 'until', string.format('%d', untilAt))
end
redis.call('PEXPIRE', KEYS[1], memory + math.max(0, untilAt - now))
return n
`)

// failed records a failed attempt: against the account when it was a wrong password (not when
// the account was already locked), and against the address always.
func (t *LoginThrottle) failed(ctx context.Context, username, address string, wrongPassword bool) error {
	l := t.Limits.withDefaults()
	args := func(limit int) []any {
		return []any{t.now().UnixMilli(), limit, l.Lockout.Milliseconds(), l.MaxLockout.Milliseconds(), l.Memory.Milliseconds()}
	}
	if wrongPassword {
		if err := countFailure.Run(ctx, t.Redis, []string{t.accountKey(username)}, args(l.PerAccount)...).Err(); err != nil {
			return unavailable("count login failure of "+username, err)
		}
	}
	if address != "" {
		if err := countFailure.Run(ctx, t.Redis, []string{t.addressKey(address)}, args(l.PerAddress)...).Err(); err != nil {
			return unavailable("count login failure from "+address, err)
		}
	}
	return nil
}

// succeeded forgets the account's failures; the address's stay (one good password must not
// reset a guesser's count over many accounts).
func (t *LoginThrottle) succeeded(ctx context.Context, username string) error {
	if err := t.Redis.Del(ctx, t.accountKey(username)).Err(); err != nil {
		return unavailable("reset login failures of "+username, err)
	}
	return nil
}

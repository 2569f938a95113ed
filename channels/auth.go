package channels

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/internal/ratelimit"
	"haochaping/internal/replay"
)

// Authenticator checks the signature of each request against the device's secret.
type Authenticator struct {
	Devices *Devices
	MaxSkew time.Duration    // how far X-Timestamp may be from the server's clock
	Now     func() time.Time // the clock; time.Now when nil
	// Limit is the budget of the signed endpoints: per client address before the signature is
	// checked (a flood costs one Redis call, not a lookup and an HMAC), per device after it (so
	// that nobody spends a device's budget with requests it did not sign). nil: no limits.
	Limit *ratelimit.Limiter
}

// Verify authenticates one request. Every refusal is a 401 *problem.Error with its code:
// signature_missing, signature_invalid, device_disabled, timestamp_skewed, signature_replayed.
//
// An unknown device, a demo device while demo mode is off (Devices.RefuseDemo) and a wrong
// signature get the same answer, signature_invalid, after the same work (an HMAC against a
// dummy secret when there is no usable one): a caller without the secret learns nothing of
// which device IDs exist. device_disabled is told only to a caller whose signature is right:
// it holds the device's secret, so it knew the device already.
func (a *Authenticator) Verify(ctx context.Context, deviceID, timestamp, signature, method, path string, body []byte) (*Device, error) {
	dev, _, err := a.verify(ctx, deviceID, timestamp, signature, method, path, body, false)
	return dev, err
}

// verify is Verify; with deferRecord, the signature is not recorded but returned, for the
// rating's own commit to record (package replay).
func (a *Authenticator) verify(ctx context.Context, deviceID, timestamp, signature, method, path string, body []byte, deferRecord bool) (*Device, *replay.Mark, error) {
	if deviceID == "" || timestamp == "" || signature == "" {
		return nil, nil, problem.Unauthorized("signature_missing", "缺少签名：请求须带 X-Device-ID、X-Timestamp 和 X-Signature")
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return nil, nil, problem.Unauthorized("timestamp_skewed", "X-Timestamp 须为 Unix 秒数")
	}
	dev, err := a.Devices.Lookup(ctx, deviceID)
	if err != nil {
		return nil, nil, err
	}
	usable := dev != nil && a.Devices.Admits(dev)
	secret := dummySecret
	if usable {
		secret = dev.secret
	}
	if !signatureMatches(secret, ts, method, path, body, strings.ToLower(signature)) || !usable {
		return nil, nil, errSignatureInvalid()
	}
	if !dev.Enabled {
		return nil, nil, problem.Unauthorized("device_disabled", "设备已停用")
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	if d := now().Sub(time.Unix(ts, 0)); d > a.MaxSkew || d < -a.MaxSkew {
		return nil, nil, problem.Unauthorized("timestamp_skewed",
			fmt.Sprintf("X-Timestamp 与服务器时间相差超过 %d 秒，请校准设备时钟", int(a.MaxSkew.Seconds())))
	}
	sig, _ := hex.DecodeString(strings.ToLower(signature))
	mark := replay.Mark{DeviceID: dev.ID, Signature: sig}
	if deferRecord {
		return dev, &mark, nil
	}
	if err := replay.Record(ctx, a.Devices.DB.Pool, mark); err != nil {
		return nil, nil, err
	}
	return dev, nil, nil
}

// PruneSignatures forgets signatures too old to be accepted anyway.
func (a *Authenticator) PruneSignatures(ctx context.Context) error {
	return replay.Prune(ctx, a.Devices.DB.Pool, 2*a.MaxSkew+time.Minute)
}

// dummySecret is what the signature of an unknown device is checked against, so that its
// refusal costs the same HMAC as a wrong signature's. No device can have it: secrets are hex.
const dummySecret = "no device has this secret"

func errSignatureInvalid() error {
	return problem.Unauthorized("signature_invalid", "设备未登记或签名不正确")
}

type deviceKey struct{}

// Require is middleware that admits only signed requests from devices of the given channels.
// Each signature is recorded, in a commit of its own, before the handler runs.
func (a *Authenticator) Require(channels ...string) fiber.Handler {
	return a.require(false, channels)
}

// RequireRating is Require for an endpoint that takes one rating: the signature is not
// recorded here but handed to the rating's own commit (ReplayMark), so that the request costs
// one durable write. A replay is refused there, with the same signature_replayed.
func (a *Authenticator) RequireRating(channels ...string) fiber.Handler {
	return a.require(true, channels)
}

func (a *Authenticator) require(deferRecord bool, channels []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := a.Limit.Address(c.UserContext(), c.IP()); err != nil {
			return err
		}
		dev, mark, err := a.verify(c.UserContext(), c.Get(HeaderDeviceID), c.Get(HeaderTimestamp), c.Get(HeaderSignature),
			c.Method(), c.Path(), c.Body(), deferRecord)
		if err != nil {
			return err
		}
		allowed := false
		for _, ch := range channels {
			allowed = allowed || dev.Channel == ch
		}
		if !allowed {
			return problem.Forbidden("device_channel_mismatch",
				fmt.Sprintf("该设备登记为 %s 渠道，不能调用此接口", dev.Channel))
		}
		if err := a.Limit.Device(c.UserContext(), dev.ID); err != nil {
			return err
		}
		c.Locals(deviceKey{}, dev)
		if mark != nil {
			c.Locals(markKey{}, mark)
		}
		return c.Next()
	}
}

type markKey struct{}

// ReplayMark is the signature of a request admitted by RequireRating, for the rating's commit
// to record; nil after Require.
func ReplayMark(c *fiber.Ctx) *replay.Mark {
	m, _ := c.Locals(markKey{}).(*replay.Mark)
	return m
}

// DeviceOf returns the device that signed the request.
func DeviceOf(c *fiber.Ctx) *Device {
	dev, _ := c.Locals(deviceKey{}).(*Device)
	return dev
}

package channels

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// PairingTTL is how long a pairing code may be entered.
const PairingTTL = 15 * time.Minute

// pairingAlphabet is Crockford's base 32: no I, L, O or U to misread. Ten of them are 50 bits,
// beyond guessing within a code's quarter of an hour.
const pairingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// PairingCode is a code the office shows for a device, to be entered once on its pad or kiosk.
type PairingCode struct {
	Code      string    `json:"code"` // grouped for reading: 4-3-3 characters
	DeviceID  string    `json:"device_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// NewPairingCode makes a pairing code for a pad (channel window) or a kiosk. A new code
// replaces the device's codes not yet used.
func (d *Devices) NewPairingCode(ctx context.Context, deviceID string, now time.Time) (*PairingCode, error) {
	dev, err := d.Lookup(ctx, deviceID)
	if err != nil {
		return nil, err
	}
	switch {
	case dev == nil:
		return nil, problem.NotFound("device_not_found", "设备不存在："+deviceID)
	case dev.Channel != "window" && dev.Channel != "kiosk":
		return nil, problem.Invalid("not_pairable", "device", "只有窗口评价器和自助终端需要配对")
	case !dev.Enabled:
		return nil, problem.Conflict("device_disabled", "设备已停用，请先启用")
	}
	raw := make([]byte, 10)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	for i, b := range raw {
		raw[i] = pairingAlphabet[int(b)%len(pairingAlphabet)]
	}
	code := string(raw)
	exp := now.Add(PairingTTL)
	err = pgx.BeginFunc(ctx, d.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM device_pairings WHERE device_id = $1 AND used_at IS NULL`, deviceID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO device_pairings (code_hash, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashSecret(code), deviceID, now, exp)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pairing code for %s: %w", deviceID, err)
	}
	return &PairingCode{Code: code[:4] + "-" + code[4:7] + "-" + code[7:], DeviceID: deviceID, ExpiresAt: exp}, nil
}

// NormalizePairingCode reads a code as people type it: any case, with or without dashes and
// spaces, O for 0 and I or L for 1.
func NormalizePairingCode(s string) string {
	s = strings.ToUpper(s)
	s = strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(s)
	return s
}

// Pair uses a pairing code: the browser that entered it gets a device session for the device,
// whose other sessions end (a pad replaced, or stolen, is cut off by pairing its successor).
// The token is returned once, for the cookie.
func (d *Devices) Pair(ctx context.Context, code, userAgent string, now time.Time) (string, *Device, error) {
	code = NormalizePairingCode(code)
	refused := problem.Invalid("pairing_code_invalid", "code", "配对码不正确或已过期，请向管理员重新获取")
	if len(code) != 10 {
		return "", nil, refused
	}
	token := randomToken()
	var deviceID string
	err := pgx.BeginFunc(ctx, d.DB.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			UPDATE device_pairings SET used_at = $2
			WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
			RETURNING device_id`, hashSecret(code), now).Scan(&deviceID)
		if errors.Is(err, pgx.ErrNoRows) {
			return refused
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE device_sessions SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL`, deviceID, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO device_sessions (token_hash, device_id, user_agent, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)`,
			hashSecret(token), deviceID, truncateUA(userAgent), now)
		return err
	})
	if err != nil {
		if _, ok := problem.As(err); ok {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("pair a device: %w", err)
	}
	dev, err := d.Lookup(ctx, deviceID)
	if err != nil {
		return "", nil, err
	}
	return token, dev, nil
}

// SessionDevice is the device of a session token; nil when the token is unknown, revoked, or
// its device disabled (or a demo device out of demo mode). It notes when the device was last seen (at most once a minute).
func (d *Devices) SessionDevice(ctx context.Context, token string, now time.Time) (*Device, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	var deviceID string
	var seen time.Time
	err := d.DB.Pool.QueryRow(ctx, `
		SELECT s.device_id, s.last_seen_at FROM device_sessions s JOIN devices d ON d.id = s.device_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND d.enabled AND NOT (d.demo AND $2)`,
		hashSecret(token), d.RefuseDemo).Scan(&deviceID, &seen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("device session: %w", err)
	}
	if now.Sub(seen) > time.Minute {
		if _, err := d.DB.Pool.Exec(ctx, `UPDATE device_sessions SET last_seen_at = $2 WHERE token_hash = $1`, hashSecret(token), now); err != nil {
			return nil, fmt.Errorf("device session: %w", err)
		}
	}
	return d.Lookup(ctx, deviceID)
}

func hashSecret(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func truncateUA(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return strings.ToValidUTF8(s, "")
}

package access

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"haochaping/internal/problem"
)

// The second factor is TOTP (RFC 6238) as every authenticator app knows it: SHA-1, six digits,
// a 30-second step (github.com/pquerna/otp computes the codes). A code is accepted from one step
// before to one step after the clock's (skew of ±30 s between the phone and the server), and
// once: user_totp.last_step is the step of the last code taken, and a code of that step or an
// earlier one is refused as a replay, even within its 30 seconds.

// TOTPIssuer names the system in the authenticator app.
const TOTPIssuer = "好差评"

const (
	totpPeriod = 30
	totpSkew   = 1 // steps either side of now
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPCode is the code of secret (base32) at t, as an authenticator app shows it: for tests
// and nothing else, since the server never needs to show a code.
func TOTPCode(secret string, t time.Time) string {
	code, err := totp.GenerateCodeCustom(secret, t, totpOpts)
	if err != nil {
		panic(fmt.Errorf("totp code: %w", err)) // only a secret that is not base32
	}
	return code
}

// NeedsSecondFactor reports whether a login of this role must have a second factor when the
// deployment requires one (HAOCHAPING_TOTP_REQUIRED): those who reach the whole city's data.
func (r Role) NeedsSecondFactor() bool { return r == OfficeAdmin || r == Auditor }

func errTOTPInvalid() error {
	return problem.Unauthorized("totp_invalid", "验证码不正确").WithField("code", "验证码不正确，请输入验证器上当前显示的 6 位数字")
}

func errTOTPReplayed() error {
	msg := "该验证码已使用过，请等验证器显示下一个验证码后再输入"
	return problem.Unauthorized("totp_replayed", msg).WithField("code", msg)
}

func errCodeRequired() error {
	return problem.Invalid("code_required", "code", "请输入验证器上的 6 位验证码")
}

// codeKind tells a six-digit code from a recovery code in what the user typed; "" for neither.
func codeKind(typed string) (kind, code string) {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		return r
	}, strings.TrimSpace(typed))
	if len(s) == 6 && strings.Trim(s, "0123456789") == "" {
		return "totp", s
	}
	if rc := normaliseRecoveryCode(s); rc != "" {
		return "recovery", rc
	}
	return "", ""
}

// newTOTPKey makes a fresh secret (160 bits, base32) for username, with the otpauth:// URL the QR
// code carries.
func newTOTPKey(username string) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: username, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("new totp secret: %w", err)
	}
	return key, nil
}

// totpKeyURL is the otpauth:// URL of an existing secret, for the QR code.
func totpKeyURL(username, secret string) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: username, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Secret: mustBase32(secret)})
	if err != nil {
		return "", fmt.Errorf("totp url: %w", err)
	}
	return key.URL(), nil
}

// matchingStep is the time step, within the skew around now, whose code is code; ok false when
// none is. Every step in the window is compared (in constant time), so the time taken says
// nothing about which matched.
func matchingStep(secret, code string, now time.Time) (step int64, ok bool) {
	current := now.Unix() / totpPeriod
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}

// acceptStep takes a code of step for the user: it moves last_step on, in one statement, only
// when step is later, so that of two logins racing with one code a single one wins. 401
// totp_replayed when the step was already used.
func acceptStep(ctx context.Context, q execer, userID, step int64) error {
	tag, err := q.Exec(ctx, `UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
	if err != nil {
		return fmt.Errorf("accept totp step: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return errTOTPReplayed()
	}
	return nil
}

// userSecret opens the user's sealed secret; ok false when the user has none.
func (u *Users) userSecret(ctx context.Context, userID int64) (secret string, ok bool, err error) {
	var sealed []byte
	err = u.DB.Pool.QueryRow(ctx, `SELECT secret_sealed FROM user_totp WHERE user_id = $1`, userID).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read totp secret: %w", err)
	}
	keys, err := u.keys()
	if err != nil {
		return "", false, err
	}
	secret, err = keys.Open(sealed)
	if err != nil {
		return "", false, fmt.Errorf("open totp secret of user %d: %w", userID, err)
	}
	return secret, true, nil
}

// verifySecondFactor checks what the user typed — a six-digit code or a recovery code —
// against their enrolled factor, and spends it: the code's step, or the recovery code. It
// reports whether a recovery code was used. 422 code_required; 401 totp_invalid, totp_replayed.
func (u *Users) verifySecondFactor(ctx context.Context, userID int64, typed string) (recovery bool, err error) {
	if strings.TrimSpace(typed) == "" {
		return false, errCodeRequired()
	}
	kind, code := codeKind(typed)
	switch kind {
	case "totp":
		secret, ok, err := u.userSecret(ctx, userID)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, errTOTPInvalid()
		}
		step, ok := matchingStep(secret, code, u.now())
		if !ok {
			return false, errTOTPInvalid()
		}
		return false, acceptStep(ctx, u.DB.Pool, userID, step)
	case "recovery":
		if err := u.spendRecoveryCode(ctx, userID, code); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, errTOTPInvalid()
}

// countSecondFactorFailure counts a wrong code as a failed login (the Throttle) and logs it, so
// that six digits are no easier to guess than a password.
func (u *Users) countSecondFactorFailure(ctx context.Context, username, address string, err error) error {
	if p, ok := problem.As(err); !ok || p.Status != 401 {
		return nil
	}
	u.logRefusal(ctx, "second factor refused", username, address)
	if u.Throttle == nil {
		return nil
	}
	if ferr := u.Throttle.failed(ctx, username, address, true); ferr != nil {
		return fmt.Errorf("second factor: %w", ferr)
	}
	return nil
}

// throttled refuses with 429 login_throttled while the account or the address is locked.
func (u *Users) throttled(ctx context.Context, username, address string) error {
	if u.Throttle == nil {
		return nil
	}
	wait, err := u.Throttle.lockedFor(ctx, username, address)
	if err != nil {
		return fmt.Errorf("second factor: %w", err)
	}
	if wait > 0 {
		u.logRefusal(ctx, "second factor throttled", username, address)
		return newThrottled(wait)
	}
	return nil
}

package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

func errWrongPassword() error {
	return problem.Unauthorized("wrong_password", "当前密码不正确").WithField("current", "当前密码不正确")
}

// ChangePassword sets the user's own password, after checking the current one, and ends the
// user's other sessions (a password changed because it leaked must shut out whoever has it);
// the session of keepToken, the one making the change, stays. A wrong current password counts
// as a failed login (the Throttle): this is no side door for guessing. 401 wrong_password;
// 422 weak_password, password_too_long (a new password equal to the current one is weak);
// 429 login_throttled.
func (u *Users) ChangePassword(ctx context.Context, address string, user *User, keepToken, current, next string) error {
	if u.Throttle != nil {
		wait, err := u.Throttle.lockedFor(ctx, user.Username, address)
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		if wait > 0 {
			u.logRefusal(ctx, "password change throttled", user.Username, address)
			return newThrottled(wait)
		}
	}
	var hash string
	err := u.DB.Pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1 AND active`, user.ID).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return errUnauthenticated("登录已失效，请重新登录")
	}
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if len(current) > 72 || !passwordMatches(hash, current) {
		u.logRefusal(ctx, "password change refused: wrong current password", user.Username, address)
		if u.Throttle != nil {
			if err := u.Throttle.failed(ctx, user.Username, address, true); err != nil {
				return fmt.Errorf("change password: %w", err)
			}
		}
		return errWrongPassword()
	}
	if err := checkPasswordRules(user.Username, next); err != nil {
		if p, ok := problem.As(err); ok { // the request names the new password "new"
			return problem.Invalid(p.Code, "new", p.Message)
		}
		return err
	}
	if next == current {
		return problem.Invalid("weak_password", "new", "新密码不能与当前密码相同")
	}
	newHash, err := hashPassword(next, u.cost())
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	_, err = u.DB.Pool.Exec(ctx, `
		WITH changed AS (UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING id)
		DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed) AND token_hash <> $3`,
		user.ID, newHash, tokenHash(keepToken))
	if err != nil {
		return fmt.Errorf("change password of %s: %w", user.Username, err)
	}
	return nil
}

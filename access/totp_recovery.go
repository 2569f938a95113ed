package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// Recovery codes stand in for the authenticator app when the phone is lost: ten of them, shown
// once when made, each good for one login. They are stored only as SHA-256 hashes. Not keyed with
// the data key: `haochaping keys rotate` could not rehash them (their clear text is gone), and
// the codes would die with the previous key. 16 random characters (79 bits) make trying them
// offline against a copy of the database hopeless without a key.

// RecoveryCodeCount is how many recovery codes a user gets at a time.
const RecoveryCodeCount = 10

// recoveryAlphabet has no characters people confuse when typing from paper (0 o, 1 l i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

const recoveryLength = 16 // 79 bits each

// newRecoveryCodes returns RecoveryCodeCount random codes, written "abcd-efgh-jkmn-pqrs".
func newRecoveryCodes() []string {
	const limit = 256 / len(recoveryAlphabet) * len(recoveryAlphabet)
	codes := make([]string, 0, RecoveryCodeCount)
	buf := make([]byte, 4*recoveryLength)
	for len(codes) < RecoveryCodeCount {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		var b []byte
		for _, x := range buf {
			if int(x) < limit && len(b) < recoveryLength {
				b = append(b, recoveryAlphabet[int(x)%len(recoveryAlphabet)])
			}
		}
		if len(b) == recoveryLength {
			codes = append(codes, string(b[:4])+"-"+string(b[4:8])+"-"+string(b[8:12])+"-"+string(b[12:]))
		}
	}
	return codes
}

// normaliseRecoveryCode is a typed recovery code without its dash and spaces, in lower case;
// "" when it cannot be one.
func normaliseRecoveryCode(s string) string {
	s = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != recoveryLength || strings.Trim(s, recoveryAlphabet) != "" {
		return ""
	}
	return s
}

func (u *Users) recoveryHash(code string) ([]byte, error) {
	h := sha256.Sum256([]byte("haochaping totp-recovery\x00" + normaliseRecoveryCode(code)))
	return h[:16], nil
}

// replaceRecoveryCodes makes new codes for the user, in tx, and drops the old ones.
func (u *Users) replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, userID int64) ([]string, error) {
	codes := newRecoveryCodes()
	if _, err := tx.Exec(ctx, `DELETE FROM totp_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, fmt.Errorf("replace recovery codes: %w", err)
	}
	for _, c := range codes {
		h, err := u.recoveryHash(c)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return nil, fmt.Errorf("store recovery code: %w", err)
		}
	}
	return codes, nil
}

// spendRecoveryCode marks the user's unused recovery code used, in one statement, so that two
// logins racing with it do not both pass. 401 totp_invalid when it is not one of theirs or was
// used already (the same answer: either way it does not open the account).
func (u *Users) spendRecoveryCode(ctx context.Context, userID int64, code string) error {
	h, err := u.recoveryHash(code)
	if err != nil {
		return err
	}
	tag, err := u.DB.Pool.Exec(ctx, `UPDATE totp_recovery_codes SET used_at = $3
		WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, h, u.now())
	if err != nil {
		return fmt.Errorf("spend recovery code: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return problem.Unauthorized("totp_invalid", "恢复码不正确或已使用过").WithField("code", "恢复码不正确或已使用过")
	}
	return nil
}

// TOTPStatus is what a user sees of their own second factor.
type TOTPStatus struct {
	Enrolled     bool
	EnrolledAt   time.Time
	RecoveryLeft int  // recovery codes not yet used
	Required     bool // the login must have a second factor (its role, and the deployment's setting)
}

// SecondFactorStatus says whether the user has a second factor, since when, and how many of
// their recovery codes are left.
func (u *Users) SecondFactorStatus(ctx context.Context, user *User) (TOTPStatus, error) {
	st := TOTPStatus{Required: u.TOTPRequired && user.Role.NeedsSecondFactor()}
	var at *time.Time
	err := u.DB.Pool.QueryRow(ctx, `
		SELECT (SELECT enrolled_at FROM user_totp WHERE user_id = $1),
		       (SELECT count(*) FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL)`, user.ID).
		Scan(&at, &st.RecoveryLeft)
	if err != nil {
		return st, fmt.Errorf("second factor status: %w", err)
	}
	if at != nil {
		st.Enrolled, st.EnrolledAt = true, *at
		st.Required = true
	}
	return st, nil
}

// RegenerateRecoveryCodes replaces the user's recovery codes with ten new ones, returned this
// once, after a current code of their authenticator (a recovery code will not do: it must be
// the person with the phone). A wrong code counts as a failed login. 409 totp_not_enrolled;
// 422 code_required; 401 totp_invalid, totp_replayed; 429 login_throttled.
func (u *Users) RegenerateRecoveryCodes(ctx context.Context, address string, user *User, typed string) ([]string, error) {
	if err := u.throttled(ctx, user.Username, address); err != nil {
		return nil, err
	}
	if kind, _ := codeKind(typed); kind == "recovery" {
		return nil, errTOTPInvalid()
	}
	if _, ok, err := u.userSecret(ctx, user.ID); err != nil {
		return nil, err
	} else if !ok {
		return nil, problem.Conflict("totp_not_enrolled", "尚未设置双因素认证")
	}
	if _, err := u.verifySecondFactor(ctx, user.ID, typed); err != nil {
		if ferr := u.countSecondFactorFailure(ctx, user.Username, address, err); ferr != nil {
			return nil, ferr
		}
		return nil, err
	}
	var codes []string
	err := pgx.BeginFunc(ctx, u.DB.Pool, func(tx pgx.Tx) error {
		var err error
		codes, err = u.replaceRecoveryCodes(ctx, tx, user.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

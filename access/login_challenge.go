package access

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"haochaping/internal/pii"
	"haochaping/internal/problem"
)

// A login with a second factor takes two steps. The password step (StartLogin) issues no
// session: it opens a login challenge, a row of login_challenges bound to the user, good for
// ChallengeTTL and for one thing — entering the code (SecondFactorCode), or enrolling
// (SecondFactorEnroll, whose new secret the row keeps sealed). A row rather than a signed
// cookie because it can be spent exactly once (deleted by the step that completes it), ended by
// an administrator's reset, and carried alike by the pages (in a cookie) and the API (in the
// body). Only the token's SHA-256 is stored, as for sessions. The challenge authenticates
// nothing else: Session never reads this table.

// ChallengeTTL is how long the second step may wait after the password.
const ChallengeTTL = 5 * time.Minute

// SecondFactor is what a correct password still needs.
type SecondFactor string

// The second steps.
const (
	SecondFactorNone   SecondFactor = ""
	SecondFactorCode   SecondFactor = "totp"   // enrolled: the code of the authenticator app
	SecondFactorEnroll SecondFactor = "enroll" // required but not enrolled: set up the app first
)

// LoginResult is a login's outcome: a full session (Token, User, Expires), or, when
// SecondFactor is set, the challenge for the second step.
type LoginResult struct {
	Token   string
	User    *User
	Expires time.Time

	SecondFactor     SecondFactor
	Challenge        string // the challenge's token, returned this once
	ChallengeExpires time.Time

	RecoveryUsed bool // the second step spent a recovery code
}

func errChallengeInvalid() error {
	return problem.Unauthorized("challenge_invalid", "登录已超时或已失效，请重新输入用户名和密码")
}

func errSecondFactorRequired() error {
	return problem.Unauthorized("totp_required", "该账号须输入双因素认证的验证码")
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (u *Users) keys() (*pii.Keys, error) {
	if u.Keys == nil {
		return nil, errors.New("access: a second factor needs the data key (Users.Keys)")
	}
	return u.Keys, nil
}

var base32NoPadding = base32.StdEncoding.WithPadding(base32.NoPadding)

func mustBase32(secret string) []byte {
	b, err := base32NoPadding.DecodeString(secret)
	if err != nil {
		panic(fmt.Errorf("totp secret is not base32: %w", err))
	}
	return b
}

// StartLogin checks the password as LoginFrom does (the same refusals, the same throttle) and
// then opens a session, or, for a login that has or must have a second factor, a challenge
// for it instead. The account's failure count is forgotten only once the login is complete.
func (u *Users) StartLogin(ctx context.Context, address, username, password string) (*LoginResult, error) {
	username = normaliseUsername(username)
	id, err := u.passwordStep(ctx, address, username, password)
	if err != nil {
		return nil, err
	}
	user, err := u.get(ctx, "u.id = $1", id)
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	need := SecondFactorNone
	switch {
	case user.TOTPEnrolled:
		need = SecondFactorCode
	case u.TOTPRequired && user.Role.NeedsSecondFactor():
		need = SecondFactorEnroll
	}
	if need == SecondFactorNone {
		return u.completeLogin(ctx, username, id, false)
	}
	token, expires, err := u.openChallenge(ctx, user, need)
	if err != nil {
		return nil, err
	}
	return &LoginResult{User: user, SecondFactor: need, Challenge: token, ChallengeExpires: expires}, nil
}

// completeLogin forgets the account's failures and opens the session.
func (u *Users) completeLogin(ctx context.Context, username string, id int64, recovery bool) (*LoginResult, error) {
	if u.Throttle != nil {
		if err := u.Throttle.succeeded(ctx, username); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	token, user, expires, err := u.openSession(ctx, id)
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, User: user, Expires: expires, RecoveryUsed: recovery}, nil
}

// openChallenge stores a challenge of purpose for the user (with a new sealed secret for an
// enrollment) and drops the ended ones on the way.
func (u *Users) openChallenge(ctx context.Context, user *User, purpose SecondFactor) (string, time.Time, error) {
	var pending []byte
	if purpose == SecondFactorEnroll {
		keys, err := u.keys()
		if err != nil {
			return "", time.Time{}, err
		}
		key, err := newTOTPKey(user.Username)
		if err != nil {
			return "", time.Time{}, err
		}
		pending = keys.Seal(key.Secret())
	}
	token, th := newToken()
	now := u.now()
	expires := now.Add(ChallengeTTL)
	_, err := u.DB.Pool.Exec(ctx, `
		WITH pruned AS (DELETE FROM login_challenges WHERE expires_at <= $5)
		INSERT INTO login_challenges (token_hash, user_id, purpose, pending_secret, expires_at) VALUES ($1, $2, $3, $4, $6)`,
		th, user.ID, string(purpose), pending, now, expires)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("open login challenge: %w", err)
	}
	return token, expires, nil
}

// LoginChallenge is an open challenge, as the second step's page shows it.
type LoginChallenge struct {
	User    *User
	Purpose SecondFactor
	Expires time.Time
	pending []byte // sealed secret of an enrollment
}

// Challenge returns the live challenge of token for purpose; 401 challenge_invalid when it is
// unknown, expired, of another purpose, or its user was disabled meanwhile.
func (u *Users) Challenge(ctx context.Context, token string, purpose SecondFactor) (*LoginChallenge, error) {
	if token == "" || len(token) > maxTokenLength {
		return nil, errChallengeInvalid()
	}
	ch := LoginChallenge{Purpose: purpose}
	var id int64
	err := u.DB.Pool.QueryRow(ctx, `SELECT user_id, pending_secret, expires_at FROM login_challenges
		WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3`, tokenHash(token), string(purpose), u.now()).
		Scan(&id, &ch.pending, &ch.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errChallengeInvalid()
	}
	if err != nil {
		return nil, fmt.Errorf("read login challenge: %w", err)
	}
	ch.User, err = u.get(ctx, "u.id = $1 AND u.active AND NOT (u.demo AND $2)", id, u.RefuseDemo)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errChallengeInvalid()
	}
	if err != nil {
		return nil, fmt.Errorf("read login challenge: %w", err)
	}
	return &ch, nil
}

// spendChallenge deletes the challenge, and the user's other open ones with it, in q; 401
// challenge_invalid when another request spent it first.
func spendChallenge(ctx context.Context, q rowQuerier, token string) error {
	var n int
	err := q.QueryRow(ctx, `
		WITH spent AS (DELETE FROM login_challenges WHERE token_hash = $1 RETURNING user_id),
		     others AS (DELETE FROM login_challenges WHERE user_id IN (SELECT user_id FROM spent) AND token_hash <> $1)
		SELECT count(*) FROM spent`, tokenHash(token)).Scan(&n)
	if err != nil {
		return fmt.Errorf("spend login challenge: %w", err)
	}
	if n == 0 {
		return errChallengeInvalid()
	}
	return nil
}

// CompleteLogin is the second step of an enrolled user's login: the code of the authenticator
// app (or a recovery code) for the challenge, then the session. A wrong code counts as a failed
// login and is logged. 401 challenge_invalid, totp_invalid, totp_replayed; 422 code_required;
// 429 login_throttled.
func (u *Users) CompleteLogin(ctx context.Context, address, challenge, code string) (*LoginResult, error) {
	ch, err := u.Challenge(ctx, challenge, SecondFactorCode)
	if err != nil {
		return nil, err
	}
	if err := u.throttled(ctx, ch.User.Username, address); err != nil {
		return nil, err
	}
	recovery, err := u.verifySecondFactor(ctx, ch.User.ID, code)
	if err != nil {
		if ferr := u.countSecondFactorFailure(ctx, ch.User.Username, address, err); ferr != nil {
			return nil, ferr
		}
		return nil, err
	}
	if err := spendChallenge(ctx, u.DB.Pool, challenge); err != nil {
		return nil, err
	}
	return u.completeLogin(ctx, ch.User.Username, ch.User.ID, recovery)
}

// Enrollment is the secret a user is setting up, for the page: the secret in base32 (to type)
// and the otpauth:// URL (for the QR code).
type Enrollment struct {
	Username string
	Secret   string
	URL      string
}

// EnrollmentOf opens the new secret of an enrollment challenge.
func (u *Users) EnrollmentOf(ctx context.Context, challenge string) (*Enrollment, error) {
	ch, err := u.Challenge(ctx, challenge, SecondFactorEnroll)
	if err != nil {
		return nil, err
	}
	keys, err := u.keys()
	if err != nil {
		return nil, err
	}
	secret, err := keys.Open(ch.pending)
	if err != nil {
		return nil, fmt.Errorf("open pending totp secret: %w", err)
	}
	url, err := totpKeyURL(ch.User.Username, secret)
	if err != nil {
		return nil, err
	}
	return &Enrollment{Username: ch.User.Username, Secret: secret, URL: url}, nil
}

// CompleteEnrollment confirms an enrollment with the first code of the new secret: the secret
// becomes the user's (sealed; that code's step counts as used), ten recovery codes are made and
// returned this once, the challenge is spent, and the session opens. A wrong code counts as a
// failed login. 401 challenge_invalid, totp_invalid; 422 code_required; 409
// totp_already_enrolled; 429 login_throttled.
func (u *Users) CompleteEnrollment(ctx context.Context, address, challenge, code string) (*LoginResult, []string, error) {
	ch, err := u.Challenge(ctx, challenge, SecondFactorEnroll)
	if err != nil {
		return nil, nil, err
	}
	if err := u.throttled(ctx, ch.User.Username, address); err != nil {
		return nil, nil, err
	}
	enrollment, err := u.EnrollmentOf(ctx, challenge)
	if err != nil {
		return nil, nil, err
	}
	kind, digits := codeKind(code)
	if code == "" {
		return nil, nil, errCodeRequired()
	}
	step, ok := matchingStep(enrollment.Secret, digits, u.now())
	if kind != "totp" || !ok {
		err := errTOTPInvalid()
		if ferr := u.countSecondFactorFailure(ctx, ch.User.Username, address, err); ferr != nil {
			return nil, nil, ferr
		}
		return nil, nil, err
	}
	var codes []string
	err = pgx.BeginFunc(ctx, u.DB.Pool, func(tx pgx.Tx) error {
		if err := spendChallenge(ctx, tx, challenge); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO user_totp (user_id, secret_sealed, last_step, enrolled_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING`, ch.User.ID, ch.pending, step, u.now())
		if err != nil {
			return fmt.Errorf("enroll totp: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return problem.Conflict("totp_already_enrolled", "该账号已设置双因素认证，请重新登录")
		}
		codes, err = u.replaceRecoveryCodes(ctx, tx, ch.User.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	r, err := u.completeLogin(ctx, ch.User.Username, ch.User.ID, false)
	if err != nil {
		return nil, nil, err
	}
	return r, codes, nil
}

// AdminResetTOTP removes the second factor of a login within the administrator's reach: its
// secret, recovery codes and open challenges go, and its sessions end, so that it enrolls again
// at its next login (when required). 404 user_not_found outside the reach.
func (u *Users) AdminResetTOTP(ctx context.Context, admin *User, username string) (*User, error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, errNotAdmin()
	}
	return u.resetTOTP(ctx, username, "u.username = $1 AND "+usersInReach("u", 2), normaliseUsername(username), region)
}

// ResetTOTP is AdminResetTOTP for the operator at the command line (haochaping user
// totp-reset), who needs no administrator: the way back in when the city's only administrator
// has lost the phone. 404 user_not_found.
func (u *Users) ResetTOTP(ctx context.Context, username string) (*User, error) {
	return u.resetTOTP(ctx, username, "u.username = $1", normaliseUsername(username))
}

func (u *Users) resetTOTP(ctx context.Context, username, where string, args ...any) (*User, error) {
	var id int64
	err := u.DB.Pool.QueryRow(ctx, `
		WITH target AS (SELECT u.id FROM users u WHERE `+where+`),
		     secret AS (DELETE FROM user_totp WHERE user_id IN (SELECT id FROM target)),
		     recovery AS (DELETE FROM totp_recovery_codes WHERE user_id IN (SELECT id FROM target)),
		     challenges AS (DELETE FROM login_challenges WHERE user_id IN (SELECT id FROM target)),
		     ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM target))
		SELECT id FROM target`, args...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUserNotFound(username)
	}
	if err != nil {
		return nil, fmt.Errorf("reset totp of %s: %w", username, err)
	}
	return u.get(ctx, "u.id = $1", id)
}

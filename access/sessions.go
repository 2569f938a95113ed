package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"haochaping/internal/problem"
)

// maxTokenLength bounds what is hashed and looked up; a real token is 43 characters.
const maxTokenLength = 128

func errInvalidCredentials() error {
	return problem.Unauthorized("invalid_credentials", "用户名或密码错误，或账号已停用")
}

func errUnauthenticated(msg string) error { return problem.Unauthorized("unauthenticated", msg) }

// newToken returns a random session token and the SHA-256 the database keeps of it.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token)
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Login is LoginFrom without a client address: only the account's failures are counted.
func (u *Users) Login(ctx context.Context, username, password string) (string, *User, time.Time, error) {
	return u.LoginFrom(ctx, "", username, password)
}

// LoginFrom checks a username and password sent from a client address and opens a session. An
// unknown user, a wrong password, an inactive user (and a demo user when demo logins are
// refused) all get the same 401 invalid_credentials, after the same bcrypt work, so that the
// answer tells nothing about which it was. With a Throttle, an account or an address with too
// many failures is refused with 429 login_throttled before any password is compared, the right
// one included. Every refusal is logged at WARN with the username and the address (never the
// password). The token is returned this once; only its hash is stored. A login that needs a
// second factor is refused here with 401 totp_required: it goes through StartLogin.
func (u *Users) LoginFrom(ctx context.Context, address, username, password string) (string, *User, time.Time, error) {
	username = normaliseUsername(username)
	id, err := u.passwordStep(ctx, address, username, password)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	user, err := u.get(ctx, "u.id = $1", id)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("login: %w", err)
	}
	if user.TOTPEnrolled || (u.TOTPRequired && user.Role.NeedsSecondFactor()) {
		return "", nil, time.Time{}, errSecondFactorRequired()
	}
	r, err := u.completeLogin(ctx, username, id, false)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	return r.Token, r.User, r.Expires, nil
}

// passwordStep is the first step of every login: the throttle, then the password. It returns
// the user's id; the refusals are LoginFrom's.
func (u *Users) passwordStep(ctx context.Context, address, username, password string) (int64, error) {
	if u.Throttle != nil {
		wait, err := u.Throttle.lockedFor(ctx, username, address)
		if err != nil {
			return 0, fmt.Errorf("login: %w", err)
		}
		if wait > 0 {
			u.logRefusal(ctx, "login throttled", username, address)
			if err := u.Throttle.failed(ctx, username, address, false); err != nil {
				return 0, fmt.Errorf("login: %w", err)
			}
			return 0, newThrottled(wait)
		}
	}
	id, err := u.checkPassword(ctx, username, password)
	if p, ok := problem.As(err); ok && p.Code == "invalid_credentials" {
		u.logRefusal(ctx, "login refused", username, address)
		if u.Throttle != nil {
			if err := u.Throttle.failed(ctx, username, address, true); err != nil {
				return 0, fmt.Errorf("login: %w", err)
			}
		}
		return 0, err
	}
	return id, err
}

// logRefusal records a refused login; the username is cut short, since anyone can send one.
func (u *Users) logRefusal(ctx context.Context, msg, username, address string) {
	if len(username) > 64 {
		username = username[:64]
	}
	u.log().WarnContext(ctx, msg, "username", username, "address", address)
}

// checkPassword returns the id of the user whose password this is; 401 invalid_credentials
// otherwise. Every path compares one bcrypt hash at the store's cost (loginHash).
func (u *Users) checkPassword(ctx context.Context, username, password string) (int64, error) {
	var (
		id           int64
		hash         string
		active, demo bool
	)
	err := u.DB.Pool.QueryRow(ctx, `SELECT id, password_hash, active, demo FROM users WHERE username = $1`,
		username).Scan(&id, &hash, &active, &demo)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("login: %w", err)
	}
	hashes, usable := u.loginHashes(found, hash, demo, password)
	matches := passwordMatches(hashes[0], password)
	for _, h := range hashes[1:] {
		passwordMatches(h, password)
	}
	if !matches || !usable || !active {
		return 0, errInvalidCredentials()
	}
	return id, nil
}

// loginHashes are the hashes a login compares the password with — the first decides — and
// whether a match may log in.
// An unknown user, a password bcrypt cannot take, and a demo user while demo logins are
// refused are compared with the dummy hash at the store's cost. The demo users' cheaper hashes
// (seeds) are compared only while demo logins are accepted, when their passwords are public
// anyway; any other hash below the store's cost is compared beside the dummy hash, so that the
// work is never less than an unknown user's.
func (u *Users) loginHashes(found bool, stored string, demo bool, password string) ([]string, bool) {
	if !found || len(password) > 72 || (demo && u.RefuseDemo) {
		return []string{dummyHash(u.cost())}, false
	}
	if cost, err := bcrypt.Cost([]byte(stored)); err != nil || (cost < u.cost() && !demo) {
		return []string{stored, dummyHash(u.cost())}, true
	}
	return []string{stored}, true
}

// openSession opens a session of the user and returns its token, the user and its end. Beyond
// MaxSessions the user's oldest sessions are closed; the user's ended sessions (expired or idle)
// go on the way. The clock is the database's, as in Session.
func (u *Users) openSession(ctx context.Context, id int64) (string, *User, time.Time, error) {
	token, th := newToken()
	var expires time.Time
	tx, err := u.DB.Pool.Begin(ctx)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("open session: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// Two logins of one user at once take turns, so that the cap counts both.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, id); err != nil {
		return "", nil, time.Time{}, fmt.Errorf("open session: %w", err)
	}
	err = tx.QueryRow(ctx, `
		WITH pruned AS (DELETE FROM sessions WHERE user_id = $2
		                  AND (expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $4)))
		INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
		RETURNING expires_at`, th, id, u.ttl().Seconds(), u.idle().Seconds()).Scan(&expires)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("open session: %w", err)
	}
	_, err = tx.Exec(ctx, `
		DELETE FROM sessions WHERE user_id = $1 AND token_hash IN (
			SELECT token_hash FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, token_hash OFFSET $2)`,
		id, u.maxSessions())
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("cap sessions: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return "", nil, time.Time{}, fmt.Errorf("open session: %w", err)
	}
	user, err := u.get(ctx, "u.id = $1", id)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("login: %w", err)
	}
	return token, user, expires, nil
}

// Authenticate returns the user of a live session; 401 unauthenticated when the token is
// missing, unknown or expired, or its user has been disabled.
func (u *Users) Authenticate(ctx context.Context, token string) (*User, error) {
	user, _, err := u.Session(ctx, token)
	return user, err
}

// Session is Authenticate that also says when the session expires: the pages show it.
func (u *Users) Session(ctx context.Context, token string) (*User, time.Time, error) {
	if token == "" {
		return nil, time.Time{}, errUnauthenticated("请先登录")
	}
	if len(token) > maxTokenLength {
		return nil, time.Time{}, errUnauthenticated("登录已失效，请重新登录")
	}
	// One round trip: it runs on every request of a logged-in user. A session ends at its
	// expires_at, or SessionIdle after its last use; a use moves last_seen_at on, at most once a
	// minute so that a busy page does not write a row per request.
	var expires time.Time
	user, err := scanUser(u.DB.Pool.QueryRow(ctx, `
		WITH live AS (SELECT user_id, expires_at FROM sessions WHERE token_hash = $1
		                AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $3)),
		     touched AS (UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1
		                   AND last_seen_at < now() - interval '1 minute' AND EXISTS (SELECT 1 FROM live))
		SELECT x.*, (SELECT expires_at FROM live) FROM (`+userSelect+`
		WHERE u.id = (SELECT user_id FROM live) AND u.active AND NOT (u.demo AND $2)) x`,
		tokenHash(token), u.RefuseDemo, u.idle().Seconds()), &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, time.Time{}, errUnauthenticated("登录已失效，请重新登录")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("authenticate: %w", err)
	}
	return user, expires, nil
}

// Logout ends the session of token; ending one that does not exist is no error.
func (u *Users) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > maxTokenLength {
		return nil
	}
	if _, err := u.DB.Pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token)); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// PruneSessions deletes the ended sessions (expired, or idle too long) and says how many there
// were. (Each login also drops its own user's; this sweeps the rest, e.g. from a job.)
func (u *Users) PruneSessions(ctx context.Context) (int64, error) {
	tag, err := u.DB.Pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1)`,
		u.idle().Seconds())
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

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

// Login checks a username and password and opens a session. An unknown user, a wrong
// password, an inactive user (and a demo user when demo logins are refused) all get the same
// 401 invalid_credentials, after the same bcrypt work, so that the answer tells nothing about
// which it was. The token is returned this once; only its hash is stored.
func (u *Users) Login(ctx context.Context, username, password string) (string, *User, time.Time, error) {
	var (
		id                 int64
		hash               string
		active, demo, seen bool
	)
	err := u.DB.Pool.QueryRow(ctx, `SELECT id, password_hash, active, demo FROM users WHERE username = $1`,
		normaliseUsername(username)).Scan(&id, &hash, &active, &demo)
	switch {
	case err == nil:
		seen = true
	case !errors.Is(err, pgx.ErrNoRows):
		return "", nil, time.Time{}, fmt.Errorf("login: %w", err)
	}
	if !seen || len(password) > 72 {
		passwordMatches(dummyHash(u.cost()), password)
		return "", nil, time.Time{}, errInvalidCredentials()
	}
	if !passwordMatches(hash, password) || !active || (demo && u.RefuseDemo) {
		return "", nil, time.Time{}, errInvalidCredentials()
	}
	token, th := newToken()
	var expires time.Time
	// The user's expired sessions go on the way; the clock is the database's, as in Authenticate.
	err = u.DB.Pool.QueryRow(ctx, `
		WITH pruned AS (DELETE FROM sessions WHERE user_id = $2 AND expires_at <= now())
		INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
		RETURNING expires_at`, th, id, u.ttl().Seconds()).Scan(&expires)
	if err != nil {
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
	// One round trip: it runs on every request of a logged-in user.
	var expires time.Time
	user, err := scanUser(u.DB.Pool.QueryRow(ctx, `SELECT x.*, (SELECT expires_at FROM sessions WHERE token_hash = $1) FROM (`+userSelect+`
		WHERE u.id = (SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > now())
		  AND u.active AND NOT (u.demo AND $2)) x`, tokenHash(token), u.RefuseDemo), &expires)
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

// PruneSessions deletes the expired sessions and says how many there were. (Each login also
// drops its own user's expired sessions; this sweeps the rest, e.g. from a job.)
func (u *Users) PruneSessions(ctx context.Context) (int64, error) {
	tag, err := u.DB.Pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= now()`)
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

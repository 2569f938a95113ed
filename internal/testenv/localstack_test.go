package testenv_test

import (
	"bufio"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestTheLocalStackIsPrivate: the env file scripts/devstack.sh writes holds the data key and
// the passwords, so only its owner may read it; the local Redis it starts asks for a password,
// and so does its PostgreSQL, for each of its two roles (issue 12: the file was world-readable,
// Redis open to anyone on the machine, PostgreSQL trusting anyone on it as the superuser).
func TestTheLocalStackIsPrivate(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	envfile := filepath.Join(root, ".devstack", "env")
	if _, err := os.Stat(envfile); os.IsNotExist(err) {
		t.Skip("no .devstack/env: the stack comes from elsewhere (make test writes one)")
	}
	for _, f := range []string{envfile, filepath.Join(root, ".devstack", "data.key"), filepath.Join(root, ".devstack", "redis.pass"),
		filepath.Join(root, ".devstack", "pg.pass"), filepath.Join(root, ".devstack", "pg-app.pass")} {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", f, fi.Mode().Perm())
		}
	}
	vars := map[string]string{}
	f, err := os.Open(envfile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			vars[k] = strings.Trim(v, "'")
		}
	}
	if vars["REDISPORT_LOCAL"] == "" {
		t.Skip("the stack's Redis came from REDIS_URL, not from scripts/devstack.sh")
	}
	// PostgreSQL: two roles, each with a password, and none gets in without it.
	for _, k := range []string{"DATABASE_URL", "DATABASE_OWNER_URL"} {
		u, err := url.Parse(vars[k])
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if pass, _ := u.User.Password(); pass == "" {
			t.Errorf("%s has no password: %s", k, u.Redacted())
			continue
		}
		u.User = url.User(u.User.Username())
		conn, err := pgx.Connect(context.Background(), u.String())
		var pe *pgconn.PgError
		if err == nil {
			conn.Close(context.Background())
			t.Errorf("%s without its password: connected", k)
		} else if !errors.As(err, &pe) || pe.Code != "28P01" { // invalid_password
			t.Errorf("%s without its password: %v, want refused for the password", k, err)
		}
	}
	if a, o := vars["DATABASE_URL"], vars["DATABASE_OWNER_URL"]; a != "" && o != "" {
		au, _ := url.Parse(a)
		ou, _ := url.Parse(o)
		if au.User.Username() == ou.User.Username() {
			t.Errorf("the application and the migrations share the role %q", au.User.Username())
		}
	}
	u, err := url.Parse(vars["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	if pass, _ := u.User.Password(); pass == "" {
		t.Errorf("the local Redis has no password: REDIS_URL %s", u.Redacted())
	}
}

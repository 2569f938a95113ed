package testenv_test

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheLocalStackIsPrivate: the env file scripts/devstack.sh writes holds the data key and
// the Redis password, so only its owner may read it, and the local Redis it starts asks for a
// password (issue 12: the file was world-readable, Redis open to anyone on the machine).
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
	for _, f := range []string{envfile, filepath.Join(root, ".devstack", "data.key"), filepath.Join(root, ".devstack", "redis.pass")} {
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
	u, err := url.Parse(vars["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	if pass, _ := u.User.Password(); pass == "" {
		t.Errorf("the local Redis has no password: REDIS_URL %s", u.Redacted())
	}
}

package access

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestLoginWorkIsTheSameForEveryRefusal: whatever the username names — nobody, a demo user
// while demo logins are refused, a login with a hash of a cheaper cost — the login compares at
// least one hash at the store's cost, as for an unknown user, so that the answer time tells
// them apart no more than the answer does. (Bcrypt's cost, not the wall time, is compared.)
func TestLoginWorkIsTheSameForEveryRefusal(t *testing.T) {
	t.Parallel()
	prod := &Users{Cost: bcrypt.DefaultCost, RefuseDemo: true}
	cheap, err := hashPassword("demo1234", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := hashPassword("a-real-password", bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	work := func(u *Users, found bool, hash string, demo bool, password string) int {
		hashes, _ := u.loginHashes(found, hash, demo, password)
		most := 0
		for _, h := range hashes {
			c, err := bcrypt.Cost([]byte(h))
			if err != nil {
				t.Fatalf("not a bcrypt hash: %q", h)
			}
			most = max(most, c)
		}
		return most
	}
	for name, got := range map[string]int{
		"an unknown user":                     work(prod, false, "", false, "whatever-password"),
		"a password longer than bcrypt reads": work(prod, true, stored, false, string(make([]byte, 73))),
		"a demo user while demo is refused":   work(prod, true, cheap, true, "demo1234"),
		"a login with a cheaper hash":         work(prod, true, cheap, false, "demo1234"),
		"a login at the store's cost":         work(prod, true, stored, false, "wrong-password"),
	} {
		if got != bcrypt.DefaultCost {
			t.Errorf("%s: the login's bcrypt work is cost %d, want %d", name, got, bcrypt.DefaultCost)
		}
	}
	// While demo logins are accepted their published passwords are hashed cheaply (seeds): the
	// time may tell a demo user, whose name and password are on the login page anyway.
	demo := &Users{Cost: bcrypt.DefaultCost}
	if got := work(demo, true, cheap, true, "demo1234"); got != bcrypt.MinCost {
		t.Errorf("a demo user in demo mode: cost %d, want the seeds' %d", got, bcrypt.MinCost)
	}
	if hashes, usable := prod.loginHashes(true, cheap, true, "demo1234"); usable || passwordMatches(hashes[0], "demo1234") {
		t.Errorf("a demo user while demo is refused may log in")
	}
}

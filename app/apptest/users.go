package apptest

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"haochaping/access"
	"haochaping/internal/testenv"
)

// Users is the user store of a fresh seeded schema, hashing at bcrypt's lowest cost so tests
// that create many logins stay quick.
func Users(t *testing.T) (*testenv.Env, *access.Users) {
	t.Helper()
	env := testenv.New(t)
	Seed(env)
	return env, &access.Users{DB: env.DB, Cost: bcrypt.MinCost, Keys: env.Keys, Now: env.Clock.Now}
}

// CreateUser creates a login or fails the test.
func CreateUser(t *testing.T, users *access.Users, nu access.NewUser) *access.User {
	t.Helper()
	u, err := users.Create(context.Background(), nu)
	if err != nil {
		t.Fatalf("create %s: %v", nu.Username, err)
	}
	return u
}

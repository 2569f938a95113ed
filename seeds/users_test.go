package seeds_test

import (
	"context"
	"reflect"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
	"haochaping/seeds"
)

func TestSeedDemoUsersIsIdempotentAndEachCanLogIn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	ctx := context.Background()
	users := &access.Users{DB: env.DB, Cost: bcrypt.MinCost}
	listed, err := seeds.DemoUsers()
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) < 8 {
		t.Fatalf("%d demo users listed", len(listed))
	}
	if err := seeds.SeedDemoUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	first, err := users.List(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := seeds.SeedDemoUsers(ctx, users); err != nil {
		t.Fatalf("second run: %v", err)
	}
	second, err := users.List(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(listed) || len(second) != len(first) {
		t.Fatalf("demo users: %d listed, %d after the first run, %d after the second", len(listed), len(first), len(second))
	}
	for i := range first {
		if !reflect.DeepEqual(first[i], second[i]) {
			t.Fatalf("a second run changed %+v into %+v", first[i], second[i])
		}
	}
	if n := env.Count(`SELECT count(*) FROM users`); n != len(listed) {
		t.Fatalf("%d users, want the %d demo users", n, len(listed))
	}

	roles := map[access.Role]bool{}
	for _, d := range listed {
		token, u, _, err := users.Login(ctx, d.Username, d.Password)
		if err != nil {
			t.Errorf("%s cannot log in with %q: %v", d.Username, d.Password, err)
			continue
		}
		roles[u.Role] = true
		if string(u.Role) != d.Role || u.Scope.String() != d.Scope || u.StaffNo != d.StaffNo || !u.Demo || u.DisplayName == "" {
			t.Errorf("%s: %+v, listed as %+v", d.Username, u, d)
		}
		if d.DisplayName != "" && u.DisplayName != d.DisplayName {
			t.Errorf("%s: display name %q, listed %q", d.Username, u.DisplayName, d.DisplayName)
		}
		if _, err := users.Authenticate(ctx, token); err != nil {
			t.Errorf("%s: session: %v", d.Username, err)
		}
	}
	for _, r := range access.Roles {
		if !roles[r] {
			t.Errorf("no demo user has the role %s", r)
		}
	}

	// Outside demo mode the published passwords open nothing.
	prod := *users
	prod.RefuseDemo = true
	_, _, _, err = prod.Login(ctx, listed[0].Username, listed[0].Password)
	if p, ok := problem.As(err); !ok || p.Code != "invalid_credentials" {
		t.Fatalf("demo login outside demo mode: %v", err)
	}
}

// A username that exists is left alone, whoever made it.
func TestSeedDemoUsersKeepsExistingUsernames(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	ctx := context.Background()
	users := &access.Users{DB: env.DB, Cost: bcrypt.MinCost}
	// Whatever the seed made already (a demo seed may include the demo users) goes first.
	env.Exec(`DELETE FROM users WHERE username = 'office'`)
	if _, err := users.Create(ctx, access.NewUser{Username: "office", Password: "not-the-demo-one", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370402"}); err != nil {
		t.Fatal(err)
	}
	if err := seeds.SeedDemoUsers(ctx, users); err != nil {
		t.Fatal(err)
	}
	u, err := users.Get(ctx, "office")
	if err != nil {
		t.Fatal(err)
	}
	if u.Demo || u.Role != access.Auditor || u.Scope.Code != "370402" {
		t.Fatalf("the existing user was changed: %+v", u)
	}
	if _, _, _, err := users.Login(ctx, "office", "demo1234"); err == nil {
		t.Fatal("the demo password opens an existing user")
	}
}

package access_test

import (
	"context"
	"slices"
	"testing"

	"haochaping/access"
)

// TestAdministrationStaysWithinTheRegion: a district office (szq-office, 市中区) lists, creates
// and changes only logins whose scope lies in its district; the city office reaches them all;
// neither may hand out a scope above its own region.
func TestAdministrationStaysWithinTheRegion(t *testing.T) {
	t.Parallel()
	_, users := setup(t)
	ctx := context.Background()
	admin := func(name string) *access.User {
		u, err := users.Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	city, district := admin("office"), admin("szq-office")
	create(t, users, access.NewUser{Username: "t-szq-staff", Password: "s3cret-pass", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "370402-SPJ", StaffNo: "370402-ZH01-2"})
	create(t, users, access.NewUser{Username: "t-szq-hall", Password: "s3cret-pass", Role: access.UnitHead,
		ScopeKind: "hall", ScopeCode: "370402-ZWFW", StaffNo: "370402-GA01-2"})
	create(t, users, access.NewUser{Username: "t-xc-staff", Password: "s3cret-pass", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "370403-SPJ", StaffNo: "370403-ZH01-2"})

	names := func(list []*access.User) []string {
		var out []string
		for _, u := range list {
			out = append(out, u.Username)
		}
		return out
	}
	seen, err := users.AdminList(ctx, district, access.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(seen); !slices.Equal(got, []string{"szq-office", "t-szq-hall", "t-szq-staff"}) {
		t.Errorf("the district office lists %v", got)
	}
	all, err := users.AdminList(ctx, city, access.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"office", "auditor", "szq-office", "zh01", "hall-head", "t-szq-staff", "t-xc-staff"} {
		if !slices.Contains(names(all), want) {
			t.Errorf("the city office does not list %s: %v", want, names(all))
		}
	}
	found, err := users.AdminList(ctx, city, access.UserFilter{Query: "370402-zh01", Role: access.WindowStaff})
	if err != nil || !slices.Equal(names(found), []string{"t-szq-staff"}) {
		t.Errorf("search by staff number: %v, %v", names(found), err)
	}
	_, err = users.AdminList(ctx, city, access.UserFilter{Role: "admin"})
	wantProblem(t, err, 422, "invalid_role")

	// Outside the reach a login is not there.
	_, err = users.AdminGet(ctx, district, "t-xc-staff")
	wantProblem(t, err, 404, "user_not_found")
	_, err = users.AdminGet(ctx, district, "office")
	wantProblem(t, err, 404, "user_not_found")
	_, err = users.AdminSetActive(ctx, district, "zh01", false)
	wantProblem(t, err, 404, "user_not_found")
	_, err = users.AdminResetPassword(ctx, district, "office", "another-pass")
	wantProblem(t, err, 404, "user_not_found")
	_, err = users.AdminAssign(ctx, district, "t-xc-staff", access.Assignment{Role: access.Auditor, Scope: "region:370402"})
	wantProblem(t, err, 404, "user_not_found")

	// No scope above or beside the district: not the city, not another district's units.
	for _, nu := range []access.NewUser{
		{Username: "t-up", Role: access.OfficeAdmin, ScopeKind: "region", ScopeCode: "370400"},
		{Username: "t-up", Role: access.Auditor, ScopeKind: "region", ScopeCode: "370400"},
		{Username: "t-up", Role: access.Auditor, ScopeKind: "region", ScopeCode: "370403"},
		{Username: "t-up", Role: access.WindowStaff, ScopeKind: "department", ScopeCode: "ZZ-SPJ", StaffNo: "370400-ZH03-2"},
		{Username: "t-up", Role: access.UnitHead, ScopeKind: "hall", ScopeCode: "370400-ZWFW", StaffNo: "370400-ZH03-2"},
	} {
		_, _, err := users.AdminCreate(ctx, district, nu)
		if p := wantProblem(t, err, 403, "scope_out_of_reach"); p.Fields["scope"] == "" {
			t.Errorf("%+v: the refusal names no field", nu)
		}
	}
	_, err = users.AdminAssign(ctx, district, "t-szq-staff", access.Assignment{Role: access.OfficeAdmin, Scope: "region:370400"})
	wantProblem(t, err, 403, "scope_out_of_reach")
	// Its own region and below are given; the password is generated when none is typed.
	made, generated, err := users.AdminCreate(ctx, district, access.NewUser{Username: "t-szq-auditor",
		Role: access.Auditor, ScopeKind: "region", ScopeCode: "370402"})
	if err != nil || len(generated) != access.GeneratedPasswordLength || made.Demo {
		t.Fatalf("create within the district: %+v, %q, %v", made, generated, err)
	}
	if _, _, _, err := users.Login(ctx, "t-szq-auditor", generated); err != nil {
		t.Fatalf("login with the generated password: %v", err)
	}
	// Other rules of Create still hold.
	_, _, err = users.AdminCreate(ctx, district, access.NewUser{Username: "t-szq-nostaff", Password: "s3cret-pass",
		Role: access.WindowStaff, ScopeKind: "department", ScopeCode: "370402-SPJ"})
	wantProblem(t, err, 422, "staff_required")
	// Window staff and auditors administer nothing.
	_, err = users.AdminList(ctx, admin("auditor"), access.UserFilter{})
	wantProblem(t, err, 403, "forbidden_role")
	_, _, err = users.AdminCreate(ctx, admin("zh01"), access.NewUser{Username: "t-x", Role: access.Auditor, ScopeKind: "region", ScopeCode: "370402"})
	wantProblem(t, err, 403, "forbidden_role")
}

// TestAdministrationEndsSessions: disabling, a new password and a new role end the login's
// sessions at once; an administrator neither disables itself nor changes its own role.
func TestAdministrationEndsSessions(t *testing.T) {
	t.Parallel()
	_, users := setup(t)
	ctx := context.Background()
	office, err := users.Get(ctx, "office")
	if err != nil {
		t.Fatal(err)
	}
	create(t, users, access.NewUser{Username: "t-clerk", Password: "s3cret-pass", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "ZZ-SPJ", StaffNo: "370400-ZH03-1"})
	login := func(password string) string {
		t.Helper()
		token, _, _, err := users.Login(ctx, "t-clerk", password)
		if err != nil {
			t.Fatalf("login with %q: %v", password, err)
		}
		return token
	}
	ended := func(what, token string) {
		t.Helper()
		if _, err := users.Authenticate(ctx, token); err == nil {
			t.Errorf("after %s the session still works", what)
		}
	}

	token := login("s3cret-pass")
	got, err := users.AdminSetActive(ctx, office, "T-Clerk", false)
	if err != nil || got.Active {
		t.Fatalf("disable: %+v %v", got, err)
	}
	ended("disabling", token)
	if _, _, _, err := users.Login(ctx, "t-clerk", "s3cret-pass"); err == nil {
		t.Error("a disabled login logs in")
	}
	if got, err := users.AdminSetActive(ctx, office, "t-clerk", true); err != nil || !got.Active {
		t.Fatalf("enable: %+v %v", got, err)
	}

	token = login("s3cret-pass")
	if gen, err := users.AdminResetPassword(ctx, office, "t-clerk", "new-pass-123"); err != nil || gen != "" {
		t.Fatalf("reset to a typed password: %q %v", gen, err)
	}
	ended("a new password", token)
	if _, _, _, err := users.Login(ctx, "t-clerk", "s3cret-pass"); err == nil {
		t.Error("the old password still logs in")
	}
	token = login("new-pass-123")
	_, err = users.AdminResetPassword(ctx, office, "t-clerk", "short")
	wantProblem(t, err, 422, "weak_password")
	if _, err := users.Authenticate(ctx, token); err != nil {
		t.Errorf("a refused reset ended the session: %v", err)
	}

	moved, err := users.AdminAssign(ctx, office, "t-clerk", access.Assignment{Role: access.UnitHead,
		Scope: "hall:370400-ZWFW", StaffNo: "370400-ZH03-1"})
	if err != nil || moved.Role != access.UnitHead || moved.Scope.String() != "hall:370400-ZWFW" {
		t.Fatalf("assign: %+v %v", moved, err)
	}
	ended("a new role", token)
	for _, c := range []struct {
		in     access.Assignment
		status int
		code   string
	}{
		{access.Assignment{Role: "boss", Scope: "region:370400"}, 422, "invalid_role"},
		{access.Assignment{Role: access.Auditor, Scope: "city"}, 422, "invalid_scope"},
		{access.Assignment{Role: access.Auditor, Scope: "region:999999"}, 422, "scope_not_found"},
		{access.Assignment{Role: access.WindowStaff, Scope: "department:ZZ-SPJ"}, 422, "staff_required"},
		{access.Assignment{Role: access.WindowStaff, Scope: "department:ZZ-SPJ", StaffNo: "370400-ZH01-1"}, 409, "staff_taken"},
		{access.Assignment{Role: access.WindowStaff, Scope: "department:ZZ-GAJ", StaffNo: "370400-ZH03-1"}, 422, "staff_out_of_scope"},
	} {
		_, err := users.AdminAssign(ctx, office, "t-clerk", c.in)
		wantProblem(t, err, c.status, c.code)
	}

	// The administrator itself.
	_, err = users.AdminSetActive(ctx, office, "office", false)
	wantProblem(t, err, 409, "cannot_disable_self")
	_, err = users.AdminAssign(ctx, office, "office", access.Assignment{Role: access.Auditor, Scope: "region:370400"})
	wantProblem(t, err, 403, "cannot_change_own_role")
	_, err = users.AdminAssign(ctx, office, "office", access.Assignment{Role: access.OfficeAdmin, Scope: "region:370402"})
	wantProblem(t, err, 403, "cannot_change_own_role")
	if same, err := users.AdminAssign(ctx, office, "office", access.Assignment{Role: access.OfficeAdmin, Scope: "region:370400"}); err != nil || same.Role != access.OfficeAdmin {
		t.Errorf("an assignment that changes nothing: %+v %v", same, err)
	}
}

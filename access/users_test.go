package access_test

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
)

// Usernames and staff numbers here stay clear of the demo users (seeds/users.yaml), which a
// demo seed may create: a staff member has one login.

var (
	setup  = apptest.Users
	create = apptest.CreateUser
)

// wantProblem fails unless err is a *problem.Error with that status and code.
func wantProblem(t *testing.T, err error, status int, code string) *problem.Error {
	t.Helper()
	p, ok := problem.As(err)
	if !ok {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
	if p.Status != status || p.Code != code {
		t.Fatalf("want %d %s, got %d %s (%s)", status, code, p.Status, p.Code, p.Message)
	}
	return p
}

func TestCreateLoginAuthenticateLogout(t *testing.T) {
	t.Parallel()
	env, users := setup(t)
	ctx := context.Background()
	created := create(t, users, access.NewUser{Username: "t-zh03", Password: "correct horse", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "ZZ-SPJ", StaffNo: "370400-ZH03-1"})
	if created.Scope.Kind != "department" || created.Scope.Code != "ZZ-SPJ" || created.Scope.Name != "市审批服务局" || created.Scope.ID == 0 {
		t.Fatalf("scope = %+v", created.Scope)
	}
	if created.StaffID == nil || created.StaffNo != "370400-ZH03-1" || !created.Active || created.Demo {
		t.Fatalf("user = %+v", created)
	}
	var staffName string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT name FROM staff WHERE id = $1`, *created.StaffID).Scan(&staffName); err != nil {
		t.Fatal(err)
	}
	if created.DisplayName != staffName {
		t.Fatalf("display name %q, want the staff member's name %q", created.DisplayName, staffName)
	}
	if n := env.Count(`SELECT count(*) FROM users WHERE username = 't-zh03' AND password_hash LIKE '$2%' AND password_hash NOT LIKE '%correct horse%'`); n != 1 {
		t.Fatalf("want one bcrypt hash stored, got %d", n)
	}

	before := time.Now()
	token, user, expires, err := users.Login(ctx, " T-ZH03 ", "correct horse") // usernames are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 40 || user.ID != created.ID || user.Role != access.WindowStaff {
		t.Fatalf("token %q, user %+v", token, user)
	}
	if d := expires.Sub(before); d < access.DefaultSessionTTL-time.Minute || d > access.DefaultSessionTTL+time.Minute {
		t.Fatalf("session lasts %v, want %v", d, access.DefaultSessionTTL)
	}
	sum := sha256.Sum256([]byte(token))
	if n := env.Count(`SELECT count(*) FROM sessions WHERE token_hash = $1 AND user_id = $2`, sum[:], user.ID); n != 1 {
		t.Fatalf("want the token's SHA-256 stored once, got %d", n)
	}
	if n := env.Count(`SELECT count(*) FROM sessions WHERE token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Fatal("the token itself is stored")
	}

	got, err := users.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != created.ID || got.Scope != created.Scope || got.StaffNo != "370400-ZH03-1" {
		t.Fatalf("authenticated as %+v", got)
	}
	if err := users.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	_, err = users.Authenticate(ctx, token)
	wantProblem(t, err, 401, "unauthenticated")
	if err := users.Logout(ctx, token); err != nil {
		t.Fatalf("a second logout: %v", err)
	}
	_, err = users.Authenticate(ctx, "")
	wantProblem(t, err, 401, "unauthenticated")
	_, err = users.Authenticate(ctx, strings.Repeat("x", 5000))
	wantProblem(t, err, 401, "unauthenticated")

	// A session lasts SessionTTL.
	short := *users
	short.SessionTTL = 30 * time.Minute
	_, _, expires, err = short.Login(ctx, "t-zh03", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires); d < 29*time.Minute || d > 31*time.Minute {
		t.Fatalf("session lasts %v, want 30m", d)
	}
}

func TestLoginRefusalsAreAlike(t *testing.T) {
	t.Parallel()
	_, users := setup(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-office", Password: "s3cret-pass", Role: access.OfficeAdmin,
		ScopeKind: "region", ScopeCode: "370400"})
	create(t, users, access.NewUser{Username: "t-gone", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370403"})
	// A live session of t-gone, which disabling ends at once.
	goneToken, _, _, err := users.Login(ctx, "t-gone", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if err := users.SetActive(ctx, "t-gone", false); err != nil {
		t.Fatal(err)
	}
	_, err = users.Authenticate(ctx, goneToken)
	wantProblem(t, err, 401, "unauthenticated")

	var messages []string
	for _, c := range []struct{ name, username, password string }{
		{"wrong password", "t-office", "s3cret-pasS"},
		{"unknown user", "nobody", "s3cret-pass"},
		{"inactive user", "t-gone", "s3cret-pass"},
		{"empty password", "t-office", ""},
		{"password beyond bcrypt", "t-office", strings.Repeat("p", 100)},
	} {
		_, _, _, err := users.Login(ctx, c.username, c.password)
		p, ok := problem.As(err)
		if !ok || p.Status != 401 || p.Code != "invalid_credentials" {
			t.Errorf("%s: got %v, want 401 invalid_credentials", c.name, err)
			continue
		}
		messages = append(messages, p.Message)
	}
	if len(slices.Compact(slices.Clone(messages))) != 1 {
		t.Errorf("the refusals differ: %q", messages)
	}

	if err := users.SetActive(ctx, "t-gone", true); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := users.Login(ctx, "t-gone", "s3cret-pass"); err != nil {
		t.Fatalf("after enabling again: %v", err)
	}
	wantProblem(t, users.SetActive(ctx, "nobody", false), 404, "user_not_found")

	// Demo logins (published passwords) are refused when demo mode is off.
	create(t, users, access.NewUser{Username: "t-demo", Password: "demo-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400", Demo: true})
	demoToken, _, _, err := users.Login(ctx, "t-demo", "demo-pass")
	if err != nil {
		t.Fatal(err)
	}
	prod := *users
	prod.RefuseDemo = true
	_, _, _, err = prod.Login(ctx, "t-demo", "demo-pass")
	wantProblem(t, err, 401, "invalid_credentials")
	_, err = prod.Authenticate(ctx, demoToken)
	wantProblem(t, err, 401, "unauthenticated")
	if _, _, _, err := prod.Login(ctx, "t-office", "s3cret-pass"); err != nil {
		t.Fatalf("a real user with demo logins refused: %v", err)
	}
}

func TestExpiredSession(t *testing.T) {
	t.Parallel()
	env, users := setup(t)
	ctx := context.Background()
	u := create(t, users, access.NewUser{Username: "t-auditor", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370400"})
	old, _, _, err := users.Login(ctx, "t-auditor", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	fresh, _, _, err := users.Login(ctx, "t-auditor", "s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(old))
	env.Exec(`UPDATE sessions SET created_at = now() - interval '13 hours', expires_at = now() - interval '1 hour'
		WHERE token_hash = $1`, sum[:])
	_, err = users.Authenticate(ctx, old)
	wantProblem(t, err, 401, "unauthenticated")
	if _, err := users.Authenticate(ctx, fresh); err != nil {
		t.Fatalf("the other session: %v", err)
	}
	n, err := users.PruneSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d sessions (%v), want 1", n, err)
	}
	if n := env.Count(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID); n != 1 {
		t.Fatalf("%d sessions left, want the live one", n)
	}
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	env, users := setup(t)
	ctx := context.Background()
	create(t, users, access.NewUser{Username: "t-taken", Password: "s3cret-pass", Role: access.UnitHead,
		ScopeKind: "department", ScopeCode: "370402-SPJ", StaffNo: "H-370402-SPJ"})
	ok := access.NewUser{Username: "t-new", Password: "s3cret-pass", Role: access.WindowStaff,
		ScopeKind: "department", ScopeCode: "370402-SPJ", StaffNo: "370402-ZH01-2"}
	before := env.Count(`SELECT count(*) FROM users`)
	for _, c := range []struct {
		status int
		code   string
		change func(*access.NewUser)
	}{
		{422, "invalid_username", func(n *access.NewUser) { n.Username = "张三" }},
		{422, "invalid_username", func(n *access.NewUser) { n.Username = "-x" }},
		{422, "weak_password", func(n *access.NewUser) { n.Password = "1234567" }},
		{422, "password_too_long", func(n *access.NewUser) { n.Password = strings.Repeat("密", 25) }},
		{422, "invalid_role", func(n *access.NewUser) { n.Role = "admin" }},
		{422, "invalid_scope", func(n *access.NewUser) { n.ScopeKind = "city" }},
		{422, "invalid_scope", func(n *access.NewUser) { n.ScopeCode = "" }},
		{422, "scope_not_found", func(n *access.NewUser) { n.ScopeCode = "ZZ-NOPE" }},
		{422, "scope_not_found", func(n *access.NewUser) { n.ScopeKind, n.ScopeCode = "region", "999999" }},
		{422, "scope_not_found", func(n *access.NewUser) { n.ScopeKind, n.ScopeCode = "hall", "ZZ-SPJ" }},
		{422, "staff_required", func(n *access.NewUser) { n.StaffNo = "" }},
		{422, "staff_required", func(n *access.NewUser) { n.Role, n.StaffNo = access.UnitHead, "" }},
		{422, "staff_not_found", func(n *access.NewUser) { n.StaffNo = "NOBODY-1" }},
		{422, "staff_out_of_scope", func(n *access.NewUser) { n.StaffNo = "370403-ZH01-2" }},
		{422, "staff_out_of_scope", func(n *access.NewUser) { n.ScopeKind, n.ScopeCode = "hall", "370400-ZWFW" }},
		{422, "staff_out_of_scope", func(n *access.NewUser) { n.ScopeKind, n.ScopeCode = "region", "370403" }},
		{409, "username_taken", func(n *access.NewUser) { n.Username = "T-Taken" }},
		{409, "staff_taken", func(n *access.NewUser) { n.Role, n.StaffNo = access.UnitHead, "H-370402-SPJ" }},
	} {
		nu := ok
		c.change(&nu)
		_, err := users.Create(ctx, nu)
		p, isProblem := problem.As(err)
		if !isProblem || p.Status != c.status || p.Code != c.code {
			t.Errorf("%+v: got %v, want %d %s", nu, err, c.status, c.code)
		} else if p.Message == "" || len(p.Fields) == 0 {
			t.Errorf("%s: no message or field: %+v", c.code, p)
		}
	}
	if after := env.Count(`SELECT count(*) FROM users`); after != before {
		t.Fatalf("refused creations wrote %d users", after-before)
	}
	// The same user, as given, is accepted; office admins and auditors need no staff member;
	// a hall scope takes staff of its windows and of the departments with a window there.
	create(t, users, ok)
	create(t, users, access.NewUser{Username: "t.auditor_2", Password: "s3cret-pass", Role: access.Auditor,
		ScopeKind: "region", ScopeCode: "370490"})
	create(t, users, access.NewUser{Username: "t-hall", Password: "s3cret-pass", Role: access.UnitHead,
		ScopeKind: "hall", ScopeCode: "370402-ZWFW", StaffNo: "370402-GA01-2"})
	create(t, users, access.NewUser{Username: "t-hall2", Password: "s3cret-pass", Role: access.UnitHead,
		ScopeKind: "hall", ScopeCode: "370402-ZWFW", StaffNo: "H-370402-RSJ"})
	create(t, users, access.NewUser{Username: "t-city", Password: "s3cret-pass", Role: access.UnitHead, DisplayName: "  市级督查  ",
		ScopeKind: "region", ScopeCode: "370400", StaffNo: "H-370403-GAJ"})
	got, err := users.Get(ctx, "T-CITY")
	if err != nil || got.DisplayName != "市级督查" || got.Scope.String() != "region:370400" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	_, err = users.Get(ctx, "nobody")
	wantProblem(t, err, 404, "user_not_found")

	// The table itself refuses what Create would: a window staff login without a staff member,
	// a scope pointing nowhere.
	for _, sql := range []string{
		`INSERT INTO users (username, password_hash, display_name, role, scope_kind, scope_id)
		 SELECT 'x-raw', password_hash, 'x', 'window_staff', 'region', scope_id FROM users WHERE username = 't-city'`,
		`INSERT INTO users (username, password_hash, display_name, role, scope_kind, scope_id)
		 SELECT 'x-raw', password_hash, 'x', 'auditor', 'hall', 999999 FROM users WHERE username = 't-city'`,
		`INSERT INTO users (username, password_hash, display_name, role, scope_kind, scope_id)
		 SELECT 'x-raw', 'plain text', 'x', 'auditor', 'region', scope_id FROM users WHERE username = 't-city'`,
	} {
		if _, err := env.DB.Pool.Exec(ctx, sql); err == nil {
			t.Errorf("the table accepted: %s", sql)
		}
	}
}

func TestParseScope(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"department:ZZ-SPJ": {"department", "ZZ-SPJ"},
		"hall:370400-ZWFW":  {"hall", "370400-ZWFW"},
		" region:370400 ":   {"region", "370400"},
	} {
		kind, code, err := access.ParseScope(in)
		if err != nil || kind != want[0] || code != want[1] {
			t.Errorf("ParseScope(%q) = %q, %q, %v", in, kind, code, err)
		}
	}
	for _, in := range []string{"", "region", "region:", ":370400", "city:370400", "Region:370400"} {
		_, _, err := access.ParseScope(in)
		wantProblem(t, err, 422, "invalid_scope")
	}
	if s := (access.Scope{Kind: "hall", Code: "370400-ZWFW"}).String(); s != "hall:370400-ZWFW" {
		t.Errorf("String() = %q", s)
	}
}

func TestScopeSQLRestrictsRows(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	ctx := context.Background()
	env.Exec(`CREATE TABLE scoped_rows (name text, department_id bigint, hall_id bigint, region_id bigint)`)
	env.Exec(`INSERT INTO scoped_rows
		SELECT v.name, (SELECT id FROM departments WHERE code = v.dept), (SELECT id FROM halls WHERE code = v.hall),
		       (SELECT id FROM regions WHERE code = v.region)
		FROM (VALUES ('city-spj', 'ZZ-SPJ', '370400-ZWFW', '370400'),
		             ('city-gaj', 'ZZ-GAJ', '370400-ZWFW', '370400'),
		             ('szq-spj', '370402-SPJ', '370402-ZWFW', '370402'),
		             ('szq-online', '370402-GAJ', NULL, '370402'),
		             ('xc-spj', '370403-SPJ', '370403-ZWFW', '370403')) AS v (name, dept, hall, region)`)
	scope := func(kind, table, code string) access.Scope {
		s := access.Scope{Kind: kind, Code: code}
		if err := env.DB.Pool.QueryRow(ctx, `SELECT id FROM `+table+` WHERE code = $1`, code).Scan(&s.ID); err != nil {
			t.Fatalf("%s %s: %v", table, code, err)
		}
		return s
	}
	for _, c := range []struct {
		scope access.Scope
		want  []string
	}{
		{scope("department", "departments", "ZZ-SPJ"), []string{"city-spj"}},
		{scope("department", "departments", "370402-GAJ"), []string{"szq-online"}},
		{scope("hall", "halls", "370400-ZWFW"), []string{"city-gaj", "city-spj"}},
		{scope("region", "regions", "370400"), []string{"city-gaj", "city-spj", "szq-online", "szq-spj", "xc-spj"}},
		{scope("region", "regions", "370402"), []string{"szq-online", "szq-spj"}},
		{scope("region", "regions", "370403"), []string{"xc-spj"}},
		{access.Scope{Kind: "unknown", ID: 1}, []string{}},
		{access.Scope{}, []string{}},
	} {
		// The predicate takes its place among other parameters ($1 here), with and without an alias.
		pred, arg := c.scope.SQL("s", 2)
		var got []string
		if err := env.DB.Pool.QueryRow(ctx, `SELECT COALESCE(array_agg(s.name ORDER BY s.name), '{}')
			FROM scoped_rows s WHERE s.name <> $1 AND `+pred, "", arg).Scan(&got); err != nil {
			t.Fatalf("%+v: %s: %v", c.scope, pred, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("scope %+v (%s): rows %v, want %v", c.scope, pred, got, c.want)
		}
		pred, arg = c.scope.SQL("", 1)
		var n int
		if err := env.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM scoped_rows WHERE `+pred, arg).Scan(&n); err != nil {
			t.Fatalf("%+v without alias: %s: %v", c.scope, pred, err)
		}
		if n != len(c.want) {
			t.Errorf("scope %+v without alias: %d rows, want %d", c.scope, n, len(c.want))
		}
	}
	if n := env.Count(`SELECT count(*) FROM region_descendants((SELECT id FROM regions WHERE code = '370400'))`); n != 8 {
		t.Errorf("the city and its districts: %d regions, want 8", n)
	}
	if n := env.Count(`SELECT count(*) FROM region_descendants((SELECT id FROM regions WHERE code = '370402'))`); n != 1 {
		t.Errorf("a district: %d regions, want 1", n)
	}
}

package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/bcrypt"

	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/internal/problem"
)

// DefaultSessionTTL is how long a session lasts when Users.SessionTTL is zero: a working day
// with room to spare.
const DefaultSessionTTL = 12 * time.Hour

// DefaultSessionIdle is how long a session lasts without a request when Users.SessionIdle is zero.
const DefaultSessionIdle = 30 * time.Minute

// DefaultMaxSessions is the cap on a user's sessions at once when Users.MaxSessions is zero.
const DefaultMaxSessions = 5

// Users is the registry of staff logins and their sessions (tables users and sessions, which
// this package owns). A login is a record: created through its gorm model.
type Users struct {
	DB         *database.DB
	Cost       int           // bcrypt cost; bcrypt.DefaultCost when zero (tests lower it)
	SessionTTL time.Duration // DefaultSessionTTL when zero
	// RefuseDemo refuses demo logins (their passwords are published): set it when demo mode is
	// off, so that a deployment that once ran as a demo does not keep them usable.
	RefuseDemo bool
	// Throttle counts failed logins and locks accounts and addresses (Redis); nil: none (tests,
	// the command line).
	Throttle *LoginThrottle
	Log      *slog.Logger // refused logins are logged here; slog.Default() when nil
	// SessionIdle ends a session this long after its last request; DefaultSessionIdle when zero.
	SessionIdle time.Duration
	// MaxSessions is how many sessions a user may have at once: a login beyond it closes the
	// oldest; DefaultMaxSessions when zero.
	MaxSessions int
	// TOTPRequired makes the office's and the auditors' logins enroll a second factor (TOTP)
	// before their first full session; an enrolled user is asked for a code whatever it says.
	TOTPRequired bool
	// Keys seal the TOTP secrets and hash the recovery codes; a second factor needs them.
	Keys *pii.Keys
	// Now is the clock the TOTP codes and the login challenges run on; time.Now when nil.
	Now func() time.Time
}

func (u *Users) now() time.Time {
	if u.Now == nil {
		return time.Now()
	}
	return u.Now()
}

func (u *Users) log() *slog.Logger {
	if u.Log == nil {
		return slog.Default()
	}
	return u.Log
}

func (u *Users) cost() int {
	if u.Cost == 0 {
		return bcrypt.DefaultCost
	}
	return u.Cost
}

func (u *Users) ttl() time.Duration {
	if u.SessionTTL <= 0 {
		return DefaultSessionTTL
	}
	return u.SessionTTL
}

func (u *Users) idle() time.Duration {
	if u.SessionIdle <= 0 {
		return DefaultSessionIdle
	}
	return u.SessionIdle
}

func (u *Users) maxSessions() int {
	if u.MaxSessions <= 0 {
		return DefaultMaxSessions
	}
	return u.MaxSessions
}

// userRecord is a row of users as created (the scope columns beside scope_id are generated).
type userRecord struct {
	ID           int64 `gorm:"primaryKey"`
	Username     string
	PasswordHash string
	DisplayName  string
	Role         string
	ScopeKind    string
	ScopeID      int64
	StaffID      *int64
	Active       bool
	Demo         bool
	CreatedAt    time.Time // set by gorm on create
}

func (userRecord) TableName() string { return "users" }

// NewUser describes a login to create.
type NewUser struct {
	Username    string
	Password    string
	DisplayName string // empty: the staff member's name, else the username
	Role        Role
	ScopeKind   string // department, hall or region
	ScopeCode   string // the department, hall or region code
	StaffNo     string // required for window_staff and unit_head
	Demo        bool
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

func normaliseUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Create adds a login. Codes are resolved to the organisation's rows; every refusal is a
// *problem.Error: 422 invalid_username, weak_password, password_too_long, invalid_role,
// invalid_scope, scope_not_found, staff_required, staff_not_found, staff_inactive,
// staff_out_of_scope, invalid_display_name; 409 username_taken, staff_taken.
func (u *Users) Create(ctx context.Context, nu NewUser) (*User, error) {
	return u.create(ctx, nu, nil)
}

// create is Create with a further check of the resolved role, scope and staff member before
// anything is written (the administration's reach, admin_users.go); nil: none.
func (u *Users) create(ctx context.Context, nu NewUser, check func(assignment) error) (*User, error) {
	username := normaliseUsername(nu.Username)
	if !usernamePattern.MatchString(username) {
		return nil, problem.Invalid("invalid_username", "username",
			"用户名须为 2 至 32 位小写字母、数字、点、下划线或连字符，并以字母或数字开头")
	}
	// A demo login's password is published (seeds/users.yaml: demo1234) and is exempt from the
	// policy — bcrypt's cap aside — but only while demo logins are accepted at all.
	if nu.Demo && !u.RefuseDemo {
		if len(nu.Password) > 72 {
			return nil, problem.Invalid("password_too_long", "password", "密码不能超过 72 字节")
		}
	} else if err := checkPasswordRules(username, nu.Password); err != nil {
		return nil, err
	}
	display := strings.TrimSpace(nu.DisplayName)
	if utf8.RuneCountInString(display) > 64 {
		return nil, problem.Invalid("invalid_display_name", "display_name", "姓名不能超过 64 个字符")
	}
	a, err := u.resolveAssignment(ctx, nu.Role, nu.ScopeKind, nu.ScopeCode, nu.StaffNo)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(a); err != nil {
			return nil, err
		}
	}
	if display == "" {
		display = a.staffName
	}
	if display == "" {
		display = username
	}
	hash, err := hashPassword(nu.Password, u.cost())
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	rec := userRecord{Username: username, PasswordHash: hash, DisplayName: display, Role: string(a.role),
		ScopeKind: a.scope.Kind, ScopeID: a.scope.ID, StaffID: a.staffID, Active: true, Demo: nu.Demo}
	err = u.DB.Gorm.WithContext(ctx).Create(&rec).Error
	if perr := uniqueViolation(err, username, a.staffNo); perr != nil {
		return nil, perr
	}
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", username, err)
	}
	return u.get(ctx, "u.id = $1", rec.ID)
}

// uniqueViolation turns the unique indexes of users into their refusals; nil for other errors.
func uniqueViolation(err error, username, staffNo string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return nil
	}
	if pe.ConstraintName == "users_staff" {
		return problem.Conflict("staff_taken", "工号 "+staffNo+" 已有账号：每名工作人员只能有一个账号").
			WithField("staff_no", "该工作人员已有账号")
	}
	return problem.Conflict("username_taken", "用户名 "+username+" 已被使用").WithField("username", "已被使用")
}

// assignment is a login's role, its scope and the staff member it is, resolved and checked.
type assignment struct {
	role      Role
	scope     Scope
	staffID   *int64
	staffNo   string
	staffName string
}

// resolveAssignment checks a role, a scope (kind and code) and a staff number together: the
// role exists, the scope names a row, and the staff member — required for window staff and
// unit heads — is active and works within the scope.
func (u *Users) resolveAssignment(ctx context.Context, role Role, kind, code, staffNo string) (assignment, error) {
	a := assignment{role: Role(strings.TrimSpace(string(role))), staffNo: strings.TrimSpace(staffNo)}
	if !a.role.Valid() {
		return a, problem.Invalid("invalid_role", "role", "角色须为 window_staff、unit_head、office_admin 或 auditor")
	}
	kind, code = strings.TrimSpace(kind), strings.TrimSpace(code)
	if !ValidScopeKind(kind) || code == "" {
		return a, problem.Invalid("invalid_scope", "scope", "范围须为 department:部门编码、hall:大厅编码 或 region:区划编码")
	}
	if a.role.NeedsStaff() && a.staffNo == "" {
		return a, problem.Invalid("staff_required", "staff_no", a.role.Label()+"账号须对应一名工作人员（工号）")
	}
	var err error
	if a.scope, err = u.resolveScope(ctx, kind, code); err != nil {
		return a, err
	}
	if a.staffNo != "" {
		id, name, err := u.resolveStaff(ctx, a.staffNo, a.scope)
		if err != nil {
			return a, err
		}
		a.staffID, a.staffName = &id, name
	}
	return a, nil
}

var scopeTables = map[string]string{ScopeDepartment: "departments", ScopeHall: "halls", ScopeRegion: "regions"}

func (u *Users) resolveScope(ctx context.Context, kind, code string) (Scope, error) {
	s := Scope{Kind: kind}
	err := u.DB.Pool.QueryRow(ctx, `SELECT id, code, name FROM `+scopeTables[kind]+` WHERE code = $1`, code).
		Scan(&s.ID, &s.Code, &s.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		what := map[string]string{ScopeDepartment: "部门", ScopeHall: "大厅", ScopeRegion: "区划"}[kind]
		return s, problem.Invalid("scope_not_found", "scope", fmt.Sprintf("%s编码不存在：%s", what, code))
	}
	if err != nil {
		return s, fmt.Errorf("resolve scope %s:%s: %w", kind, code, err)
	}
	return s, nil
}

// resolveStaff finds the staff member and checks that they work within the scope: in the
// department; at a window of the hall, or for a department with a window there; or in a
// department of the region or a region below it.
func (u *Users) resolveStaff(ctx context.Context, staffNo string, scope Scope) (int64, string, error) {
	var (
		id             int64
		name           string
		active, inside bool
	)
	err := u.DB.Pool.QueryRow(ctx, `
		SELECT s.id, s.name, s.active,
		       CASE $2::text
		           WHEN 'department' THEN s.department_id = $3
		           WHEN 'hall' THEN EXISTS (SELECT 1 FROM windows w WHERE w.hall_id = $3
		                                    AND (w.id = s.window_id OR w.department_id = s.department_id))
		           ELSE d.region_id IN (SELECT region_descendants($3))
		       END
		FROM staff s JOIN departments d ON d.id = s.department_id
		WHERE s.staff_no = $1`, staffNo, scope.Kind, scope.ID).Scan(&id, &name, &active, &inside)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, "", problem.Invalid("staff_not_found", "staff_no", "工号不存在："+staffNo)
	case err != nil:
		return 0, "", fmt.Errorf("resolve staff %s: %w", staffNo, err)
	case !active:
		return 0, "", problem.Invalid("staff_inactive", "staff_no", "该工作人员已停用："+staffNo)
	case !inside:
		return 0, "", problem.Invalid("staff_out_of_scope", "staff_no",
			fmt.Sprintf("工作人员 %s 不在范围 %s 之内", staffNo, scope))
	}
	return id, name, nil
}

// userSelect reads a user with its scope's code and name and its staff number.
const userSelect = `
	SELECT u.id, u.username, u.display_name, u.role, u.scope_kind, u.scope_id,
	       COALESCE(d.code, h.code, r.code, ''), COALESCE(d.name, h.name, r.name, ''),
	       u.staff_id, COALESCE(st.staff_no, ''), u.active, u.demo, u.created_at,
	       EXISTS (SELECT 1 FROM user_totp ut WHERE ut.user_id = u.id)
	FROM users u
	LEFT JOIN departments d ON d.id = u.scope_department_id
	LEFT JOIN halls h ON h.id = u.scope_hall_id
	LEFT JOIN regions r ON r.id = u.scope_region_id
	LEFT JOIN staff st ON st.id = u.staff_id`

// scanUser reads a row of userSelect, and then the row's extra columns into extra.
func scanUser(row pgx.Row, extra ...any) (*User, error) {
	var x User
	var role string
	dest := append([]any{&x.ID, &x.Username, &x.DisplayName, &role, &x.Scope.Kind, &x.Scope.ID, &x.Scope.Code,
		&x.Scope.Name, &x.StaffID, &x.StaffNo, &x.Active, &x.Demo, &x.CreatedAt, &x.TOTPEnrolled}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	x.Role = Role(role)
	x.RoleLabel = x.Role.Label()
	return &x, nil
}

// get returns the one user matching where (which uses $1…); pgx.ErrNoRows when none.
func (u *Users) get(ctx context.Context, where string, args ...any) (*User, error) {
	return scanUser(u.DB.Pool.QueryRow(ctx, userSelect+" WHERE "+where, args...))
}

// Get returns the user with that username; 404 user_not_found when there is none.
func (u *Users) Get(ctx context.Context, username string) (*User, error) {
	x, err := u.get(ctx, "u.username = $1", normaliseUsername(username))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("user_not_found", "用户不存在："+username)
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return x, nil
}

// List returns the users by username; demoOnly keeps the demo users alone.
func (u *Users) List(ctx context.Context, demoOnly bool) ([]*User, error) {
	rows, err := u.DB.Pool.Query(ctx, userSelect+" WHERE u.demo OR NOT $1 ORDER BY u.username", demoOnly)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		x, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// SetActive enables or disables a login; disabling also ends its sessions at once.
func (u *Users) SetActive(ctx context.Context, username string, active bool) error {
	var n int
	err := u.DB.Pool.QueryRow(ctx, `
		WITH changed AS (UPDATE users SET active = $2 WHERE username = $1 RETURNING id),
		     ended AS (DELETE FROM sessions WHERE NOT $2 AND user_id IN (SELECT id FROM changed))
		SELECT count(*) FROM changed`, normaliseUsername(username), active).Scan(&n)
	if err != nil {
		return fmt.Errorf("update user %s: %w", username, err)
	}
	if n == 0 {
		return problem.NotFound("user_not_found", "用户不存在："+username)
	}
	return nil
}

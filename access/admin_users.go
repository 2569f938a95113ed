package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// The administration of logins by an office administrator (the pages /admin/users and the API
// /api/v1/users): list, create, disable and enable, reset a password, change role and scope —
// each only within the administrator's reach (admin_reach.go). Every change that takes rights
// away ends the login's sessions at once, so that it applies from the next request.

// UserFilter narrows the administration's list of logins.
type UserFilter struct {
	Query string // part of the username, the name or the staff number
	Role  Role   // empty: every role
}

// maxListedUsers bounds one list: the search narrows it.
const maxListedUsers = 500

// AdminList returns the logins within the administrator's reach, by username. 422 invalid_role
// for an unknown role.
func (u *Users) AdminList(ctx context.Context, admin *User, f UserFilter) ([]*User, error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, errNotAdmin()
	}
	role := Role(strings.TrimSpace(string(f.Role)))
	if role != "" && !role.Valid() {
		return nil, problem.Invalid("invalid_role", "role", "角色须为 window_staff、unit_head、office_admin 或 auditor")
	}
	q := strings.TrimSpace(f.Query)
	pattern := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
	rows, err := u.DB.Pool.Query(ctx, userSelect+`
		WHERE `+usersInReach("u", 1)+`
		  AND ($2 = '' OR u.role = $2)
		  AND ($3 = '' OR u.username ILIKE $4 OR u.display_name ILIKE $4 OR st.staff_no ILIKE $4)
		ORDER BY u.username LIMIT $5`, region, string(role), q, pattern, maxListedUsers)
	if err != nil {
		return nil, fmt.Errorf("list users in reach: %w", err)
	}
	defer rows.Close()
	out := []*User{}
	for rows.Next() {
		x, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users in reach: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// AdminGet returns the login with that username if it is within the administrator's reach;
// 404 user_not_found when it is not, as when there is none.
func (u *Users) AdminGet(ctx context.Context, admin *User, username string) (*User, error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, errNotAdmin()
	}
	x, err := u.get(ctx, "u.username = $1 AND "+usersInReach("u", 2), normaliseUsername(username), region)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUserNotFound(username)
	}
	if err != nil {
		return nil, fmt.Errorf("get user in reach: %w", err)
	}
	return x, nil
}

func errUserNotFound(username string) error {
	return problem.NotFound("user_not_found", fmt.Sprintf("用户不存在或不在管理范围内：%.40s", username))
}

func errScopeOutOfReach(admin *User, s Scope) error {
	msg := fmt.Sprintf("范围“%s”不在您的管理范围（%s及其下级）之内", s.Name, admin.Scope.Name)
	return problem.Forbidden("scope_out_of_reach", msg).WithField("scope", msg)
}

// checkReach refuses an assignment whose scope lies outside the administrator's region. It is
// also what keeps an administrator from making an office administrator or auditor above its
// own region: their scope would be a region above it.
func (u *Users) checkReach(ctx context.Context, admin *User, region int64, a assignment) error {
	inside, err := u.scopeInReach(ctx, a.scope, region)
	if err != nil {
		return err
	}
	if !inside {
		return errScopeOutOfReach(admin, a.scope)
	}
	return nil
}

// AdminCreate creates a login within the administrator's reach, with the rules of Create and
// 403 scope_out_of_reach. An empty password is generated: it is returned (this once) as
// generated, which is empty when the administrator typed one. A login created here is never
// a demo login.
func (u *Users) AdminCreate(ctx context.Context, admin *User, nu NewUser) (user *User, generated string, err error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, "", errNotAdmin()
	}
	nu.Demo = false
	if nu.Password == "" {
		generated = GeneratePassword()
		nu.Password = generated
	}
	user, err = u.create(ctx, nu, func(a assignment) error { return u.checkReach(ctx, admin, region, a) })
	if err != nil {
		return nil, "", err
	}
	return user, generated, nil
}

// AdminSetActive disables or enables a login within the administrator's reach; disabling ends
// its sessions at once. 404 user_not_found outside the reach; 409 cannot_disable_self.
func (u *Users) AdminSetActive(ctx context.Context, admin *User, username string, active bool) (*User, error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, errNotAdmin()
	}
	name := normaliseUsername(username)
	if !active && name == admin.Username {
		return nil, problem.Conflict("cannot_disable_self", "不能停用自己正在使用的账号")
	}
	var id int64
	err := u.DB.Pool.QueryRow(ctx, `
		WITH changed AS (UPDATE users u SET active = $2 WHERE u.username = $1 AND `+usersInReach("u", 3)+` RETURNING u.id),
		     ended AS (DELETE FROM sessions WHERE NOT $2 AND user_id IN (SELECT id FROM changed))
		SELECT id FROM changed`, name, active, region).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUserNotFound(username)
	}
	if err != nil {
		return nil, fmt.Errorf("set user %s active: %w", name, err)
	}
	return u.get(ctx, "u.id = $1", id)
}

// AdminResetPassword sets a new password for a login within the administrator's reach and ends
// its sessions (the administrator's own included, when it resets its own). An empty password
// is generated and returned, this once, as generated. 404 user_not_found; 422 weak_password,
// password_too_long.
func (u *Users) AdminResetPassword(ctx context.Context, admin *User, username, password string) (generated string, err error) {
	region, ok := adminRegion(admin)
	if !ok {
		return "", errNotAdmin()
	}
	if password == "" {
		generated = GeneratePassword()
		password = generated
	}
	if err := checkPasswordRules(username, password); err != nil {
		return "", err
	}
	hash, err := hashPassword(password, u.cost())
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	var id int64
	err = u.DB.Pool.QueryRow(ctx, `
		WITH changed AS (UPDATE users u SET password_hash = $2 WHERE u.username = $1 AND `+usersInReach("u", 3)+` RETURNING u.id),
		     ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed))
		SELECT id FROM changed`, normaliseUsername(username), hash, region).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errUserNotFound(username)
	}
	if err != nil {
		return "", fmt.Errorf("reset password of %s: %w", username, err)
	}
	return generated, nil
}

// Assignment is a login's role, scope ("department:ZZ-SPJ", as ParseScope reads it) and staff
// number, as the administration changes them.
type Assignment struct {
	Role    Role
	Scope   string
	StaffNo string
}

// AdminAssign changes the role, scope and staff member of a login within the administrator's
// reach, with the rules of Create, and ends its sessions when anything changed, so that the
// new rights apply from its next login. A new staff member brings their name. 404
// user_not_found; 403 scope_out_of_reach, cannot_change_own_role; 422 as Create; 409
// staff_taken.
func (u *Users) AdminAssign(ctx context.Context, admin *User, username string, in Assignment) (*User, error) {
	region, ok := adminRegion(admin)
	if !ok {
		return nil, errNotAdmin()
	}
	target, err := u.AdminGet(ctx, admin, username)
	if err != nil {
		return nil, err
	}
	kind, code, err := ParseScope(in.Scope)
	if err != nil {
		return nil, err
	}
	a, err := u.resolveAssignment(ctx, in.Role, kind, code, in.StaffNo)
	if err != nil {
		return nil, err
	}
	if err := u.checkReach(ctx, admin, region, a); err != nil {
		return nil, err
	}
	sameScope := a.scope.Kind == target.Scope.Kind && a.scope.ID == target.Scope.ID
	if target.ID == admin.ID && (a.role != target.Role || !sameScope) {
		msg := "不能更改自己的角色或范围：请另一位管理员操作"
		return nil, problem.Forbidden("cannot_change_own_role", msg).WithField("role", msg)
	}
	sameStaff := (a.staffID == nil && target.StaffID == nil) ||
		(a.staffID != nil && target.StaffID != nil && *a.staffID == *target.StaffID)
	if a.role == target.Role && sameScope && sameStaff {
		return target, nil
	}
	var id int64
	err = u.DB.Pool.QueryRow(ctx, `
		WITH changed AS (
		    UPDATE users u SET role = $2, scope_kind = $3, scope_id = $4, staff_id = $5,
		                       display_name = CASE WHEN $6 <> '' AND $5::bigint IS DISTINCT FROM u.staff_id THEN $6 ELSE u.display_name END
		    WHERE u.id = $1 AND `+usersInReach("u", 7)+` RETURNING u.id),
		     ended AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM changed))
		SELECT id FROM changed`, target.ID, string(a.role), a.scope.Kind, a.scope.ID, a.staffID, a.staffName, region).Scan(&id)
	if perr := uniqueViolation(err, target.Username, a.staffNo); perr != nil {
		return nil, perr
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUserNotFound(username)
	}
	if err != nil {
		return nil, fmt.Errorf("assign user %s: %w", target.Username, err)
	}
	return u.get(ctx, "u.id = $1", id)
}

// generatedAlphabet has no characters people confuse when reading a password out (0 O, 1 l I).
const generatedAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratedPasswordLength is the length of a generated password: about 69 bits.
const GeneratedPasswordLength = 12

// GeneratePassword returns a random password to be shown once to the administrator. Bytes
// beyond the last whole multiple of the alphabet are drawn again, so every character is as
// likely as any other.
func GeneratePassword() string {
	const limit = 256 / len(generatedAlphabet) * len(generatedAlphabet)
	out := make([]byte, 0, GeneratedPasswordLength)
	buf := make([]byte, 2*GeneratedPasswordLength)
	for len(out) < GeneratedPasswordLength {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		for _, x := range buf {
			if int(x) < limit && len(out) < GeneratedPasswordLength {
				out = append(out, generatedAlphabet[int(x)%len(generatedAlphabet)])
			}
		}
	}
	return string(out)
}

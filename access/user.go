package access

import "time"

// User is a staff login. Its password hash never leaves the store of logins (users.go).
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	RoleLabel   string `json:"role_label"` // the role's Chinese name
	Scope       Scope  `json:"scope"`
	StaffID     *int64 `json:"staff_id,omitempty"` // the staff member this login is
	StaffNo     string `json:"staff_no,omitempty"`
	Active      bool   `json:"active"`
	Demo        bool   `json:"demo"`
	// TOTPEnrolled: the login has a second factor (TOTP), asked at every login.
	TOTPEnrolled bool      `json:"totp_enrolled"`
	CreatedAt    time.Time `json:"created_at"`
}

// HasRole reports whether the user has one of roles.
func (u *User) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

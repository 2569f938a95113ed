// Package access is who may see and do what: a login (users) with a role — window staff, unit
// head, office admin or auditor — and a scope — a department, a hall, or a region with every
// region below it; the responsibility table of work orders (谁办理、谁负责, responsibility.go);
// and the store of logins and their sessions, which this package owns (tables users and
// sessions). It imports no HTTP: the login routes and the session middleware are the web
// layer's (web/session).
//
// Passwords are kept as bcrypt hashes; a session is an opaque random token, of which the
// database keeps only the SHA-256. Office and auditor logins may have (or, with
// Users.TOTPRequired, must have) a second factor, TOTP (totp.go, login_challenge.go,
// totp_recovery.go; tables user_totp, totp_recovery_codes, login_challenges): the password
// then opens a short-lived challenge, and only the code opens the session.
//
// Scope and responsibility are enforced inside SQL: every query over rows that carry
// department_id, hall_id and region_id adds the predicate of Scope.SQL (or, for work orders,
// User.WorkOrders) to its WHERE clause, so that rows outside it are never read, counted or
// returned — nothing is filtered afterwards in Go.
package access

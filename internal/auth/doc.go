// Package auth is who a staff member is and what part of the organisation they see.
//
// A login (users) has a role — window staff, unit head, office admin or auditor — and a scope:
// a department, a hall, or a region with every region below it. Passwords are kept as bcrypt
// hashes; a session is an opaque random token sent as "Authorization: Bearer <token>" or in the
// haochaping_session cookie, of which the database keeps only the SHA-256.
//
// Scope is enforced inside SQL: every query over rows that carry department_id, hall_id and
// region_id adds the predicate of Scope.SQL to its WHERE clause, so that rows outside the scope
// are never read, counted or returned — nothing is filtered afterwards in Go.
package auth

// Package session is the web side of logins: POST /auth/login, /auth/logout and GET /auth/me,
// and the middleware that admits a request with a live session — "Authorization: Bearer
// <token>" or the haochaping_session cookie — keeping its user for the handlers (UserOf). The
// store of logins and sessions, and what a user may see and do, are package access's.
package session

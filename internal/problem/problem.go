// Package problem is the shape of every refused request: an HTTP status, a stable machine
// code, a Chinese message for people, and the fields at fault. Domain packages return these
// so that the HTTP layer answers without guessing.
package problem

import (
	"errors"
	"net/http"
	"time"
)

// Error is an answer to bad input or a refused action. It is never a 5xx.
type Error struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// RetryAfter: when the caller may try again, sent as the Retry-After header (429).
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// WithField names a field at fault (field → Chinese explanation).
func (e *Error) WithField(field, msg string) *Error {
	c := *e
	c.Fields = make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[field] = msg
	return &c
}

func newError(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// BadRequest: the request cannot be read (not JSON, wrong types).
func BadRequest(code, msg string) *Error { return newError(http.StatusBadRequest, code, msg) }

// Invalid: the request is readable but breaks a rule; field names the part at fault.
func Invalid(code, field, msg string) *Error {
	e := newError(http.StatusUnprocessableEntity, code, msg)
	if field != "" {
		e.Fields = map[string]string{field: msg}
	}
	return e
}

// Unauthorized: the caller is not who it claims, or says nothing.
func Unauthorized(code, msg string) *Error { return newError(http.StatusUnauthorized, code, msg) }

// Forbidden: the caller is known but may not do this.
func Forbidden(code, msg string) *Error { return newError(http.StatusForbidden, code, msg) }

// NotFound: nothing of that name within the caller's reach.
func NotFound(code, msg string) *Error { return newError(http.StatusNotFound, code, msg) }

// Conflict: the action does not fit the current state.
func Conflict(code, msg string) *Error { return newError(http.StatusConflict, code, msg) }

// Gone: it existed, and is no longer usable (an expired link).
func Gone(code, msg string) *Error { return newError(http.StatusGone, code, msg) }

// TooManyRequests: the caller spent its budget of requests; it may try again after retryAfter.
func TooManyRequests(code, msg string, retryAfter time.Duration) *Error {
	e := newError(http.StatusTooManyRequests, code, msg)
	e.RetryAfter = retryAfter
	return e
}

// Unavailable: a service the answer depends on is down for now; the caller may try again.
func Unavailable(code, msg string) *Error { return newError(http.StatusServiceUnavailable, code, msg) }

// As reports whether err is (or wraps) a *Error.
func As(err error) (*Error, bool) {
	var p *Error
	ok := errors.As(err, &p)
	return p, ok
}

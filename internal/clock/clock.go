// Package clock is the business "now": the instant every rule of time reads — rating windows,
// deadlines, days, months, overdue steps — so that a test can set it. Plumbing that must follow
// the machine (queue leases, retries, session expiry, signatures' replay memory) keeps the
// machine's own time.
package clock

import (
	"sync"
	"time"
)

// Clock tells the business time.
type Clock interface {
	Now() time.Time
}

// Real is the machine's clock.
type Real struct{}

// Now implements Clock.
func (Real) Now() time.Time { return time.Now() }

// Func adapts a function to Clock; nil is the machine's clock.
type Func func() time.Time

// Now implements Clock.
func (f Func) Now() time.Time {
	if f == nil {
		return time.Now()
	}
	return f()
}

// Manual is a clock a test sets: it stands still at the instant last set, or, once Run is
// called, runs on from it at the machine's pace. Safe for concurrent use.
type Manual struct {
	mu      sync.Mutex
	at      time.Time // the instant set
	running bool
	since   time.Time // machine time when at was set, while running
}

// NewManual returns a clock standing at t.
func NewManual(t time.Time) *Manual { return &Manual{at: t} }

// Now implements Clock.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		return m.at.Add(time.Since(m.since))
	}
	return m.at
}

// Set moves the clock to t (it keeps running, if it was).
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.at, m.since = t, time.Now()
}

// Advance moves the clock on by d.
func (m *Manual) Advance(d time.Duration) {
	m.Set(m.Now().Add(d))
}

// Run lets the clock run on from where it stands, at the machine's pace: for tests that also
// wait on the machine's time (a queue's delayed task, a lease).
func (m *Manual) Run() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.running {
		m.running, m.since = true, time.Now()
	}
}

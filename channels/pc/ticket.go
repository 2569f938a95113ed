package pc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"haochaping/channels"
	"haochaping/evaluation"
	"haochaping/internal/problem"
)

// A ticket is how the portal sends its logged-in user to haochaping's rating page ("一事一评"
// on 政务服务网): the portal redirects the browser to /pc?ticket=T, T = base64url(payload) "."
// signature, the signature made as for the portal's API requests (channels.Sign) over the
// payload, with the method TICKET, the path /pc and the ticket's expiry as timestamp — so the
// portal signs with what it already has, and a ticket cannot pass for a request.

// MaxTicketLife bounds how far ahead a ticket may expire: long enough to rate, short enough
// that a ticket left in a browser history is soon worth nothing.
const MaxTicketLife = 30 * time.Minute

// Ticket is what the portal vouches for: its device, the case, and the logged-in user.
type Ticket struct {
	Device  string `json:"device"`
	CaseNo  string `json:"case_no"`
	Stage   string `json:"stage,omitempty"`
	User    User   `json:"user"`
	Expires int64  `json:"expires"` // Unix seconds
}

const ticketMethod, ticketPath = "TICKET", "/pc"

// SignTicket makes a ticket as the portal would, with its device secret.
func SignTicket(secret string, t Ticket) (string, error) {
	payload, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(payload) + "." + channels.Sign(secret, t.Expires, ticketMethod, ticketPath, payload), nil
}

// ParseTicket checks a ticket: readable, signed by an enabled portal device, not expired, not
// too long-lived. Every refusal is a *problem.Error a person can read.
func ParseTicket(ctx context.Context, devices *channels.Devices, raw string, now time.Time) (*Ticket, *channels.Device, error) {
	invalid := problem.Forbidden("ticket_invalid", "登录凭证无效：请回到政务服务网重新进入评价")
	enc, sig, ok := strings.Cut(strings.TrimSpace(raw), ".")
	if !ok || len(raw) > 4096 {
		return nil, nil, invalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, nil, invalid
	}
	var t Ticket
	if err := json.Unmarshal(payload, &t); err != nil || t.Device == "" || t.CaseNo == "" {
		return nil, nil, invalid
	}
	dev, err := devices.Lookup(ctx, t.Device)
	if err != nil {
		return nil, nil, err
	}
	if dev == nil || !dev.Enabled || !devices.Admits(dev) || dev.Channel != "pc" || !dev.SignedBy(t.Expires, ticketMethod, ticketPath, payload, strings.ToLower(sig)) {
		return nil, nil, invalid
	}
	exp := time.Unix(t.Expires, 0)
	if !now.Before(exp) {
		return nil, nil, problem.Gone("ticket_expired", "登录凭证已过期：请回到政务服务网重新进入评价")
	}
	if exp.Sub(now) > MaxTicketLife {
		return nil, nil, invalid
	}
	return &t, dev, nil
}

// Submission maps a rating made on the page with a ticket: the same key as the portal's own
// API would derive, so that the page and the API never count one rating twice.
func (t *Ticket) Submission(r channels.Rating) *evaluation.Submission {
	p := Payload{CaseNo: t.CaseNo, Stage: t.Stage, User: &t.User, Rating: r}
	return p.Submission(t.Device, channels.DerivedKey("pc", t.Device, t.CaseNo+":"+t.Stage))
}

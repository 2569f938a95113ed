package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/testenv"
)

// TestInvalidTextIsRefused sends NUL, other control characters and invalid UTF-8 wherever a
// request carries text — a JSON body's strings, the query, the path, the headers the API
// reads — and checks that each is refused with 400 or 422 naming the field, as the document
// says, and that nothing is written. PostgreSQL refuses NUL in text, so each of these used to
// end as a 500.
func TestInvalidTextIsRefused(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	a := newAPIChecker(t, srv)
	office := srv.Login("office", "demo1234")
	system := srv.DemoDevice("demo-system")
	pad := srv.DemoDevice("demo-window-370400-zh01")
	now := env.Clock.Now()
	written := func() int {
		return env.Count(`SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM cases) + (SELECT count(*) FROM evaluations)`)
	}
	before := written()

	// refused checks the answer's status and code (by a.do) and the field it names.
	refused := func(c call, field string) {
		t.Helper()
		c.code = "invalid_text"
		r := a.do(c)
		if r.Status != c.status {
			return
		}
		if fields, _ := r.JSON(t)["fields"].(map[string]any); fields[field] == nil {
			t.Errorf("%s: fields %v, want %s named: %s", c.name, fields, field, r.Body)
		}
	}

	// JSON bodies: 422 naming the field, however deep.
	refused(call{name: "login with NUL in the username", method: "POST", path: "/api/v1/auth/login",
		body: `{"username":"of\u0000fice","password":"x"}`, status: 422}, "username")
	nulName := apptest.Case("TX-CASE-0001", now.Add(-time.Hour))
	nulName["applicant"] = map[string]any{"name": "张\u0000三", "phone": apptest.ApplicantTel}
	refused(call{name: "case with NUL in the applicant's name", method: "POST", path: "/api/v1/cases", dev: &system,
		body: nulName, status: 422}, "applicant.name")
	refused(call{name: "window rating with invalid UTF-8 in the comment", method: "POST", path: "/api/v1/channels/window/evaluations",
		dev: &pad, body: "{\"ticket_no\":\"A001\",\"level\":4,\"comment\":\"\xe7\xad\x89\xff\xfe\",\"served_at\":\"" +
			now.Add(-10*time.Minute).Format(time.RFC3339) + "\"}", status: 422}, "comment")
	refused(call{name: "window rating with an escape in a reason", method: "POST", path: "/api/v1/channels/window/evaluations",
		dev: &pad, body: map[string]any{"ticket_no": "A002", "level": 1, "reasons": []string{"服务态度", "\x1b[31m"},
			"served_at": now.Add(-10 * time.Minute).Format(time.RFC3339)}, status: 422}, "reasons[1]")

	// The query, percent-decoded: 400 naming the parameter, before any handler looks.
	refused(call{name: "work orders by a NUL state", method: "GET", path: "/api/v1/workorders?state=%00", header: bearer(office),
		status: 400, offSpec: true}, "state")
	refused(call{name: "overview of a NUL channel", method: "GET", path: "/api/v1/stats/overview?channel=%00", header: bearer(office),
		status: 400, offSpec: true}, "channel")
	refused(call{name: "entries of a department in broken UTF-8", method: "GET", path: "/api/v1/ledgers/entries?department=%E5%B8",
		header: bearer(office), status: 400}, "department")
	refused(call{name: "reasons with a NUL in a parameter's name", method: "GET", path: "/api/v1/reasons?case%00no=1",
		status: 400}, "query")
	// The path, decoded: a NUL where an id goes.
	refused(call{name: "work order %00", method: "GET", path: "/api/v1/workorders/%00", header: bearer(office),
		status: 400, offSpec: true}, "path")
	// The headers the API reads. Go's client will not send a control character in a header,
	// so these go out by hand.
	rating := map[string]any{"ticket_no": "A004", "level": 5, "served_at": now.Add(-10 * time.Minute).Format(time.RFC3339)}
	bad := a.sign(pad, "POST", "/api/v1/channels/window/evaluations", rawBody(t, rating))
	bad.Set(channels.HeaderDeviceID, pad.ID+"\x01")
	refused(call{name: "a control character in X-Device-ID", method: "POST", path: "/api/v1/channels/window/evaluations",
		header: bad, body: rating, status: 400, send: func(raw []byte, h http.Header) *apptest.Response {
			return byHand(t, srv, "POST", "/api/v1/channels/window/evaluations", h, raw)
		}}, channels.HeaderDeviceID)
	refused(call{name: "a NUL in Idempotency-Key", method: "GET", path: "/api/v1/workorders",
		header: http.Header{"Authorization": {"Bearer " + office}, channels.IdempotencyKey: {"k\x00"}}, status: 400,
		send: func(raw []byte, h http.Header) *apptest.Response {
			return byHand(t, srv, "GET", "/api/v1/workorders", h, raw)
		}}, channels.IdempotencyKey)

	if n := written(); n != before {
		t.Errorf("%d rows written by refused requests", n-before)
	}

	// Text as people write it passes: tabs and line breaks, and a U+FFFD meant as such.
	a.do(call{name: "window rating with line breaks", method: "POST", path: "/api/v1/channels/window/evaluations", dev: &pad,
		body: map[string]any{"ticket_no": "A003", "level": 4, "comment": "等了很久\r\n\t但态度好 \uFFFD",
			"served_at": now.Add(-10 * time.Minute).Format(time.RFC3339)}, status: 201})
	a.logCoverage()
}

// byHand sends a request written out byte for byte, headers as they are — which Go's client
// refuses to do for a header holding a control character — and reads the answer.
func byHand(t *testing.T, srv *apptest.Server, method, path string, h http.Header, body []byte) *apptest.Response {
	t.Helper()
	extra := fmt.Sprintf("Content-Length: %d\r\nConnection: close\r\n", len(body))
	if len(body) > 0 {
		extra += "Content-Type: application/json\r\n"
	}
	return srv.ByHand(method, path, extra+apptest.HeaderLines(h), body)
}

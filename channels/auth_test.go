package channels_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/testenv"
)

const windowPath = "/api/v1/channels/window/evaluations"

// servedAt is when the rated visits were served: a minute before the business time the
// signature tests set (signatures themselves are checked against the machine's clock).
const servedAt = "2026-11-25 09:59:00"

func rating(ticket string) map[string]any {
	return map[string]any{"ticket_no": ticket, "level": 5, "served_at": servedAt}
}

// TestSignKnownAnswer pins the signature scheme that device makers implement from README.md;
// the expected value was computed independently with
//
//	printf '1764120000\nPOST\n/api/v1/channels/window/evaluations\n%s' \
//	  "$(printf '%s' '{"level":5}' | sha256sum | cut -d' ' -f1)" | openssl dgst -sha256 -hmac s3cret
func TestSignKnownAnswer(t *testing.T) {
	got := channels.Sign("s3cret", 1764120000, "POST", "/api/v1/channels/window/evaluations", []byte(`{"level":5}`))
	const want = "2a9da167f5a220fdbe95b94c71fd890d08f6e98568814a4694d6bbc58aaff7d1"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestSignatures(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	// X-Timestamp is checked against the machine's clock, read afresh for each request (offset
	// seconds from it): a loaded machine may take seconds between two requests. The window's
	// edges are tried 10 s beyond it and within it, so that those seconds never carry a
	// timestamp across an edge.
	sendAt := func(dev apptest.Device, ts int64, body []byte, sign func(secret string, ts int64) string) *apptest.Response {
		h := http.Header{}
		h.Set(channels.HeaderDeviceID, dev.ID)
		h.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(channels.HeaderSignature, sign(dev.Secret, ts))
		return srv.Raw("POST", windowPath, body, h)
	}
	send := func(dev apptest.Device, offset int64, body []byte, sign func(secret string, ts int64) string) *apptest.Response {
		return sendAt(dev, time.Now().Unix()+offset, body, sign)
	}
	body := []byte(`{"ticket_no":"S001","level":5,"served_at":"` + servedAt + `"}`)
	good := func(b []byte) func(string, int64) string {
		return func(secret string, ts int64) string { return channels.Sign(secret, ts, "POST", windowPath, b) }
	}

	cases := []struct {
		name string
		resp func() *apptest.Response
		want string
	}{
		{"wrong secret", func() *apptest.Response {
			return send(pad, 0, body, func(_ string, ts int64) string { return channels.Sign("not-the-secret", ts, "POST", windowPath, body) })
		}, "signature_invalid"},
		{"tampered body", func() *apptest.Response {
			tampered := []byte(`{"ticket_no":"S001","level":1,"served_at":"2026-01-01T00:00:00Z"}`)
			return send(pad, 0, tampered, good(body))
		}, "signature_invalid"},
		{"signed for another path", func() *apptest.Response {
			return send(pad, 0, body, func(secret string, ts int64) string {
				return channels.Sign(secret, ts, "POST", "/api/v1/channels/kiosk/evaluations", body)
			})
		}, "signature_invalid"},
		{"stale timestamp", func() *apptest.Response { return send(pad, -310, body, good(body)) }, "timestamp_skewed"},
		{"future timestamp", func() *apptest.Response { return send(pad, +310, body, good(body)) }, "timestamp_skewed"},
		{"unknown device", func() *apptest.Response {
			return send(apptest.Device{ID: "no-such-device", Secret: pad.Secret}, 0, body, good(body))
		}, "signature_invalid"},
		{"missing headers", func() *apptest.Response { return srv.Raw("POST", windowPath, body, nil) }, "signature_missing"},
	}
	for _, c := range cases {
		r := c.resp()
		if r.Status != 401 || r.Code(t) != c.want {
			t.Errorf("%s: %d %s, want 401 %s", c.name, r.Status, r.Body, c.want)
		}
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("refused requests wrote %d evaluations", n)
	}

	// Within the window, a correct signature is accepted once; the same request again is a replay.
	// The replay repeats the first request's timestamp and signature exactly.
	var sent int64
	first := send(pad, -290, body, func(secret string, ts int64) string { sent = ts; return good(body)(secret, ts) })
	if first.Status != 201 {
		t.Fatalf("fresh signed request: %d %s", first.Status, first.Body)
	}
	replay := sendAt(pad, sent, body, good(body))
	if replay.Status != 401 || replay.Code(t) != "signature_replayed" {
		t.Fatalf("replay: %d %s", replay.Status, replay.Body)
	}

	// A disabled device is refused at once, and accepted again when enabled.
	if err := srv.App.Devices.SetEnabled(context.Background(), pad.ID, false); err != nil {
		t.Fatal(err)
	}
	if r := srv.Signed(pad, "POST", windowPath, rating("S002")); r.Status != 401 || r.Code(t) != "device_disabled" {
		t.Fatalf("disabled device: %d %s", r.Status, r.Body)
	}
	if err := srv.App.Devices.SetEnabled(context.Background(), pad.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := srv.Signed(pad, "POST", windowPath, rating("S002")); r.Status != 201 {
		t.Fatalf("re-enabled device: %d %s", r.Status, r.Body)
	}

	// A device may call only its own channel's endpoint.
	kiosk := srv.AddDevice("kiosk", "", apptest.CityHall)
	if r := srv.Signed(kiosk, "POST", windowPath, rating("S003")); r.Status != 403 || r.Code(t) != "device_channel_mismatch" {
		t.Fatalf("kiosk at the window endpoint: %d %s", r.Status, r.Body)
	}
}

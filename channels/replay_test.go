package channels_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/channels"
	"haochaping/internal/testenv"
)

// TestARatingsSignatureIsRecordedWithTheRating: a rating's signature is written in the
// rating's own commit, not in one of its own — so a refused rating leaves no signature (and
// its replay is refused the same way), an accepted one leaves exactly one, and a replay is
// still refused while Redis is down, since the record is in PostgreSQL.
func TestARatingsSignatureIsRecordedWithTheRating(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(testenv.Beijing(2026, 11, 25, 10, 0, 0))
	apptest.Seed(env)
	redis := testenv.StartRedis(t)
	env.Redis = redis.Client()
	srv := apptest.Start(env)
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	signed := func(body []byte) http.Header {
		ts := time.Now().Unix()
		h := http.Header{}
		h.Set(channels.HeaderDeviceID, pad.ID)
		h.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(channels.HeaderSignature, channels.Sign(pad.Secret, ts, "POST", windowPath, body))
		return h
	}
	signatures := func() int { return env.Count(`SELECT count(*) FROM used_signatures WHERE device_id = $1`, pad.ID) }

	refusedBody := []byte(`{"ticket_no":"R001","level":9,"served_at":"` + servedAt + `"}`)
	h := signed(refusedBody)
	for i := range 2 {
		if r := srv.Raw("POST", windowPath, refusedBody, h); r.Status != 422 {
			t.Fatalf("refused rating, sent %d times: %d %s", i+1, r.Status, r.Body)
		}
	}
	if n := signatures(); n != 0 {
		t.Fatalf("a refused rating left %d signatures", n)
	}

	body := []byte(`{"ticket_no":"R002","level":1,"reasons":["服务态度"],"served_at":"` + servedAt + `"}`)
	h = signed(body)
	if r := srv.Raw("POST", windowPath, body, h); r.Status != 201 {
		t.Fatalf("rating: %d %s", r.Status, r.Body)
	}
	if n := signatures(); n != 1 {
		t.Fatalf("an accepted rating left %d signatures, want 1", n)
	}

	redis.Stop()
	if r := srv.Raw("POST", windowPath, body, h); r.Status != 401 || r.Code(t) != "signature_replayed" {
		t.Fatalf("replay with Redis down: %d %s, want 401 signature_replayed", r.Status, r.Body)
	}
	// With Redis down, a fresh rating is still taken: the queue is not on its path.
	body = []byte(`{"ticket_no":"R003","level":5,"served_at":"` + servedAt + `"}`)
	if r := srv.Raw("POST", windowPath, body, signed(body)); r.Status != 201 {
		t.Fatalf("rating with Redis down: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE device_id = $1`, pad.ID); n != 2 {
		t.Fatalf("%d evaluations, want 2", n)
	}
}

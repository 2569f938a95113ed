package web_test

import (
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	srv := apptest.Start(testenv.New(t))
	if r := srv.Raw("GET", "/healthz", nil, nil); r.Status != 200 {
		t.Fatalf("healthz: %d %s", r.Status, r.Body)
	}
}

func TestReadyzFollowsRedis(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	redis := testenv.StartRedis(t)
	env.Redis = redis.Client()
	srv := apptest.Start(env)

	if r := srv.Raw("GET", "/readyz", nil, nil); r.Status != 200 {
		t.Fatalf("readyz with everything up: %d %s", r.Status, r.Body)
	}
	redis.Stop()
	start := time.Now()
	r := srv.Raw("GET", "/readyz", nil, nil)
	took := time.Since(start)
	if r.Status != 503 || !strings.Contains(string(r.Body), `"down":["redis"]`) {
		t.Fatalf("readyz with Redis stopped: %d %s", r.Status, r.Body)
	}
	if took > 2*time.Second {
		t.Fatalf("readyz took %v to notice Redis is down, want < 2s", took)
	}
	redis.Start()
	// The client reconnects on its next command; allow it a few attempts.
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := srv.Raw("GET", "/readyz", nil, nil)
		if r.Status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz after Redis returned: %d %s", r.Status, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestErrorsAreJSON(t *testing.T) {
	t.Parallel()
	srv := apptest.Start(testenv.New(t))
	if r := srv.Raw("GET", "/api/v1/nothing-here", nil, nil); r.Status != 404 || r.Code(t) != "not_found" {
		t.Fatalf("unknown route: %d %s", r.Status, r.Body)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := apptest.Start(testenv.New(t))
	srv.Raw("GET", "/healthz", nil, nil)
	r := srv.Raw("GET", "/metrics", nil, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `haochaping_http_requests_total{method="GET",route="/healthz",status="200"}`) {
		t.Fatalf("metrics: %d\n%s", r.Status, r.Body)
	}
}

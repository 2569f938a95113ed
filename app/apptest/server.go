package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"haochaping/app"
	"haochaping/channels"
	"haochaping/internal/clock"
	"haochaping/internal/testenv"
	"haochaping/seeds"
)

// Server is the assembled system serving on a loopback port for one test.
type Server struct {
	URL   string
	App   *app.App
	Clock *clock.Manual // the business time the server runs on: its Env's clock
	env   *testenv.Env
	mu    sync.Mutex
	sent  map[string]bool // the signatures Signed has sent
}

// Seed loads the city's organisation with the demo staff and devices into the test's schema.
func Seed(e *testenv.Env) *seeds.Summary {
	e.T.Helper()
	sum, err := (&seeds.Loader{DB: e.DB, Keys: e.Keys, Log: e.Log}).Seed(context.Background(), true)
	if err != nil {
		e.T.Fatalf("apptest: seed: %v", err)
	}
	return sum
}

// Start assembles the system on the test's schema and serves it until the test ends.
func Start(e *testenv.Env) *Server {
	e.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	cfg := *e.Cfg
	cfg.PublicURL = "http://" + ln.Addr().String()
	a := app.New(&cfg, e.DB, e.Keys, e.Redis, e.Log)
	// The reference-data caches work as in production: listening before the first request.
	listenCtx, stopListening := context.WithCancel(context.Background())
	listened := make(chan struct{})
	go func() { defer close(listened); e.DB.ListenRefData(listenCtx, e.Log) }()
	select {
	case <-e.DB.RefData.Ready():
	case <-time.After(10 * time.Second):
		e.T.Fatal("apptest: the reference-data listener did not start")
	}
	go func() { _ = a.HTTP.Listener(ln) }()
	e.T.Cleanup(func() {
		defer func() { stopListening(); <-listened }()
		_ = a.HTTP.ShutdownWithTimeout(5 * time.Second)
		a.Close()
	})
	return &Server{URL: cfg.PublicURL, App: a, Clock: e.Clock, env: e}
}

// Device is a registered device with its secret.
type Device struct {
	ID, Secret string
}

// AddDevice registers a device for the test.
func (s *Server) AddDevice(channel, windowCode, hallCode string) Device {
	s.env.T.Helper()
	dev, err := s.App.Devices.Add(context.Background(), channels.NewDevice{Channel: channel, WindowCode: windowCode, HallCode: hallCode})
	if err != nil {
		s.env.T.Fatalf("testenv: add device: %v", err)
	}
	return Device{ID: dev.ID, Secret: dev.Secret}
}

// Response is an HTTP answer, read whole.
type Response struct {
	Status int
	Body   []byte
	Header http.Header
}

// JSON decodes the body into a map.
func (r *Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// Code is the "code" of an error answer.
func (r *Response) Code(t testing.TB) string {
	t.Helper()
	c, _ := r.JSON(t)["code"].(string)
	return c
}

// Signed sends a request signed by dev with a signature never sent before: the timestamp (the
// machine's, against which signatures are checked) steps back from a second ago until the
// signature is new, staying well within the allowed skew, so that a test sending the same body
// twice is not refused as a replay, however the seconds turn between the two. Replay tests
// use SignedAt.
func (s *Server) Signed(dev Device, method, path string, body any) *Response {
	s.env.T.Helper()
	raw := encode(s.env.T, body)
	s.mu.Lock()
	now := time.Now().Unix()
	ts := now - 1
	for s.sent[channels.Sign(dev.Secret, ts, method, path, raw)] {
		if ts--; now-ts > 250 {
			s.mu.Unlock()
			s.env.T.Fatalf("apptest: more than 250 identical requests of %s in one skew window", dev.ID)
		}
	}
	s.mu.Unlock()
	return s.SignedAt(dev, ts, method, path, raw)
}

// SignedAt sends a request signed by dev with the given timestamp.
func (s *Server) SignedAt(dev Device, ts int64, method, path string, body any) *Response {
	s.env.T.Helper()
	raw := encode(s.env.T, body)
	sig := channels.Sign(dev.Secret, ts, method, path, raw)
	s.mu.Lock()
	if s.sent == nil {
		s.sent = map[string]bool{}
	}
	s.sent[sig] = true
	s.mu.Unlock()
	h := http.Header{}
	h.Set(channels.HeaderDeviceID, dev.ID)
	h.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(channels.HeaderSignature, sig)
	return s.Raw(method, path, raw, h)
}

// Raw sends a request as given.
func (s *Server) Raw(method, path string, body []byte, h http.Header) *Response {
	s.env.T.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		s.env.T.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.env.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.env.T.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Body: b, Header: resp.Header}
}

func encode(t testing.TB, body any) []byte {
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// RunWorker runs the worker (relay, dispatcher, reminders, re-send loop) until the test ends.
func (s *Server) RunWorker() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.App.RunWorker(ctx); err != nil {
			s.env.T.Errorf("worker: %v", err)
		}
	}()
	s.env.T.Cleanup(func() {
		cancel()
		<-done
	})
}

// Login logs a user in and returns the bearer token.
func (s *Server) Login(username, password string) string {
	s.env.T.Helper()
	r := s.Raw("POST", "/api/v1/auth/login", encode(s.env.T, map[string]string{"username": username, "password": password}), nil)
	if r.Status != 200 {
		s.env.T.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	tok, _ := r.JSON(s.env.T)["token"].(string)
	return tok
}

// As sends a request with a bearer token.
func (s *Server) As(token, method, path string, body any) *Response {
	s.env.T.Helper()
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return s.Raw(method, path, encode(s.env.T, body), h)
}

// Serve is the usual start of a test of the running system: a schema of its own with the
// business clock at now, the city seeded, and the system serving on it.
func Serve(t testing.TB, now time.Time) (*testenv.Env, *Server) {
	t.Helper()
	env := testenv.New(t)
	env.Clock.Set(now)
	Seed(env)
	return env, Start(env)
}

package web_test

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// TestMetricsLabelsAreBounded sends a mix of methods to known and unknown paths, interleaved
// on the client's kept-alive connections (so that fiber reuses its buffers between them), then
// scrapes /metrics: it answers, each series appears once, and every label comes from a small
// set — the methods the API knows or OTHER, the routes' patterns or unmatched, a status code.
func TestMetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	srv := apptest.Start(testenv.New(t))
	requests := []struct{ method, path string }{
		{"GET", "/healthz"},
		{"POST", "/api/v1/auth/login"},
		{"HEAD", "/healthz"},
		{"BREW", "/healthz"},             // not a method fiber knows: refused before any middleware
		{"GET", "/api/v1/no-such-route"}, // 404
		{"PURGE", "/api/v1/no-such-route"},
		{"POST", "/healthz"}, // 405
		{"TRACE", "/api/v1/reasons"},
		{"GET", "/api/v1/workorders/12"}, // 401: no session
		{"DELETE", "/api/v1/workorders/12"},
		{"GET", "/e/not-a-token/qr.png"}, // 404 from the route
		{"HEAD", "/api/v1/nothing"},
		{"OPTIONS", "/api/v1/reasons"},
		{"GET", "/api/v1/workorders/7?state=%00"}, // refused before routing
		{"PATCH", "/e/some-token/qr.png"},
	}
	for range 4 {
		for _, r := range requests {
			srv.Raw(r.method, r.path, nil, nil)
		}
	}
	r := srv.Raw("GET", "/metrics", nil, nil)
	if r.Status != 200 {
		t.Fatalf("metrics: %d\n%s", r.Status, r.Body)
	}

	routes := map[string]bool{"unmatched": true}
	for _, rt := range srv.App.HTTP.GetRoutes(true) { // true: the routes, not the middleware
		routes[rt.Path] = true
	}
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
		"OPTIONS": true, "OTHER": true}
	series := map[string]int{}
	seen := map[string]map[string]bool{"route": {}, "method": {}}
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "haochaping_http_") {
			continue
		}
		name, labels, ok := splitSample(line)
		if !ok {
			t.Errorf("unreadable sample: %q", line)
			continue
		}
		series[name+labels]++
		for _, m := range labelPair.FindAllStringSubmatch(labels, -1) {
			k, v := m[1], m[2]
			switch k {
			case "route":
				if !routes[v] {
					t.Errorf("%s: route %q is neither a route's pattern nor unmatched", line, v)
				}
			case "method":
				if !methods[v] {
					t.Errorf("%s: method %q is outside the known methods and OTHER", line, v)
				}
			case "status":
				if n, err := strconv.Atoi(v); err != nil || n < 100 || n > 599 {
					t.Errorf("%s: status %q", line, v)
				}
			}
			if seen[k] != nil {
				seen[k][v] = true
			}
		}
	}
	for s, n := range series {
		if n != 1 {
			t.Errorf("series %s appears %d times", s, n)
		}
	}
	// What the requests above must have produced, each under its own label.
	for _, want := range []struct{ label, value string }{
		{"route", "unmatched"}, {"route", "/healthz"}, {"route", "/api/v1/workorders/:id"}, {"route", "/e/:token/qr.png"},
		{"method", "GET"}, {"method", "HEAD"}, {"method", "POST"}, {"method", "OTHER"}, {"method", "OPTIONS"},
		{"method", "DELETE"}, {"method", "PATCH"},
	} {
		if !seen[want.label][want.value] {
			t.Errorf("no series with %s=%q; seen %v", want.label, want.value, seen[want.label])
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", r.Body)
	}
	if n := requestsCounted(t, r.Body, `route="/healthz",status="200"`); n != 8 { // 4 GET and 4 HEAD
		t.Errorf("%v requests counted for /healthz with 200, want 8", n)
	}
}

var (
	sample    = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$`)
	labelPair = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// splitSample splits a sample line of the text exposition format into its name and its
// labels, the latter as written (between braces, in the order the registry sorts them).
func splitSample(line string) (name, labels string, ok bool) {
	m := sample.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// requestsCounted sums haochaping_http_requests_total over the series whose labels contain
// part.
func requestsCounted(t *testing.T, body []byte, part string) float64 {
	t.Helper()
	var sum float64
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "haochaping_http_requests_total{") || !strings.Contains(line, part) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		sum += v
	}
	return sum
}

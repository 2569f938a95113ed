package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"haochaping/channels"
)

// client sends signed requests and retries, like a device, what got no answer or a 5xx.
type client struct {
	base  *servers // each attempt goes to the next one
	http  *http.Client
	stats *Stats
	// retryFor bounds how long one request is retried; ctx may end it sooner.
	retryFor time.Duration
	failures *failureLog

	mu     sync.Mutex
	lastTS map[[sha256.Size]byte]int64 // per device and body: the last timestamp signed with
}

func newClient(base *servers, retryFor time.Duration, stats *Stats, failures *failureLog) *client {
	transport := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}
	return &client{base: base, stats: stats, retryFor: retryFor, failures: failures,
		http: &http.Client{Transport: transport, Timeout: 20 * time.Second}, lastTS: map[[sha256.Size]byte]int64{}}
}

// timestamp is the X-Timestamp of dev's next request with body: the machine's second, but
// after the last one it signed the same body with, so that a retry or a repeat is never the
// same signature (the server refuses a signature it has seen: signature_replayed). Only the
// same body needs it: any other body signs differently in the same second.
func (c *client) timestamp(dev string, body []byte) int64 {
	key := sha256.Sum256(append([]byte(dev+"\n"), body...))
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := time.Now().Unix()
	if last, ok := c.lastTS[key]; ok && ts <= last {
		ts = last + 1
	}
	c.lastTS[key] = ts
	return ts
}

// answer is what a request finally got.
type answer struct {
	status int    // 0: no answer within the retries
	body   []byte // the last answer's body
	err    error  // the last failure, when status is 0
}

// retryable says whether a device retries the same request after this answer: the server or
// the network failed (5xx, 429), not the request.
func retryable(status int) bool {
	return status == 0 || status >= 500 || status == http.StatusTooManyRequests
}

// send posts body to path as dev, with the Idempotency-Key idem when not empty, and retries with
// backoff (100 ms doubling to 2 s) while the answer is retryable, for up to c.retryFor.
func (c *client) send(ctx context.Context, dev Device, path string, body []byte, idem string) answer {
	deadline := time.Now().Add(c.retryFor)
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		status, got, err := c.post(ctx, dev, path, body, idem)
		if !retryable(status) {
			return answer{status: status, body: got}
		}
		c.stats.failedAttempt(status)
		if err == nil {
			err = errors.New(problemCode(status, got))
		}
		c.failures.add(path, status, err)
		if ctx.Err() != nil || time.Now().Add(backoff).After(deadline) {
			return answer{status: 0, body: got, err: fmt.Errorf("gave up after %d attempts: %w", attempt+1, err)}
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// post sends one signed attempt and reads the answer whole (so the connection is kept alive).
func (c *client) post(ctx context.Context, dev Device, path string, body []byte, idem string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.pick()+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	ts := c.timestamp(dev.ID, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(channels.HeaderDeviceID, dev.ID)
	req.Header.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(channels.HeaderSignature, channels.Sign(dev.Secret, ts, http.MethodPost, path, body))
	if idem != "" {
		req.Header.Set(channels.IdempotencyKey, idem)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, got, nil
}

// problemCode is the "code" of an error answer, or the status when it has none.
func problemCode(status int, body []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &p) == nil && p.Code != "" {
		return p.Code
	}
	return strconv.Itoa(status)
}

// failureLog writes every failed attempt (no answer, 5xx, 429) with its time, one JSON line
// each, so that a fault script can tell which fault caused which.
type failureLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *failureLog) add(path string, status int, err error) {
	if l == nil || l.w == nil {
		return
	}
	kind := strconv.Itoa(status)
	if status == 0 {
		kind = "transport"
	}
	msg := ""
	if err != nil {
		msg = err.Error()
		if errors.Is(err, context.Canceled) {
			msg = "canceled"
		}
	}
	line, _ := json.Marshal(map[string]any{"at_ms": time.Now().UnixMilli(), "path": path, "kind": kind, "error": msg})
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(line, '\n'))
}

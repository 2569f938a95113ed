package bench

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPercentileIsPercentileCont(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		values []time.Duration
		p      float64
		want   time.Duration
	}{
		// SELECT percentile_cont(p) WITHIN GROUP (ORDER BY v) FROM unnest('{…}'::int[]) v
		{ms(1, 2, 3, 4), 0.5, 2500 * time.Microsecond},
		{ms(1, 2, 3, 4, 5), 0.5, 3 * time.Millisecond},
		{ms(10, 20), 0.99, 19900 * time.Microsecond},
		{ms(7), 0.99, 7 * time.Millisecond},
		{ms(1, 2, 3), 0, time.Millisecond},
		{ms(1, 2, 3), 1, 3 * time.Millisecond},
		{nil, 0.5, 0},
	}
	for _, tt := range tests {
		if got := Percentile(tt.values, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.values, tt.p, got, tt.want)
		}
	}
}

func TestRunOpenLoopKeepsTheRate(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[int]bool{}
	o := Options{N: 100, Rate: 500, Clients: 4, Want: 201}
	r := Run(context.Background(), o, func(ctx context.Context, i int) (int, error) {
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		return 201, nil
	})
	if r.Sent != 100 || r.OK != 100 || r.Failed() != 0 || len(seen) != 100 || len(r.Latencies) != 100 {
		t.Fatalf("sent %d, ok %d, failed %d, distinct %d, latencies %d", r.Sent, r.OK, r.Failed(), len(seen), len(r.Latencies))
	}
	// 100 requests at 500/s take 198 ms from the first to the last send: the generator must
	// not run ahead of its schedule.
	if d := r.Duration(); d < 190*time.Millisecond {
		t.Fatalf("100 requests at 500/s took %v: faster than offered", d)
	}
	if r.Latencies[0] < 2*time.Millisecond {
		t.Fatalf("latency %v below the handler's 2 ms", r.Latencies[0])
	}
}

func TestRunStopsAfterTooManyFailures(t *testing.T) {
	t.Parallel()
	o := Options{N: 10000, Clients: 2, Want: 201, MaxFailures: 3}
	r := Run(context.Background(), o, func(ctx context.Context, i int) (int, error) {
		if i%2 == 1 {
			return 422, errors.New(`{"code":"invalid_reason"}`)
		}
		if i%10 == 4 {
			return 0, errors.New("connection refused")
		}
		return 201, nil
	})
	if !r.Aborted || r.Sent >= 10000 {
		t.Fatalf("not stopped early: aborted %v, sent %d", r.Aborted, r.Sent)
	}
	if r.Statuses[422] == 0 || r.Failed() <= 3 || len(r.Examples) == 0 || !strings.Contains(strings.Join(r.Examples, "\n"), "invalid_reason") {
		t.Fatalf("failures not reported: %+v", r)
	}
}

func TestProgressEndsTheLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	stop := Progress(w, 10*time.Millisecond, func() string { return "half way" })
	time.Sleep(35 * time.Millisecond)
	stop()
	stop() // a second stop is harmless
	mu.Lock()
	defer mu.Unlock()
	if out := buf.String(); !strings.HasPrefix(out, "\rhalf way") || !strings.HasSuffix(out, "\n") {
		t.Fatalf("progress output %q", out)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestRunForADurationClosedLoop(t *testing.T) {
	t.Parallel()
	o := Options{Duration: 200 * time.Millisecond, Clients: 3, Want: 201, MaxFailures: 1 << 30}
	r := Run(context.Background(), o, func(ctx context.Context, i int) (int, error) {
		time.Sleep(5 * time.Millisecond)
		return 201, nil
	})
	// Three clients, 5 ms a request, 200 ms: about 120 requests; never more than 3 in flight.
	if r.Sent < 30 || r.Sent > 130 || r.OK != r.Sent {
		t.Fatalf("sent %d, ok %d in 200 ms with 3 clients of 5 ms", r.Sent, r.OK)
	}
	if d := r.Duration(); d < 200*time.Millisecond || d > time.Second {
		t.Fatalf("a 200 ms run took %v", d)
	}
	if got := r.Histogram.TotalCount(); got != int64(r.Sent) {
		t.Fatalf("histogram holds %d latencies for %d answers", got, r.Sent)
	}
	if p50 := r.Histogram.ValueAtQuantile(50); p50 < 5000 {
		t.Fatalf("histogram p50 %d µs below the handler's 5 ms", p50)
	}
}

// Package bench is the harness of the benchmarks of `haochaping bench`: each run works in a
// schema of its own (world.go), seeded and dropped afterwards, against the system assembled in
// process as `haochaping all` runs it (system.go); the dispatch benchmark (dispatch.go) sends bad
// reviews through the pads' endpoint and times commit → work order; the measures benchmark
// (measures.go) loads a history and times the overview, the rollup and a plain GROUP BY; load.go
// is the open-loop request generator with a progress line and exact percentiles; report.go
// prints the reports. cmd/haochaping only parses the flags and calls.
package bench

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Do sends request i and returns the HTTP status it was answered with. A nil error with status
// 0 is not allowed; an error with status 0 is a transport failure (no answer); an error with a
// status describes a refusal (e.g. its body), for the report.
type Do func(ctx context.Context, i int) (status int, err error)

// Options shape a load: N requests, or as many as Duration lets start, or both (whichever ends
// first). Open loop with Rate; closed loop (each client sends its next request when its last is
// answered) with Rate 0 and Clients the concurrency.
type Options struct {
	N        int           // requests in all; 0: no bound but Duration
	Duration time.Duration // no request starts after this from the first; 0: no bound but N
	Rate     float64       // requests started per second; 0: as fast as Clients allow
	Clients  int           // requests in flight at most
	Want     int           // the status every request should get (e.g. 201)
	// MaxFailures is how many requests may fail (another status, or no answer) before the
	// load stops early: past a handful, the figures would describe a broken system.
	MaxFailures int
	Progress    io.Writer     // where the progress line goes; nil: nowhere
	Every       time.Duration // how often the progress line is redrawn (500 ms when 0)
}

// Result is what a load did.
type Result struct {
	Sent     int         // requests that were started
	OK       int         // answered with Options.Want
	Statuses map[int]int // answers with another status, by status
	NoAnswer int         // transport failures
	Examples []string    // the first few failures, described
	// Latencies are the answer times of the answered requests (any status), from the moment
	// each was sent; sorted.
	Latencies []time.Duration
	// Histogram holds the same latencies in microseconds (HDR: 3 significant digits, 1 µs to 10
	// min), for a run too long to keep every value, and for its standard percentile reports.
	Histogram *hdrhistogram.Histogram
	// MaxLag is how far behind its schedule a request was sent at worst: a large lag means the
	// clients, not the server, limited the rate.
	MaxLag     time.Duration
	Start, End time.Time // the first send and the last answer
	Aborted    bool      // stopped early: too many failures
}

// Failed counts the requests that did not get Options.Want.
func (r *Result) Failed() int {
	n := r.NoAnswer
	for _, c := range r.Statuses {
		n += c
	}
	return n
}

// Duration is the send phase: from the first send to the last answer.
func (r *Result) Duration() time.Duration { return r.End.Sub(r.Start) }

// Throughput is the requests answered with Options.Want per second over the send phase.
func (r *Result) Throughput() float64 {
	if d := r.Duration().Seconds(); d > 0 {
		return float64(r.OK) / d
	}
	return 0
}

// job is one request and when it was due.
type job struct {
	i   int
	due time.Time
}

// outcome is what one request got.
type outcome struct {
	i       int
	status  int
	err     error
	latency time.Duration
	lag     time.Duration
}

// Run sends o.N requests with do (or as many as start within o.Duration). It is open-loop
// when o.Rate > 0: request i is due at start + i/Rate whether or not the earlier ones were
// answered, so a slow server meets the same arrivals a real one would (and does not slow the
// offered load down with it). It returns when every started request is answered, or when ctx
// ends, or after too many failures.
func Run(ctx context.Context, o Options, do Do) *Result {
	if o.Clients < 1 {
		o.Clients = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var mu sync.Mutex
	outcomes := make([]outcome, 0, max(o.N, 1024))
	var sent, ok, failed atomic.Int64
	jobs := make(chan job, o.Clients)
	start := time.Now()

	go schedule(ctx, o, start, jobs)

	var wg sync.WaitGroup
	for c := 0; c < o.Clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				sendAt := time.Now()
				sent.Add(1)
				status, err := do(ctx, j.i)
				mu.Lock()
				outcomes = append(outcomes, outcome{i: j.i, status: status, err: err, latency: time.Since(sendAt), lag: sendAt.Sub(j.due)})
				mu.Unlock()
				if err == nil && status == o.Want {
					ok.Add(1)
				} else if ctx.Err() == nil && failed.Add(1) > int64(o.MaxFailures) {
					cancel()
				}
			}
		}()
	}

	stopProgress := Progress(o.Progress, o.Every, func() string {
		return sendLine(o, sent.Load(), ok.Load(), failed.Load(), time.Since(start))
	})
	wg.Wait()
	end := time.Now()
	stopProgress()

	r := collect(o, outcomes)
	r.Start, r.End = start, end
	r.Aborted = failed.Load() > int64(o.MaxFailures)
	return r
}

// schedule hands out the jobs at their due times, then closes jobs. The channel holds no more
// than the clients can take at once, so a job waits in it only while every client is busy —
// the lag that Result.MaxLag reports.
func schedule(ctx context.Context, o Options, start time.Time, jobs chan<- job) {
	defer close(jobs)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; o.N <= 0 || i < o.N; i++ {
		due := start
		if o.Rate > 0 {
			due = start.Add(time.Duration(float64(i) / o.Rate * float64(time.Second)))
		}
		if o.Duration > 0 && (due.Sub(start) >= o.Duration || time.Since(start) >= o.Duration) {
			return
		}
		if o.Rate > 0 {
			if wait := time.Until(due); wait > 0 {
				timer.Reset(wait)
				select {
				case <-ctx.Done():
					return
				case <-timer.C:
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case jobs <- job{i: i, due: due}:
		}
	}
}

// collect sums the outcomes up once every client has finished.
func collect(o Options, outcomes []outcome) *Result {
	sort.Slice(outcomes, func(a, b int) bool { return outcomes[a].i < outcomes[b].i })
	r := &Result{Statuses: map[int]int{}, Histogram: NewHistogram()}
	for _, out := range outcomes {
		i := out.i
		r.Sent++
		if o.Rate > 0 && out.lag > r.MaxLag {
			r.MaxLag = out.lag
		}
		if out.status != 0 {
			r.Latencies = append(r.Latencies, out.latency)
			RecordLatency(r.Histogram, out.latency)
		}
		switch {
		case out.err == nil && out.status == o.Want:
			r.OK++
			continue
		case out.status == 0:
			r.NoAnswer++
		default:
			r.Statuses[out.status]++
		}
		if len(r.Examples) < 5 {
			r.Examples = append(r.Examples, describe(i, out))
		}
	}
	sort.Slice(r.Latencies, func(a, b int) bool { return r.Latencies[a] < r.Latencies[b] })
	return r
}

func describe(i int, out outcome) string {
	msg := "no error"
	if out.err != nil {
		msg = out.err.Error()
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if out.status == 0 {
		return fmt.Sprintf("#%d: no answer: %s", i, msg)
	}
	return fmt.Sprintf("#%d: %d: %s", i, out.status, msg)
}

func sendLine(o Options, sent, ok, failed int64, elapsed time.Duration) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(ok) / s
	}
	width := 30
	if o.N <= 0 { // a run of a duration: the bar is the time
		done := min(width, int(float64(width)*elapsed.Seconds()/max(o.Duration.Seconds(), 0.001)))
		return fmt.Sprintf("sending [%s%s] %.0fs/%.0fs  sent %d  ok %d  failed %d  %.0f/s",
			strings.Repeat("=", done), strings.Repeat(" ", width-done), elapsed.Seconds(), o.Duration.Seconds(), sent, ok, failed, rate)
	}
	done := min(width, int(int64(width)*sent/int64(max(o.N, 1))))
	return fmt.Sprintf("sending [%s%s] %d/%d  ok %d  failed %d  %.1fs  %.0f/s",
		strings.Repeat("=", done), strings.Repeat(" ", width-done), sent, o.N, ok, failed, elapsed.Seconds(), rate)
}

// Progress redraws line() on w every `every` (500 ms when 0), on one terminal line, until the
// returned stop is called; stop draws it a last time and ends the line. A nil w draws nothing.
func Progress(w io.Writer, every time.Duration, line func() string) (stop func()) {
	if w == nil {
		return func() {}
	}
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	draw := func() { fmt.Fprintf(w, "\r%s\x1b[K", line()) }
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				draw()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-finished
			draw()
			fmt.Fprintln(w)
		})
	}
}

// Percentile is the p-quantile (0 ≤ p ≤ 1) of sorted values, interpolated linearly between
// the two nearest ranks: the definition of PostgreSQL's percentile_cont, so that figures
// computed here and in SQL mean the same. It is 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 1 {
		return sorted[len(sorted)-1]
	}
	pos := p * float64(len(sorted)-1)
	lo := int(pos)
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	frac := pos - float64(lo)
	return sorted[lo] + time.Duration(frac*float64(sorted[lo+1]-sorted[lo]))
}

// NewHistogram is a latency histogram in microseconds: 1 µs to 10 minutes, 3 significant digits.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(10*time.Minute/time.Microsecond), 3)
}

// RecordLatency records d in h, clamped to its range (an answer after 10 minutes counts as 10).
func RecordLatency(h *hdrhistogram.Histogram, d time.Duration) {
	us := max(int64(d/time.Microsecond), 1)
	_ = h.RecordValue(min(us, h.HighestTrackableValue()))
}

package loadgen

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"haochaping/bench"
)

// Options shape a load.
type Options struct {
	URL         string        // the server, e.g. http://127.0.0.1:8080; several, comma-separated, are taken in turn
	Rate        float64       // rating requests started per second (open loop); 0: closed loop
	Concurrency int           // closed loop: requests in flight; open loop: at most in flight
	Duration    time.Duration // how long requests are started
	Requests    int           // stop after this many requests too; 0: no bound but Duration
	Bad         float64       // the share of bad ratings
	Repeat      float64       // the share of requests that repeat an acknowledged rating
	Seed        uint64
	Mix         Mix
	// Tickets: window ratings alone, each of a visit by its queue ticket (一次一评) with no case
	// pushed first — the one request per rating that `bench raw` compares with.
	Tickets bool
	// RetryFor is how long a request is retried (no answer, 5xx, 429) before it counts as
	// not answered: a device keeps trying through an outage.
	RetryFor time.Duration
	Acks     string    // where the acknowledged ratings go, one JSON line each; "": nowhere
	Failures io.Writer // where every failed attempt is logged with its time; nil: nowhere
	Progress io.Writer // the progress line; nil: none
	Now      func() time.Time
	// Run names this load's cases, keys and kiosk sequence numbers, so that two loads against
	// one database never collide; 0: the start's Unix time.
	Run int64
}

// Report is what a load did.
type Report struct {
	Requests   int      `json:"requests"` // rating requests (a kiosk upload is one)
	Seconds    float64  `json:"seconds"`  // the send phase: first send to last answer
	Throughput float64  `json:"throughput_per_second"`
	Ratings    Snapshot `json:"ratings"`
	Options    struct {
		Rate        float64 `json:"rate"`
		Concurrency int     `json:"concurrency"`
		Duration    string  `json:"duration"`
		Bad         float64 `json:"bad"`
		Repeat      float64 `json:"repeat"`
		Seed        uint64  `json:"seed"`
		Mix         Mix     `json:"mix"`
	} `json:"options"`
}

// load is one run: its devices, client, counts and what repeats may draw from.
type load struct {
	o     Options
	fleet *Fleet
	plan  *Plan
	c     *client
	stats *Stats
	acks  *ackWriter

	mu    sync.Mutex
	acked []sentRating // acknowledged new ratings, for the repeats to draw from
}

// sentRating is an acknowledged rating with what it takes to send it again.
type sentRating struct {
	ack     Ack
	dev     Device
	path    string
	body    []byte
	idem    string
	phone   string // the applicant's, for a repeat on the portal
	name    string
	kioskID int64 // the record's seq, for a kiosk's
	rating  Rating
}

// Run sends the load and returns its report. The error is for what kept it from running (the
// acks file); failures of requests are the report's counts.
func Run(ctx context.Context, o Options, fleet *Fleet) (*Report, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Run == 0 {
		o.Run = time.Now().Unix()
	}
	if o.Concurrency < 1 {
		o.Concurrency = 64
	}
	if o.RetryFor <= 0 {
		o.RetryFor = 2 * time.Minute
	}
	if o.Tickets {
		o.Mix = Mix{Window: 1}
	}
	plan, err := NewPlan(o.Seed, o.Mix, o.Bad, o.Repeat)
	if err != nil {
		return nil, err
	}
	base, err := newServers(o.URL)
	if err != nil {
		return nil, err
	}
	acks, err := createAcks(o.Acks)
	if err != nil {
		return nil, err
	}
	stats := newStats()
	l := &load{o: o, fleet: fleet, plan: plan, stats: stats, acks: acks,
		c: newClient(base, o.RetryFor, stats, &failureLog{w: o.Failures})}

	opts := bench.Options{N: o.Requests, Duration: o.Duration, Rate: o.Rate, Clients: o.Concurrency,
		Want: http.StatusOK, MaxFailures: math.MaxInt32}
	stopProgress := bench.Progress(o.Progress, time.Second, func() string { return l.progressLine() })
	result := bench.Run(ctx, opts, func(ctx context.Context, i int) (int, error) {
		return l.do(ctx, plan.Draw(i))
	})
	stopProgress()

	snap := stats.snapshot()
	werr := acks.write(Summary{Kind: "summary", Sent: snap.Sent, Acknowledged: snap.Acknowledged,
		Refused: snap.RefusedTotal(), NoAnswer: snap.NoAnswer, Repeats: snap.Repeats})
	if cerr := acks.close(); werr == nil {
		werr = cerr
	}
	r := &Report{Requests: result.Sent, Seconds: result.Duration().Seconds(), Ratings: snap}
	if r.Seconds > 0 {
		r.Throughput = float64(snap.Acknowledged) / r.Seconds
	}
	r.Options.Rate, r.Options.Concurrency, r.Options.Duration = o.Rate, o.Concurrency, o.Duration.String()
	r.Options.Bad, r.Options.Repeat, r.Options.Seed, r.Options.Mix = o.Bad, o.Repeat, o.Seed, o.Mix
	return r, werr
}

func (l *load) progressLine() string {
	s := l.stats.snapshot()
	failed := 0
	for _, n := range s.FailedAttempts {
		failed += n
	}
	return fmt.Sprintf("loadgen: sent %d  acknowledged %d  refused %d  no answer %d  repeats %d  retried attempts %d",
		s.Sent, s.Acknowledged, s.RefusedTotal(), s.NoAnswer, s.Repeats, failed)
}

// do sends request req; it answers 200 when every rating it carried was acknowledged, else the
// status of the first refusal (0: no answer).
func (l *load) do(ctx context.Context, req Request) (int, error) {
	switch req.Kind {
	case KindRepeat:
		if orig, ok := l.pickAcked(req.Pick); ok {
			return l.sendRepeat(ctx, req, orig)
		}
		// Nothing acknowledged yet to repeat: a new rating at a window instead.
		req.Kind, req.Ratings = KindWindow, []Rating{{Level: 5}}
		return l.sendSingle(ctx, req)
	case KindKiosk:
		return l.sendKiosk(ctx, req)
	default:
		return l.sendSingle(ctx, req)
	}
}

func (l *load) remember(s sentRating) {
	l.mu.Lock()
	l.acked = append(l.acked, s)
	l.mu.Unlock()
}

func (l *load) pickAcked(pick uint64) (sentRating, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.acked) == 0 {
		return sentRating{}, false
	}
	return l.acked[pick%uint64(len(l.acked))], true
}

func (l *load) writeAck(a Ack) {
	a.Kind = "ack"
	if err := l.acks.write(a); err != nil {
		// The file is the proof of what was acknowledged: a load that cannot write it must not
		// look like a success.
		panic(fmt.Sprintf("loadgen: write acks file: %v", err))
	}
}

func statusText(status int) string { return strconv.Itoa(status) }

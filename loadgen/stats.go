package loadgen

import (
	"sort"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"haochaping/bench"
)

// Stats are the load's counts, updated as the answers come.
type Stats struct {
	mu             sync.Mutex
	sent           int            // ratings sent: new ones and repeats
	acked          int            // ratings acknowledged
	refused        map[string]int // ratings refused, by "status code"
	noAnswer       int            // ratings whose request got no answer within the retries
	repeats        int            // repeats sent
	repeatsSame    int            // repeats answered with the original's ID
	repeatsOther   []string       // repeats answered otherwise: the rating stored twice?
	cases          int            // cases pushed and accepted
	failedAttempts map[string]int // attempts retried, by "transport" or status
	latency        *hdrhistogram.Histogram
}

func newStats() *Stats {
	return &Stats{refused: map[string]int{}, failedAttempts: map[string]int{}, latency: bench.NewHistogram()}
}

func (s *Stats) failedAttempt(status int) {
	kind := "transport"
	if status != 0 {
		kind = statusText(status)
	}
	s.mu.Lock()
	s.failedAttempts[kind]++
	s.mu.Unlock()
}

// answered counts the rating request's final outcome: n ratings sent, acked of them
// acknowledged, the refused ones by their reason, and the time from the first attempt.
func (s *Stats) answered(n, acked int, refused map[string]int, noAnswer int, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent += n
	s.acked += acked
	for k, v := range refused {
		s.refused[k] += v
	}
	s.noAnswer += noAnswer
	if noAnswer < n { // some answer came: the request's latency counts
		bench.RecordLatency(s.latency, took)
	}
}

func (s *Stats) repeat(sameID bool, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repeats++
	if sameID {
		s.repeatsSame++
	} else if len(s.repeatsOther) < 20 {
		s.repeatsOther = append(s.repeatsOther, what)
	} else {
		s.repeatsOther = append(s.repeatsOther[:20], "…")
	}
}

func (s *Stats) casePushed(n int) {
	s.mu.Lock()
	s.cases += n
	s.mu.Unlock()
}

// Snapshot is the counts at one moment, for the progress line and the report.
type Snapshot struct {
	Sent           int            `json:"sent"`
	Acknowledged   int            `json:"acknowledged"`
	Refused        map[string]int `json:"refused"`
	NoAnswer       int            `json:"no_answer"`
	Repeats        int            `json:"repeats"`
	RepeatsSameID  int            `json:"repeats_same_id"`
	RepeatsOther   []string       `json:"repeats_other_answer"`
	Cases          int            `json:"cases_pushed"`
	FailedAttempts map[string]int `json:"failed_attempts"` // retried: transport errors and 5xx, by kind
	P50ms          float64        `json:"p50_ms"`
	P99ms          float64        `json:"p99_ms"`
	Maxms          float64        `json:"max_ms"`
}

func (s *Stats) snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{Sent: s.sent, Acknowledged: s.acked, Refused: copyMap(s.refused), NoAnswer: s.noAnswer,
		Repeats: s.repeats, RepeatsSameID: s.repeatsSame, RepeatsOther: append([]string{}, s.repeatsOther...),
		Cases: s.cases, FailedAttempts: copyMap(s.failedAttempts)}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	snap.P50ms, snap.P99ms, snap.Maxms = ms(s.latency.ValueAtQuantile(50)), ms(s.latency.ValueAtQuantile(99)), ms(s.latency.Max())
	return snap
}

// RefusedTotal is the ratings refused.
func (s Snapshot) RefusedTotal() int {
	n := 0
	for _, v := range s.Refused {
		n += v
	}
	return n
}

func copyMap(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sortedKeys are m's keys in order, for a stable report.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package upward

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Simulator is a provincial platform for tests and the local stack: it opens each message as
// the platform would (signature, decryption), checks every record against the profile, keeps
// what it accepts once per (projectNo, assessNumber) — a record sent again with a changed
// rectification updates it — refuses a share of good records at random, and goes down on
// command. Its answer and control routes are this simulator's own (docs/UPWARD.md): a real
// platform's answer format is the profile's to describe.
type Simulator struct {
	Profile *Profile
	Keys    Keys
	// RefuseRate is the share of otherwise good records refused at random ("平台繁忙"), so that
	// a sender's resend is exercised; 0: none.
	RefuseRate float64
	Now        func() time.Time

	mu      sync.Mutex
	rand    *rand.Rand
	downTil time.Time
	records map[recordKey]Accepted
	seen    int
}

type recordKey struct{ projectNo, assessNumber string }

// Accepted is a record the simulator took.
type Accepted struct {
	Fields   map[string]string `json:"fields"`
	AppMark  string            `json:"app_mark"`
	Received time.Time         `json:"received"`
	Updates  int               `json:"updates"` // times it came again changed
	Sends    int               `json:"sends"`   // times it came at all (a sender that sends once: 1 + Updates)
}

// Result is the simulator's answer for one record.
type Result struct {
	ProjectNo    string    `json:"projectNo"`
	AssessNumber string    `json:"assessNumber"`
	Status       string    `json:"status"` // accepted, updated, duplicate, refused
	Problems     []Problem `json:"problems,omitempty"`
}

// Answer is the body the simulator answers a message with.
type Answer struct {
	Code    string   `json:"code"` // "0": the message was read; otherwise why not
	Message string   `json:"message,omitempty"`
	Results []Result `json:"results,omitempty"`
}

// NewSimulator makes a simulator; seed makes its random refusals repeatable.
func NewSimulator(p *Profile, k Keys, refuseRate float64, seed uint64) *Simulator {
	return &Simulator{Profile: p, Keys: k, RefuseRate: refuseRate, rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		records: map[recordKey]Accepted{}}
}

func (s *Simulator) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Down makes the simulator answer 503 for d (from its clock); Up ends that at once.
func (s *Simulator) Down(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.downTil = s.now().Add(d)
}

// Up brings the simulator back.
func (s *Simulator) Up() { s.Down(0) }

// Records are the records taken, by projectNo then assessNumber.
func (s *Simulator) Records() []Accepted {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Accepted, 0, len(s.records))
	for _, r := range s.records {
		out = append(out, r)
	}
	pn, an := s.Profile.KeyField("project_no"), s.Profile.KeyField("assess_number")
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Fields, out[j].Fields
		if a[pn] != b[pn] {
			return a[pn] < b[pn]
		}
		return a[an] < b[an]
	})
	return out
}

// ServeHTTP takes one message: POST, the profile's envelope around {"evaluate":[…]}.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.now().Before(s.downTil)
	s.mu.Unlock()
	switch {
	case down:
		answer(w, http.StatusServiceUnavailable, Answer{Code: "503", Message: "平台维护中"})
		return
	case r.Method != http.MethodPost:
		answer(w, http.StatusMethodNotAllowed, Answer{Code: "405", Message: "只接受 POST"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		answer(w, http.StatusBadRequest, Answer{Code: "400", Message: "读取失败"})
		return
	}
	for header := range s.Profile.Headers {
		if r.Header.Get(header) == "" {
			answer(w, http.StatusBadRequest, Answer{Code: "400", Message: "缺少请求头 " + header})
			return
		}
	}
	payload, appMark, err := s.Profile.Open(s.Keys, body)
	if err != nil {
		answer(w, http.StatusUnauthorized, Answer{Code: "401", Message: err.Error()})
		return
	}
	var params struct {
		Evaluate []map[string]string `json:"evaluate"`
	}
	if err := json.Unmarshal(payload, &params); err != nil || len(params.Evaluate) == 0 {
		answer(w, http.StatusBadRequest, Answer{Code: "400", Message: "params 应为 {\"evaluate\":[…]}"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]Result, 0, len(params.Evaluate))
	for _, rec := range params.Evaluate {
		results = append(results, s.take(rec, appMark))
	}
	answer(w, http.StatusOK, Answer{Code: "0", Results: results})
}

// take checks and keeps one record; s.mu is held.
func (s *Simulator) take(rec map[string]string, appMark string) Result {
	key := recordKey{rec[s.Profile.KeyField("project_no")], rec[s.Profile.KeyField("assess_number")]}
	res := Result{ProjectNo: key.projectNo, AssessNumber: key.assessNumber}
	if problems := s.Profile.Check(rec); len(problems) > 0 {
		res.Status, res.Problems = "refused", problems
		return res
	}
	old, known := s.records[key]
	if known {
		old.Sends++
		s.records[key] = old
	}
	switch {
	case known && sameFields(old.Fields, rec):
		res.Status = "duplicate"
		return res
	case s.RefuseRate > 0 && s.rand.Float64() < s.RefuseRate:
		res.Status, res.Problems = "refused", []Problem{{Field: "", Reason: "平台繁忙，请稍后重新上报"}}
		return res
	case known:
		old.Fields, old.Updates = rec, old.Updates+1
		s.records[key] = old
		res.Status = "updated"
	default:
		s.records[key] = Accepted{Fields: rec, AppMark: appMark, Received: s.now(), Sends: 1}
		res.Status = "accepted"
	}
	return res
}

func sameFields(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func answer(w http.ResponseWriter, status int, a Answer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

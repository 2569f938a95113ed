package upward

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
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

	mu       sync.Mutex
	rand     *rand.Rand
	downTil  time.Time
	records  map[recordKey]Accepted
	services map[string]bool // the projectNos of the service records held
}

type recordKey struct {
	kind              Kind
	projectNo, number string
}

// Accepted is a record the simulator took.
type Accepted struct {
	Fields   map[string]string `json:"fields"`
	AppMark  string            `json:"app_mark"`
	Received time.Time         `json:"received"`
	Updates  int               `json:"updates"` // times it came again changed
	Sends    int               `json:"sends"`   // times it came at all (a sender that sends once: 1 + Updates)
}

// Result is the simulator's answer for one record, named by its key: the projectNo and the
// assessNumber of an evaluation, the serviceNumber of a service record.
type Result struct {
	ProjectNo string    `json:"projectNo"`
	Number    string    `json:"number"`
	Status    string    `json:"status"` // accepted, updated, duplicate, refused
	Problems  []Problem `json:"problems,omitempty"`
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
		records: map[recordKey]Accepted{}, services: map[string]bool{}}
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

// Forget drops every record held, as a platform restored from an old backup would (or the
// demo's simulator, restarted).
func (s *Simulator) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records, s.services = map[recordKey]Accepted{}, map[string]bool{}
}

// Up brings the simulator back.
func (s *Simulator) Up() { s.Down(0) }

// Records are the evaluation records taken, by projectNo then assessNumber.
func (s *Simulator) Records() []Accepted { return s.held(Evaluation) }

// Services are the 办件 service records taken, by projectNo then serviceNumber.
func (s *Simulator) Services() []Accepted { return s.held(Service) }

func (s *Simulator) held(k Kind) []Accepted {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []recordKey
	for key := range s.records {
		if key.kind == k {
			keys = append(keys, key)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].projectNo != keys[j].projectNo {
			return keys[i].projectNo < keys[j].projectNo
		}
		return keys[i].number < keys[j].number
	})
	out := make([]Accepted, len(keys))
	for i, key := range keys {
		out[i] = s.records[key]
	}
	return out
}

// Handler serves the messages at every address but /_sim/, and under it the simulator's own
// controls, for the local stack and a person trying an outage by hand:
//
//	POST /_sim/down?for=30m  answer 503 for that long (default 1h)
//	POST /_sim/up            take messages again at once
//	GET  /_sim/status        what is held: service records and ratings, and whether it is down
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", s)
	mux.HandleFunc("POST /_sim/down", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("for"))
		if r.URL.Query().Get("for") == "" {
			d, err = time.Hour, nil
		}
		if err != nil || d <= 0 {
			answer(w, http.StatusBadRequest, Answer{Code: "400", Message: "for 应为时长，如 30m"})
			return
		}
		s.Down(d)
		s.status(w)
	})
	mux.HandleFunc("POST /_sim/up", func(w http.ResponseWriter, r *http.Request) {
		s.Up()
		s.status(w)
	})
	mux.HandleFunc("GET /_sim/status", func(w http.ResponseWriter, r *http.Request) { s.status(w) })
	return mux
}

// SimulatorStatus is what GET /_sim/status answers.
type SimulatorStatus struct {
	Services    int        `json:"services"`
	Evaluations int        `json:"evaluations"`
	DownUntil   *time.Time `json:"down_until,omitempty"`
}

func (s *Simulator) status(w http.ResponseWriter) {
	s.mu.Lock()
	st := SimulatorStatus{Services: len(s.services)}
	st.Evaluations = len(s.records) - st.Services
	if s.now().Before(s.downTil) {
		until := s.downTil
		st.DownUntil = &until
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(st)
}

// ServeHTTP takes one message: POST, the profile's envelope around the params — {"evaluate":[…]}
// for evaluations, the service list's key (ParamsKey) for 办件 service records.
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
	var params map[string][]map[string]string
	kind, recs := Kind(""), []map[string]string(nil)
	if json.Unmarshal(payload, &params) == nil && len(params) == 1 {
		for _, k := range kinds {
			if list, ok := params[s.Profile.ParamsKey(k)]; ok && len(s.Profile.Fields(k)) > 0 {
				kind, recs = k, list
			}
		}
	}
	if kind == "" || len(recs) == 0 {
		answer(w, http.StatusBadRequest, Answer{Code: "400", Message: fmt.Sprintf("params 应为 {%q:[…]} 或 {%q:[…]}",
			s.Profile.ParamsKey(Evaluation), s.Profile.ParamsKey(Service))})
		return
	}
	if path := s.Profile.Paths[kind]; path != "" && !strings.HasSuffix(r.URL.Path, path) {
		answer(w, http.StatusNotFound, Answer{Code: "404", Message: "该类数据应发往 " + path})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]Result, 0, len(recs))
	for _, rec := range recs {
		results = append(results, s.take(kind, rec, appMark))
	}
	answer(w, http.StatusOK, Answer{Code: "0", Results: results})
}

// take checks and keeps one record of kind k; s.mu is held. An evaluation of a service the
// platform does not hold is refused, as the platform does ("没有对应的服务数据").
func (s *Simulator) take(k Kind, rec map[string]string, appMark string) Result {
	key := s.Profile.key(k, rec)
	res := Result{ProjectNo: key.projectNo, Number: key.number}
	if problems := s.Profile.Check(k, rec); len(problems) > 0 {
		res.Status, res.Problems = "refused", problems
		return res
	}
	if k == Evaluation && len(s.Profile.Service) > 0 && !s.services[key.projectNo] {
		res.Status = "refused"
		res.Problems = []Problem{{Field: s.Profile.KeyField("project_no"), Reason: serviceMissingReason}}
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
		if k == Service {
			s.services[key.projectNo] = true
		}
		res.Status = "accepted"
	}
	return res
}

// serviceMissingReason is the simulator's refusal of a rating without its service record, in
// the words of [S1] (docs/UPWARD.md); the profiles name it as service_missing.
const serviceMissingReason = "没有对应的服务数据（办件信息未上报）"

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

package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// The endpoints, as the devices call them.
const (
	casesPath  = "/api/v1/cases"
	windowPath = "/api/v1/channels/window/evaluations"
	mobilePath = "/api/v1/channels/mobile/evaluations"
	pcPath     = "/api/v1/channels/pc/evaluations"
	kioskPath  = "/api/v1/channels/kiosk/evaluations"
)

// passportItem is a city item every window of the city hall takes (普通护照签发, seeds/org.yaml).
const passportItem = "370400-000105010000"

var applicantNames = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴艳"}

// loadCase is a case of the load: served at a window of the city hall.
type loadCase struct {
	no, window, staff, name, phone string
	stage                          string // as the push answered
	token                          string // of its evaluation link
}

// newCase is the k-th case of request i, served at pad's window by one of its two staff.
func (l *load) newCase(i, k int, pad Device) loadCase {
	n := i*KioskBatchMax + k
	return loadCase{
		no:     fmt.Sprintf("LG%d-%d-%d", l.o.Run, i, k),
		window: pad.WindowCode, staff: fmt.Sprintf("%s-%d", pad.WindowCode, 1+n%2),
		name:  applicantNames[n%len(applicantNames)],
		phone: fmt.Sprintf("139%08d", (l.o.Run*7919+int64(n))%100000000),
	}
}

func (l *load) caseBody(c loadCase) map[string]any {
	now := l.o.Now()
	return map[string]any{
		"case_no": c.no, "item_code": passportItem, "hall_code": CityHall, "window_code": c.window, "staff_no": c.staff,
		"applicant":   map[string]any{"name": c.name, "phone": c.phone},
		"accepted_at": now.Add(-40 * time.Minute).Format(time.RFC3339), "completed_at": now.Add(-10 * time.Minute).Format(time.RFC3339),
	}
}

// pushCases sends the cases as the business system (one, or a batch) and fills in their stage
// and link token. It returns the status that stopped it (0: no answer) and the refusal's code.
func (l *load) pushCases(ctx context.Context, cases []loadCase) (status int, code string) {
	bodies := make([]map[string]any, len(cases))
	for k := range cases {
		bodies[k] = l.caseBody(cases[k])
	}
	var raw []byte
	if len(cases) == 1 {
		raw, _ = json.Marshal(bodies[0])
	} else {
		raw, _ = json.Marshal(map[string]any{"cases": bodies})
	}
	ans := l.c.send(ctx, l.fleet.System, casesPath, raw, "")
	if ans.status != http.StatusOK && ans.status != http.StatusCreated {
		return ans.status, problemCode(ans.status, ans.body)
	}
	type result struct {
		Stage         string `json:"stage"`
		EvaluationURL string `json:"evaluation_url"`
		Status        string `json:"status"`
		Code          string `json:"code"`
	}
	var results []result
	if len(cases) == 1 {
		var r result
		if err := json.Unmarshal(ans.body, &r); err != nil {
			return ans.status, "unreadable_answer"
		}
		results = []result{r}
	} else {
		var batch struct {
			Results []result `json:"results"`
		}
		if err := json.Unmarshal(ans.body, &batch); err != nil || len(batch.Results) != len(cases) {
			return ans.status, "unreadable_answer"
		}
		results = batch.Results
	}
	for k, r := range results {
		if r.Status == "rejected" {
			return http.StatusUnprocessableEntity, r.Code
		}
		cases[k].stage = r.Stage
		if u, err := url.Parse(r.EvaluationURL); err == nil {
			cases[k].token = path.Base(u.Path)
		}
	}
	l.stats.casePushed(len(cases))
	return ans.status, ""
}

// ratingBody is what every channel's payload shares: level, reasons, a comment for a bad one.
func ratingBody(r Rating, extra map[string]any) []byte {
	body := map[string]any{"level": r.Level}
	if r.Bad {
		body["reasons"] = r.Reasons
		body["comment"] = "压测差评：等候时间过长"
	}
	for k, v := range extra {
		body[k] = v
	}
	raw, _ := json.Marshal(body)
	return raw
}

// sendSingle pushes one case and rates it on the request's channel: the pad of its window, the
// phone with its link's token, or the portal as its applicant.
func (l *load) sendSingle(ctx context.Context, req Request) (int, error) {
	pad := l.fleet.Pads[req.I%len(l.fleet.Pads)]
	cases := []loadCase{l.newCase(req.I, 0, pad)}
	rating := req.Ratings[0]
	idem := fmt.Sprintf("lg-%d-%d", l.o.Run, req.I)
	if l.o.Tickets {
		return l.sendTicket(ctx, req, pad, cases[0], rating, idem)
	}
	start := time.Now()
	if status, code := l.pushCases(ctx, cases); status != http.StatusOK && status != http.StatusCreated {
		return l.failed(1, status, "case "+code, time.Since(start))
	}
	c := cases[0]
	sent := sentRating{phone: c.phone, name: c.name, rating: rating}
	switch req.Kind {
	case KindWindow:
		sent.dev, sent.path, sent.idem = pad, windowPath, idem
		sent.body = ratingBody(rating, map[string]any{"case_no": c.no})
		sent.ack = Ack{Channel: "window", Key: "window:" + pad.ID + ":h:" + idem}
	case KindMobile:
		sent.dev, sent.path = l.fleet.Mobile, mobilePath
		sent.body = ratingBody(rating, map[string]any{"token": c.token})
		sent.ack = Ack{Channel: "mobile", Key: "mobile:" + c.token}
	case KindPC:
		sent.dev, sent.path, sent.idem = l.fleet.PC, pcPath, idem
		sent.body = ratingBody(rating, map[string]any{"case_no": c.no, "user": portalUser(c.name, c.phone)})
		sent.ack = Ack{Channel: "pc", Key: "pc:" + l.fleet.PC.ID + ":h:" + idem}
	}
	sent.ack.Device, sent.ack.CaseNo, sent.ack.Stage, sent.ack.Bad = sent.dev.ID, c.no, c.stage, rating.Bad
	return l.rate(ctx, sent)
}

// sendTicket rates a visit to pad's window by its queue ticket, served ten minutes ago by one of
// the window's staff: no case.
func (l *load) sendTicket(ctx context.Context, req Request, pad Device, c loadCase, rating Rating, idem string) (int, error) {
	sent := sentRating{rating: rating, dev: pad, path: windowPath, idem: idem}
	sent.body = ratingBody(rating, map[string]any{"ticket_no": fmt.Sprintf("T%d-%d", l.o.Run, req.I), "staff_no": c.staff,
		"served_at": l.o.Now().Add(-10 * time.Minute).Format(time.RFC3339)})
	sent.ack = Ack{Channel: "window", Key: "window:" + pad.ID + ":h:" + idem, Device: pad.ID, Bad: rating.Bad}
	return l.rate(ctx, sent)
}

// rate sends the rating and takes its answer: acknowledged only when it names the evaluation.
func (l *load) rate(ctx context.Context, sent sentRating) (int, error) {
	start := time.Now() // the rating's latency, apart from a case's push
	ans := l.c.send(ctx, sent.dev, sent.path, sent.body, sent.idem)
	if ans.status != http.StatusCreated && ans.status != http.StatusOK {
		return l.failed(1, ans.status, problemCode(ans.status, ans.body), time.Since(start))
	}
	var e struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(ans.body, &e); err != nil || e.ID == 0 {
		return l.failed(1, ans.status, "unreadable_answer", time.Since(start))
	}
	sent.ack.ID, sent.ack.Status = e.ID, e.Status
	l.writeAck(sent.ack)
	l.stats.answered(1, 1, nil, 0, time.Since(start))
	l.remember(sent)
	return http.StatusOK, nil
}

func portalUser(name, phone string) map[string]any {
	return map[string]any{"id": "portal-" + phone, "name": name, "phone": phone}
}

// failed counts n ratings of a request that was refused (status) or not answered (0).
func (l *load) failed(n, status int, code string, took time.Duration) (int, error) {
	if status == 0 {
		l.stats.answered(n, 0, nil, n, took)
		return 0, fmt.Errorf("no answer")
	}
	l.stats.answered(n, 0, map[string]int{fmt.Sprintf("%d %s", status, strings.TrimSpace(code)): n}, 0, took)
	return status, fmt.Errorf("%d %s", status, code)
}

// kioskRecord is one record of a kiosk upload.
type kioskRecord struct {
	Seq     int64    `json:"seq"`
	CaseNo  string   `json:"case_no"`
	Level   int      `json:"level"`
	Reasons []string `json:"reasons,omitempty"`
	Comment string   `json:"comment,omitempty"`
	RatedAt string   `json:"rated_at"`
}

// kioskSeq is the kiosk's sequence number of record k of request i: unique across loads (the
// run's second in front), since the server keys a kiosk's records by it.
func (l *load) kioskSeq(i, k int) int64 {
	return l.o.Run*1_000_000_000 + int64(i)*KioskBatchMax + int64(k)
}

// sendKiosk pushes the batch's cases (served at the hall's windows) and uploads their ratings
// as the kiosk does when it is back online: one request, each record answered on its own.
func (l *load) sendKiosk(ctx context.Context, req Request) (int, error) {
	n := len(req.Ratings)
	cases := make([]loadCase, n)
	for k := range cases {
		cases[k] = l.newCase(req.I, k, l.fleet.Pads[(req.I+k)%len(l.fleet.Pads)])
	}
	start := time.Now()
	if status, code := l.pushCases(ctx, cases); status != http.StatusOK && status != http.StatusCreated {
		return l.failed(n, status, "case "+code, time.Since(start))
	}
	records := make([]kioskRecord, n)
	ratedAt := l.o.Now().Add(-5 * time.Minute).Format(time.RFC3339)
	for k, r := range req.Ratings {
		records[k] = kioskRecord{Seq: l.kioskSeq(req.I, k), CaseNo: cases[k].no, Level: r.Level, RatedAt: ratedAt}
		if r.Bad {
			records[k].Reasons, records[k].Comment = r.Reasons, "压测差评：自助终端操作复杂"
		}
	}
	body, _ := json.Marshal(map[string]any{"records": records})
	start = time.Now()
	ans := l.c.send(ctx, l.fleet.Kiosk, kioskPath, body, "")
	if ans.status != http.StatusOK {
		return l.failed(n, ans.status, problemCode(ans.status, ans.body), time.Since(start))
	}
	var upload struct {
		Results []struct {
			Seq    int64  `json:"seq"`
			Status string `json:"status"`
			ID     int64  `json:"id"`
			Code   string `json:"code"`
		} `json:"results"`
	}
	if err := json.Unmarshal(ans.body, &upload); err != nil || len(upload.Results) != n {
		return l.failed(n, ans.status, "unreadable_answer", time.Since(start))
	}
	acked, refused := 0, map[string]int{}
	for k, res := range upload.Results {
		if (res.Status != "created" && res.Status != "duplicate") || res.ID == 0 {
			refused[fmt.Sprintf("%d %s", http.StatusUnprocessableEntity, res.Code)]++
			continue
		}
		acked++
		seq := l.kioskSeq(req.I, k)
		a := Ack{Channel: "kiosk", Device: l.fleet.Kiosk.ID, Key: fmt.Sprintf("kiosk:%s:%d", l.fleet.Kiosk.ID, seq),
			CaseNo: cases[k].no, Stage: cases[k].stage, ID: res.ID, Status: res.Status, Bad: req.Ratings[k].Bad}
		l.writeAck(a)
		one, _ := json.Marshal(map[string]any{"records": []kioskRecord{records[k]}})
		l.remember(sentRating{ack: a, dev: l.fleet.Kiosk, path: kioskPath, body: one, phone: cases[k].phone,
			name: cases[k].name, kioskID: seq, rating: req.Ratings[k]})
	}
	l.stats.answered(n, acked, refused, 0, time.Since(start))
	if acked < n {
		return http.StatusUnprocessableEntity, fmt.Errorf("%d of %d kiosk records refused", n-acked, n)
	}
	return http.StatusOK, nil
}

// sendRepeat sends an acknowledged rating again: the same request, as a device that lost the
// answer resends it (even picks), or the same case on the portal by its applicant (odd picks).
// Either must be answered as a repeat with the original's ID.
func (l *load) sendRepeat(ctx context.Context, req Request, orig sentRating) (int, error) {
	dev, p, body, idem := orig.dev, orig.path, orig.body, orig.idem
	how := "resent on " + orig.ack.Channel
	a := orig.ack
	if req.Pick%2 == 1 && orig.ack.Channel != "pc" && orig.ack.CaseNo != "" {
		dev, p, how = l.fleet.PC, pcPath, "rated again on the portal"
		idem = fmt.Sprintf("lg-%d-%d-repeat", l.o.Run, req.I)
		body = ratingBody(orig.rating, map[string]any{"case_no": orig.ack.CaseNo, "user": portalUser(orig.name, orig.phone)})
		a.Channel, a.Device, a.Key = "pc", dev.ID, "pc:"+dev.ID+":h:"+idem
	}
	a.Repeat = true
	start := time.Now()
	ans := l.c.send(ctx, dev, p, body, idem)
	took := time.Since(start)
	if ans.status != http.StatusOK && ans.status != http.StatusCreated {
		return l.failed(1, ans.status, problemCode(ans.status, ans.body), took)
	}
	var id int64
	var status string
	if p == kioskPath {
		var upload struct {
			Results []struct {
				Status string `json:"status"`
				ID     int64  `json:"id"`
			} `json:"results"`
		}
		if err := json.Unmarshal(ans.body, &upload); err == nil && len(upload.Results) == 1 {
			id, status = upload.Results[0].ID, upload.Results[0].Status
		}
	} else {
		var e struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(ans.body, &e); err == nil {
			id, status = e.ID, e.Status
		}
	}
	if id == 0 {
		return l.failed(1, ans.status, "unreadable_answer", took)
	}
	a.ID, a.Status = id, status
	l.writeAck(a)
	l.stats.answered(1, 1, nil, 0, took)
	same := id == orig.ack.ID && status == "duplicate"
	l.stats.repeat(same, fmt.Sprintf("case %s %s: answered %s %d, the original is %d", orig.ack.CaseNo, how, status, id, orig.ack.ID))
	if !same {
		return http.StatusConflict, fmt.Errorf("repeat of %d answered %s %d", orig.ack.ID, status, id)
	}
	return http.StatusOK, nil
}

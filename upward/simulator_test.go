package upward_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"haochaping/upward"
)

// post seals evaluation records as the sender does and posts them to the simulator.
func post(t *testing.T, url string, p *upward.Profile, k upward.Keys, at time.Time, header http.Header, recs ...map[string]string) (int, upward.Answer) {
	t.Helper()
	return postKind(t, upward.Evaluation, url, p, k, at, header, recs...)
}

func postKind(t *testing.T, kind upward.Kind, url string, p *upward.Profile, k upward.Keys, at time.Time, header http.Header, recs ...map[string]string) (int, upward.Answer) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{p.ParamsKey(kind): recs})
	body, err := p.Seal(k, at, payload)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for h, v := range header {
		req.Header[h] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a upward.Answer
	_ = json.NewDecoder(res.Body).Decode(&a)
	return res.StatusCode, a
}

// TestSimulatorTakesWhatTheProfileAllows: the simulator opens the Shandong message (signature,
// SM4), keeps a good record once per (projectNo, assessNumber) — the same again is a duplicate,
// a changed rectification an update, the fix's rating a record of its own — refuses a record
// the profile does not allow with its problems, refuses a message without the tenancy header or
// with a bad signature, and answers 503 while down.
func TestSimulatorTakesWhatTheProfileAllows(t *testing.T) {
	t.Parallel()
	p := shandong(t)
	k := testKeys(t)
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	sim := upward.NewSimulator(p, k, 0, 1)
	sim.Now = func() time.Time { return now }
	srv := httptest.NewServer(sim)
	defer srv.Close()
	tenancy := http.Header{"C-Tenancy-Id": {"370400"}}

	good, _ := p.Build(upward.Evaluation, window())
	if _, a := post(t, srv.URL, p, k, now, tenancy, good); a.Results[0].Status != "refused" ||
		a.Results[0].Problems[0].String() != "projectNo: 没有对应的服务数据（办件信息未上报）" {
		t.Fatalf("a rating before its service record: %+v", a)
	}
	service, problems := p.Build(upward.Service, window())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	other := with(window(), "project_no", "SD370400-20261126-0002")
	otherService, _ := p.Build(upward.Service, other)
	if _, a := postKind(t, upward.Service, srv.URL, p, k, now, tenancy, service, otherService); a.Results[0].Status != "accepted" ||
		a.Results[1].Status != "accepted" || a.Results[0].Number != "1" || len(sim.Services()) != 2 {
		t.Fatalf("the service records: %+v", a)
	}
	bad := map[string]string{}
	for f, v := range good {
		bad[f] = v
	}
	bad["projectNo"], bad["pf"] = "37SD370400-20261126-0002", "9"
	status, a := post(t, srv.URL, p, k, now, tenancy, good, bad)
	if status != 200 || a.Code != "0" || len(a.Results) != 2 || a.Results[0].Status != "accepted" ||
		a.Results[1].Status != "refused" || len(a.Results[1].Problems) != 1 || a.Results[1].Problems[0].Field != "pf" {
		t.Fatalf("first message: %d %+v", status, a)
	}
	if _, a := post(t, srv.URL, p, k, now, tenancy, good); a.Results[0].Status != "duplicate" {
		t.Errorf("the same record again: %+v", a)
	}
	fixed, _ := p.Build(upward.Evaluation, with(window(), "rectification", "已整改", "answer", "已答复"))
	if _, a := post(t, srv.URL, p, k, now, tenancy, fixed); a.Results[0].Status != "updated" {
		t.Errorf("the rectification on the same record: %+v", a)
	}
	second, _ := p.Build(upward.Evaluation, with(window(), "assess_number", "second", "level", "5"))
	if _, a := post(t, srv.URL, p, k, now, tenancy, second); a.Results[0].Status != "accepted" {
		t.Errorf("the fix's rating: %+v", a)
	}
	recs := sim.Records()
	if len(recs) != 2 || recs[0].Fields["rectification"] != "已整改" || recs[0].Updates != 1 || recs[1].Fields["assessNumber"] != "2" ||
		recs[0].AppMark != "zaozhuang-hcp" {
		t.Fatalf("records kept: %+v", recs)
	}

	if status, a := post(t, srv.URL, p, k, now, nil, good); status != 400 || a.Code != "400" {
		t.Errorf("without C-Tenancy-Id: %d %+v", status, a)
	}
	forger := k
	forger.SignKey = k.DecryptKey // someone else's key
	if status, _ := post(t, srv.URL, p, forger, now, tenancy, good); status != 401 {
		t.Errorf("a forged signature: %d", status)
	}

	sim.Down(time.Hour)
	if status, _ := post(t, srv.URL, p, k, now, tenancy, good); status != 503 {
		t.Errorf("down: %d", status)
	}
	now = now.Add(time.Hour)
	if status, a := post(t, srv.URL, p, k, now, tenancy, fixed); status != 200 || a.Results[0].Status != "duplicate" {
		t.Errorf("back after the hour: %d %+v", status, a)
	}
}

// TestSimulatorRefusesAtRandom: with a refusal rate, a share of good records is refused with a
// reason to resend — repeatably for a seed — and a refused record taken when sent again.
func TestSimulatorRefusesAtRandom(t *testing.T) {
	t.Parallel()
	p := shandong(t)
	k := testKeys(t)
	sim := upward.NewSimulator(p, k, 0, 7)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	var recs, services []map[string]string
	for i := 0; i < 200; i++ {
		one := with(window(), "project_no", "SD370400-20261126-"+string(rune('A'+i/26))+string(rune('a'+i%26)))
		r, _ := p.Build(upward.Evaluation, one)
		svc, _ := p.Build(upward.Service, one)
		recs, services = append(recs, r), append(services, svc)
	}
	at := time.Now()
	postKind(t, upward.Service, srv.URL, p, k, at, http.Header{"C-Tenancy-Id": {"370400"}}, services...)
	sim.RefuseRate = 0.5
	_, a := post(t, srv.URL, p, k, at, http.Header{"C-Tenancy-Id": {"370400"}}, recs...)
	refused := 0
	var again []map[string]string
	for i, r := range a.Results {
		if r.Status == "refused" {
			refused++
			again = append(again, recs[i])
		}
	}
	if refused < 70 || refused > 130 {
		t.Fatalf("refused %d of 200 at rate 0.5", refused)
	}
	for len(again) > 0 {
		_, a := post(t, srv.URL, p, k, at, http.Header{"C-Tenancy-Id": {"370400"}}, again...)
		var next []map[string]string
		for i, r := range a.Results {
			if r.Status == "refused" {
				next = append(next, again[i])
			}
		}
		again = next
	}
	if n := len(sim.Records()); n != 200 {
		t.Fatalf("after resending the refused: %d records, want 200", n)
	}
}

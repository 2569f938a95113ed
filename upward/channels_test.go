package upward_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/evaluation"
	"haochaping/upward"
)

// TestEveryChannelReachesThePlatform: a rating on each channel — the counter pad, the kiosk,
// the app, the receipt's QR page, the portal — and a default (默认评价) go from our tables
// through the sender to the simulator, which decrypts, verifies and checks them; each arrives
// after its 办件 service record with every field and code the Shandong profile gives it.
func TestEveryChannelReachesThePlatform(t *testing.T) {
	t.Parallel()
	w, srv := newUpwardWorld(t, 0)
	ctx := context.Background()
	now := w.env.Clock.Now()
	at := now.Add(-30 * time.Minute)
	for _, no := range []string{"CH-WINDOW", "CH-KIOSK", "CH-APP", "CH-QR"} {
		srv.PushCase(apptest.Case(no, at))
	}
	srv.PushCase(apptest.OnlineCase("CH-PC", at))
	srv.PushCase(apptest.Case("CH-DEFAULT", now.Add(-8*24*time.Hour)))
	if n, err := srv.App.Evaluation.DefaultEvaluations(ctx); err != nil || n != 1 {
		t.Fatalf("defaults: %d %v", n, err)
	}

	signed := func(dev, path string, body map[string]any) {
		t.Helper()
		if r := srv.Signed(srv.DemoDevice(dev), "POST", path, body); r.Status/100 != 2 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	signed("demo-window-370400-zh01", "/api/v1/channels/window/evaluations", map[string]any{"case_no": "CH-WINDOW",
		"staff_no": apptest.CityStaff, "level": 2, "reasons": []string{"服务效率", "服务态度"}, "comment": "等了很久"})
	// A visit by its queue ticket (一次一评): no case.
	signed("demo-window-370400-zh01", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": "T001",
		"staff_no": apptest.CityStaff, "level": 4, "served_at": now.Add(-20 * time.Minute).Format(time.RFC3339)})
	signed("demo-kiosk-370400", "/api/v1/channels/kiosk/evaluations", map[string]any{"records": []any{
		map[string]any{"seq": 1, "case_no": "CH-KIOSK", "level": 4, "rated_at": now.Add(-time.Minute).Format(time.RFC3339)}}})
	// The receipt's link of a case, as pushing it again answers (the push is idempotent).
	token := func(no string) string {
		t.Helper()
		link := srv.PushCase(apptest.Case(no, at))["evaluation_url"].(string)
		return link[strings.LastIndex(link, "/")+1:]
	}
	signed("demo-mobile", "/api/v1/channels/mobile/evaluations", map[string]any{"token": token("CH-APP"), "level": 3})
	applicant := map[string]any{"id": "u-1", "name": apptest.ApplicantName, "id_number": apptest.ApplicantID}
	signed("demo-pc", "/api/v1/channels/pc/evaluations", map[string]any{"case_no": "CH-PC", "user": applicant, "level": 1,
		"reasons": []string{"办事指南精确度"}})
	lc, err := srv.App.Evaluation.OpenLink(ctx, token("CH-QR"))
	if err != nil {
		t.Fatal(err)
	}
	// The receipt's QR page: the link, no device (web/citizen does the same).
	if _, err := srv.App.Evaluation.Ingest(ctx, &evaluation.Submission{Channel: evaluation.Mobile, Key: "mobile:qr-ch",
		CaseID: lc.CaseID, Stage: lc.Stage, EvaluatorIsApplicant: true, Level: evaluation.VerySatisfied}); err != nil {
		t.Fatal(err)
	}

	s := w.sender(t, 100)
	if _, _, err := upwardEnqueue(ctx, w); err != nil {
		t.Fatal(err)
	}
	if sent, err := s.Send(ctx); err != nil || sent.Acknowledged != 14 || sent.Refused+sent.Failed != 0 {
		t.Fatalf("send: %+v %v, want 7 service records and 7 ratings", sent, err)
	}
	byNo := map[string]map[string]string{}
	for _, r := range w.sim.Records() {
		byNo[r.Fields["projectNo"]] = r.Fields
		if r.Sends != 1 {
			t.Errorf("%s sent %d times", r.Fields["projectNo"], r.Sends)
		}
	}
	services := map[string]map[string]string{}
	for _, r := range w.sim.Services() {
		services[r.Fields["projectNo"]] = r.Fields
	}
	bj := func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05") }
	common := map[string]string{"assessNumber": "1", "proStatus": "3", "userProp": "1", "certKey": apptest.ApplicantID,
		"userName": apptest.ApplicantName, "areaCode": "370400", "promiseTime": "2"}
	for no, want := range map[string]map[string]string{
		"37CH-WINDOW":  {"pf": "4", "satisfaction": "2", "evalDetail": "502,504", "writingEvaluation": "等了很久", "assessTime": bj(now)},
		"37CH-KIOSK":   {"pf": "5", "satisfaction": "4", "evalDetail": "", "assessTime": bj(now.Add(-time.Minute))},
		"37CH-APP":     {"pf": "2", "satisfaction": "3"},
		"37CH-QR":      {"pf": "3", "satisfaction": "5"},
		"37CH-PC":      {"pf": "1", "satisfaction": "1", "evalDetail": "603"},
		"37CH-DEFAULT": {"pf": "4", "satisfaction": "5", "evalDetail": "", "writingEvaluation": ""},
	} {
		got := byNo[no]
		if got == nil {
			t.Errorf("%s did not reach the platform", no)
			continue
		}
		for k, v := range common {
			want[k] = v
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", no, k, got[k], v)
			}
		}
		for _, k := range []string{"deptCode", "proDepart", "acceptDate", "resultDate"} {
			if got[k] == "" {
				t.Errorf("%s: no %s", no, k)
			}
		}
		svc := services[no]
		if svc == nil || svc["serviceNumber"] != "1" || svc["serviceName"] != "办结" || svc["serviceTime"] != got["resultDate"] ||
			svc["taskName"] == "" || svc["certKey"] != apptest.ApplicantID || svc["proStatus"] != "3" {
			t.Errorf("%s: service record %v", no, svc)
		}
		wantChannel := map[bool]string{true: "1", false: "2"}[no == "37CH-PC"]
		if svc != nil && svc["proChannel"] != wantChannel {
			t.Errorf("%s: proChannel %q, want %q", no, svc["proChannel"], wantChannel)
		}
	}
	visit, svc := byNo["37QH-370400-ZH01-20261126-T001"], services["37QH-370400-ZH01-20261126-T001"]
	if visit["pf"] != "4" || visit["satisfaction"] != "4" || visit["assessTime"] != bj(now) || visit["certKey"] != "" ||
		visit["proStatus"] != "3" || visit["resultDate"] != bj(now.Add(-20*time.Minute)) {
		t.Errorf("the ticket's rating: %v", visit)
	}
	if svc["serviceName"] != "窗口服务" || svc["serviceTime"] != bj(now.Add(-20*time.Minute)) || svc["taskName"] != "窗口办事服务" ||
		svc["proChannel"] != "2" || svc["acceptDate"] == "" {
		t.Errorf("the ticket's service record: %v", svc)
	}
	if len(byNo) != 7 || len(services) != 7 {
		t.Errorf("the platform holds %d ratings and %d service records, want 7 and 7", len(byNo), len(services))
	}
}

func upwardEnqueue(ctx context.Context, w *upwardWorld) (int64, int64, error) {
	return upward.Enqueue(ctx, w.env.DB, w.env.Clock.Now())
}

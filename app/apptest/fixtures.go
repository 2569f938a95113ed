package apptest

import (
	"context"
	"time"
)

// Codes from seeds/org.yaml that tests lean on.
const (
	CityHall      = "370400-ZWFW"
	CityWindow    = "370400-ZH01" // 综合受理1号窗口 of the city hall
	CityStaff     = "370400-ZH01-1"
	PassportItem  = "370400-000105010000" // 普通护照签发, 承诺件
	IDCardItem    = "370400-000105001000" // 居民身份证换领, 即办件 (市公安局)
	ApplicantID   = "370402199001011234"
	ApplicantTel  = "13812345678"
	ApplicantName = "张三"
)

// Case returns a case as a business system would push it: handled at the city hall's first
// comprehensive window, completed at completed (accepted an hour before).
func Case(caseNo string, completed time.Time) map[string]any {
	return map[string]any{
		"case_no":      caseNo,
		"item_code":    PassportItem,
		"hall_code":    CityHall,
		"window_code":  CityWindow,
		"staff_no":     CityStaff,
		"applicant":    map[string]any{"name": ApplicantName, "phone": ApplicantTel, "id_number": ApplicantID},
		"accepted_at":  completed.Add(-time.Hour).Format(time.RFC3339),
		"completed_at": completed.Format(time.RFC3339),
	}
}

// DemoDevice returns the demo device with that ID and its secret (after Seed).
func (s *Server) DemoDevice(id string) Device {
	s.env.T.Helper()
	list, err := s.App.Devices.List(context.Background(), true, true)
	if err != nil {
		s.env.T.Fatal(err)
	}
	for _, d := range list {
		if d.ID == id {
			return Device{ID: d.ID, Secret: d.Secret}
		}
	}
	s.env.T.Fatalf("testenv: no demo device %q", id)
	return Device{}
}

// PushCase sends a case through POST /api/v1/cases as the demo business system and returns
// the answer, failing the test unless it is accepted.
func (s *Server) PushCase(c map[string]any) map[string]any {
	s.env.T.Helper()
	r := s.Signed(s.DemoDevice("demo-system"), "POST", "/api/v1/cases", c)
	if r.Status != 201 && r.Status != 200 {
		s.env.T.Fatalf("push case: %d %s", r.Status, r.Body)
	}
	return r.JSON(s.env.T)
}

// OnlineCase returns a case handled online, on the 政务服务网 portal (no hall, window or staff):
// its ratings take the 网上 reasons, whatever device collects them.
func OnlineCase(caseNo string, completed time.Time) map[string]any {
	c := Case(caseNo, completed)
	delete(c, "hall_code")
	delete(c, "window_code")
	delete(c, "staff_no")
	c["channel"] = "pc"
	return c
}

// BadReview has the city hall's first window pad record a 1-star rating of ticket (reason
// 服务态度, served an hour before the test's clock), by a named evaluator when phone is not
// empty, and dispatches its work order at once. It returns the work order's id.
func (s *Server) BadReview(ticket, phone string) int64 {
	t := s.env.T
	t.Helper()
	body := map[string]any{"ticket_no": ticket, "staff_no": CityStaff, "level": 1, "reasons": []string{"服务态度"},
		"served_at": s.env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}
	if phone != "" {
		body["evaluator"] = map[string]any{"name": "李四", "phone": phone}
	}
	r := s.Signed(s.DemoDevice("demo-window-370400-zh01"), "POST", "/api/v1/channels/window/evaluations", body)
	if r.Status != 201 {
		t.Fatalf("bad review %s: %d %s", ticket, r.Status, r.Body)
	}
	id, _, err := s.App.Rectify.Dispatch(context.Background(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatalf("dispatch %s: %v", ticket, err)
	}
	return id
}

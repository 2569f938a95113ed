package citizen_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// TestPublicDisclosure: a month of a window's ratings — three good, one bad put right — is
// published by department with its figures, and the rectified case with the unit's measures,
// without the evaluator's phone, name or the staff's name the unit wrote into them.
func TestPublicDisclosure(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	pad := srv.DemoDevice("demo-window-370400-zh01")
	served := linkNow.Add(-time.Hour).Format(time.RFC3339)
	rate := func(ticket string, level int, extra map[string]any) int64 {
		t.Helper()
		body := map[string]any{"ticket_no": ticket, "staff_no": apptest.CityStaff, "level": level, "served_at": served}
		for k, v := range extra {
			body[k] = v
		}
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", body)
		if r.Status != 201 {
			t.Fatalf("rating %s: %d %s", ticket, r.Status, r.Body)
		}
		return int64(r.JSON(t)["id"].(float64))
	}
	for i := range 3 {
		rate(fmt.Sprintf("P00%d", i+1), 5, nil)
	}
	bad := rate("P004", 1, map[string]any{"reasons": []string{"服务态度"}, "comment": "态度生硬",
		"evaluator": map[string]any{"name": "李四", "phone": "13900001111"}})
	wo, created, err := srv.App.Rectify.Dispatch(t.Context(), bad)
	if err != nil || !created {
		t.Fatalf("dispatch: %v %v", created, err)
	}
	zh01 := srv.Login("zh01", "demo1234")
	steps := []struct {
		action string
		body   map[string]any
	}{
		{"callback", map[string]any{"method": "phone", "reached": true, "facts": "等候时间长，属实"}},
		{"decide", map[string]any{"decision": "now"}},
		{"rectify", map[string]any{"measures": "已向李四先生当面致歉（电话 13900001111），窗口人员加强服务礼仪培训"}},
	}
	for _, s := range steps {
		if r := srv.As(zh01, "POST", fmt.Sprintf("/api/v1/workorders/%d/%s", wo, s.action), s.body); r.Status != 200 {
			t.Fatalf("%s: %d %s", s.action, r.Status, r.Body)
		}
	}
	env.RollUp(srv.App.Measures)
	if _, err := srv.App.Measures.RollUpRectification(t.Context()); err != nil {
		t.Fatal(err)
	}

	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	if status := b.Go("/public?month=" + linkNow.Format("2006-01")); status != 200 {
		t.Fatalf("GET /public: %d", status)
	}
	row := b.Text("#by-department + .table-wrap tbody")
	for _, want := range []string{"市审批服务局", "4 / 4", "75.0%", "3 / 4", "1 / 1"} {
		if !strings.Contains(row, want) {
			t.Errorf("the department table lacks %q: %q", want, row)
		}
	}
	cases := b.Text(".disclosures")
	if !strings.Contains(cases, "立行立改") || !strings.Contains(cases, "服务礼仪培训") || !strings.Contains(cases, "服务态度") {
		t.Errorf("the rectified case: %q", cases)
	}
	whole := b.Text("body")
	for _, secret := range []string{"13900001111", "李四", "李先生", "态度生硬", apptest.CityStaff} {
		if strings.Contains(whole, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	b.CheckPage("public disclosure")
	b.Screenshot("public")

	b.Go("/public")
	if got := b.Text(".lead"); !strings.Contains(got, "2026年11月") {
		t.Errorf("the month shown by default: %q, want the last complete one", got)
	}
	r := srv.Raw("GET", "/public", nil, nil)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || r.Header.Get("Set-Cookie") != "" {
		t.Errorf("GET /public: Cache-Control %q, Set-Cookie %q: want cacheable, no cookie", cc, r.Header.Get("Set-Cookie"))
	}

	wall := browsertest.Open(t, srv.URL, browsertest.Wall)
	wall.Go("/public?month=" + linkNow.Format("2006-01"))
	wall.CheckPage("public disclosure on a wall screen")
	wall.Screenshot("public")
}

// TestHomePage: the site's root says where to rate and links the public disclosure.
func TestHomePage(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, linkNow)
	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	if status := b.Go("/"); status != 200 {
		t.Fatalf("GET /: %d", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "扫码评价") || !strings.Contains(got, "差评之后") {
		t.Errorf("the home page says %q", got)
	}
	b.CheckPage("home page")
	b.Screenshot("home")
	if status := b.Follow(`a[href="/public"].button`); status != 200 {
		t.Errorf("the home page's link to /public: %d", status)
	}
}

// TestUnknownPageInWords: a mistyped address in a browser gets the error page, not JSON.
func TestUnknownPageInWords(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, linkNow)
	b := browsertest.Open(t, srv.URL, browsertest.Phone)
	if status := b.Go("/no-such-page"); status != 404 {
		t.Fatalf("GET /no-such-page: %d", status)
	}
	if got := b.Text("h1"); got != "页面不存在" {
		t.Errorf("heading %q", got)
	}
	b.CheckPage("page not found")
	b.Screenshot("not-found")
}

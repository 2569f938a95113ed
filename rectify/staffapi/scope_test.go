package staffapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// orderAt posts a bad review from a pad, served by staffNo (empty: the pad names nobody, and
// the unit's head handles it), and dispatches it; it returns the work order's id.
func orderAt(t *testing.T, env *testenv.Env, srv *apptest.Server, padID, staffNo, ticket string) int64 {
	t.Helper()
	body := map[string]any{"ticket_no": ticket, "level": 1, "reasons": []string{"服务态度"},
		"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339),
		"evaluator": map[string]any{"name": "王五", "phone": "13700002222"}}
	if staffNo != "" {
		body["staff_no"] = staffNo
	}
	r := srv.Signed(srv.DemoDevice(padID), "POST", "/api/v1/channels/window/evaluations", body)
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	return dispatch(t, srv, r)
}

func dispatch(t *testing.T, srv *apptest.Server, r *apptest.Response) int64 {
	t.Helper()
	id, _, err := srv.App.Rectify.Dispatch(context.Background(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// oneWindowCase pushes a 公安 case (居民身份证换领, 市公安局) accepted at the city hall's 综合受理1号
// window by its clerk 370400-ZH01-1 (市审批服务局), rates it 1 star from its receipt link, and
// dispatches the bad review; it returns the work order's id.
func oneWindowCase(t *testing.T, env *testenv.Env, srv *apptest.Server, caseNo string) int64 {
	t.Helper()
	c := apptest.Case(caseNo, env.Clock.Now().Add(-time.Hour))
	c["item_code"] = apptest.IDCardItem
	link := srv.PushCase(c)["evaluation_url"].(string)
	token := link[strings.LastIndex(link, "/")+1:]
	r := srv.Signed(srv.DemoDevice("demo-mobile"), "POST", "/api/v1/channels/mobile/evaluations", map[string]any{
		"token": token, "level": 1, "reasons": []string{"服务态度"}, "comment": "窗口人员不耐烦"})
	if r.Status != 201 {
		t.Fatalf("rating from the link: %d %s", r.Status, r.Body)
	}
	return dispatch(t, srv, r)
}

// TestRoleScopeMatrix is the responsibility table (access.User.WorkOrders) through HTTP: the
// handler sees their own orders whichever unit owns them, and nobody else's; unit heads see
// their unit's and their staff's; the hall head the hall's; the office its region and only the
// office rules; auditors read and never act.
func TestRoleScopeMatrix(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	city := orderAt(t, env, srv, "demo-window-370400-zh01", apptest.CityStaff, "M001")   // 市审批服务局, served by zh01
	head := orderAt(t, env, srv, "demo-window-370400-zh01", "", "M002")                  // 市审批服务局, nobody named: its head
	district := orderAt(t, env, srv, "demo-window-370402-zh01", "370402-ZH01-1", "M003") // 市中区行政审批服务局, 市中区 hall
	police := orderAt(t, env, srv, "demo-window-370400-ga01", "370400-GA01-1", "M004")   // 市公安局 window at the city hall
	oneWindow := oneWindowCase(t, env, srv, "YCSL-0001")                                 // 市公安局's case, served by zh01

	type expect struct {
		sees   []int64 // what the list shows; GET answers 200 for these and 404 for the rest
		unitOK bool    // may take the unit's steps (return) on what it sees
		office bool    // may take the office's (supervise) on what it sees
	}
	all := []int64{city, head, district, police, oneWindow}
	users := map[string]expect{
		"zh01":       {sees: []int64{city, oneWindow}, unitOK: true},
		"spj-head":   {sees: []int64{city, head, oneWindow}, unitOK: true},
		"ga01":       {sees: []int64{police}, unitOK: true},
		"gaj-head":   {sees: []int64{police, oneWindow}, unitOK: true},
		"hall-head":  {sees: []int64{city, head, police, oneWindow}, unitOK: true},
		"office":     {sees: all, office: true},
		"szq-office": {sees: []int64{district}, office: true},
		"auditor":    {sees: all},
	}
	for name, want := range users {
		tok := srv.Login(name, "demo1234")
		r := srv.As(tok, "GET", "/api/v1/workorders?per_page=100", nil)
		if r.Status != 200 {
			t.Fatalf("%s lists: %d %s", name, r.Status, r.Body)
		}
		var listed []int64
		for _, it := range r.JSON(t)["items"].([]any) {
			listed = append(listed, int64(it.(map[string]any)["id"].(float64)))
		}
		if fmt.Sprint(sorted(listed)) != fmt.Sprint(sorted(want.sees)) {
			t.Errorf("%s lists %v, want %v", name, listed, want.sees)
		}
		for _, id := range all {
			readable := slices.Contains(want.sees, id)
			r := srv.As(tok, "GET", fmt.Sprintf("/api/v1/workorders/%d", id), nil)
			if (readable && r.Status != 200) || (!readable && r.Status != 404) {
				t.Errorf("%s reads order %d: %d", name, id, r.Status)
			}
			// An office action: 200 for the office in scope; 404 out of it; 403 for every other role.
			act := srv.As(tok, "POST", fmt.Sprintf("/api/v1/workorders/%d/supervise", id), map[string]any{"note": "督办"})
			switch {
			case !want.office:
				if act.Status != 403 {
					t.Errorf("%s supervises order %d: %d, want 403", name, id, act.Status)
				}
			case readable && act.Status != 200:
				t.Errorf("%s supervises order %d in scope: %d %s", name, id, act.Status, act.Body)
			case !readable && act.Status != 404:
				t.Errorf("%s supervises order %d out of scope: %d, want 404", name, id, act.Status)
			}
			// A unit action on an order not seen is 404; on any order by a non-unit role, 403.
			if !want.unitOK {
				if r := srv.As(tok, "POST", fmt.Sprintf("/api/v1/workorders/%d/return", id), map[string]any{"reason": "x"}); r.Status != 403 {
					t.Errorf("%s (not a unit) returns order %d: %d, want 403", name, id, r.Status)
				}
			} else if !readable {
				if r := srv.As(tok, "POST", fmt.Sprintf("/api/v1/workorders/%d/return", id), map[string]any{"reason": "x"}); r.Status != 404 {
					t.Errorf("%s returns an order it does not see, %d: %d, want 404", name, id, r.Status)
				}
			}
		}
	}
	// The unit's steps work for whoever sees the order: the handler, and the heads on any of theirs.
	for name, id := range map[string]int64{
		"zh01":     orderAt(t, env, srv, "demo-window-370400-zh01", apptest.CityStaff, "N-zh01"),
		"ga01":     orderAt(t, env, srv, "demo-window-370400-ga01", "370400-GA01-1", "N-ga01"),
		"spj-head": orderAt(t, env, srv, "demo-window-370400-zh01", apptest.CityStaff, "N-spj"), // zh01's, for her
		"gaj-head": oneWindowCase(t, env, srv, "YCSL-0002"),                                     // its unit's case, served by zh01
	} {
		r := srv.As(srv.Login(name, "demo1234"), "POST", fmt.Sprintf("/api/v1/workorders/%d/callback", id),
			map[string]any{"method": "phone", "reached": true, "facts": "已核实"})
		if r.Status != 200 || r.JSON(t)["state"] != "verified" {
			t.Errorf("%s calls back order %d: %d %s", name, id, r.Status, r.Body)
		}
	}
	// No token, no inbox.
	if r := srv.Raw("GET", "/api/v1/workorders", nil, nil); r.Status != 401 {
		t.Errorf("without a token: %d", r.Status)
	}
}

// TestOneWindowCaseReachesTheClerkWhoServed: a 公安 case accepted at the 综合受理 window by a
// clerk of 市审批服务局 and rated 1 star from its receipt link is that clerk's to answer: she sees
// it in her inbox, opens it, reveals the phone and calls back; staff at other windows — of her
// unit or another — do not see it; the heads of both units do, and are told of it when it
// escalates.
func TestOneWindowCaseReachesTheClerkWhoServed(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	apptest.Seed(env)
	srv := apptest.Start(env)
	id := oneWindowCase(t, env, srv, "YCSL-0100")
	order := fmt.Sprintf("/api/v1/workorders/%d", id)

	zh01 := srv.Login("zh01", "demo1234")
	inbox := srv.As(zh01, "GET", "/api/v1/workorders?mine=true", nil)
	items, _ := inbox.JSON(t)["items"].([]any)
	if inbox.Status != 200 || len(items) != 1 || int64(items[0].(map[string]any)["id"].(float64)) != id {
		t.Fatalf("zh01's inbox: %d %s", inbox.Status, inbox.Body)
	}
	d := srv.As(zh01, "GET", order, nil).JSON(t)
	if d["department"] != "市公安局" || d["assignee"].(map[string]any)["staff_no"] != apptest.CityStaff {
		t.Fatalf("the order: unit %v, assignee %v", d["department"], d["assignee"])
	}
	if r := srv.As(zh01, "POST", order+"/reveal-phone", nil); r.Status != 200 || r.JSON(t)["phone"] != apptest.ApplicantTel {
		t.Fatalf("zh01 reveals the phone: %d %s", r.Status, r.Body)
	}
	if r := srv.As(zh01, "POST", order+"/callback", map[string]any{"method": "phone", "reached": true,
		"facts": "已致电申请人，核实窗口人员态度问题"}); r.Status != 200 || r.JSON(t)["state"] != "verified" {
		t.Fatalf("zh01 calls back: %d %s", r.Status, r.Body)
	}
	// Another window's clerk of the same unit, and the police window's, see nothing of it.
	if _, err := srv.App.Users.Create(context.Background(), access.NewUser{Username: "zh02b", Password: "demo-pass-1",
		Role: access.WindowStaff, ScopeKind: "department", ScopeCode: "ZZ-SPJ", StaffNo: "370400-ZH02-2"}); err != nil {
		t.Fatal(err)
	}
	for name, password := range map[string]string{"zh02b": "demo-pass-1", "ga01": "demo1234"} {
		tok := srv.Login(name, password)
		if r := srv.As(tok, "GET", order, nil); r.Status != 404 {
			t.Errorf("%s opens it: %d, want 404", name, r.Status)
		}
		if r := srv.As(tok, "POST", order+"/reveal-phone", nil); r.Status != 404 {
			t.Errorf("%s reveals the phone: %d, want 404", name, r.Status)
		}
	}
	// Both units' heads see it.
	for _, head := range []string{"gaj-head", "spj-head"} {
		if r := srv.As(srv.Login(head, "demo1234"), "GET", order, nil); r.Status != 200 {
			t.Errorf("%s opens it: %d, want 200", head, r.Status)
		}
	}
	// Past its rectification deadline it escalates: the handler and both heads are told.
	env.Clock.Advance(30 * 24 * time.Hour)
	if _, err := srv.App.Rectify.SweepOverdue(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if n := env.Count(`SELECT count(DISTINCT s.staff_no) FROM notifications n JOIN staff s ON s.id = n.staff_id
		WHERE n.work_order_id = $1 AND n.kind IN ('overdue', 'escalated')
		  AND s.staff_no IN ('370400-ZH01-1', 'H-ZZ-GAJ', 'H-ZZ-SPJ')`, id); n != 3 {
		t.Errorf("told of the escalation: %d of the handler and the two heads", n)
	}
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

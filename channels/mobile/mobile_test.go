package mobile_test

import (
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/mobile/evaluations"

func tokenOf(t *testing.T, answer map[string]any) string {
	url, _ := answer["evaluation_url"].(string)
	i := strings.LastIndex(url, "/e/")
	if i < 0 {
		t.Fatalf("no evaluation link in %v", answer)
	}
	return url[i+3:]
}

func TestMobileRatesTheCaseOfItsToken(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	app := srv.DemoDevice("demo-mobile")
	token := tokenOf(t, srv.PushCase(apptest.Case("ZZ-MOBILE-1", env.Clock.Now().Add(-time.Hour))))

	// The case was handled in the hall: its receipt's link takes the 现场 reasons.
	r := srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 1, "reasons": []string{"办事效率"}})
	if r.Status != 422 || r.Code(t) != "invalid_reason" {
		t.Fatalf("an online reason for a service in the hall: %d %s", r.Status, r.Body)
	}
	r = srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 1, "reasons": []string{"服务效率"}, "comment": "材料来回跑了三次"})
	if r.Status != 201 {
		t.Fatalf("rating: %d %s", r.Status, r.Body)
	}
	e := r.JSON(t)
	// The evaluator is the applicant: real-name, shown masked only.
	if e["case_no"] != "ZZ-MOBILE-1" || e["real_name"] != true || e["evaluator"] != "张*" || e["evaluator_phone"] != "138****5678" {
		t.Fatalf("answer: %s", r.Body)
	}
	if strings.Contains(string(r.Body), apptest.ApplicantTel) {
		t.Fatal("the answer leaks the phone number")
	}
	// The link is single use: using it again answers the id of the evaluation made, no more.
	again := srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 5})
	if again.Status != 200 || again.JSON(t)["id"] != e["id"] || again.JSON(t)["status"] != "duplicate" || len(again.JSON(t)) != 2 {
		t.Fatalf("second use: %d %s", again.Status, again.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE channel = 'mobile' AND real_name AND active`); n != 1 {
		t.Fatalf("mobile evaluations = %d, want 1", n)
	}

	// A forged or altered token is refused.
	forged := token[:len(token)-2] + "AA"
	if forged == token {
		forged = token[:len(token)-2] + "BB"
	}
	for _, tok := range []string{forged, "not-a-token", ""} {
		r := srv.Signed(app, "POST", path, map[string]any{"token": tok, "level": 5})
		if r.Status != 422 {
			t.Errorf("token %q: %d %s", tok, r.Status, r.Body)
		}
	}
}

func TestMobileLinkExpires(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	app := srv.DemoDevice("demo-mobile")
	// Completed on 11-17: its window closed at the end of 11-24, Beijing time.
	token := tokenOf(t, srv.PushCase(apptest.Case("ZZ-MOBILE-OLD", testenv.Beijing(2026, 11, 17, 15, 0, 0))))
	r := srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 4})
	if r.Status != 410 || r.Code(t) != "link_expired" {
		t.Fatalf("expired link: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("evaluations = %d, want 0", n)
	}
}

// TestReasonsForALink: GET /api/v1/reasons names the set that applies to a case or a link —
// 现场 for a service in the hall, 网上 for one online — and lists only its reasons.
func TestReasonsForALink(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	hall := tokenOf(t, srv.PushCase(apptest.Case("ZZ-REASONS-HALL", env.Clock.Now().Add(-time.Hour))))
	srv.PushCase(apptest.OnlineCase("ZZ-REASONS-WEB", env.Clock.Now().Add(-time.Hour)))
	for query, want := range map[string]struct{ kind, has, hasNot string }{
		"token=" + hall:           {"offline", "服务态度", "平台操作性"},
		"case_no=ZZ-REASONS-HALL": {"offline", "办事环境", "办事效率"},
		"case_no=ZZ-REASONS-WEB":  {"online", "平台操作性", "服务态度"},
	} {
		r := srv.Raw("GET", "/api/v1/reasons?"+query, nil, nil)
		m := r.JSON(t)
		if r.Status != 200 || m["kind"] != want.kind || !strings.Contains(string(r.Body), want.has) || strings.Contains(string(r.Body), want.hasNot) {
			t.Errorf("%s: %d %s, want %s", query, r.Status, r.Body, want.kind)
		}
	}
	if r := srv.Raw("GET", "/api/v1/reasons?case_no=ZZ-NOWHERE", nil, nil); r.Status != 422 || r.Code(t) != "case_not_found" {
		t.Errorf("an unknown case: %d %s", r.Status, r.Body)
	}
	if r := srv.Raw("GET", "/api/v1/reasons?token=forged", nil, nil); r.Status != 422 || r.Code(t) != "invalid_token" {
		t.Errorf("a forged link: %d %s", r.Status, r.Body)
	}
}

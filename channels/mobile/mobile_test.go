package mobile_test

import (
	"strings"
	"testing"
	"time"

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
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	app := srv.DemoDevice("demo-mobile")
	token := tokenOf(t, srv.PushCase(testenv.Case("ZZ-MOBILE-1", time.Now().Add(-time.Hour))))

	r := srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 1, "reasons": []string{"办事效率"}, "comment": "材料来回跑了三次"})
	if r.Status != 201 {
		t.Fatalf("rating: %d %s", r.Status, r.Body)
	}
	e := r.JSON(t)
	// The evaluator is the applicant: real-name, shown masked only.
	if e["case_no"] != "ZZ-MOBILE-1" || e["real_name"] != true || e["evaluator"] != "张*" || e["evaluator_phone"] != "138****5678" {
		t.Fatalf("answer: %s", r.Body)
	}
	if strings.Contains(string(r.Body), testenv.ApplicantTel) {
		t.Fatal("the answer leaks the phone number")
	}
	// The link is single use: using it again answers the same evaluation.
	again := srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 5})
	if again.Status != 200 || again.JSON(t)["id"] != e["id"] || again.JSON(t)["level"] != 1.0 {
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
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	app := srv.DemoDevice("demo-mobile")
	token := tokenOf(t, srv.PushCase(testenv.Case("ZZ-MOBILE-OLD", time.Now().AddDate(0, 0, -10))))
	r := srv.Signed(app, "POST", path, map[string]any{"token": token, "level": 4})
	if r.Status != 410 || r.Code(t) != "link_expired" {
		t.Fatalf("expired link: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("evaluations = %d, want 0", n)
	}
}

package pc_test

import (
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/pc/evaluations"

func TestPortalRatingByTheApplicant(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	portal := srv.DemoDevice("demo-pc")
	srv.PushCase(apptest.OnlineCase("ZZ-PC-1", env.Clock.Now().Add(-time.Hour)))

	stranger := map[string]any{"id": "u-2", "name": "李四", "id_number": "370402198001011111"}
	r := srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-1", "user": stranger, "level": 5})
	if r.Status != 403 || r.Code(t) != "not_applicant" {
		t.Fatalf("a stranger rating the case: %d %s", r.Status, r.Body)
	}

	applicant := map[string]any{"id": "u-1", "name": apptest.ApplicantName, "id_number": apptest.ApplicantID, "phone": apptest.ApplicantTel}
	r = srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-1", "user": applicant, "level": 4, "reasons": []string{"办事指南精确度"}})
	if r.Status != 201 {
		t.Fatalf("the applicant rating: %d %s", r.Status, r.Body)
	}
	e := r.JSON(t)
	if e["channel"] != "pc" || e["stage"] != "complete" || e["real_name"] != true || e["reasons"].([]any)[0] != "guide" {
		t.Fatalf("answer: %s", r.Body)
	}
	// Once rated, a stranger still gets 403, not the applicant's evaluation as a "duplicate".
	r = srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-1", "user": stranger, "level": 5})
	if r.Status != 403 || r.Code(t) != "not_applicant" {
		t.Fatalf("a stranger after the applicant rated: %d %s", r.Status, r.Body)
	}
}

func TestPortalRefusals(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	portal := srv.DemoDevice("demo-pc")
	accepted := apptest.OnlineCase("ZZ-PC-ACCEPTED", env.Clock.Now().Add(-time.Hour))
	delete(accepted, "completed_at")
	srv.PushCase(accepted)
	user := map[string]any{"name": apptest.ApplicantName, "id_number": apptest.ApplicantID}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"no case number", map[string]any{"user": user, "level": 5}, 422, "case_no_required"},
		{"no user", map[string]any{"case_no": "ZZ-PC-ACCEPTED", "level": 5}, 422, "user_required"},
		{"user without identity", map[string]any{"case_no": "ZZ-PC-ACCEPTED", "user": map[string]any{"name": "x"}, "level": 5}, 422, "evaluator_required"},
		{"unknown case", map[string]any{"case_no": "ZZ-NOWHERE", "user": user, "level": 5}, 422, "case_not_found"},
		{"not yet completed", map[string]any{"case_no": "ZZ-PC-ACCEPTED", "stage": "complete", "user": user, "level": 5}, 422, "case_not_completed"},
		{"offline reason online", map[string]any{"case_no": "ZZ-PC-ACCEPTED", "user": user, "level": 2, "reasons": []string{"服务态度"}}, 422, "invalid_reason"},
	}
	for _, c := range cases {
		r := srv.Signed(portal, "POST", path, c.body)
		if r.Status != c.status || r.Code(t) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.code)
		}
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("refusals wrote %d evaluations", n)
	}
	// The case at stage accept can be rated at that stage.
	r := srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-ACCEPTED", "user": user, "level": 5})
	if r.Status != 201 || r.JSON(t)["stage"] != "accept" {
		t.Fatalf("rating at acceptance: %d %s", r.Status, r.Body)
	}
}

// TestPortalRatesAHallCaseWithTheHallsReasons: the reason set follows the service, not the
// device: a case handled at a window, rated from the portal, takes the 现场 reasons.
func TestPortalRatesAHallCaseWithTheHallsReasons(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	portal := srv.DemoDevice("demo-pc")
	srv.PushCase(apptest.Case("ZZ-PC-HALL", env.Clock.Now().Add(-time.Hour)))
	user := map[string]any{"name": apptest.ApplicantName, "id_number": apptest.ApplicantID}
	r := srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-HALL", "user": user, "level": 2, "reasons": []string{"平台操作性"}})
	if r.Status != 422 || r.Code(t) != "invalid_reason" {
		t.Fatalf("an online reason for a service in the hall: %d %s", r.Status, r.Body)
	}
	r = srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-HALL", "user": user, "level": 2, "reasons": []string{"服务态度"}})
	if r.Status != 201 || r.JSON(t)["reasons"].([]any)[0] != "attitude" {
		t.Fatalf("a hall reason from the portal: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE channel = 'pc' AND reason_kind = 'offline'`); n != 1 {
		t.Fatalf("evaluations recorded with the 现场 set: %d, want 1", n)
	}
}

// TestPortalCannotBackDate: a backend's rating counts when the server receives it. A time in
// the payload inside the window changes nothing once the window has closed.
func TestPortalCannotBackDate(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 20, 10, 0, 0))
	srv.PushCase(apptest.OnlineCase("ZZ-PC-LATE", testenv.Beijing(2026, 11, 20, 9, 0, 0)))
	env.Clock.Set(testenv.Beijing(2026, 11, 28, 0, 0, 5)) // the 7-day window closed five seconds ago
	user := map[string]any{"name": apptest.ApplicantName, "id_number": apptest.ApplicantID}
	r := srv.Signed(srv.DemoDevice("demo-pc"), "POST", path, map[string]any{"case_no": "ZZ-PC-LATE", "user": user, "level": 1,
		"reasons": []string{"办事效率"}, "rated_at": "2026-11-27 23:59:00"})
	if r.Status != 422 || r.Code(t) != "rating_period_over" {
		t.Fatalf("a back-dated rating: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Fatalf("evaluations = %d, want 0", n)
	}
}

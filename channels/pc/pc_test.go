package pc_test

import (
	"testing"
	"time"

	"haochaping/internal/testenv"
)

const path = "/api/v1/channels/pc/evaluations"

func TestPortalRatingByTheApplicant(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	portal := srv.DemoDevice("demo-pc")
	srv.PushCase(testenv.Case("ZZ-PC-1", time.Now().Add(-time.Hour)))

	stranger := map[string]any{"id": "u-2", "name": "李四", "id_number": "370402198001011111"}
	r := srv.Signed(portal, "POST", path, map[string]any{"case_no": "ZZ-PC-1", "user": stranger, "level": 5})
	if r.Status != 403 || r.Code(t) != "not_applicant" {
		t.Fatalf("a stranger rating the case: %d %s", r.Status, r.Body)
	}

	applicant := map[string]any{"id": "u-1", "name": testenv.ApplicantName, "id_number": testenv.ApplicantID, "phone": testenv.ApplicantTel}
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
	env := testenv.New(t)
	env.Seed()
	srv := env.Start()
	portal := srv.DemoDevice("demo-pc")
	accepted := testenv.Case("ZZ-PC-ACCEPTED", time.Now().Add(-time.Hour))
	delete(accepted, "completed_at")
	srv.PushCase(accepted)
	user := map[string]any{"name": testenv.ApplicantName, "id_number": testenv.ApplicantID}
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

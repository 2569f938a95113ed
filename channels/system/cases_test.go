package system_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

func TestCasesCreateUpdateAndLink(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	sys := srv.DemoDevice("demo-system")
	completed := env.Clock.Now().Add(-2 * time.Hour).Truncate(time.Second)

	c := apptest.Case("ZZ20261126000001", completed)
	r := srv.Signed(sys, "POST", "/api/v1/cases", c)
	if r.Status != 201 {
		t.Fatalf("new case: %d %s", r.Status, r.Body)
	}
	got := r.JSON(t)
	url, _ := got["evaluation_url"].(string)
	if got["status"] != "created" || got["stage"] != "complete" || !strings.HasPrefix(url, srv.URL+"/e/") {
		t.Fatalf("answer: %s", r.Body)
	}

	// Re-sending the case updates it, and its link stays the same.
	c["staff_no"] = "370400-ZH01-2"
	r = srv.Signed(sys, "POST", "/api/v1/cases", c)
	if r.Status != 200 || r.JSON(t)["status"] != "updated" || r.JSON(t)["evaluation_url"] != url {
		t.Fatalf("re-sent case: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM cases c JOIN staff s ON s.id = c.staff_id WHERE s.staff_no = '370400-ZH01-2'`); n != 1 {
		t.Fatalf("the update did not reach the row")
	}

	// The applicant is encrypted at rest and masked for screens.
	var nameEnc, phoneEnc, idEnc []byte
	var nameMasked, phoneMasked string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT applicant_name_enc, applicant_phone_enc, applicant_id_enc,
		applicant_name_masked, applicant_phone_masked FROM cases`).Scan(&nameEnc, &phoneEnc, &idEnc, &nameMasked, &phoneMasked); err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{apptest.ApplicantName, apptest.ApplicantTel, apptest.ApplicantID} {
		for _, stored := range [][]byte{nameEnc, phoneEnc, idEnc} {
			if bytes.Contains(stored, []byte(plain)) {
				t.Fatalf("%q is stored in the clear", plain)
			}
		}
	}
	if nameMasked != "张*" || phoneMasked != "138****5678" {
		t.Fatalf("masked as %q %q", nameMasked, phoneMasked)
	}
	if phone, err := env.Keys.Open(phoneEnc); err != nil || phone != apptest.ApplicantTel {
		t.Fatalf("phone opens to %q, %v", phone, err)
	}

	// The receipt's QR code is a PNG of the link.
	png := srv.Raw("GET", strings.TrimPrefix(url, srv.URL)+"/qr.png", nil, nil)
	if png.Status != 200 || png.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png.Body, []byte("\x89PNG")) {
		t.Fatalf("QR code: %d %s", png.Status, png.Header.Get("Content-Type"))
	}
	if r := srv.Raw("GET", "/e/forged-token/qr.png", nil, nil); r.Status != 404 {
		t.Fatalf("QR of a forged token: %d", r.Status)
	}
}

func TestCaseBatchAcceptsEachOnItsOwn(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	sys := srv.DemoDevice("demo-system")
	now := env.Clock.Now().Add(-time.Hour)
	bad := apptest.Case("ZZ-BAD-ITEM", now)
	bad["item_code"] = "no-such-item"
	accepting := apptest.Case("ZZ-ACCEPT-ONLY", now)
	delete(accepting, "completed_at")
	batch := []any{apptest.Case("ZZ-OK-1", now), bad, accepting}

	for _, body := range []any{batch, map[string]any{"cases": batch}} {
		r := srv.Signed(sys, "POST", "/api/v1/cases", body)
		if r.Status != 200 {
			t.Fatalf("batch: %d %s", r.Status, r.Body)
		}
		ans := r.JSON(t)
		results := ans["results"].([]any)
		if ans["accepted"] != 2.0 || ans["rejected"] != 1.0 || len(results) != 3 {
			t.Fatalf("batch answer: %s", r.Body)
		}
		rejected := results[1].(map[string]any)
		if rejected["status"] != "rejected" || rejected["code"] != "item_not_found" || rejected["case_no"] != "ZZ-BAD-ITEM" {
			t.Fatalf("rejected record: %v", rejected)
		}
		if results[2].(map[string]any)["stage"] != "accept" {
			t.Fatalf("a case without completion time is at stage accept: %v", results[2])
		}
	}
	if n := env.Count(`SELECT count(*) FROM cases`); n != 2 {
		t.Fatalf("cases = %d, want 2", n)
	}
}

func TestCaseValidation(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	sys := srv.DemoDevice("demo-system")
	now := env.Clock.Now().Add(-time.Hour)
	with := func(k string, v any) map[string]any {
		c := apptest.Case("ZZ-VALID-1", now)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"bad case number", with("case_no", "a b"), "invalid_case_no"},
		{"no item", with("item_code", nil), "item_required"},
		{"unknown item", with("item_code", "000"), "item_not_found"},
		{"unknown window", with("window_code", "nowhere"), "window_not_found"},
		{"window of another hall", with("hall_code", "370402-ZWFW"), "window_not_in_hall"},
		{"unknown staff", with("staff_no", "ghost"), "staff_not_found"},
		{"no applicant", with("applicant", nil), "applicant_required"},
		{"bad id number", with("applicant", map[string]any{"name": "李四", "id_number": "123"}), "invalid_id_number"},
		{"no accepted_at", with("accepted_at", nil), "accepted_at_required"},
		{"completed before accepted", with("accepted_at", env.Clock.Now().Format(time.RFC3339)), "invalid_time"},
		{"complete without completion", with("completed_at", nil), ""},
		{"bad stage", with("stage", "done"), "invalid_stage"},
		{"bad channel", with("channel", "fax"), "invalid_channel"},
	}
	for _, c := range cases {
		if c.code == "" {
			c.body["stage"] = "complete"
			c.code = "completed_at_required"
		}
		r := srv.Signed(sys, "POST", "/api/v1/cases", c.body)
		if r.Status != 422 || r.Code(t) != c.code {
			t.Errorf("%s: %d %s, want 422 %s", c.name, r.Status, r.Body, c.code)
		}
	}
	if n := env.Count(`SELECT count(*) FROM cases`); n != 0 {
		t.Fatalf("refused cases wrote %d rows", n)
	}
	// Only a business system may push cases.
	pad := srv.AddDevice("window", apptest.CityWindow, "")
	if r := srv.Signed(pad, "POST", "/api/v1/cases", apptest.Case("ZZ-PAD-1", now)); r.Status != 403 {
		t.Fatalf("a window pad pushing a case: %d %s", r.Status, r.Body)
	}
}

package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
)

// TestNumbersTypedIntoNotesAreMasked: a clerk writes the citizen's phone and ID number into a
// callback's facts and note, in the spellings people use; the auditor reading the order, and
// the clerk too, see them masked (issue 12: they came back raw in the timeline).
func TestNumbersTypedIntoNotesAreMasked(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, openapiNow)
	r := srv.Signed(srv.DemoDevice("demo-window-370400-zh01"), "POST", "/api/v1/channels/window/evaluations", map[string]any{
		"ticket_no": "PT01", "staff_no": apptest.CityStaff, "level": 1, "reasons": []string{"服务态度"},
		"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	order, _, err := srv.App.Rectify.Dispatch(t.Context(), int64(r.JSON(t)["id"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	zh01 := srv.Login("zh01", "demo1234")
	if r := srv.As(zh01, "POST", fmt.Sprintf("/api/v1/workorders/%d/callback", order), map[string]any{
		"facts": "群众留电话138.1234.5678，身份证370402199001011234", "note": "另一号码一三八一二三四五六七八"}); r.Status != 200 {
		t.Fatalf("callback: %d %s", r.Status, r.Body)
	}
	for _, user := range []string{"auditor", "zh01"} {
		body := string(srv.As(srv.Login(user, "demo1234"), "GET", fmt.Sprintf("/api/v1/workorders/%d", order), nil).Body)
		for _, clear := range []string{"1234.5678", "199001011234", "一二三四五六七八"} {
			if strings.Contains(body, clear) {
				t.Errorf("%s reads %q in the order: %s", user, clear, body)
			}
		}
		if !strings.Contains(body, "138****5678") || !strings.Contains(body, "370402********1234") {
			t.Errorf("%s does not read the masked numbers: %s", user, body)
		}
	}
}

package web_test

import (
	"fmt"
	"strings"
	"testing"

	"haochaping/app/apptest"
)

// TestNumbersTypedIntoNotesAreMasked: a clerk writes the citizen's phone and ID number into a
// callback's facts and note, in the spellings people use; the auditor reading the order, and
// the clerk too, see them masked (issue 12: they came back raw in the timeline).
func TestNumbersTypedIntoNotesAreMasked(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, openapiNow)
	order := srv.BadReview("PT01", "")
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

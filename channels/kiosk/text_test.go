package kiosk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// kioskBatch is an upload of records, each a JSON object as written (so that a test may put
// bytes in it that encoding/json would not write).
func kioskBatch(records ...string) []byte {
	return []byte(`{"records":[` + strings.Join(records, ",") + `]}`)
}

// record is a kiosk record of a case, rated at ratedAt, with a comment written as given
// (inside the quotes).
func record(seq int, caseNo, comment string, ratedAt time.Time) string {
	return fmt.Sprintf(`{"seq":%d,"case_no":%q,"level":4,"comment":"%s","rated_at":%q}`, seq, caseNo, comment, ratedAt.Format(time.RFC3339))
}

// checkResults checks each record's status and code; a code "" is not checked.
func checkResults(t *testing.T, ans map[string]any, want ...[2]string) {
	t.Helper()
	results, _ := ans["results"].([]any)
	if len(results) != len(want) {
		t.Fatalf("%d results, want %d: %v", len(results), len(want), ans)
	}
	for i, w := range want {
		res := results[i].(map[string]any)
		if res["status"] != w[0] || (w[1] != "" && res["code"] != w[1]) || res["seq"] != float64(i+1) {
			t.Errorf("record %d: %v, want seq %d %s %s", i, res, i+1, w[0], w[1])
		}
	}
}

// TestKioskBadTextRejectsOnlyItsRecord: a record whose comment holds NUL, or bytes that are
// not UTF-8, is rejected alone, naming the field; the others are stored and the answer is 200.
// (PostgreSQL refuses NUL in text: the batch used to answer 500 after the good records had
// committed, and the kiosk retried it forever.)
func TestKioskBadTextRejectsOnlyItsRecord(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	served := env.Clock.Now().Add(-2 * time.Hour)
	for _, no := range []string{"ZZ-TEXT-1", "ZZ-TEXT-2", "ZZ-TEXT-3", "ZZ-TEXT-4"} {
		srv.PushCase(apptest.Case(no, served))
	}
	rated := env.Clock.Now().Add(-time.Hour)
	batch := kioskBatch(
		record(1, "ZZ-TEXT-1", "很好", rated),
		record(2, "ZZ-TEXT-2", `办理\u0000很快`, rated),
		record(3, "ZZ-TEXT-3", "\xe5\xbe\x88\xff", rated),
		record(4, "ZZ-TEXT-4", `第一行\n第二行\t好`, rated),
	)
	r := srv.Signed(kiosk, "POST", path, batch)
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	ans := r.JSON(t)
	checkResults(t, ans, [2]string{"created", ""}, [2]string{"rejected", "invalid_text"}, [2]string{"rejected", "invalid_text"},
		[2]string{"created", ""})
	for _, i := range []int{1, 2} {
		res := ans["results"].([]any)[i].(map[string]any)
		if fields, _ := res["fields"].(map[string]any); fields["comment"] == nil {
			t.Errorf("record %d: fields %v, want comment named", i, res["fields"])
		}
	}
	if ans["accepted"] != 2.0 || ans["rejected"] != 2.0 {
		t.Errorf("answer: %s", r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE channel = 'kiosk'`); n != 2 {
		t.Errorf("%d kiosk evaluations stored, want 2", n)
	}
}

// TestKioskRecordTheDatabaseRefusesIsRejectedAlone: a record the database refuses for its
// content, for a reason the adapter cannot foresee (here a constraint added for the test), is
// rejected alone — a retry would fail the same way — while the others are stored: the answer
// is 200, not a 500 that would have the kiosk resend the batch forever.
func TestKioskRecordTheDatabaseRefusesIsRejectedAlone(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 11, 25, 10, 0, 0))
	env.Exec(`ALTER TABLE evaluations ADD CONSTRAINT test_refused_comment CHECK (comment <> '数据库不收的评价')`)
	kiosk := srv.DemoDevice("demo-kiosk-370400")
	served := env.Clock.Now().Add(-2 * time.Hour)
	for _, no := range []string{"ZZ-DB-1", "ZZ-DB-2", "ZZ-DB-3"} {
		srv.PushCase(apptest.Case(no, served))
	}
	rated := env.Clock.Now().Add(-time.Hour)
	batch := kioskBatch(record(1, "ZZ-DB-1", "好", rated), record(2, "ZZ-DB-2", "数据库不收的评价", rated), record(3, "ZZ-DB-3", "好", rated))
	r := srv.Signed(kiosk, "POST", path, batch)
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	checkResults(t, r.JSON(t), [2]string{"created", ""}, [2]string{"rejected", "record_refused"}, [2]string{"created", ""})
	if n := env.Count(`SELECT count(*) FROM evaluations WHERE channel = 'kiosk'`); n != 2 {
		t.Errorf("%d kiosk evaluations stored, want 2", n)
	}
	// Sent again, the stored records are duplicates, the refused one is refused again.
	r = srv.Signed(kiosk, "POST", path, batch)
	if r.Status != 200 {
		t.Fatalf("upload again: %d %s", r.Status, r.Body)
	}
	checkResults(t, r.JSON(t), [2]string{"duplicate", ""}, [2]string{"rejected", "record_refused"}, [2]string{"duplicate", ""})
}

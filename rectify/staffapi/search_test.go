package staffapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

// padOrder posts a bad review of a window visit from a pad, served by staffNo, with the
// evaluator's phone as given (empty: anonymous), and dispatches it.
func padOrder(t *testing.T, env *testenv.Env, srv *apptest.Server, padID, staffNo, ticket, phone string) int64 {
	t.Helper()
	body := map[string]any{"ticket_no": ticket, "staff_no": staffNo, "level": 2, "reasons": []string{"服务效率"},
		"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)}
	if phone != "" {
		body["evaluator"] = map[string]any{"name": "赵六", "phone": phone}
	}
	r := srv.Signed(srv.DemoDevice(padID), "POST", "/api/v1/channels/window/evaluations", body)
	if r.Status != 201 {
		t.Fatalf("bad review %s: %d %s", ticket, r.Status, r.Body)
	}
	return dispatch(t, srv, r)
}

// TestSearchWorkOrders finds work orders from what a citizen reads out — the work-order
// number, the case number, the ticket, the phone however written — each within the scope of
// who searches, and never with the phone in clear in the database.
func TestSearchWorkOrders(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 12, 1, 10, 30, 0))
	ctx := context.Background()
	// A: 市公安局's case handled by zh01 at the city hall, rated from its receipt: the evaluator
	// is the applicant, 13812345678. B: zh01's window visit, ticket M017, a phone typed with
	// dashes. C: the same ticket and phone in 市中区's hall, which zh01 may not see. D: an
	// anonymous review at the police window.
	a := oneWindowCase(t, env, srv, "YCSL-Ab12")
	b := padOrder(t, env, srv, "demo-window-370400-zh01", apptest.CityStaff, "M017", "139-0000-3333")
	c := padOrder(t, env, srv, "demo-window-370402-zh01", "370402-ZH01-1", "M017", "13900003333")
	d := padOrder(t, env, srv, "demo-window-370400-ga01", "370400-GA01-1", "P001", "")
	var numberB string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT number FROM work_orders WHERE id = $1`, b).Scan(&numberB); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range []string{"office", "zh01", "szq-office", "ga01", "gaj-head"} {
		tokens[u] = srv.Login(u, "demo1234")
	}
	search := func(user, q string) []int64 {
		t.Helper()
		r := srv.As(tokens[user], "GET", "/api/v1/workorders?per_page=100&q="+url.QueryEscape(q), nil)
		if r.Status != 200 {
			t.Fatalf("%s searches %q: %d %s", user, q, r.Status, r.Body)
		}
		m := r.JSON(t)
		var ids []int64
		for _, it := range m["items"].([]any) {
			ids = append(ids, int64(it.(map[string]any)["id"].(float64)))
		}
		if int(m["total"].(float64)) != len(ids) {
			t.Errorf("%s searches %q: total %v for %d items", user, q, m["total"], len(ids))
		}
		slices.Sort(ids)
		return ids
	}
	for _, tc := range []struct {
		user, q string
		want    []int64
	}{
		{"office", numberB, []int64{b}},
		{"office", strings.ToLower(numberB), []int64{b}},
		{"office", "YCSL-Ab12", []int64{a}},
		{"office", "ycsl-ab12", []int64{a}}, // the case number in either case
		{"office", "YCSL-AB12", []int64{a}},
		{"office", "M017", []int64{b, c}},
		{"office", " M017 ", []int64{b, c}},
		{"office", "m017", nil}, // a ticket is exact
		{"office", "P001", []int64{d}},
		{"zh01", "M017", []int64{b}},       // not 市中区's
		{"szq-office", "M017", []int64{c}}, // not the city hall's
		{"ga01", "M017", nil},
		{"office", "13900003333", []int64{b, c}}, // B's phone was typed with dashes
		{"office", "139 0000 3333", []int64{b, c}},
		{"office", "+86 139-0000-3333", []int64{b, c}},
		{"zh01", "13900003333", []int64{b}},
		{"szq-office", "139 0000 3333", []int64{c}},
		{"ga01", "13900003333", nil},
		{"office", "+8613812345678", []int64{a}},
		{"zh01", apptest.ApplicantTel, []int64{a}},     // the clerk who served the case
		{"gaj-head", apptest.ApplicantTel, []int64{a}}, // the head of the unit whose case it is
		{"ga01", apptest.ApplicantTel, nil},            // that unit's other clerk: not theirs
		{"szq-office", apptest.ApplicantTel, nil},      // another region
		{"office", "13700009999", nil},                 // nobody's
		{"office", "张三", nil},                          // names are not searched
		{"office", "ZG20991231999999", nil},
		{"office", strings.Repeat("9", 64), nil},
	} {
		if got := search(tc.user, tc.q); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s searches %q: %v, want %v", tc.user, tc.q, got, tc.want)
		}
	}
	// The search combines with the other filters.
	if r := srv.As(tokens["office"], "GET", "/api/v1/workorders?q=M017&channel=mobile", nil); r.Status != 200 || r.JSON(t)["total"] != 0.0 {
		t.Errorf("q with another channel: %d %s", r.Status, r.Body)
	}

	// The applicant's phone finds the case's order even when the evaluator left none.
	if _, err := env.DB.Pool.Exec(ctx, `UPDATE evaluations SET evaluator_phone_index = NULL
		WHERE id = (SELECT evaluation_id FROM work_orders WHERE id = $1)`, a); err != nil {
		t.Fatal(err)
	}
	if got := search("office", "138 1234 5678"); fmt.Sprint(got) != fmt.Sprint([]int64{a}) {
		t.Errorf("by the applicant's phone: %v, want [%d]", got, a)
	}

	// The phones are held as 16-byte keyed hashes (HMAC-SHA256, truncated), never as digits.
	rows, err := env.DB.Pool.Query(ctx, `SELECT evaluator_phone_index FROM evaluations WHERE evaluator_phone_index IS NOT NULL
		UNION ALL SELECT applicant_phone_index FROM cases WHERE applicant_phone_index IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		n++
		if len(h) != 16 || bytes.Contains(h, []byte("3333")) || bytes.Contains(h, []byte("5678")) {
			t.Errorf("a phone hash %x of %d bytes", h, len(h))
		}
	}
	if rows.Close(); n < 3 {
		t.Errorf("%d phone hashes, want at least 3", n)
	}

	// Refusals: too long, or with a control character (NUL is refused by the server as a whole).
	for q, want := range map[string]string{strings.Repeat("9", 65): "invalid_q", "M0\t17": "invalid_q",
		"M017\n": "invalid_q", "M0\x0017": "invalid_text"} {
		r := srv.As(tokens["office"], "GET", "/api/v1/workorders?q="+url.QueryEscape(q), nil)
		if r.Code(t) != want || (want == "invalid_q") != (r.Status == 422) {
			t.Errorf("q %q: %d %s, want %s", q, r.Status, r.Body, want)
		}
	}

	// Counts per state, under the same search and scope.
	r := srv.As(tokens["office"], "GET", "/api/v1/workorders/counts?q=M017", nil)
	if r.Status != 200 {
		t.Fatalf("counts: %d %s", r.Status, r.Body)
	}
	counts := r.JSON(t)
	byState := counts["by_state"].(map[string]any)
	if counts["total"] != 2.0 || byState["pending_callback"] != 2.0 || byState["closed"] != 0.0 || len(byState) != 11 {
		t.Errorf("counts of M017: %s", r.Body)
	}
	if r := srv.As(tokens["zh01"], "GET", "/api/v1/workorders/counts", nil); r.Status != 200 || r.JSON(t)["total"] != 2.0 {
		t.Errorf("zh01's counts: %d %s, want her 2 orders", r.Status, r.Body)
	}
}

// TestPhoneReindex: a phone hashed before phones were normalised — 139-0000-3333 as typed —
// is not found by its digits until the phone_reindex job rehashes it; it then is.
func TestPhoneReindex(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, testenv.Beijing(2026, 12, 1, 10, 30, 0))
	ctx := context.Background()
	b := padOrder(t, env, srv, "demo-window-370400-zh01", apptest.CityStaff, "M018", "139-0000-3333")
	// As the code before normalising wrote it, and as migration 00018 queues it.
	if _, err := env.DB.Pool.Exec(ctx, `UPDATE evaluations SET evaluator_phone_index = $2
		WHERE id = (SELECT evaluation_id FROM work_orders WHERE id = $1)`, b, env.Keys.Index("phone", "139-0000-3333")); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Pool.Exec(ctx, `INSERT INTO phone_reindex (tbl, row_id)
		SELECT 'evaluations', id FROM evaluations UNION ALL SELECT 'cases', id FROM cases WHERE applicant_phone_enc IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	office := srv.Login("office", "demo1234")
	found := func() float64 {
		r := srv.As(office, "GET", "/api/v1/workorders?q=13900003333", nil)
		if r.Status != 200 {
			t.Fatalf("search: %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["total"].(float64)
	}
	if n := found(); n != 0 {
		t.Fatalf("found %v before the rehash", n)
	}
	changed, err := srv.App.Evaluation.ReindexPhones(ctx)
	if err != nil || changed != 1 {
		t.Fatalf("reindex: %d changed, %v; want 1", changed, err)
	}
	if n := found(); n != 1 {
		t.Errorf("found %v after the rehash, want 1", n)
	}
	if left := env.Count(`SELECT count(*) FROM phone_reindex`); left != 0 {
		t.Errorf("%d rows left in the queue", left)
	}
	if changed, err := srv.App.Evaluation.ReindexPhones(ctx); err != nil || changed != 0 {
		t.Errorf("a second run: %d, %v", changed, err)
	}
}

package upward_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/calendar"
	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
	"haochaping/upward"
)

// insertRecord is an upward record of an evaluation (its own, assess_number 1) as the sender
// would have left it, made and sent last at the test's clock. (A test's SQL: upward_records is package
// upward's to write.)
func insertRecord(t *testing.T, env *testenv.Env, evaluationID int64, projectNo, state, refusal string, attempts int) int64 {
	t.Helper()
	now := env.Clock.Now()
	var ack *time.Time
	if state == "acknowledged" {
		ack = &now
	}
	return int64(env.Count(`INSERT INTO upward_records
		(evaluation_id, assess_number, project_no, state, refusal, attempts, next_attempt_at, first_acknowledged_at, acknowledged_at, created_at)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $7, $6) RETURNING id`, evaluationID, projectNo, state, refusal, attempts, now, ack))
}

func scopeOf(t *testing.T, srv *apptest.Server, username string) access.Scope {
	t.Helper()
	u, err := srv.App.Users.Get(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scope
}

// TestOfficeViewReckonsTheDeadlineAsTheCalendar: the office's view reckons each record's
// deadline in SQL (calendar_days) as calendar.DeadlineAfter does — across 国庆 and 春节 and
// their 调休 Saturdays, for a rating from its service, for a default from when it was recorded —
// and calls a record late exactly when evaluation.MarkAcknowledged would call it not timely:
// acknowledged after the deadline's last instant, or not yet acknowledged when it passed.
func TestOfficeViewReckonsTheDeadlineAsTheCalendar(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, senderNow)
	ctx := context.Background()
	city := scopeOf(t, srv, "office")
	ev := srv.EvaluationOf(srv.BadReview("DL01", "13900001111"))
	id := insertRecord(t, env, ev, "37DL01", "pending", "", 0)
	cal := calendar.Default()
	get := func(now time.Time) *upward.Listed {
		t.Helper()
		r, err := upward.Get(ctx, env.DB, city, id, now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var days []time.Time
	for d := testenv.Beijing(2026, 2, 9, 9, 30, 0); d.Before(testenv.Beijing(2026, 3, 2, 0, 0, 0)); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	for d := testenv.Beijing(2026, 9, 24, 23, 59, 0); d.Before(testenv.Beijing(2026, 10, 14, 0, 0, 0)); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	for _, served := range days {
		env.Exec(`UPDATE evaluations SET served_at = $2 WHERE id = $1`, ev, served)
		r := get(senderNow)
		if want := cal.DeadlineAfter(served, upward.TimelyWorkdays); r.Deadline == nil || !r.Deadline.Equal(want) {
			t.Errorf("served %s: deadline %v, the calendar's %s", served, r.Deadline, want)
		}
	}
	// A default evaluation counts from when it was recorded, not from the service.
	recorded := testenv.Beijing(2026, 9, 30, 16, 0, 0)
	env.Exec(`UPDATE evaluations SET active = false, served_at = $2, created_at = $3 WHERE id = $1`, ev, recorded.AddDate(0, 0, -20), recorded)
	if r, want := get(senderNow), cal.DeadlineAfter(recorded, 5); r.Deadline == nil || !r.Deadline.Equal(want) || !r.Default {
		t.Errorf("a default: deadline %v (default %v), want %s", r.Deadline, r.Default, want)
	}

	// Late is what MarkAcknowledged calls not timely, to the microsecond PostgreSQL keeps.
	served := testenv.Beijing(2026, 11, 20, 15, 0, 0)
	env.Exec(`UPDATE evaluations SET active = true, served_at = $2 WHERE id = $1`, ev, served)
	deadline := cal.DeadlineAfter(served, 5)
	for _, at := range []time.Time{deadline.Add(-time.Hour), deadline.Truncate(time.Microsecond), deadline.Add(time.Nanosecond), deadline.Add(time.Hour)} {
		env.Exec(`UPDATE upward_records SET state = 'acknowledged', first_acknowledged_at = $2 WHERE id = $1`, id, at)
		late := get(at.Add(48 * time.Hour)).Late
		tx, err := env.DB.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := evaluation.MarkAcknowledged(ctx, tx, []int64{ev}, at, "test"); err != nil {
			t.Fatal(err)
		}
		var timely bool
		if err := tx.QueryRow(ctx, `SELECT timely FROM upward_reports WHERE evaluation_id = $1`, ev).Scan(&timely); err != nil {
			t.Fatal(err)
		}
		_ = tx.Rollback(ctx)
		if late == timely {
			t.Errorf("acknowledged at %s (deadline %s): late %v, timely %v", at.Format(time.RFC3339Nano), deadline.Format(time.RFC3339Nano), late, timely)
		}
	}
	// Not acknowledged: late once the deadline has passed.
	env.Exec(`UPDATE upward_records SET state = 'pending', first_acknowledged_at = NULL WHERE id = $1`, id)
	if get(deadline).Late || !get(deadline.Add(time.Microsecond)).Late {
		t.Error("a pending record: late before its deadline passed, or not after")
	}
	// The citizen's rating of the fix does not count in 及时上报率: it has no deadline.
	env.Exec(`UPDATE upward_records SET assess_number = 2 WHERE id = $1`, id)
	if r := get(senderNow.AddDate(1, 0, 0)); r.Deadline != nil || r.Late {
		t.Errorf("a rating of the fix: deadline %v, late %v", r.Deadline, r.Late)
	}
}

// TestOfficeViewIsScoped: a district's office lists, counts and resends only its district's
// records, the city's office all; a record outside the scope is not found, one not refused is
// a conflict; resending makes a record pending with its attempts counted afresh; nothing of the
// evaluator is in what is listed.
func TestOfficeViewIsScoped(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, senderNow)
	ctx := context.Background()
	now := env.Clock.Now()
	city, district := scopeOf(t, srv, "office"), scopeOf(t, srv, "szq-office")
	cityEv := srv.EvaluationOf(srv.BadReview("SC01", "13900001111"))
	refused := insertRecord(t, env, cityEv, "37SC01", "refused", "taskCode: 格式不符: 370400-000105010000", 1)
	acked := insertRecord(t, env, srv.EvaluationOf(srv.BadReview("SC02", "")), "37SC02", "acknowledged", "", 1)
	failing := insertRecord(t, env, srv.EvaluationOf(srv.BadReview("SC03", "")), "37SC03", "pending", "", 3)
	env.Exec(`UPDATE upward_records SET last_error = '平台繁忙，请稍后重新上报' WHERE id = $1`, failing)
	theirs := insertRecord(t, env, srv.DistrictRating("370402", "SC04", 1), "37SC04", "refused", "平台拒收", 1)

	ids := func(scope access.Scope, state string) []int64 {
		t.Helper()
		l, err := upward.List(ctx, env.DB, scope, state, 1, 50, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range l.Items {
			out = append(out, r.ID)
		}
		if l.Total != len(out) {
			t.Errorf("%s: total %d, %d listed", state, l.Total, len(out))
		}
		raw, _ := json.Marshal(l)
		for _, secret := range []string{"李四", "李*", "13900001111", "139****1111", apptest.ApplicantName, apptest.ApplicantID} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the list of %s carries %q: %s", state, secret, raw)
			}
		}
		return out
	}
	if got := ids(city, upward.ListRefused); len(got) != 2 || got[0] != theirs || got[1] != refused {
		t.Errorf("the city's refused: %v", got)
	}
	if got := ids(district, upward.ListRefused); len(got) != 1 || got[0] != theirs {
		t.Errorf("the district's refused: %v, want only %d", got, theirs)
	}
	// Paged: the second page of one a page is the older.
	if l, err := upward.List(ctx, env.DB, city, upward.ListRefused, 2, 1, now); err != nil || l.Total != 2 || len(l.Items) != 1 || l.Items[0].ID != refused {
		t.Errorf("the second page of the refused: %+v %v", l, err)
	}
	if got := ids(city, upward.ListPending); len(got) != 1 || got[0] != failing {
		t.Errorf("the city's pending: %v", got)
	}
	if got := ids(district, upward.ListPending); len(got) != 0 {
		t.Errorf("the district's pending: %v", got)
	}
	if _, err := upward.List(ctx, env.DB, city, "nope", 1, 50, now); !isProblem(err, 422, "invalid_state") {
		t.Errorf("an unknown list: %v", err)
	}
	r, err := upward.Get(ctx, env.DB, city, refused, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reason != "事项编码格式不符合平台要求（370400-000105010000）" || r.Department != "市审批服务局" || r.Channel != "window" {
		t.Errorf("the refused record: %+v", r)
	}
	s, err := upward.Summarise(ctx, env.DB, city, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pending != 1 || s.Failing != 1 || s.Acknowledged != 1 || s.Refused != 2 || s.Late != 0 || s.Oldest == nil {
		t.Errorf("the city's summary: %+v", s)
	}
	if s, err := upward.Summarise(ctx, env.DB, district, now); err != nil || s.Refused != 1 || s.Pending+s.Acknowledged+s.Late != 0 || s.Oldest != nil {
		t.Errorf("the district's summary: %+v %v", s, err)
	}

	if err := upward.ResendIn(ctx, env.DB, district, refused, now); !isProblem(err, 404, "upward_record_not_found") {
		t.Errorf("the district resends the city's record: %v", err)
	}
	if _, err := upward.Get(ctx, env.DB, district, refused, now); !isProblem(err, 404, "upward_record_not_found") {
		t.Errorf("the district reads the city's record: %v", err)
	}
	if err := upward.ResendIn(ctx, env.DB, city, acked, now); !isProblem(err, 409, "not_refused") {
		t.Errorf("resending an acknowledged record: %v", err)
	}
	if err := upward.ResendIn(ctx, env.DB, city, 999999, now); !isProblem(err, 404, "upward_record_not_found") {
		t.Errorf("resending no record: %v", err)
	}
	later := now.Add(time.Hour)
	if err := upward.ResendIn(ctx, env.DB, city, refused, later); err != nil {
		t.Fatal(err)
	}
	if n := env.Count(`SELECT count(*) FROM upward_records WHERE id = $1 AND state = 'pending' AND attempts = 0 AND next_attempt_at = $2`, refused, later); n != 1 {
		t.Error("the resent record is not pending, due at once with its attempts afresh")
	}
	if err := upward.ResendIn(ctx, env.DB, city, refused, later); !isProblem(err, 409, "not_refused") {
		t.Errorf("resending it twice: %v", err)
	}
	env.Exec(`UPDATE upward_records SET state = 'refused' WHERE id = $1`, refused)
	if n, err := upward.ResendAllIn(ctx, env.DB, district, later); err != nil || n != 1 {
		t.Errorf("the district resends all: %d %v", n, err)
	}
	if n := env.Count(`SELECT count(*) FROM upward_records WHERE state = 'refused'`); n != 1 {
		t.Errorf("after the district resent all, %d refused, want the city's 1", n)
	}
	if n, err := upward.ResendAllIn(ctx, env.DB, city, later); err != nil || n != 1 {
		t.Errorf("the city resends all: %d %v", n, err)
	}
}

func isProblem(err error, status int, code string) bool {
	p, ok := problem.As(err)
	return ok && p.Status == status && p.Code == code
}

// TestExplainSaysItInChinese: the platform's refusals and our failed attempts as the office
// reads them, and an identity the platform echoes back kept out.
func TestExplainSaysItInChinese(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"taskCode: 必填项缺失 (task_code)":                                 "缺少事项编码",
		"areaCode: 格式不符: 3704；assessTime: 时间格式应为 2006-01-02 15:04:05": "行政区划代码格式不符合平台要求（3704）；评价时间的时间格式应为 2006-01-02 15:04:05",
		"writingEvaluation: 超过 500 个字符":                               "文字评价超过 500 个字符",
		"pf: 代码不在代码表中: 9":                                             "评价渠道不在平台的代码表中（9）",
		"foo: 未定义的字段":                                                 "foo: 未定义的字段",
		"平台繁忙，请稍后重新上报":                                                "平台繁忙，请稍后重新上报",
		"平台未返回该记录的结果":                                                 "平台未返回该记录的结果",
		`upward: the platform answered 503 Service Unavailable: {"code":"503","message":"平台维护中"}`: "省平台未接收本批数据（503：平台维护中），系统将自动重试",
		"upward: send 3 records: Post \"http://x\": dial tcp: connection refused":                 "无法连接省平台，系统将自动重试",
		"upward: send 3 records: Post \"http://x\": context deadline exceeded":                    "连接省平台超时，系统将自动重试",
	} {
		if got := upward.Explain(raw); got != want {
			t.Errorf("Explain(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := upward.Scrub("certKey: 格式不符: 370402199001011234；userName: 姓名不符：张三；pf: 代码不在代码表中: 9"); got != "certKey: 格式不符；userName: 姓名不符；pf: 代码不在代码表中: 9" {
		t.Errorf("Scrub: %q", got)
	}
	for n, want := range map[int16]string{0: "办件信息", 1: "评价", 2: "整改评价", 3: "第 3 类记录"} {
		if got := upward.AssessName(n); got != want {
			t.Errorf("AssessName(%d) = %q", n, got)
		}
	}
}

package ledger_test

import (
	"context"
	"testing"
	"time"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
	"haochaping/ledger"
)

func users(t *testing.T, srv *apptest.Server, names ...string) map[string]*access.User {
	out := map[string]*access.User{}
	for _, n := range names {
		u, err := srv.App.Users.Get(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = u
	}
	return out
}

// ledgerNow is the business time of the ledger tests: a Wednesday morning in Beijing.
var ledgerNow = testenv.Beijing(2026, 11, 25, 10, 0, 0)

func entryID(t *testing.T, env *testenv.Env, kind string, no int) int64 {
	return int64(env.Count(`SELECT id FROM ledger_entries WHERE kind = $1 AND no = $2`, kind, no))
}

func TestRoundsReportsAndMissingReporters(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head", "gaj-head", "auditor")
	ctx := context.Background()

	// Nothing to report into before the office opens a round.
	task2 := entryID(t, env, "work", 2) // 差评整改: 各区（市）政府 and 市直各有关部门
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: task2, Progress: "已建立机制"}, "api"); !isCode(err, "no_open_round") {
		t.Fatalf("report without a round: %v", err)
	}
	if _, err := svc.OpenRound(ctx, u["spj-head"], "第一轮", env.Clock.Now().Add(72*time.Hour)); !isCode(err, "forbidden_role") {
		t.Fatalf("a unit opened a round: %v", err)
	}
	first, err := svc.OpenRound(ctx, u["office"], "9月17日调度", env.Clock.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// 市审批服务局 reports on task 2; 市公安局 reports on nothing.
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: task2, Progress: "已建立差评核实机制",
		Measures: "每日调度", Issues: "需市大数据中心协调接口"}, "api"); err != nil {
		t.Fatal(err)
	}
	_, missing, err := svc.MissingReporters(ctx, u["office"], 0)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]ledger.Missing{}
	for _, m := range missing {
		byCode[m.Code] = m
	}
	spj, gaj := byCode["ZZ-SPJ"], byCode["ZZ-GAJ"]
	if gaj.Reported != 0 || gaj.Entries == 0 || len(gaj.MissingNos) != gaj.Entries {
		t.Fatalf("市公安局: %+v", gaj)
	}
	if spj.Reported != 1 || len(spj.MissingNos) != spj.Entries-1 {
		t.Fatalf("市审批服务局 reported once: %d of %d, %d missing", spj.Reported, spj.Entries, len(spj.MissingNos))
	}
	for _, ref := range spj.MissingNos {
		if ref.Kind == "work" && ref.No == 2 {
			t.Fatal("task 2 listed as missing for the unit that reported it")
		}
	}
	if len(missing) < 20 {
		t.Fatalf("only %d units missing: every city department and district government answers for tasks", len(missing))
	}
	// A unit sees only itself; a report on an entry it does not answer for is refused; an auditor only reads.
	_, own, _ := svc.MissingReporters(ctx, u["gaj-head"], 0)
	if len(own) != 1 || own[0].Code != "ZZ-GAJ" {
		t.Fatalf("市公安局's own view: %+v", own)
	}
	problem1 := entryID(t, env, "problem", 3)
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: entryID(t, env, "work", 104), Progress: "x"}, "api"); !isCode(err, "ledger_entry_not_found") {
		t.Fatalf("a report on another unit's task (104 is the city office's): %v", err)
	}
	if _, err := svc.Report(ctx, u["auditor"], ledger.ReportInput{EntryID: problem1, Progress: "x", DepartmentCode: "ZZ-SPJ"}, "api"); !isCode(err, "forbidden_role") {
		t.Fatalf("an auditor reported: %v", err)
	}
	// The office reports for a unit (a sheet sent by mail); history keeps every report.
	if _, err := svc.Report(ctx, u["office"], ledger.ReportInput{EntryID: task2, DepartmentCode: "ZZ-GAJ", Progress: "代报"}, "excel"); err != nil {
		t.Fatal(err)
	}
	// A new round closes the first: in it, nobody has reported yet.
	second, err := svc.OpenRound(ctx, u["office"], "9月24日调度", env.Clock.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rounds, _ := svc.Rounds(ctx)
	if len(rounds) != 2 || rounds[0].ID != second.ID || rounds[1].ClosedAt == nil {
		t.Fatalf("rounds: %+v", rounds)
	}
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: task2, Progress: "机制运行良好", Completed: true}, "api"); err != nil {
		t.Fatal(err)
	}
	history, err := svc.History(ctx, u["spj-head"], task2)
	if err != nil || len(history) != 2 || history[0].RoundID != second.ID || history[1].RoundID != first.ID {
		t.Fatalf("history: %+v %v", history, err)
	}
	if all, _ := svc.History(ctx, u["office"], task2); len(all) != 3 {
		t.Fatalf("the office sees %d reports on task 2, want 3", len(all))
	}
	_, missing, _ = svc.MissingReporters(ctx, u["office"], first.ID)
	for _, m := range missing {
		if m.Code == "ZZ-SPJ" && m.Reported != 1 {
			t.Fatalf("the first round's record changed: %+v", m)
		}
	}
	// The detail shows each unit's latest report.
	e, err := svc.Entry(ctx, u["office"], task2)
	if err != nil {
		t.Fatal(err)
	}
	for _, unit := range e.Units {
		if unit.Code == "ZZ-SPJ" && (unit.Latest == nil || !unit.Latest.Completed || unit.Latest.Progress != "机制运行良好") {
			t.Fatalf("市审批服务局's latest: %+v", unit.Latest)
		}
	}
	if _, err := svc.Entry(ctx, u["gaj-head"], entryID(t, env, "work", 104)); !isCode(err, "ledger_entry_not_found") {
		t.Fatalf("a unit read an entry it does not answer for: %v", err)
	}
}

func TestStatusOverTime(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office")
	ctx := context.Background()
	// A small entry of its own: one unit, a deadline on 2026-12-10, ongoing after it.
	var id int64
	if err := env.DB.Pool.QueryRow(ctx, `INSERT INTO ledger_entries (kind, no, title, unit_names, due, ongoing)
		VALUES ('rectification', 900, '测试条目', ARRAY['市审批服务局'], '2026-12-10', true) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	env.Exec(`INSERT INTO ledger_assignments (entry_id, department_id) SELECT $1, id FROM departments WHERE code IN ('ZZ-SPJ', 'ZZ-GAJ')`, id)
	status := func(day string) ledger.Status {
		t.Helper()
		d, _ := time.ParseInLocation("2006-01-02 15:04", day+" 12:00", bjtime.Location)
		env.Clock.Set(d)
		if _, err := svc.UpdateStatus(ctx); err != nil {
			t.Fatal(err)
		}
		var s string
		_ = env.DB.Pool.QueryRow(ctx, `SELECT status FROM ledger_entries WHERE id = $1`, id).Scan(&s)
		return ledger.Status(s)
	}
	report := func(dept string, completed bool) {
		t.Helper()
		if _, err := svc.Report(ctx, u["office"], ledger.ReportInput{EntryID: id, DepartmentCode: dept, Progress: "推进", Completed: completed}, "api"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.OpenRound(ctx, u["office"], "轮次", env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s := status("2026-12-01"); s != ledger.NotStarted {
		t.Fatalf("before any report: %s", s)
	}
	report("ZZ-SPJ", false)
	if s := status("2026-12-01"); s != ledger.InProgress {
		t.Fatalf("reported, before the date: %s", s)
	}
	if s := status("2026-12-10"); s != ledger.InProgress {
		t.Fatalf("on the day itself: %s (the date is the last day, not the day before)", s)
	}
	if s := status("2026-12-11"); s != ledger.Ongoing {
		t.Fatalf("after the date, reported, 持续推进: %s", s)
	}
	env.Exec(`UPDATE ledger_entries SET ongoing = false WHERE id = $1`, id)
	if s := status("2026-12-11"); s != ledger.Overdue {
		t.Fatalf("after the date, not ongoing: %s", s)
	}
	report("ZZ-SPJ", true)
	if s := status("2026-12-11"); s != ledger.Overdue {
		t.Fatalf("one unit of two done: %s", s)
	}
	report("ZZ-GAJ", true)
	// The report itself moved the entry on: its page shows it before the job runs.
	if e, err := svc.Entry(ctx, u["office"], id); err != nil || e.Status != ledger.Completed {
		t.Fatalf("right after the last unit's report: %v %v", e, err)
	}
	if s := status("2026-12-11"); s != ledger.Completed {
		t.Fatalf("every unit done: %s", s)
	}
	// The plan's own entries, dated 2021, are overdue until reported on.
	if n := env.Count(`SELECT count(*) FROM ledger_entries WHERE kind = 'work' AND status = 'overdue'`); n < 100 {
		t.Fatalf("only %d of the plan's tasks are overdue in 2026", n)
	}
}

func TestRecurringProblemsIntoTheRectificationLedger(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head")
	ctx := context.Background()
	pad := srv.DemoDevice("demo-window-370400-zh01")
	rate := func(ticket string, reasons ...string) {
		r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": ticket, "level": 1,
			"reasons": reasons, "served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
		if r.Status != 201 {
			t.Fatalf("rating: %d %s", r.Status, r.Body)
		}
	}
	for i := range 5 {
		rate("Q"+string(rune('a'+i)), "服务态度")
	}
	for i := range 3 {
		rate("R"+string(rune('a'+i)), "办事环境")
	}
	today := env.Clock.Now()
	n, err := svc.ProposeRecurring(ctx, nil, today.AddDate(0, 0, -1), today.AddDate(0, 0, 1))
	if err != nil || n != 1 {
		t.Fatalf("proposed %d, %v; want 1 (5 on 服务态度, 3 on 办事环境 is below the threshold)", n, err)
	}
	if n, _ := svc.ProposeRecurring(ctx, nil, today.AddDate(0, 0, -1), today.AddDate(0, 0, 1)); n != 0 {
		t.Fatalf("proposed again: %d", n)
	}
	list, err := svc.RecurringProblems(ctx, u["spj-head"], "proposed")
	if err != nil || len(list) != 1 || list[0].ReasonName != "服务态度" || list[0].BadReviews != 5 || list[0].Department != "ZZ-SPJ" {
		t.Fatalf("proposals: %+v %v", list, err)
	}
	if _, err := svc.AcceptRecurring(ctx, u["spj-head"], list[0].ID, ledger.AcceptInput{Due: "2099-01-01"}); !isCode(err, "forbidden_role") {
		t.Fatalf("a unit accepted: %v", err)
	}
	due := today.AddDate(0, 0, 10).Format("2006-01-02")
	e, err := svc.AcceptRecurring(ctx, u["office"], list[0].ID, ledger.AcceptInput{Due: due})
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != ledger.Rectification || e.Due == nil || *e.Due != due || len(e.Units) != 1 || e.Units[0].Code != "ZZ-SPJ" {
		t.Fatalf("entry: %+v", e)
	}
	if _, err := svc.AcceptRecurring(ctx, u["office"], list[0].ID, ledger.AcceptInput{Due: due}); !isCode(err, "already_decided") {
		t.Fatalf("accepted twice: %v", err)
	}
	// The unit sees it among its entries; the rectification ledger lists the 8 bad reviews.
	entries, _ := svc.Entries(ctx, u["spj-head"], ledger.Filter{Kind: ledger.Rectification})
	if len(entries) != 1 {
		t.Fatalf("the unit's rectification entries: %d", len(entries))
	}
	rows, err := svc.RectificationRows(ctx, u["office"], ledger.RectificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		// The bad reviews have no work orders until dispatched (no worker here): none listed yet.
		t.Fatalf("rows before dispatch: %d", len(rows))
	}
}

func isCode(err error, code string) bool {
	p, ok := problem.As(err)
	return ok && p.Code == code
}

// TestOnlyAUnitsHeadReportsForItsUnit: a hall's head once filed a report for a department with
// a window in the hall (issue 12); a unit's head could name another unit. Both are refused, and
// nothing is stored; the office still reports for a unit of its scope.
func TestOnlyAUnitsHeadReportsForItsUnit(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "hall-head", "spj-head")
	ctx := context.Background()
	if _, err := svc.OpenRound(ctx, u["office"], "轮次", env.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// An entry both 市审批服务局 and 市公安局 answer for (each has a window in the city's hall).
	entry := int64(env.Count(`SELECT a.entry_id FROM ledger_assignments a JOIN departments d ON d.id = a.department_id
		WHERE d.code IN ('ZZ-SPJ', 'ZZ-GAJ') GROUP BY a.entry_id HAVING count(*) = 2 ORDER BY a.entry_id LIMIT 1`))
	for _, c := range []struct {
		who, dept, code string
	}{
		{"hall-head", "ZZ-GAJ", "forbidden_role"},
		{"hall-head", "", "forbidden_role"},
		{"spj-head", "ZZ-GAJ", "department_out_of_scope"},
	} {
		_, err := svc.Report(ctx, u[c.who], ledger.ReportInput{EntryID: entry, DepartmentCode: c.dept, Progress: "代报"}, "api")
		if !isCode(err, c.code) {
			t.Errorf("%s reporting for %q: %v, want %s", c.who, c.dept, err, c.code)
		}
	}
	if n := env.Count(`SELECT count(*) FROM ledger_reports`); n != 0 {
		t.Fatalf("%d reports stored by the refused", n)
	}
	if _, err := svc.Report(ctx, u["spj-head"], ledger.ReportInput{EntryID: entry, Progress: "本单位"}, "api"); err != nil {
		t.Errorf("the unit's own report: %v", err)
	}
	if _, err := svc.Report(ctx, u["office"], ledger.ReportInput{EntryID: entry, DepartmentCode: "ZZ-GAJ", Progress: "代报"}, "api"); err != nil {
		t.Errorf("the office for a unit: %v", err)
	}
}

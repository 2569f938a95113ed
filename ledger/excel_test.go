package ledger_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"haochaping/access"
	"haochaping/app/apptest"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/internal/testenv"
	"haochaping/ledger"
	"haochaping/seeds/plan"
)

var (
	workHeadings    = []string{"重点工作", "一级指标", "二级指标", "三级指标", "评估要点", "任务序号", "任务目标", "责任单位", "进展情况", "需协调问题", "备注"}
	problemHeadings = []string{"序号", "存在问题", "整改要求", "牵头部门", "责任部门", "联系人及联系方式", "具体措施", "工作进展", "备注"}
	// A mobile number, a landline with its area code, an 18-character ID number.
	phoneLike = regexp.MustCompile(`(^|\D)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{17}[\dXx])(\D|$)`)
)

// export writes a ledger and returns the workbook bytes.
func export(t *testing.T, svc *ledger.Service, actor *access.User, kind ledger.Kind, f ledger.ExportFilter) ([]byte, int) {
	t.Helper()
	var buf bytes.Buffer
	n, err := svc.Export(context.Background(), actor, kind, f, &buf)
	if err != nil {
		t.Fatalf("export %s: %v", kind, err)
	}
	return buf.Bytes(), n
}

func noPhones(t *testing.T, data []byte) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, sheet := range x.GetSheetList() {
		rows, _ := x.GetRows(sheet)
		for i, r := range rows {
			for j, c := range r {
				if m := phoneLike.FindString(c); m != "" {
					t.Errorf("%s row %d column %d holds a phone-like number %q", sheet, i+1, j+1, m)
				}
			}
		}
	}
}

func reportCount(env *testenv.Env) int { return env.Count(`SELECT count(*) FROM ledger_reports`) }

func TestExportWorkAndProblemLedgers(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "gaj-head")
	p, err := plan.Load()
	if err != nil {
		t.Fatal(err)
	}

	data, n := export(t, svc, u["office"], ledger.Work, ledger.ExportFilter{})
	rows := testenv.XLSXRows(t, data, "工作台账")
	if n != 113 || len(rows) != 3+113 {
		t.Fatalf("work ledger: %d rows reported, %d rows in the sheet; want 113 tasks under 3 header rows", n, len(rows))
	}
	if rows[0][0] != p.WorkTitle || rows[0][0] != "山东省政务服务能力全面提升工作台账" || rows[1][0] != "部门：全部" {
		t.Fatalf("header block: %q / %q", rows[0], rows[1])
	}
	if !slices.Equal(rows[2], workHeadings) {
		t.Fatalf("headings %q\nwant     %q", rows[2], workHeadings)
	}
	for i, r := range rows[3:] {
		if len(r) <= 5 || r[5] != strconv.Itoa(i+1) {
			t.Fatalf("row %d: 任务序号 %q, want %d", i+4, r, i+1)
		}
		if len(r) > 8 && (r[8] != "" || r[9] != "") {
			t.Fatalf("row %d: progress before any report: %q %q", i+4, r[8], r[9])
		}
	}
	task2 := rows[4]
	if task2[7] != "各区（市）政府、市直各有关部门" || task2[10] != "涵盖18个重点问题" || !strings.Contains(task2[6], "件件有回访") {
		t.Fatalf("task 2: %q", task2)
	}
	status := testenv.XLSXRows(t, data, "状态")
	if len(status) != 1+113 || !slices.Equal(status[0], []string{"任务序号", "状态", "截止日期", "期限要求"}) {
		t.Fatalf("status sheet: %d rows, heading %q", len(status), status[0])
	}
	if status[1][0] != "1" || status[1][2] != "2021-09-30" || !strings.Contains(status[1][3], "2021年8月31日前完成，持续推进") {
		t.Fatalf("status of task 1: %q", status[1])
	}
	noPhones(t, data)
	x, _ := excelize.OpenReader(bytes.NewReader(data))
	panes, err := x.GetPanes("工作台账")
	if err != nil || !panes.Freeze || panes.YSplit != 3 {
		t.Fatalf("the heading is not frozen: %+v %v", panes, err)
	}
	if props, err := x.GetDocProps(); err != nil || props.Creator != "好差评系统" {
		t.Fatalf("document properties: %+v %v", props, err)
	}
	x.Close()

	data, n = export(t, svc, u["office"], ledger.Problems, ledger.ExportFilter{})
	rows = testenv.XLSXRows(t, data, "问题整改台账")
	if n != 18 || len(rows) != 3+18 || rows[0][0] != p.ProblemTitle || !slices.Equal(rows[2], problemHeadings) {
		t.Fatalf("problem ledger: n=%d, %d rows, title %q, headings %q", n, len(rows), rows[0][0], rows[2])
	}
	for i, r := range rows[3:] {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d: 序号 %q", i+4, r[0])
		}
		if len(r) > 5 && r[5] != "" {
			t.Fatalf("problem %d: 联系人及联系方式 %q, want it empty", i+1, r[5])
		}
	}
	if rows[3][3] != "省政府办公厅" || rows[3][4] != "各区（市）政府，市直有关部门" || rows[3][8] != "持续通报各区（市）、各市直部门情况" {
		t.Fatalf("problem 1: %q", rows[3])
	}
	if rows[6][3] != "省政府办公厅、省大数据局" {
		t.Fatalf("problem 4's leads: %q", rows[6][3])
	}
	noPhones(t, data)

	// Filters: one unit (its tasks only, named with its code), a due range, a status.
	gaj, _, err := svc.UnitByCode(context.Background(), "ZZ-GAJ")
	if err != nil {
		t.Fatal(err)
	}
	data, n = export(t, svc, u["office"], ledger.Work, ledger.ExportFilter{Department: gaj})
	want := env.Count(`SELECT count(*) FROM ledger_entries e JOIN ledger_assignments a ON a.entry_id = e.id
		WHERE e.kind = 'work' AND a.department_id = $1`, gaj)
	rows = testenv.XLSXRows(t, data, "工作台账")
	if n != want || n == 0 || n == 113 || len(rows) != 3+n || rows[1][0] != "部门：市公安局（ZZ-GAJ）" {
		t.Fatalf("市公安局's sheet: %d rows, want %d; %q", n, want, rows[1])
	}
	if _, own := export(t, svc, u["gaj-head"], ledger.Work, ledger.ExportFilter{}); own != want {
		t.Fatalf("the unit's own export: %d rows, want %d", own, want)
	}
	from, to := time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 9, 30, 0, 0, 0, 0, time.UTC)
	_, n = export(t, svc, u["office"], ledger.Work, ledger.ExportFilter{From: from, To: to})
	if want := env.Count(`SELECT count(*) FROM ledger_entries WHERE kind = 'work' AND due BETWEEN '2021-09-01' AND '2021-09-30'`); n != want || n == 0 {
		t.Fatalf("due in September 2021: %d, want %d", n, want)
	}
	env.Exec(`UPDATE ledger_entries SET status = 'overdue' WHERE kind = 'problem' AND no IN (2, 5)`)
	data, n = export(t, svc, u["office"], ledger.Problems, ledger.ExportFilter{Status: ledger.Overdue})
	if rows := testenv.XLSXRows(t, data, "问题整改台账"); n != 2 || rows[3][0] != "2" || rows[4][0] != "5" {
		t.Fatalf("overdue problems: %d", n)
	}
	// Refusals: another unit's sheet for a unit login, an unknown kind, a bad status.
	var sink bytes.Buffer
	if _, err := svc.Export(context.Background(), u["gaj-head"], ledger.Work, ledger.ExportFilter{Department: gaj + 1}, &sink); !isCode(err, "department_not_found") {
		t.Fatalf("a unit exported another unit's sheet: %v", err)
	}
	if _, err := svc.Export(context.Background(), u["office"], "nope", ledger.ExportFilter{}, &sink); !isCode(err, "invalid_kind") {
		t.Fatalf("unknown kind: %v", err)
	}
	if _, err := svc.Export(context.Background(), u["office"], ledger.Work, ledger.ExportFilter{Status: "done"}, &sink); !isCode(err, "invalid_status") {
		t.Fatalf("bad status: %v", err)
	}
}

func TestExcelRoundTrip(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head")
	ctx := context.Background()
	round, err := svc.OpenRound(ctx, u["office"], "9月17日调度", env.Clock.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// The unit exports its own sheet and fills in three tasks.
	data, n := export(t, svc, u["spj-head"], ledger.Work, ledger.ExportFilter{})
	rows := testenv.XLSXRows(t, data, "工作台账")
	if rows[1][0] != "部门：市审批服务局（ZZ-SPJ）" {
		t.Fatalf("unit line: %q", rows[1][0])
	}
	r1, r2, r13 := testenv.XLSXRowOf(t, rows, 5, 1), testenv.XLSXRowOf(t, rows, 5, 2), testenv.XLSXRowOf(t, rows, 5, 13)
	filled := testenv.XLSXEdit(t, data, map[string]string{
		fmt.Sprintf("I%d", r1):  "已完成事项、对象、渠道梳理，实现全覆盖",
		fmt.Sprintf("I%d", r2):  "  已建立差评核实机制，每日调度  ",
		fmt.Sprintf("J%d", r2):  "需市大数据中心协调接口",
		fmt.Sprintf("J%d", r13): "自建系统对接需省级支持",
		// Plan text reformatted by the office: not a reason to refuse the row.
		fmt.Sprintf("G%d", r2): "（略）",
	})
	res, err := svc.Import(ctx, u["spj-head"], bytes.NewReader(filled), "excel")
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != ledger.Work || res.Department != "ZZ-SPJ" || res.RoundID != round.ID || res.Applied != 3 ||
		res.Skipped != n-3 || len(res.Refused) != 0 {
		t.Fatalf("import: %+v (sheet of %d tasks)", res, n)
	}
	if c := env.Count(`SELECT count(*) FROM ledger_reports r JOIN departments d ON d.id = r.department_id
		WHERE d.code = 'ZZ-SPJ' AND r.source = 'excel' AND r.round_id = $1`, round.ID); c != 3 || reportCount(env) != 3 {
		t.Fatalf("%d reports of the unit, %d in all; want 3", c, reportCount(env))
	}
	history, _ := svc.History(ctx, u["spj-head"], entryID(t, env, "work", 2))
	if len(history) != 1 || history[0].Progress != "已建立差评核实机制，每日调度" || history[0].Issues != "需市大数据中心协调接口" || history[0].Completed {
		t.Fatalf("task 2's report: %+v", history)
	}
	history, _ = svc.History(ctx, u["spj-head"], entryID(t, env, "work", 1))
	if len(history) != 1 || !history[0].Completed {
		t.Fatalf("task 1, reported 已完成…: %+v", history)
	}

	// Exported again, the progress is in the sheet; sent back untouched, it reports nothing.
	again, _ := export(t, svc, u["spj-head"], ledger.Work, ledger.ExportFilter{})
	rows = testenv.XLSXRows(t, again, "工作台账")
	if got := rows[r2-1]; got[8] != "已建立差评核实机制，每日调度" || got[9] != "需市大数据中心协调接口" {
		t.Fatalf("task 2 exported again: %q", got[8:])
	}
	if got := rows[r13-1]; got[8] != "" || got[9] != "自建系统对接需省级支持" {
		t.Fatalf("task 13 exported again: %q", got[8:])
	}
	res, err = svc.Import(ctx, u["spj-head"], bytes.NewReader(again), "excel")
	if err != nil || res.Applied != 0 || res.Unchanged != 3 || reportCount(env) != 3 {
		t.Fatalf("the same sheet again: %+v %v, %d reports", res, err, reportCount(env))
	}
	// The office's sheet of every unit lists the unit's report by name.
	all, _ := export(t, svc, u["office"], ledger.Work, ledger.ExportFilter{})
	rows = testenv.XLSXRows(t, all, "工作台账")
	if got := rows[4]; got[8] != "市审批服务局：已建立差评核实机制，每日调度" || got[9] != "市审批服务局：需市大数据中心协调接口" {
		t.Fatalf("task 2 in the office's sheet: %q", got[8:])
	}

	// The problem ledger: 具体措施 and 工作进展.
	pdata, _ := export(t, svc, u["spj-head"], ledger.Problems, ledger.ExportFilter{})
	prow := testenv.XLSXRowOf(t, testenv.XLSXRows(t, pdata, "问题整改台账"), 0, 3)
	pfilled := testenv.XLSXEdit(t, pdata, map[string]string{fmt.Sprintf("G%d", prow): "核查存量用户信息", fmt.Sprintf("H%d", prow): "已补正 80%",
		fmt.Sprintf("F%d", prow): "（联系人不读入）"})
	res, err = svc.Import(ctx, u["office"], bytes.NewReader(pfilled), "excel")
	if err != nil || res.Kind != ledger.Problems || res.Applied != 1 || len(res.Refused) != 0 {
		t.Fatalf("problem ledger import: %+v %v", res, err)
	}
	history, _ = svc.History(ctx, u["office"], entryID(t, env, "problem", 3))
	if len(history) != 1 || history[0].Measures != "核查存量用户信息" || history[0].Progress != "已补正 80%" || history[0].Department != "ZZ-SPJ" {
		t.Fatalf("problem 3's report: %+v", history)
	}
	pagain, _ := export(t, svc, u["spj-head"], ledger.Problems, ledger.ExportFilter{})
	if got := testenv.XLSXRows(t, pagain, "问题整改台账")[prow-1]; got[5] != "" || got[6] != "核查存量用户信息" || got[7] != "已补正 80%" {
		t.Fatalf("problem 3 exported again: %q", got)
	}
}

func TestImportWrongLayoutAppliesNothing(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head", "gaj-head", "auditor")
	ctx := context.Background()
	if _, err := svc.OpenRound(ctx, u["office"], "轮次", env.Clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	data, _ := export(t, svc, u["spj-head"], ledger.Work, ledger.ExportFilter{})
	rows := testenv.XLSXRows(t, data, "工作台账")
	r2 := testenv.XLSXRowOf(t, rows, 5, 2)
	progress := fmt.Sprintf("I%d", r2)
	// Every sheet below has a filled-in row, which a wrong layout must not apply.
	withProgress := func(cells map[string]string) []byte {
		cells[progress] = "已建立机制"
		return testenv.XLSXEdit(t, data, cells)
	}
	pdata, _ := export(t, svc, u["spj-head"], ledger.Problems, ledger.ExportFilter{})
	all, _ := export(t, svc, u["office"], ledger.Work, ledger.ExportFilter{})
	rect, _ := export(t, svc, u["office"], ledger.Rectification, ledger.ExportFilter{})
	for _, c := range []struct {
		name string
		file []byte
		want []string // in the message
	}{
		{"a renamed heading", withProgress(map[string]string{"I3": "进度"}), []string{"“进度”不是本台账的列", "进展情况"}},
		{"two headings swapped", withProgress(map[string]string{"I3": "需协调问题", "J3": "进展情况"}), []string{"顺序", "第 I 列应为“进展情况”"}},
		{"a heading emptied", withProgress(map[string]string{"E3": ""}), []string{"第 E 列表头为空（应为“评估要点”）", "不要增删、改名或调换列"}},
		{"the last heading removed", withProgress(map[string]string{"K3": ""}), []string{"缺少“备注”"}},
		{"a column added", withProgress(map[string]string{"L3": "状态"}), []string{"第 L 列“状态”是多出的列"}},
		{"no unit line", withProgress(map[string]string{"A2": ""}), []string{"没有“部门：”行"}},
		{"every unit", withProgress(map[string]string{"A2": "部门：全部"}), []string{"没有写明填报单位"}},
		{"an unknown unit code", withProgress(map[string]string{"A2": "部门：市审批服务局（ZZ-NOPE）"}), []string{"编码不存在：ZZ-NOPE"}},
		{"a name that is not the code's", withProgress(map[string]string{"A2": "部门：市公安局（ZZ-SPJ）"}), []string{"与编码 ZZ-SPJ（市审批服务局）不符"}},
		{"an unknown unit name", withProgress(map[string]string{"A2": "部门：市宇宙局"}), []string{"单位不存在：市宇宙局"}},
		// A workbook holds a control character escaped (_x0000_), read back as NUL, which
		// PostgreSQL would refuse in the name looked up.
		{"a NUL in the unit's name", withProgress(map[string]string{"A2": "部门：市审批_x0000_服务局"}), []string{"“部门：”行含有控制字符"}},
		{"the office's sheet of every unit", all, []string{"没有写明填报单位"}},
		{"the rectification ledger", rect, []string{"差评整改台账"}},
		{"a work title over problem headings", testenv.XLSXEdit(t, pdata, map[string]string{"A1": "山东省政务服务能力全面提升工作台账", "G4": "措施"}),
			[]string{"标题是工作台账，表头却是问题整改台账的"}},
		{"no ledger at all", func() []byte {
			x := excelize.NewFile()
			_ = x.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "电话"})
			var b bytes.Buffer
			_ = x.Write(&b)
			return b.Bytes()
		}(), []string{"找不到工作台账或问题整改台账"}},
	} {
		res, err := svc.Import(ctx, u["office"], bytes.NewReader(c.file), "excel")
		p, ok := problem.As(err)
		if !ok || p.Code != "wrong_layout" || p.Status != 422 || res != nil {
			t.Errorf("%s: %+v %v, want 422 wrong_layout", c.name, res, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(p.Message, w) {
				t.Errorf("%s: message %q does not say %q", c.name, p.Message, w)
			}
		}
	}
	if n := reportCount(env); n != 0 {
		t.Fatalf("%d reports applied from wrong sheets", n)
	}
	// Not a workbook; another unit's sheet; an auditor; no open round: refused whole too.
	if _, err := svc.Import(ctx, u["office"], strings.NewReader("序号,存在问题\n1,x\n"), "excel"); !isCode(err, "not_a_workbook") {
		t.Fatalf("a CSV file: %v", err)
	}
	if _, err := svc.Import(ctx, u["gaj-head"], bytes.NewReader(withProgress(map[string]string{})), "excel"); !isCode(err, "department_out_of_scope") {
		t.Fatalf("市公安局 imported 市审批服务局's sheet: %v", err)
	}
	if _, err := svc.Import(ctx, u["auditor"], bytes.NewReader(withProgress(map[string]string{})), "excel"); !isCode(err, "forbidden_role") {
		t.Fatalf("an auditor imported: %v", err)
	}
	env.Exec(`UPDATE ledger_rounds SET closed_at = $1`, env.Clock.Now())
	if _, err := svc.Import(ctx, u["spj-head"], bytes.NewReader(withProgress(map[string]string{})), "excel"); !isCode(err, "no_open_round") {
		t.Fatalf("no open round: %v", err)
	}
	if n := reportCount(env); n != 0 {
		t.Fatalf("%d reports applied", n)
	}
}

func TestImportBadRowsAreNamedAndTheOthersApplied(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office")
	ctx := context.Background()
	if _, err := svc.OpenRound(ctx, u["office"], "轮次", env.Clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The office fills in a sheet 市公安局 sent by mail.
	gaj, _, _ := svc.UnitByCode(ctx, "ZZ-GAJ")
	data, n := export(t, svc, u["office"], ledger.Work, ledger.ExportFilter{Department: gaj})
	rows := testenv.XLSXRows(t, data, "工作台账")
	ra, rb, rc, rd, re, rf := testenv.XLSXRowOf(t, rows, 5, 1), testenv.XLSXRowOf(t, rows, 5, 2), testenv.XLSXRowOf(t, rows, 5, 4), testenv.XLSXRowOf(t, rows, 5, 5), testenv.XLSXRowOf(t, rows, 5, 6), testenv.XLSXRowOf(t, rows, 5, 7)
	rg := testenv.XLSXRowOf(t, rows, 5, 8)
	filled := testenv.XLSXEdit(t, data, map[string]string{
		fmt.Sprintf("I%d", ra): "推进中",
		fmt.Sprintf("F%d", rb): "abc", fmt.Sprintf("I%d", rb): "编号写错",
		fmt.Sprintf("F%d", rc): "104", fmt.Sprintf("I%d", rc): "不是本单位的任务",
		fmt.Sprintf("F%d", rd): "999", fmt.Sprintf("I%d", rd): "没有这项任务",
		fmt.Sprintf("F%d", re): "1", fmt.Sprintf("J%d", re): "重复填报",
		fmt.Sprintf("I%d", rf):        strings.Repeat("长", 4001),
		fmt.Sprintf("J%d", rg):        "需_x0000_协调", // read back as NUL, which PostgreSQL would refuse
		fmt.Sprintf("I%d", len(rows)): "最后一项",
	})
	lastNo, _ := strconv.Atoi(rows[len(rows)-1][5])
	res, err := svc.Import(ctx, u["office"], bytes.NewReader(filled), "excel")
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.RefusedRow{
		{Row: rb, No: "abc", Code: "invalid_no"},
		{Row: rc, No: "104", Code: "not_assigned"},
		{Row: rd, No: "999", Code: "unknown_entry"},
		{Row: re, No: "1", Code: "duplicate_row"},
		{Row: rf, No: "7", Code: "text_too_long"},
		{Row: rg, No: "8", Code: "invalid_text"},
	}
	if res.Applied != 2 || res.Skipped != n-2-len(want) || len(res.Refused) != len(want) {
		t.Fatalf("import: %+v", res)
	}
	for i, w := range want {
		got := res.Refused[i]
		if got.Row != w.Row || got.No != w.No || got.Code != w.Code || got.Reason == "" {
			t.Errorf("refused row %d: %+v, want %+v", i, got, w)
		}
	}
	if !strings.Contains(res.Refused[1].Reason, "市公安局不是任务序号 104 的责任单位") ||
		!strings.Contains(res.Refused[3].Reason, fmt.Sprintf("已在第 %d 行填报", ra)) {
		t.Errorf("reasons: %q, %q", res.Refused[1].Reason, res.Refused[3].Reason)
	}
	if c := env.Count(`SELECT count(*) FROM ledger_reports r JOIN departments d ON d.id = r.department_id
		JOIN ledger_entries e ON e.id = r.entry_id WHERE d.code = 'ZZ-GAJ' AND e.no IN (1, $1) AND r.progress IN ('推进中', '最后一项')`,
		lastNo); c != 2 || reportCount(env) != 2 {
		t.Fatalf("applied: %d of the two good rows, %d reports in all", c, reportCount(env))
	}
}

func TestRectificationLedgerExport(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head", "gaj-head")
	ctx := context.Background()
	pad := srv.DemoDevice("demo-window-370400-zh01")
	r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"ticket_no": "L001", "staff_no": "370400-ZH01-1",
		"level": 1, "reasons": []string{"服务态度"}, "comment": "态度生硬，请回电13900001111",
		"evaluator": map[string]any{"name": "李四", "phone": "13900001111"},
		"served_at": env.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("bad review: %d %s", r.Status, r.Body)
	}
	if _, _, err := srv.App.Rectify.Dispatch(ctx, int64(r.JSON(t)["id"].(float64))); err != nil {
		t.Fatal(err)
	}
	var number string
	if err := env.DB.Pool.QueryRow(ctx, `SELECT number FROM work_orders`).Scan(&number); err != nil {
		t.Fatal(err)
	}
	data, n := export(t, svc, u["office"], ledger.Rectification, ledger.ExportFilter{})
	rows := testenv.XLSXRows(t, data, "差评整改台账")
	if n != 1 || len(rows) != 4 || rows[0][0] != "差评整改台账" {
		t.Fatalf("rectification ledger: n=%d, %d rows", n, len(rows))
	}
	heading := rows[2]
	col := func(name string) string {
		t.Helper()
		i := slices.Index(heading, name)
		if i < 0 {
			t.Fatalf("no column %s in %q", name, heading)
		}
		if i >= len(rows[3]) {
			return ""
		}
		return rows[3][i]
	}
	today := env.Clock.Now().In(bjtime.Location).Format("2006-01-02")
	if col("序号") != "1" || col("工单编号") != number || !strings.HasPrefix(col("评价时间"), today) || col("渠道") != "窗口评价器" ||
		col("承办单位") != "市审批服务局" || col("评价等级") != "1 非常不满意" || col("评价指标") != "服务态度" ||
		col("评价人（脱敏）") != "李*" || col("实名") != "是" || col("状态") != "待回访" || col("是否逾期") != "否" || col("整改期限") == "" {
		t.Fatalf("the row: %q\nheadings: %q", rows[3], heading)
	}
	if col("评价内容") != "态度生硬，请回电139****1111" {
		t.Fatalf("the comment is not masked: %q", col("评价内容"))
	}
	if bytes.Contains(data, []byte("13900001111")) || bytes.Contains(data, []byte("李四")) {
		t.Fatal("the workbook holds the evaluator's phone or full name")
	}
	noPhones(t, data)
	if rec := testenv.XLSXRows(t, data, "突出问题"); !slices.Equal(rec[0], []string{"序号", "问题", "责任单位", "整改期限", "状态", "进展情况"}) || len(rec) != 1 {
		t.Fatalf("突出问题: %q", rec)
	}
	// Scope and filters: the unit sees its own row; another unit and another period none.
	if _, n := export(t, svc, u["spj-head"], ledger.Rectification, ledger.ExportFilter{}); n != 1 {
		t.Fatalf("市审批服务局's ledger: %d", n)
	}
	if _, n := export(t, svc, u["gaj-head"], ledger.Rectification, ledger.ExportFilter{}); n != 0 {
		t.Fatalf("市公安局's ledger: %d", n)
	}
	lastYear := env.Clock.Now().AddDate(-1, 0, 0)
	if _, n := export(t, svc, u["office"], ledger.Rectification, ledger.ExportFilter{From: lastYear.AddDate(0, -1, 0), To: lastYear}); n != 0 {
		t.Fatalf("last year's ledger: %d", n)
	}
}

// TestWorkLedgerInLibreOffice opens the exported work ledger in LibreOffice, as an office
// would: the headings come out in order, and a sheet filled in and saved by LibreOffice
// imports.
func TestWorkLedgerInLibreOffice(t *testing.T) {
	t.Parallel()
	lo := newLibreOffice(t)
	env, srv := apptest.Serve(t, ledgerNow)
	svc := srv.App.Ledger
	u := users(t, srv, "office", "spj-head")
	ctx := context.Background()
	if _, err := svc.OpenRound(ctx, u["office"], "轮次", env.Clock.Now().Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	convert := func(file, to, outdir string) string { return lo.convert(ctx, file, to, outdir) }
	data, _ := export(t, svc, u["spj-head"], ledger.Work, ledger.ExportFilter{})
	xlsx := filepath.Join(dir, "work.xlsx")
	r2 := testenv.XLSXRowOf(t, testenv.XLSXRows(t, data, "工作台账"), 5, 2)
	if err := os.WriteFile(xlsx, testenv.XLSXEdit(t, data, map[string]string{fmt.Sprintf("I%d", r2): "已建立差评核实机制"}), 0o600); err != nil {
		t.Fatal(err)
	}
	// CSV in UTF-8 (filter options: comma, double quote, UTF-8, from line 1), whatever the locale.
	raw, err := os.ReadFile(convert(xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1", filepath.Join(dir, "csv")))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("LibreOffice's CSV: %v\n%s", err, raw[:min(500, len(raw))])
	}
	trim := func(r []string) []string {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		return r
	}
	if len(records) < 4 {
		t.Fatalf("%d records in LibreOffice's CSV", len(records))
	}
	if !slices.Equal(trim(records[2]), workHeadings) {
		t.Fatalf("the heading line in LibreOffice's CSV: %q\nwant %q", records[2], workHeadings)
	}
	if !slices.Equal(trim(records[0]), []string{"山东省政务服务能力全面提升工作台账"}) || !slices.Equal(trim(records[1]), []string{"部门：市审批服务局（ZZ-SPJ）"}) {
		t.Fatalf("header block in LibreOffice: %q %q", records[0], records[1])
	}
	if got := records[r2-1]; got[5] != "2" || got[8] != "已建立差评核实机制" {
		t.Fatalf("task 2 in LibreOffice: %q", got)
	}
	// Saved again by LibreOffice (as an office would after filling it in), the sheet imports.
	saved, err := os.ReadFile(convert(xlsx, "xlsx:Calc MS Excel 2007 XML", filepath.Join(dir, "saved")))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Import(ctx, u["spj-head"], bytes.NewReader(saved), "excel")
	if err != nil || res.Applied != 1 || len(res.Refused) != 0 {
		t.Fatalf("import of LibreOffice's file: %+v %v", res, err)
	}
}

package ledgers_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/ledger"
	"haochaping/web/browsertest"
	"haochaping/web/ledgers"
)

// ledgersNow is the business time of these tests: a Tuesday morning in Beijing.
var ledgersNow = testenv.Beijing(2026, 12, 1, 10, 0, 0)

// TestLedgersFromThePages: the office opens a round; a unit's head finds what it must report,
// reports on an entry (a refused report says why beside the field), exports its sheet, fills
// it in and imports it, and the page lists each refused row with its reason; the rectification
// ledger lists a bad review with its evaluator masked; a recurring problem is found and
// accepted into the rectification ledger with a unit and a deadline.
func TestLedgersFromThePages(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, ledgersNow)

	office := browsertest.Open(t, srv.URL, browsertest.Desktop)
	office.Go("/ledgers")
	office.LogIn("office", "demo1234")
	if office.URL() != "/ledgers/work" {
		t.Fatalf("the office lands at %s", office.URL())
	}
	if got := office.Text("h1"); !strings.Contains(got, "工作台账") || !strings.Contains(got, "共 113 项") {
		t.Errorf("the work ledger's heading: %q", got)
	}
	if got := office.Text(".state-counts"); !strings.Contains(got, "未开始") {
		t.Errorf("the counts per status: %q", got)
	}
	office.CheckPage("work ledger")
	office.Screenshot("ledgers-work")
	office.Go("/ledgers/problem")
	if got := office.Text("h1"); !strings.Contains(got, "共 18 项") {
		t.Errorf("the problem ledger's heading: %q", got)
	}

	// No round yet: the office opens one, after a refused try without a name.
	office.Go("/ledgers/rounds")
	if got := office.Text("#missing-title"); !strings.Contains(got, "当前没有开放的填报轮次") {
		t.Errorf("before any round: %q", got)
	}
	if status := office.Submit(`form[action="/ledgers/rounds"] button`); status != 422 {
		t.Errorf("a round without a name: %d, want 422", status)
	}
	if got := office.Text(`#round-title`); got != "" || !strings.Contains(office.Text(".field.has-error"), "轮次名称") {
		t.Errorf("the refused round form: %q", office.Text(".field.has-error"))
	}
	office.Do("name the round", chromedp.SendKeys(chromedp.ID("round-title"), "12月第一次调度"))
	if status := office.Submit(`form[action="/ledgers/rounds"] button`); status != 200 || !strings.Contains(office.Text("main"), "已发起新的填报轮次") {
		t.Fatalf("open a round: %d, %q", status, office.Text("main"))
	}
	missing := office.Text("#missing-title")
	if !strings.Contains(missing, "12月第一次调度") || !strings.Contains(office.Text("main table"), "市审批服务局") {
		t.Errorf("the open round's missing reporters: %q", missing)
	}
	office.CheckPage("rounds")
	office.Screenshot("ledgers-rounds")

	// The unit's head reports on one of its entries.
	var entry int64
	var entryNo int
	if err := env.DB.Pool.QueryRow(t.Context(), `SELECT e.id, e.no FROM ledger_entries e JOIN ledger_assignments a ON a.entry_id = e.id
		JOIN departments d ON d.id = a.department_id WHERE d.code = 'ZZ-SPJ' AND e.kind = 'work' ORDER BY e.no LIMIT 1`).Scan(&entry, &entryNo); err != nil {
		t.Fatal(err)
	}
	head := browsertest.Open(t, srv.URL, browsertest.Phone)
	head.Go(fmt.Sprintf("/ledgers/entries/%d", entry))
	head.LogIn("spj-head", "demo1234")
	if got := head.Text(".round-note"); !strings.Contains(got, "12月第一次调度") {
		t.Errorf("the unit's page does not show the open round: %q", got)
	}
	if status := head.Submit(`form[action$="/report"] button`); status != 422 {
		t.Errorf("an empty report: %d, want 422", status)
	}
	if got := head.Text(".field.has-error"); !strings.Contains(got, "请填写进展情况") {
		t.Errorf("the empty report's message: %q", got)
	}
	head.Do("write the progress", chromedp.SendKeys(chromedp.ID("report-progress"), "已梳理全部事项，完成八成"))
	if status := head.Submit(`form[action$="/report"] button`); status != 200 || !strings.Contains(head.Text("#history"), "已梳理全部事项") {
		t.Fatalf("report: %d, history %q", status, head.Text("#history"))
	}
	if got := head.Text("h1 .ledger-status"); got == "未开始" {
		t.Errorf("the entry's status after a report: %q", got)
	}
	if got := head.Text("#history"); !strings.Contains(got, "页面填报") {
		t.Errorf("the report's source: %q", got)
	}
	if n := env.Count(`SELECT count(*) FROM ledger_reports WHERE entry_id = $1 AND source = 'web'`, entry); n != 1 {
		t.Errorf("%d reports stored from the page, want 1", n)
	}
	head.CheckPage("ledger entry on a phone")
	head.Screenshot("ledgers-entry")

	// The sheet the export link gives, filled in: one good row, one of another unit's number.
	head.Go("/ledgers/work")
	href := browsertest.Eval[string](head, `document.querySelector('a[download]').getAttribute('href')`)
	if kind := browsertest.Eval[string](head, `fetch(`+"`"+`${location.origin}`+"`"+`+document.querySelector('a[download]').getAttribute('href')).then(r => r.status + ' ' + r.headers.get('content-type'))`); !strings.HasPrefix(kind, "200 application/vnd.openxmlformats") {
		t.Fatalf("the export link %s answers %s", href, kind)
	}
	resp := srv.As(srv.Login("spj-head", "demo1234"), "GET", href, nil)
	rows := testenv.XLSXRows(t, resp.Body, "工作台账")
	second := testenv.XLSXRowOf(t, rows, 5, rowNo(t, rows, 1))
	filled := testenv.XLSXEdit(t, resp.Body, map[string]string{
		fmt.Sprintf("I%d", second):   "已建立每日调度机制",
		fmt.Sprintf("F%d", second+1): "999", fmt.Sprintf("I%d", second+1): "没有这项任务",
	})
	file := filepath.Join(t.TempDir(), "工作台账-市审批服务局.xlsx")
	if err := os.WriteFile(file, filled, 0o600); err != nil {
		t.Fatal(err)
	}
	head.Go("/ledgers/import")
	head.Do("choose the sheet", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}))
	if status := head.Submit(`form[action="/ledgers/import"] button`); status != 200 {
		t.Fatalf("import: %d %q", status, head.Text("main"))
	}
	if got := head.Text("#import-result"); !strings.Contains(got, "已记录 1 行") || !strings.Contains(got, "1 行未导入") {
		t.Errorf("the import's result: %q", got)
	}
	if got := head.Text("#refused-rows"); !strings.Contains(got, fmt.Sprint(second+1)) || !strings.Contains(got, "999") {
		t.Errorf("the refused rows: %q", got)
	}
	head.CheckPage("import result")
	head.Screenshot("ledgers-import")

	// A bad review, dispatched: in the rectification ledger, its evaluator masked.
	srv.BadReview("L-0001", "13900001111")
	office.Go("/ledgers/rectification")
	table := office.Text("main table")
	if !strings.Contains(table, "ZG2026") || !strings.Contains(table, "服务态度") || strings.Contains(table, "13900001111") {
		t.Errorf("the rectification ledger: %q", table)
	}
	office.CheckPage("rectification ledger")
	office.Screenshot("ledgers-rectification")

	// Four more on the same reason make a recurring problem; the office accepts it.
	for i := 2; i <= 5; i++ {
		srv.BadReview(fmt.Sprintf("L-%04d", i), "13900001111")
	}
	office.Go("/ledgers/recurring")
	if status := office.Submit(`form[action="/ledgers/recurring/propose"] button`); status != 200 || !strings.Contains(office.Text("main"), "新发现 1 个") {
		t.Fatalf("propose: %d %q", status, office.Text("main"))
	}
	office.CheckPage("recurring problems")
	office.Screenshot("ledgers-recurring")
	office.Do("open the accept form and clear the deadline", chromedp.Click(chromedp.CSS(`.problem details summary`)),
		chromedp.SetValue(chromedp.CSS(`.problem input[type=date]`), ""))
	if status := office.Submit(`.problem form[action$="/accept"] button`); status != 422 || !strings.Contains(office.Text(".field.has-error"), "整改期限") {
		t.Errorf("accept without a deadline: %d %q", status, office.Text(".field.has-error"))
	}
	office.Do("set the deadline", chromedp.SetValue(chromedp.CSS(`.problem input[type=date]`), "2026-12-31"))
	if status := office.Submit(`.problem form[action$="/accept"] button`); status != 200 || !strings.Contains(office.Text("main"), "已列入差评整改台账") {
		t.Fatalf("accept: %d %q", status, office.Text("main"))
	}
	if got := office.Text("main table"); !strings.Contains(got, "服务态度") || !strings.Contains(got, "2026-12-31") {
		t.Errorf("the rectification entries: %q", got)
	}

	// A window clerk reads the unit's ledger and reports nothing.
	clerk := browsertest.Open(t, srv.URL, browsertest.Desktop)
	clerk.Go(fmt.Sprintf("/ledgers/entries/%d", entry))
	clerk.LogIn("zh01", "demo1234")
	if got := clerk.Text(".actions"); strings.Contains(clerk.Text("main"), "提交填报") || !strings.Contains(got, "单位负责人") {
		t.Errorf("the clerk's entry page: %q", got)
	}
}

// rowNo is the ledger number of the data row after the first of rows whose number is no (the
// second task of the unit's sheet).
func rowNo(t *testing.T, rows [][]string, nth int) int {
	t.Helper()
	seen := 0
	for _, r := range rows[4:] {
		if len(r) > 5 && r[5] != "" {
			var n int
			if _, err := fmt.Sscan(r[5], &n); err == nil {
				if seen == nth {
					return n
				}
				seen++
			}
		}
	}
	t.Fatalf("no data row %d in the sheet", nth)
	return 0
}

func TestCompactRefs(t *testing.T) {
	t.Parallel()
	refs := []ledger.EntryRef{{Kind: ledger.Work, No: 1}, {Kind: ledger.Work, No: 2}, {Kind: ledger.Work, No: 3}, {Kind: ledger.Work, No: 5},
		{Kind: ledger.Work, No: 7}, {Kind: ledger.Work, No: 8}, {Kind: ledger.Problems, No: 9}}
	got := strings.Join(ledgers.CompactRefs(refs), "; ")
	if want := "工作台账 1–3、5、7–8; 问题整改台账 9"; got != want {
		t.Errorf("CompactRefs = %q, want %q", got, want)
	}
}

package citizen_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// cityKiosk is the demo kiosk of the city hall, whose cases apptest.Case makes.
const cityKiosk = "demo-kiosk-370400"

// pairKiosk pairs the browser as the city hall's kiosk, the way a technician does: /kiosk sends
// an unpaired browser to the pairing form, where the code the office made is entered once.
func pairKiosk(t *testing.T, srv *apptest.Server, b *browsertest.Browser) {
	t.Helper()
	r := srv.As(srv.Login("office", "demo1234"), "POST", "/api/v1/devices/"+cityKiosk+"/pairing-code", nil)
	if r.Status != 201 {
		t.Fatalf("pairing code: %d %s", r.Status, r.Body)
	}
	code, _ := r.JSON(t)["code"].(string)
	b.Go("/kiosk")
	if got := b.URL(); got != "/pair?for=kiosk" {
		t.Fatalf("an unpaired browser at /kiosk is at %s, want /pair?for=kiosk", got)
	}
	b.Do("enter the pairing code", chromedp.SendKeys(chromedp.ID("code"), code))
	if status := b.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("pair: %d", status)
	}
	if got := b.URL(); got != "/kiosk" {
		t.Fatalf("after pairing the kiosk is at %s", got)
	}
	b.WaitFor("the start screen", `!document.getElementById('screen-start').hidden`, 5*time.Second)
}

// typeCase taps a case number on the kiosk's keypad.
func typeCase(b *browsertest.Browser, caseNo string) {
	b.T.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(`[data-key="clear"]`))}
	for _, r := range caseNo {
		steps = append(steps, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.keypad [data-key=%q]`, string(r)))))
	}
	b.Do("tap "+caseNo, steps...)
}

// rateAtKiosk goes from the start screen through the rating to the thank-you: level, and a
// reason for a bad one; shot names a screenshot of the filled-in rating screen.
func rateAtKiosk(b *browsertest.Browser, caseNo string, level int, shot string) {
	b.T.Helper()
	typeCase(b, caseNo)
	b.Do("next", chromedp.Click(chromedp.ID("start-next")))
	b.WaitFor("the rating screen of "+caseNo, `!document.getElementById('screen-rate').hidden`, 10*time.Second)
	steps := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for=level-%d]`, level)))}
	if level <= 2 {
		steps = append(steps, chromedp.Click(chromedp.CSS(`#reasons .checks:not([hidden]) label.check`)))
	}
	b.Do("rate "+caseNo, steps...)
	if shot != "" {
		b.Screenshot(shot)
	}
	b.Do("submit", chromedp.Click(chromedp.ID("rate-submit")))
	b.WaitFor("the thank-you", `!document.getElementById('screen-thanks').hidden`, 5*time.Second)
}

// buffered is the kiosk's buffer of ratings not yet answered.
type buffered struct {
	Seq     int64  `json:"seq"`
	CaseNo  string `json:"case_no"`
	Level   int    `json:"level"`
	RatedAt string `json:"rated_at"`
}

func buffer(b *browsertest.Browser) []buffered {
	return browsertest.Eval[[]buffered](b, `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]')`)
}

// setOffline cuts the network of the tab and of the kiosk's service worker (and says so to the
// page: navigator.onLine and the online/offline events), or gives it back. Chromium's network
// emulation is per target: the tab's alone leaves the worker's fetches on the network (a page
// "reloaded offline" would come from the server), so every service worker target of the
// browser is attached to and cut as well.
func setOffline(b *browsertest.Browser, offline bool) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	cut := func(ctx context.Context, what string) {
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			b.T.Fatalf("emulate the network of %s: %v", what, err)
		}
		if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1,
		}); err != nil {
			b.T.Fatalf("override the network state of %s: %v", what, err)
		}
	}
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		b.T.Fatalf("the browser's targets: %v", err)
	}
	for _, tg := range targets {
		if tg.Type == "service_worker" {
			cut(workerContext(b, tg.TargetID), "the service worker "+tg.URL)
		}
	}
	cut(ctx, "the tab")
}

// workerContext is a chromedp context attached to a service worker target of the browser,
// kept for the rest of the test (a second attachment would be a second session).
func workerContext(b *browsertest.Browser, id target.ID) context.Context {
	b.T.Helper()
	workersMu.Lock()
	defer workersMu.Unlock()
	if ctx, ok := workers[id]; ok {
		return ctx
	}
	ctx, cancel := chromedp.NewContext(b.Ctx, chromedp.WithTargetID(id))
	b.T.Cleanup(func() {
		workersMu.Lock()
		delete(workers, id)
		workersMu.Unlock()
		cancel()
	})
	if err := chromedp.Do(ctx); err != nil {
		b.T.Fatalf("attach to the service worker: %v", err)
	}
	workers[id] = ctx
	return ctx
}

var (
	workersMu sync.Mutex
	workers   = map[target.ID]context.Context{}
)

// kioskRows counts the kiosk's evaluations of cases whose number starts with prefix.
func kioskRows(env *testenv.Env, prefix string) int {
	return env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
		WHERE e.channel = 'kiosk' AND e.device_id = $1 AND c.case_no LIKE $2`, cityKiosk, prefix+"%")
}

// TestKioskRatesOnlineAndOffline: the paired kiosk rates a case online (its row appears);
// with the network cut it rates three more, kept in the browser (none in the database); back
// online, all three arrive with their sequence numbers and original times, once each. Then an
// upload whose answer is lost after the commit is sent again on reload, and answered
// duplicate: still one row.
func TestKioskRatesOnlineAndOffline(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	for i := 1; i <= 5; i++ {
		srv.PushCase(apptest.Case(fmt.Sprintf("E2E-KIOSK-%04d", i), linkNow.Add(-time.Hour)))
	}
	b := browsertest.Open(t, srv.URL, browsertest.Kiosk)
	pairKiosk(t, srv, b)
	w := b.Weigh()
	t.Logf("kiosk page after pairing (style sheet and form.js cached from the pairing form): %d bytes in %d requests, first contentful paint %.0f ms, load %.0f ms",
		w.Bytes, w.Requests, w.PaintMS, w.LoadMS)

	// Online: the case is looked up and shown, and the rating arrives at once.
	if got := b.Text("header"); !strings.Contains(got, "枣庄市政务服务中心") {
		t.Errorf("the header does not name the hall: %q", got)
	}
	b.CheckPage("kiosk start screen")
	// The large mode works in the page (the kiosk may be offline): larger text and targets.
	b.Do("large text", chromedp.Click(chromedp.ID("text-size")))
	if px := Eval(b, `getComputedStyle(document.body).fontSize`); px != "30px" {
		t.Errorf("large kiosk text %s, want 30px", px)
	}
	if h := browsertest.Eval[float64](b, `document.querySelector('.key').getBoundingClientRect().height`); h < 60 {
		t.Errorf("a key is %.0fpx high in the large mode, want at least 60", h)
	}
	b.CheckPage("kiosk start screen, large text")
	b.Screenshot("kiosk-start-large")
	b.Do("standard text", chromedp.Click(chromedp.ID("text-size")))
	if h := browsertest.Eval[float64](b, `document.querySelector('.key').getBoundingClientRect().height`); h < 44 {
		t.Errorf("a key is %.0fpx high, want at least 44", h)
	}
	typeCase(b, "E2E-KIOSK-0001")
	if got := Eval(b, `document.getElementById('case-no').value`); got != "E2E-KIOSK-0001" {
		t.Fatalf("the keypad typed %q", got)
	}
	b.Screenshot("kiosk-start")
	b.Do("next", chromedp.Click(chromedp.ID("start-next")))
	b.WaitFor("the rating screen", `!document.getElementById('screen-rate').hidden`, 10*time.Second)
	if got := b.Text(".case-card"); !strings.Contains(got, "普通护照签发") || !strings.Contains(got, "综合受理1号窗口") ||
		!strings.Contains(got, "2026年12月1日 09:00") {
		t.Errorf("the case card does not say what is rated: %q", got)
	}
	if Eval(b, `getComputedStyle(document.getElementById('reasons')).display`) != "none" {
		t.Error("the reasons show before a bad level is chosen")
	}
	b.Do("submit without a level", chromedp.Click(chromedp.ID("rate-submit")))
	if got := b.Text("#rate-errors"); !strings.Contains(got, "请选择一个评价等级") {
		t.Errorf("no level chosen: the summary says %q", got)
	}
	b.Do("choose 不满意", chromedp.Click(chromedp.CSS(`label[for=level-2]`)), chromedp.Click(chromedp.ID("rate-submit")))
	if got := b.Text("#reasons .field-error"); !strings.Contains(got, "请至少选择一项原因") {
		t.Errorf("a bad level without a reason: beside the reasons %q", got)
	}
	b.Do("choose 满意 instead", chromedp.Click(chromedp.CSS(`label[for=level-4]`)), chromedp.SendKeys(chromedp.ID("comment"), "窗口服务很耐心"))
	if got := b.Text("#comment-count"); !strings.Contains(got, "已输入 7 字") {
		t.Errorf("the comment counter says %q", got)
	}
	b.CheckPage("kiosk rating screen")
	b.Screenshot("kiosk-rate")
	b.Do("submit", chromedp.Click(chromedp.ID("rate-submit")))
	b.WaitFor("the thank-you", `!document.getElementById('screen-thanks').hidden`, 5*time.Second)
	b.WaitFor("the buffer empties", `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]').length === 0`, 10*time.Second)
	if n := kioskRows(env, "E2E-KIOSK-0001"); n != 1 {
		t.Fatalf("%d kiosk evaluations of E2E-KIOSK-0001, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id WHERE c.case_no = 'E2E-KIOSK-0001'
		AND e.level = 4 AND e.active AND e.comment = '窗口服务很耐心' AND e.stage = 'complete' AND e.idem_key LIKE 'kiosk:' || $1 || ':%'`, cityKiosk); n != 1 {
		t.Error("the evaluation is not the 满意 with the comment that was submitted")
	}
	b.CheckPage("kiosk thank-you")
	b.Screenshot("kiosk-thanks")
	b.Do("done", chromedp.Click(chromedp.CSS(`#screen-thanks [data-action=restart]`)))
	b.WaitFor("the start screen again", `!document.getElementById('screen-start').hidden && document.getElementById('case-no').value === ''`, 5*time.Second)

	// Offline: three ratings, none reaches the server, all kept.
	setOffline(b, true)
	b.WaitFor("the page knows it is offline", `document.getElementById('kiosk-status').classList.contains('offline')`, 5*time.Second)
	for i, level := range []int{1, 3, 5} {
		no := fmt.Sprintf("E2E-KIOSK-%04d", i+2)
		shot := ""
		if i == 0 {
			shot = "kiosk-rate-offline"
		}
		rateAtKiosk(b, no, level, shot)
		if i == 0 {
			if Eval(b, `document.getElementById('thanks-saved').hidden`) != "false" {
				t.Error("the offline thank-you does not say the rating is kept")
			}
			b.Screenshot("kiosk-thanks-offline")
		}
		b.Do("done", chromedp.Click(chromedp.CSS(`#screen-thanks [data-action=restart]`)))
	}
	kept := buffer(b)
	if len(kept) != 3 {
		t.Fatalf("the buffer holds %d ratings, want 3: %+v", len(kept), kept)
	}
	for i := 1; i < len(kept); i++ {
		if kept[i].Seq <= kept[i-1].Seq {
			t.Errorf("sequence numbers do not increase: %+v", kept)
		}
	}
	if got := b.Text("#kiosk-status"); !strings.Contains(got, "3 条待上传") {
		t.Errorf("the status line says %q", got)
	}
	if n := kioskRows(env, "E2E-KIOSK-000"); n != 1 {
		t.Fatalf("offline ratings reached the database: %d rows", n)
	}
	// A number typed offline is taken as typed; the server judges it at upload.
	rateAtKiosk(b, "NO-SUCH-CASE", 4, "")
	b.Do("done", chromedp.Click(chromedp.CSS(`#screen-thanks [data-action=restart]`)))
	if n := len(buffer(b)); n != 4 {
		t.Fatalf("the buffer holds %d ratings, want 4", n)
	}

	// Two hours later the network is back: the three arrive, at their own times.
	srv.Clock.Set(linkNow.Add(2 * time.Hour))
	setOffline(b, false)
	b.WaitFor("the buffer empties", `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]').length === 0`, 20*time.Second)
	if n := kioskRows(env, "E2E-KIOSK-000"); n != 4 {
		t.Fatalf("%d kiosk evaluations after the upload, want 4", n)
	}
	// The unknown number was answered rejected: it left the buffer, and the page noted why.
	if got := Eval(b, `JSON.parse(localStorage.getItem('hcp.kiosk.rejected') || '[]').map(r => r.code).join()`); got != "case_not_found" {
		t.Errorf("the page's note of refused records: %q, want case_not_found", got)
	}
	for _, k := range kept {
		ratedAt, err := time.Parse(time.RFC3339Nano, k.RatedAt)
		if err != nil {
			t.Fatalf("rated_at %q: %v", k.RatedAt, err)
		}
		if ratedAt.Sub(linkNow) < 0 || ratedAt.Sub(linkNow) > 10*time.Minute {
			t.Errorf("the kiosk stamped %s, not by the server's clock at %s", ratedAt, linkNow)
		}
		if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
			WHERE c.case_no = $1 AND e.idem_key = $2 AND e.level = $3 AND e.rated_at = $4`,
			k.CaseNo, fmt.Sprintf("kiosk:%s:%d", cityKiosk, k.Seq), k.Level, ratedAt); n != 1 {
			t.Errorf("record %+v: %d rows with its sequence number, level and original time, want 1", k, n)
		}
	}

	// The answer to an upload is lost after the commit: the record stays in the buffer, and
	// the reloaded page sends it again — a duplicate, still one row.
	var failed atomic.Int32
	paused := chromedp.Events(b.Ctx, fetch.RequestPaused)
	if _, err := chromedp.Call(b.Ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*/kiosk/records", RequestStage: fetch.RequestStageResponse}},
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			failed.Add(1)
			_, _ = chromedp.Call(b.Ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
		}
	}()
	rateAtKiosk(b, "E2E-KIOSK-0005", 4, "")
	testenv.Eventually(t, 10*time.Second, "the lost upload committed", func() bool { return kioskRows(env, "E2E-KIOSK-0005") == 1 })
	b.WaitFor("the page saw the upload fail", `document.getElementById('kiosk-status').classList.contains('offline')`, 5*time.Second)
	if kept := buffer(b); len(kept) != 1 || failed.Load() == 0 {
		t.Fatalf("after a lost answer the buffer holds %+v (%d answers lost), want the one rating", kept, failed.Load())
	}
	if _, err := chromedp.Call(b.Ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	b.Go("/kiosk")
	b.WaitFor("the buffer empties after the reload", `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]').length === 0`, 20*time.Second)
	if n := kioskRows(env, "E2E-KIOSK-0005"); n != 1 {
		t.Errorf("%d evaluations of E2E-KIOSK-0005 after the re-send, want 1", n)
	}
	if n := kioskRows(env, "E2E-KIOSK-000"); n != 5 {
		t.Errorf("%d kiosk evaluations in all, want 5", n)
	}
}

// TestKioskIdleAndRefusals: with kiosk_idle_seconds at 2, a number left on the keypad and a
// rating left unfinished are forgotten, and the thank-you goes back to the start by itself;
// a number the kiosk may not rate is refused beside the field, in words.
func TestKioskIdleAndRefusals(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	env.Exec(`INSERT INTO settings (region_id, key, value) SELECT id, 'kiosk_idle_seconds', '2' FROM regions WHERE code = '370400'`)
	srv.PushCase(apptest.Case("E2E-KIOSK-IDLE-1", linkNow.Add(-time.Hour)))
	srv.PushCase(apptest.Case("E2E-KIOSK-IDLE-2", linkNow.Add(-time.Hour)))
	other := apptest.Case("E2E-KIOSK-ELSEWHERE", linkNow.Add(-time.Hour))
	other["hall_code"], other["window_code"] = "370402-ZWFW", "370402-ZH01"
	delete(other, "staff_no")
	srv.PushCase(other)
	b := browsertest.Open(t, srv.URL, browsertest.Kiosk)
	pairKiosk(t, srv, b)
	const started = `!document.getElementById('screen-start').hidden && document.getElementById('case-no').value === ''`

	refused := func(caseNo, want string) {
		t.Helper()
		typeCase(b, caseNo)
		b.Do("next", chromedp.Click(chromedp.ID("start-next")))
		b.WaitFor("a message beside the number", `document.getElementById('case-no-error').textContent !== ''`, 10*time.Second)
		if got := b.Text("#case-no-error"); !strings.Contains(got, want) {
			t.Errorf("%s: the kiosk says %q, want %q", caseNo, got, want)
		}
		if Eval(b, `document.getElementById('screen-start').hidden`) != "false" {
			t.Errorf("%s: the kiosk left the start screen", caseNo)
		}
	}
	refused("12", "由 4 至 64 位字母")
	refused("NOPE-0001", "办件不存在")
	refused("E2E-KIOSK-ELSEWHERE", "不是在本大厅办理的")
	b.Screenshot("kiosk-start-refused")
	b.WaitFor("the number left on the keypad is forgotten", started+` && document.getElementById('case-no-error').textContent === ''`, 10*time.Second)

	// An unfinished rating is forgotten: back at the start, nothing chosen.
	typeCase(b, "E2E-KIOSK-IDLE-1")
	b.Do("next, choose a level", chromedp.Click(chromedp.ID("start-next")))
	b.WaitFor("the rating screen", `!document.getElementById('screen-rate').hidden`, 10*time.Second)
	b.Do("choose 非常不满意", chromedp.Click(chromedp.CSS(`label[for=level-1]`)))
	b.WaitFor("back to the start after the idle time", started, 10*time.Second)
	if Eval(b, `document.querySelectorAll('input[name=level]:checked').length`) != "0" {
		t.Error("the last citizen's level is still chosen")
	}
	if n := kioskRows(env, "E2E-KIOSK-IDLE"); n != 0 {
		t.Errorf("an unfinished rating was stored: %d rows", n)
	}

	// The thank-you goes back by itself; the case rated is then refused as rated.
	rateAtKiosk(b, "E2E-KIOSK-IDLE-2", 5, "")
	b.WaitFor("back to the start after the thank-you", started, 10*time.Second)
	b.WaitFor("the rating uploaded", `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]').length === 0`, 10*time.Second)
	refused("E2E-KIOSK-IDLE-2", "已经评价过了")
}

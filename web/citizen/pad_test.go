package citizen_test

import (
	"bufio"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// padNow is the business time of the pad's tests: a Tuesday afternoon in Beijing.
var padNow = testenv.Beijing(2026, 12, 1, 14, 0, 0)

const padDevice = "demo-window-370400-zh01" // the pad of the city hall's 综合受理1号窗口

// pairPad pairs the browser as the pad of padDevice, with the code the office would show.
func pairPad(t testing.TB, srv *apptest.Server, b *browsertest.Browser) {
	t.Helper()
	if b.Go("/pad"); !strings.HasPrefix(b.URL(), "/pair?for=pad") {
		t.Fatalf("an unpaired browser at /pad is at %s, want the pairing form", b.URL())
	}
	code, err := srv.App.Devices.NewPairingCode(context.Background(), padDevice, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Do("type the pairing code", chromedp.SendKeys(chromedp.ID("code"), code.Code))
	if status := b.Submit(`button[type=submit]`); status != 200 || b.URL() != "/pad" {
		t.Fatalf("pairing: %d at %s", status, b.URL())
	}
}

// waitIdle waits for the idle screen with its prompt stream open.
func waitIdle(b *browsertest.Browser) {
	b.T.Helper()
	waitAcross(b, "the idle screen, connected", `location.pathname === '/pad' && !!document.querySelector('.pad-idle') &&
		document.getElementById('pad-status').textContent.includes('已连接')`, 10*time.Second)
}

// waitAcross polls cond every 10 ms until it holds, across the page's navigations (which end
// chromedp's in-page polling), failing the test after timeout.
func waitAcross(b *browsertest.Browser, what, cond string, timeout time.Duration) {
	b.T.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(b.Ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("waiting for %s: not within %v (at %s, %v)", what, timeout, b.URL(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// prompt asks the pad to rate a case, as the window's business system does.
func prompt(t testing.TB, srv *apptest.Server, pad apptest.Device, caseNo string) string {
	t.Helper()
	r := srv.Signed(pad, "POST", "/api/v1/channels/window/prompts", map[string]any{"case_no": caseNo, "staff_no": apptest.CityStaff})
	if r.Status != 202 {
		t.Fatalf("prompt %s: %d %s", caseNo, r.Status, r.Body)
	}
	id, _ := r.JSON(t)["id"].(string)
	return id
}

// promptToScreen prompts the pad idle in b to rate caseNo and measures the time from the POST
// to that case's rating laid out on the pad; then it brings the pad back to idle.
func promptToScreen(t testing.TB, srv *apptest.Server, b *browsertest.Browser, pad apptest.Device, caseNo string) time.Duration {
	t.Helper()
	start := time.Now()
	id := prompt(t, srv, pad, caseNo)
	waitAcross(b, "the rating of "+caseNo, `location.pathname === '/pad/p/`+id+`' && document.readyState !== 'loading' &&
		!!document.querySelector('.rating-form') && document.querySelector('.pad-case').textContent.includes('`+caseNo+`')`, 5*time.Second)
	took := time.Since(start)
	b.Go("/pad?after=" + id)
	waitIdle(b)
	return took
}

// staffName is the name of a staff member.
func staffName(t *testing.T, env *testenv.Env, no string) string {
	t.Helper()
	var name string
	if err := env.DB.Pool.QueryRow(context.Background(), `SELECT name FROM staff WHERE staff_no = $1`, no).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestPadRatesThePromptedCase: a pad paired once with the office's code shows its window and
// staff; the window's system prompts it with a case and within a second the pad shows that
// case's rating; 非常不满意 with a reason is the case's one evaluation, and every repeat — the
// same form sent again, a second prompt, the window's API — is a duplicate or refused.
func TestPadRatesThePromptedCase(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, padNow)
	pad := srv.DemoDevice(padDevice)
	cases := []string{"E2E-PAD-0001", "E2E-PAD-0002", "E2E-PAD-0003", "E2E-PAD-0004", "E2E-PAD-0005", "E2E-PAD-0006"}
	for _, no := range cases {
		srv.PushCase(apptest.Case(no, padNow.Add(-20*time.Minute)))
	}

	b := browsertest.Open(t, srv.URL, browsertest.Pad)
	pairPad(t, srv, b)
	waitIdle(b)
	idle := b.Text("main")
	for _, want := range []string{"综合受理1号窗口", "市审批服务局", staffName(t, env, apptest.CityStaff), apptest.CityStaff, "370400-ZH01-2"} {
		if !strings.Contains(idle, want) {
			t.Errorf("the idle screen does not show %q:\n%s", want, idle)
		}
	}
	b.CheckPage("pad idle screen")
	b.Screenshot("pad-idle")

	// From the POST to the rating on screen, for several prompts, each from the idle screen.
	var took []time.Duration
	for _, no := range cases[1:] {
		took = append(took, promptToScreen(t, srv, b, pad, no))
	}
	slices.Sort(took)
	median := took[len(took)/2]
	t.Logf("prompt to rating on screen: median %v, all %v", median, took)
	if median > time.Second {
		t.Errorf("the pad shows the rating %v after the prompt (median), want within 1 s", median)
	}

	// The case to rate: prompted, shown with who served.
	id := prompt(t, srv, pad, cases[0])
	waitAcross(b, "the rating of the case", `location.pathname === '/pad/p/`+id+`' && !!document.querySelector('.rating-form')`, 5*time.Second)
	if got := b.Text(".pad-case"); !strings.Contains(got, "普通护照签发") || !strings.Contains(got, cases[0]) ||
		!strings.Contains(got, staffName(t, env, apptest.CityStaff)) || !strings.Contains(got, apptest.CityStaff) {
		t.Errorf("the pad does not say what is rated and who served: %q", got)
	}
	if Eval(b, `document.querySelectorAll('input[name=level]:checked').length`) != "0" {
		t.Error("a level is preselected")
	}
	if Eval(b, `getComputedStyle(document.getElementById('reasons')).display`) != "none" {
		t.Error("the reasons show before a bad level is chosen")
	}
	if h := Eval(b, `Math.min(...[...document.querySelectorAll('.level label')].map(l => l.getBoundingClientRect().height))`); h < "60" && len(h) <= 2 {
		t.Errorf("a level's target is %spx high", h)
	}
	b.CheckPage("pad rating screen")
	b.Screenshot("pad-rate")

	// 非常不满意 without a reason is refused beside the field; with one it is taken.
	b.Do("choose 非常不满意", chromedp.Click(chromedp.CSS(`label[for=level-1]`)))
	if status := b.Submit(`button[type=submit]`); status != 422 {
		t.Fatalf("a bad level without a reason: %d, want 422", status)
	}
	if got := b.Text("#reasons .field-error"); !strings.Contains(got, "请至少选择一项原因") {
		t.Errorf("message beside the reasons %q", got)
	}
	b.Do("choose a reason and write", chromedp.Click(chromedp.CSS(`label[for=reason-0]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "等了很久"))
	if got := b.Text("#comment-count"); !strings.Contains(got, "已输入 4 字") {
		t.Errorf("the comment counter says %q", got)
	}
	b.Screenshot("pad-rate-bad")
	// Keep what the form sends, to send it again from the thank-you (a second tap that got through).
	b.Do("keep the form", chromedp.Evaluate[chromedp.Void](`sessionStorage.setItem('again', new URLSearchParams(new FormData(document.querySelector('.rating-form'))).toString())`))
	if status := b.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("submit: %d", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "感谢您的评价") || !strings.Contains(got, "非常不满意") ||
		!strings.Contains(got, "1 个工作日内电话回访") {
		t.Errorf("the thank-you: %q", got)
	}
	b.CheckPage("pad thank-you")
	b.Screenshot("pad-thanks")
	again := browsertest.Eval[string](b, `fetch('/pad/p/`+id+`', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
		body: sessionStorage.getItem('again')}).then(r => r.url)`)
	if !strings.Contains(again, "dup=1") {
		t.Errorf("the same rating sent again led to %s, want the duplicate's thank-you", again)
	}

	// Back to idle: who served is the one the prompt named.
	if status := b.Follow(`a.button`); status != 200 {
		t.Fatalf("back: %d", status)
	}
	waitIdle(b)
	if b.Go("/pad"); b.URL() != "/pad" { // rated: not open any more, whatever the page says
		t.Errorf("the rated prompt is shown again: %s", b.URL())
	}
	waitIdle(b)
	if got := b.Text(".pad-staff"); !strings.Contains(got, "为您服务的工作人员") || !strings.Contains(got, apptest.CityStaff) ||
		strings.Contains(got, "370400-ZH01-2") {
		t.Errorf("the idle screen after a prompt shows %q, want the staff member it named", got)
	}

	// One evaluation of the case; a second prompt is refused and the window's API answers the
	// same rating as a duplicate.
	if r := srv.Signed(pad, "POST", "/api/v1/channels/window/prompts", map[string]any{"case_no": cases[0]}); r.Status != 409 || r.Code(t) != "already_rated" {
		t.Errorf("a second prompt of the rated case: %d %s", r.Status, r.Body)
	}
	if r := srv.Signed(pad, "POST", "/api/v1/channels/window/evaluations", map[string]any{"case_no": cases[0], "level": 5}); r.Status != 200 ||
		r.JSON(t)["status"] != "duplicate" {
		t.Errorf("the window's API rating the case again: %d %s", r.Status, r.Body)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id WHERE c.case_no = $1`, cases[0]); n != 1 {
		t.Errorf("%d evaluations of the case, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id JOIN staff s ON s.id = e.staff_id
		WHERE c.case_no = $1 AND e.level = 1 AND e.active AND e.channel = 'window' AND e.device_id = $2 AND e.stage = 'complete'
		AND cardinality(e.reasons) = 1 AND e.comment = '等了很久' AND s.staff_no = $3`, cases[0], padDevice, apptest.CityStaff); n != 1 {
		t.Error("the evaluation is not the pad's 非常不满意 of the case's 办结, with its reason, comment and staff")
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 1 {
		t.Errorf("%d evaluations in all, want 1: the prompts left unrated are not rated", n)
	}
}

// TestPadGetsTheOpenPromptAgain: a prompt sent while the pad was away is not lost — a
// reconnecting stream begins with it, and a reloaded pad shows it — and a pad done with it
// is not shown it again.
func TestPadGetsTheOpenPromptAgain(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, padNow)
	pad := srv.DemoDevice(padDevice)
	srv.PushCase(apptest.Case("E2E-PAD-0101", padNow.Add(-20*time.Minute)))
	b := browsertest.Open(t, srv.URL, browsertest.Pad)
	pairPad(t, srv, b)
	waitIdle(b)
	cookies, err := chromedp.Call(b.Ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	var session string
	for _, c := range cookies.Cookies {
		if c.Name == "hcp_device" {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("the paired pad has no device session cookie")
	}
	b.Go("/healthz") // the pad goes away: its stream closes

	id := prompt(t, srv, pad, "E2E-PAD-0101")
	// The stream, connected after the prompt, begins with it — twice over, as after a reconnect.
	for i := range 2 {
		if got := firstEvent(t, srv.URL+"/pad/events", session); !strings.Contains(got, `"id":"`+id+`"`) {
			t.Fatalf("connection %d: the stream began with %q, want the open prompt %s", i+1, got, id)
		}
	}
	// … unless the pad says it is done with it.
	if got := firstEvent(t, srv.URL+"/pad/events?after="+id, session); got != "" {
		t.Errorf("the stream of a pad done with the prompt sent %q", got)
	}
	// A pad reloaded shows it.
	if b.Go("/pad"); b.URL() != "/pad/p/"+id {
		t.Errorf("a reloaded pad is at %s, want the open prompt's rating", b.URL())
	}
	// A visit without a case, by its ticket, while the pad shows the case: the pad moves on to it.
	r := srv.Signed(pad, "POST", "/api/v1/channels/window/prompts", map[string]any{"ticket_no": "A050",
		"served_at": padNow.Add(-5 * time.Minute).Format(time.RFC3339)})
	if r.Status != 202 {
		t.Fatalf("prompt a ticket: %d %s", r.Status, r.Body)
	}
	ticket, _ := r.JSON(t)["id"].(string)
	waitAcross(b, "the ticket's rating", `location.pathname === '/pad/p/`+ticket+`' && !!document.querySelector('.pad-case')`, 5*time.Second)
	if got := b.Text("main"); !strings.Contains(got, "请您评价本次服务") || !strings.Contains(got, "A050") || strings.Contains(got, "办件编号") {
		t.Errorf("the rating of a visit: %q", got)
	}
	// In the large mode the pad's targets are at least 60 px.
	if b.Follow(`a.text-size`); Eval(b, `document.documentElement.classList.contains('large')`) != "true" {
		t.Fatal("the large mode did not switch on")
	}
	if Eval(b, `[...document.querySelectorAll('.level label, .check, button[type=submit]')].filter(e => e.getClientRects().length > 0).every(e => e.getBoundingClientRect().height >= 60)`) != "true" {
		t.Error("a target of the pad's rating is under 60 px high in the large mode")
	}
	b.CheckPage("pad rating of a visit, large text")
	b.Screenshot("pad-rate-large")

	// Unpaired, the stream is refused (the page sends the browser to pair).
	req, _ := http.NewRequest("GET", srv.URL+"/pad/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("an unpaired stream: %v %v, want 401", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
}

// firstEvent connects to the pad's stream with the device session and returns the data of the
// first event within a second ("" if none came), after checking that the stream says how soon
// to reconnect.
func firstEvent(t *testing.T, url, session string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.AddCookie(&http.Cookie{Name: "hcp_device", Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	retry := false
	for lines.Scan() {
		l := lines.Text()
		if strings.HasPrefix(l, "retry: ") {
			retry = true
		}
		if strings.HasPrefix(l, "data: ") {
			if !retry {
				t.Error("the stream does not say when to reconnect (retry:)")
			}
			return strings.TrimPrefix(l, "data: ")
		}
	}
	return "" // the deadline ended the stream
}

// TestPadReturnsToIdleUntouched: with pad_prompt_seconds at 2, a rating nobody touches goes
// back to the idle screen, and the prompt is not shown again.
func TestPadReturnsToIdleUntouched(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, padNow)
	env.Exec(`UPDATE settings SET value = '2' WHERE key = 'pad_prompt_seconds'`)
	pad := srv.DemoDevice(padDevice)
	srv.PushCase(apptest.Case("E2E-PAD-0201", padNow.Add(-20*time.Minute)))
	b := browsertest.Open(t, srv.URL, browsertest.Pad)
	pairPad(t, srv, b)
	waitIdle(b)

	id := prompt(t, srv, pad, "E2E-PAD-0201")
	// The rating laid out, not merely navigated to: the timeout's words are read from it next.
	waitAcross(b, "the rating", `location.pathname === '/pad/p/`+id+`' && document.readyState !== 'loading' && !!document.querySelector('.pad-timeout')`, 5*time.Second)
	shown := time.Now()
	if got := b.Text(".pad-timeout"); !strings.Contains(got, "2 秒") {
		t.Errorf("the rating screen says %q of its timeout", got)
	}
	waitAcross(b, "the idle screen again", `location.pathname === '/pad' && !!document.querySelector('.pad-idle')`, 6*time.Second)
	if after := time.Since(shown); after < 1500*time.Millisecond {
		t.Errorf("back to idle after %v, want about 2 s", after)
	}
	waitIdle(b)
	if b.Go("/pad"); b.URL() != "/pad" {
		t.Errorf("the lapsed prompt is shown again: %s", b.URL())
	}
	if n := env.Count(`SELECT count(*) FROM evaluations`); n != 0 {
		t.Errorf("%d evaluations, want none: a prompt nobody rated rates nothing", n)
	}
}

package citizen_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// kioskCached lists what the kiosk's service worker keeps that the page does not name, or the
// page's files that it does not keep: "" when the cache holds the page and exactly its files.
const kioskCached = `(async () => {
	const names = (await caches.keys()).filter(n => n.startsWith('hcp-kiosk-'));
	if (names.length !== 1) return 'caches: ' + names.join();
	const kept = (await (await caches.open(names[0])).keys()).map(r => { const u = new URL(r.url); return u.pathname + u.search; });
	const wanted = ['/kiosk', ...[...document.querySelectorAll('link[href^="/static/"], script[src^="/static/"]')]
		.map(e => e.getAttribute('href') || e.getAttribute('src'))];
	const missing = wanted.filter(u => !kept.includes(u)), extra = kept.filter(u => !wanted.includes(u));
	return (missing.length ? 'not kept: ' + missing.join() + ' ' : '') + (extra.length ? 'kept besides: ' + extra.join() : '');
})()`

// shiftClock moves the browser's clock (Date, in every page loaded from now on) by d: with
// the server's clock moved as much, the kiosk has been switched off for d.
func shiftClock(b *browsertest.Browser, d time.Duration) {
	b.T.Helper()
	src := fmt.Sprintf(`(() => {
		const D = Date, shift = %d;
		class ShiftedDate extends D {
			constructor(...a) { super(...(a.length ? a : [D.now() + shift])); }
			static now() { return D.now() + shift; }
		}
		globalThis.Date = ShiftedDate;
	})();`, d.Milliseconds())
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
		b.T.Fatalf("shift the browser's clock: %v", err)
	}
}

// cookie is the value of the browser's cookie name on the server.
func cookie(b *browsertest.Browser, name string) *network.Cookie {
	b.T.Helper()
	r, err := chromedp.Call(b.Ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.Base.String()}})
	if err != nil {
		b.T.Fatalf("cookies: %v", err)
	}
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	b.T.Fatalf("no cookie %s", name)
	return nil
}

// acrossReload waits for a condition that holds only after the page reloads by itself: an
// evaluation that the reload interrupts counts as not yet.
func acrossReload(b *browsertest.Browser, timeout time.Duration, what, cond string) {
	b.T.Helper()
	testenv.Eventually(b.T, timeout, what, func() bool {
		ctx, cancel := context.WithTimeout(b.Ctx, 2*time.Second)
		defer cancel()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		return err == nil && ok
	})
}

// uploadStatuses records the HTTP statuses that POST /kiosk/records answered, in order.
type uploadStatuses struct {
	mu  sync.Mutex
	got []int64
}

func watchUploads(b *browsertest.Browser) *uploadStatuses {
	u := &uploadStatuses{}
	events := chromedp.Events(b.Ctx, network.ResponseReceived)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			if strings.HasSuffix(ev.Response.URL, "/kiosk/records") {
				u.mu.Lock()
				u.got = append(u.got, ev.Response.Status)
				u.mu.Unlock()
			}
		}
	}()
	return u
}

func (u *uploadStatuses) all() []int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]int64{}, u.got...)
}

// TestKioskLoadsOffline: the kiosk's service worker installs with the page online and keeps
// the page and its files; the kiosk is then switched off for 13 hours (its CSRF token, of 12,
// expires) and comes back while the network is down: the page loads from the cache, and two
// ratings are stamped by the server's clock (the offset kept from the last page the network
// served). Back online, the first upload is answered 403, the page reloads from the network,
// and both ratings arrive once, at their own times. Then the device's session is lost: the
// upload's 401 is said on the status line, and the rating waits until the session is back.
func TestKioskLoadsOffline(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	for i := 1; i <= 3; i++ {
		srv.PushCase(apptest.Case(fmt.Sprintf("E2E-KIOSK-SW-%d", i), linkNow.Add(-time.Hour)))
	}
	r := srv.Raw("GET", "/kiosk-sw.js", nil, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") || r.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("/kiosk-sw.js: %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	}
	b := browsertest.Open(t, srv.URL, browsertest.Kiosk)
	uploads := watchUploads(b)
	// An earlier release's cache (and another's of this origin): the worker's activation
	// deletes the first and leaves the second.
	b.Go("/public")
	b.Do("caches of before", chromedp.Evaluate[chromedp.Void](`Promise.all([caches.open('hcp-kiosk-000000000000'), caches.open('not-the-kiosks')])`, chromedp.EvalAwaitPromise))
	pairKiosk(t, srv, b)
	b.WaitFor("the service worker controls the page", `navigator.serviceWorker.controller !== null`, 20*time.Second)
	if got := browsertest.Eval[string](b, `caches.keys().then(k => k.filter(n => !n.startsWith('hcp-kiosk-') || n === 'hcp-kiosk-000000000000').join())`); got != "not-the-kiosks" {
		t.Errorf("after the worker's activation the caches besides its own are %q, want not-the-kiosks", got)
	}
	if got := browsertest.Eval[string](b, `navigator.serviceWorker.ready.then(r => r.scope + ' ' + r.active.scriptURL)`); got != srv.URL+"/kiosk "+srv.URL+"/kiosk-sw.js" {
		t.Errorf("the worker's scope and script: %s", got)
	}
	if got := browsertest.Eval[string](b, kioskCached); got != "" {
		t.Fatalf("the worker's cache: %s", got)
	}

	// Off for 13 hours; it starts again while the network is down.
	const off = 13 * time.Hour
	srv.Clock.Set(linkNow.Add(off))
	shiftClock(b, off)
	if err := env.Redis.Del(context.Background(), "haochaping:csrf:"+cookie(b, "hcp_csrf").Value).Err(); err != nil {
		t.Fatal(err) // the token's 12 hours are over
	}
	setOffline(b, true)
	b.Go("/kiosk")
	b.WaitFor("the start screen", `!document.getElementById('screen-start').hidden`, 10*time.Second)
	if got := Eval(b, `document.getElementById('kiosk').dataset.served`); got != "cache" {
		t.Fatalf("the page loaded offline was served by the %s, want the cache", got)
	}
	b.WaitFor("the page knows it is offline", `document.getElementById('kiosk-status').classList.contains('offline')`, 5*time.Second)
	w := b.Weigh()
	t.Logf("the page loaded offline from the worker's cache: %d requests, first contentful paint %.0f ms, load %.0f ms; the worker's script %d bytes",
		w.Requests, w.PaintMS, w.LoadMS, len(r.Body))
	b.CheckPage("kiosk start screen, loaded offline")
	b.Screenshot("kiosk-offline-reload")
	for i, level := range []int{2, 5} {
		rateAtKiosk(b, fmt.Sprintf("E2E-KIOSK-SW-%d", i+1), level, "")
		b.Do("done", chromedp.Click(chromedp.CSS(`#screen-thanks [data-action=restart]`)))
	}
	kept := buffer(b)
	if len(kept) != 2 {
		t.Fatalf("the buffer holds %+v, want 2 ratings", kept)
	}
	if n := kioskRows(env, "E2E-KIOSK-SW-"); n != 0 {
		t.Fatalf("%d ratings reached the server while offline", n)
	}

	// Five minutes later the network is back: 403, a reload from the network, the upload.
	srv.Clock.Set(linkNow.Add(off + 5*time.Minute))
	b.Do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__cachedPage = true`))
	setOffline(b, false)
	acrossReload(b, 20*time.Second, "the page reloaded from the network",
		`!window.__cachedPage && document.getElementById('kiosk') !== null && document.getElementById('kiosk').dataset.served === 'network'`)
	b.WaitFor("the buffer empties", `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]').length === 0`, 20*time.Second)
	t.Logf("uploads answered %v; the cached page stamped %+v (test clock %s)", uploads.all(), kept, linkNow.Add(off))
	if got := uploads.all(); len(got) < 2 || got[0] != 403 || got[len(got)-1] != 200 {
		t.Errorf("the uploads were answered %v, want 403 first (the cached page's token) and then 200", got)
	}
	if n := kioskRows(env, "E2E-KIOSK-SW-"); n != 2 {
		t.Errorf("%d kiosk evaluations, want 2", n)
	}
	for _, k := range kept {
		ratedAt, err := time.Parse(time.RFC3339Nano, k.RatedAt)
		if err != nil {
			t.Fatalf("rated_at %q: %v", k.RatedAt, err)
		}
		if d := ratedAt.Sub(linkNow.Add(off)); d < 0 || d > 5*time.Minute {
			t.Errorf("the cached page stamped %s, want the server's clock at %s (+ the minutes of the test)", ratedAt, linkNow.Add(off))
		}
		if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
			WHERE c.case_no = $1 AND e.idem_key = $2 AND e.level = $3 AND e.rated_at = $4`,
			k.CaseNo, fmt.Sprintf("kiosk:%s:%d", cityKiosk, k.Seq), k.Level, ratedAt); n != 1 {
			t.Errorf("record %+v: %d rows with its sequence number, level and original time, want 1", k, n)
		}
	}
	if got := browsertest.Eval[string](b, kioskCached); got != "" {
		t.Errorf("the worker's cache after the lookups and uploads: %s", got)
	}

	// The device's session is gone (the office revoked it, the browser lost it): the status
	// line says so, and the rating stays until the session is back.
	device := cookie(b, "hcp_device")
	if _, err := chromedp.Call(b.Ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "hcp_device", URL: b.Base.String()}); err != nil {
		t.Fatal(err)
	}
	rateAtKiosk(b, "E2E-KIOSK-SW-3", 4, "")
	b.Do("done", chromedp.Click(chromedp.CSS(`#screen-thanks [data-action=restart]`)))
	b.WaitFor("the status line says the kiosk must be paired", `document.getElementById('kiosk-status').textContent.includes('本终端需重新配对，请联系管理员')`, 10*time.Second)
	if got := b.Text("#kiosk-status"); !strings.Contains(got, "1 条评价保存在本机") {
		t.Errorf("the status line says %q", got)
	}
	if n := len(buffer(b)); n != 1 {
		t.Fatalf("after a 401 the buffer holds %d ratings, want 1", n)
	}
	if _, err := chromedp.Call(b.Ctx, network.SetCookie, network.SetCookieParams{
		Name: device.Name, Value: device.Value, URL: b.Base.String(), Path: device.Path, HTTPOnly: &device.HTTPOnly, SameSite: device.SameSite,
	}); err != nil {
		t.Fatal(err)
	}
	b.WaitFor("the retry uploads the rating", `JSON.parse(localStorage.getItem('hcp.kiosk.buffer') || '[]').length === 0`, 20*time.Second)
	if n := kioskRows(env, "E2E-KIOSK-SW-3"); n != 1 {
		t.Errorf("%d evaluations of E2E-KIOSK-SW-3, want 1", n)
	}
	if got := b.Text("#kiosk-status"); got != "网络正常" {
		t.Errorf("after the upload the status line says %q", got)
	}
}

// Package browsertest drives the pages in a real headless Chromium (Debian's, installed by
// scripts/devstack.sh) through chromedp, for the end-to-end tests of the pages. Every page a
// test opens is watched: a Content-Security-Policy violation, an uncaught script error or a
// request to any host but the server fails the test, and a failed test leaves a screenshot of
// the page in .devstack/failed-screenshots/.
package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Screen is a device the pages are designed for (UI.md, "The screens").
type Screen struct {
	Name          string
	Width, Height int64
	Scale         float64
	Touch         bool
}

// The screens of the people who meet the system.
var (
	Phone   = Screen{"phone", 360, 640, 2, true}     // a cheap Android phone, from the receipt's QR code
	Pad     = Screen{"pad", 1280, 800, 1, true}      // the 评价器 facing the citizen at a window
	Kiosk   = Screen{"kiosk", 1080, 1920, 1, true}   // a floor-standing touch screen
	Desktop = Screen{"desktop", 1366, 768, 1, false} // the portal, the counter PC, the office
	Wall    = Screen{"wall", 1920, 1080, 1, false}   // the office's large screen and projector
)

// Zoomed is the screen at a browser zoom of percent: the CSS viewport shrinks by as much.
func (s Screen) Zoomed(percent int) Screen {
	z := s
	z.Name = fmt.Sprintf("%s-zoom%d", s.Name, percent)
	z.Width, z.Height = s.Width*100/int64(percent), s.Height*100/int64(percent)
	z.Scale = s.Scale * float64(percent) / 100
	return z
}

// Browser is one tab of a headless Chromium, opened on a server.
type Browser struct {
	T      testing.TB
	Ctx    context.Context
	Base   *url.URL
	Screen Screen

	mu       sync.Mutex
	problems []string // CSP violations, script errors, foreign requests: each fails the test
	console  []string // other console messages, logged when the test fails
}

// Chromium finds the browser: HAOCHAPING_CHROMIUM (written by scripts/devstack.sh), else
// chromium on the PATH. Without one the test fails, saying how to get it: a page test that
// silently skips would pass on a machine that never ran it.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("HAOCHAPING_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("browsertest: no Chromium: run `make test` (scripts/devstack.sh installs it) or set HAOCHAPING_CHROMIUM")
	return ""
}

// Open starts a headless Chromium for the test with one tab on screen, watching what the
// pages of base do. The browser stops when the test ends.
func Open(t testing.TB, base string, screen Screen) *Browser {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("browsertest: base URL %q: %v", base, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.Flag("no-sandbox", true), // the tests may run as root, where the sandbox cannot start
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{T: t, Ctx: ctx, Base: u, Screen: screen}
	t.Cleanup(func() {
		b.finish()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("browsertest: start Chromium: %v", err)
	}
	b.watch()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: watchScript,
	}); err != nil {
		t.Fatalf("browsertest: install the page watcher: %v", err)
	}
	b.SetScreen(screen)
	return b
}

// watchScript runs before any script of a page: it keeps the CSP violations the page meets
// (the browser reports them to the page as events) for finish to read.
const watchScript = `window.__hcpViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__hcpViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});`

// watch follows the tab's events: log entries (CSP reports among them), uncaught exceptions
// and every request, whose host must be the server's.
func (b *Browser) watch() {
	ctx := b.Ctx
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		b.T.Fatalf("browsertest: enable the log: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.T.Fatalf("browsertest: enable the network events: %v", err)
	}
	logs := chromedp.Events(ctx, cdplog.EntryAdded)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			e := ev.Entry
			msg := fmt.Sprintf("[%s %s] %s %s", e.Source, e.Level, e.Text, e.URL)
			if e.Source == cdplog.EntrySourceSecurity || (e.Level == cdplog.EntryLevelError && e.Source == cdplog.EntrySourceJavascript) ||
				strings.Contains(e.Text, "Content Security Policy") {
				b.problem(msg)
			} else {
				b.note(msg)
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text = d.Exception.Description
			}
			b.problem(fmt.Sprintf("uncaught script error: %s (%s:%d)", text, d.URL, d.LineNumber))
		}
	}()
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			if !b.ours(ev.Request.URL) {
				b.problem("request to another host: " + ev.Request.URL)
			}
		}
	}()
}

// ours reports whether a request stays on the server (or in the page: data:, blob:).
func (b *Browser) ours(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	}
	return u.Host == b.Base.Host
}

func (b *Browser) problem(msg string) {
	b.mu.Lock()
	b.problems = append(b.problems, msg)
	b.mu.Unlock()
}

func (b *Browser) note(msg string) {
	b.mu.Lock()
	b.console = append(b.console, msg)
	b.mu.Unlock()
}

// Check fails the test on what the watchers saw so far, and on the CSP violations of the page
// now open. finish calls it; a test calls it before leaving a page it wants checked.
func (b *Browser) Check() {
	b.T.Helper()
	if v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]string](`window.__hcpViolations || []`)); err == nil {
		for _, s := range v {
			b.problem("CSP violation: " + s)
		}
		_ = chromedp.Do(b.Ctx, chromedp.Evaluate[chromedp.Void](`window.__hcpViolations = []`))
	}
	b.mu.Lock()
	problems := b.problems
	b.problems = nil
	b.mu.Unlock()
	for _, p := range problems {
		b.T.Errorf("browser: %s", p)
	}
}

// finish checks the last page and, when the test failed, saves its screenshot.
func (b *Browser) finish() {
	b.Check()
	if !b.T.Failed() {
		return
	}
	b.mu.Lock()
	for _, c := range b.console {
		b.T.Logf("browser console: %s", c)
	}
	b.mu.Unlock()
	dir := filepath.Join(RepoRoot(), ".devstack", "failed-screenshots")
	// A test may drive several browsers (a citizen's phone and a clerk's desktop): each its own file.
	name := safeName.ReplaceAllString(b.T.Name(), "_")
	failedShots.Lock()
	failedShots.n[name]++
	if n := failedShots.n[name]; n > 1 {
		name = fmt.Sprintf("%s-%d", name, n)
	}
	failedShots.Unlock()
	name += ".png"
	if err := b.saveScreenshot(filepath.Join(dir, name)); err != nil {
		b.T.Logf("browsertest: no screenshot of the failure: %v", err)
		return
	}
	b.T.Logf("browsertest: screenshot of the failed page: %s", filepath.Join(dir, name))
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// failedShots counts the failure screenshots taken per test in this run.
var failedShots = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// SetScreen emulates a screen: its CSS size, pixel ratio and touch.
func (b *Browser) SetScreen(s Screen) {
	b.T.Helper()
	b.Screen = s
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(s.Scale)}
	if s.Touch {
		opts = append(opts, chromedp.EmulateTouch, chromedp.EmulateMobile)
	}
	if s.Height > s.Width {
		opts = append(opts, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(b.Ctx, chromedp.EmulateViewport(s.Width, s.Height, opts...)); err != nil {
		b.T.Fatalf("browsertest: emulate %s: %v", s.Name, err)
	}
}

// Go opens a path (with its query) of the server and waits for the page to load; it returns
// the HTTP status.
func (b *Browser) Go(path string) int64 {
	b.T.Helper()
	b.Check()
	ref, err := url.Parse(path)
	if err != nil {
		b.T.Fatalf("browsertest: path %q: %v", path, err)
	}
	resp, err := chromedp.Run(b.Ctx, chromedp.NavigateResponse(b.Base.ResolveReference(ref).String()))
	if err != nil {
		b.T.Fatalf("browsertest: open %s: %v", path, err)
	}
	return resp.Status
}

// Do runs chromedp actions on the tab, failing the test on an error.
func (b *Browser) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.T.Fatalf("browsertest: %s: %v", what, err)
	}
}

// Submit clicks a submit button (or a link: Follow) and waits for the page it leads to; it
// returns the HTTP status of that page.
func (b *Browser) Submit(sel string) int64 {
	b.T.Helper()
	b.Check()
	ctx, cancel := context.WithTimeout(b.Ctx, 15*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.T.Fatalf("browsertest: submit %s: %v", sel, err)
	}
	return resp.Status
}

// Follow clicks a link and waits for the page it leads to.
func (b *Browser) Follow(sel string) int64 { b.T.Helper(); return b.Submit(sel) }

// Text is the visible text of the first element sel matches.
func (b *Browser) Text(sel string) string {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.T.Fatalf("browsertest: text of %s: %v", sel, err)
	}
	return s
}

// Eval evaluates a script expression in the page and decodes its value into T.
func Eval[T any](b *Browser, expr string) T {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 30*time.Second) // a promise that never settles fails the test, not the run
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("browsertest: evaluate %s: %v", expr, err)
	}
	return v
}

// URL is the path and query of the page open now.
func (b *Browser) URL() string {
	b.T.Helper()
	raw := Eval[string](b, `location.pathname + location.search`)
	return raw
}

// saveScreenshot writes a picture of the whole page: the screen's width, the document's
// height; PNG, or WebP (quality 80, a fifth of the size) when file ends in .webp.
func (b *Browser) saveScreenshot(file string) error {
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	params := page.CaptureScreenshotParams{CaptureBeyondViewport: new(true)}
	if strings.HasSuffix(file, ".webp") {
		params.Format, params.Quality = page.CaptureScreenshotFormatWebp, new(int64(80))
	}
	img, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.min(Math.max(document.documentElement.scrollHeight, innerHeight), 3 * innerHeight)`))
		if err != nil {
			return nil, err
		}
		params.Clip = &page.Viewport{Width: float64(b.Screen.Width), Height: h, Scale: 1}
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, params)
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, img, 0o644)
}

// Screenshot keeps a picture of the page (its first three screens at most: a long ledger would
// be a picture nobody can read), named for the page and the screen, in
// .devstack/screenshots/ to look at (PNG); with HAOCHAPING_SCREENSHOTS=docs it also writes it
// to docs/screenshots/ as WebP, the pictures the README shows (make screenshots).
func (b *Browser) Screenshot(name string) {
	b.T.Helper()
	base := name + "-" + b.Screen.Name
	files := []string{filepath.Join(RepoRoot(), ".devstack", "screenshots", base+".png")}
	if os.Getenv("HAOCHAPING_SCREENSHOTS") == "docs" {
		files = append(files, filepath.Join(RepoRoot(), "docs", "screenshots", base+".webp"))
	}
	for _, f := range files {
		if err := b.saveScreenshot(f); err != nil {
			b.T.Fatalf("browsertest: screenshot %s: %v", filepath.Base(f), err)
		}
	}
}

// RepoRoot is the folder of go.mod, above the test's working directory.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// WaitFor polls a script condition until it holds or the timeout passes; it fails the test
// with what the page shows then.
func (b *Browser) WaitFor(what, cond string, timeout time.Duration) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		b.T.Fatalf("browsertest: waiting for %s: %v", what, err)
	}
}

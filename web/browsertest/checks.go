package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, read once: HAOCHAPING_AXE_JS (scripts/devstack.sh installs the pinned
// version from npm into .devstack/npm).
var axeSource = sync.OnceValues(func() (string, error) {
	p := os.Getenv("HAOCHAPING_AXE_JS")
	if p == "" {
		p = filepath.Join(RepoRoot(), ".devstack", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("axe-core not found (%v): run `make test`, whose set-up installs it", err)
	}
	return string(b), nil
})

// axeViolation is one rule axe found broken, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// CheckAccessibility runs axe-core on the page open now (WCAG 2.1 A and AA rules) and fails the
// test on every serious or critical violation; lesser ones are logged. axe is injected through
// the DevTools protocol, which the page's CSP does not govern.
func (b *Browser) CheckAccessibility(what string) {
	b.T.Helper()
	src, err := axeSource()
	if err != nil {
		b.T.Fatal(err)
	}
	if err := chromedp.Do(b.Ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		b.T.Fatalf("browsertest: load axe-core: %v", err)
	}
	found := Eval[[]axeViolation](b, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']}).then(r => r.violations)`)
	for _, v := range found {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, strings.Join(n.Target, " "))
		}
		msg := fmt.Sprintf("%s: axe %s (%s): %s — %s", what, v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			b.T.Error(msg)
		} else {
			b.T.Log(msg)
		}
	}
}

// CheckKeyboard tabs through the page and fails the test for every control that the keyboard
// never reaches: links, buttons, fields (a group of radios counts as reached when one of them
// is, as the arrow keys move within it).
func (b *Browser) CheckKeyboard(what string) {
	b.T.Helper()
	n := Eval[int](b, `(() => {
		document.querySelectorAll('[data-kbd]').forEach(e => delete e.dataset.kbd); // an earlier check's, on a page of several screens
		const els = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
			.filter(e => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' &&
				(!e.checkVisibility || e.checkVisibility())); // not inside a closed <details>
		els.forEach((e, i) => e.dataset.kbd = e.type === 'radio' ? 'radio:' + e.name : 'el:' + i);
		document.activeElement && document.activeElement.blur();
		window.scrollTo(0, 0);
		// A date field is three stops (year, month, day) to the keyboard.
		return els.length + 2 * els.filter(e => /^(date|time|datetime-local)$/.test(e.type)).length;
	})()`)
	if n == 0 {
		b.T.Fatalf("%s: no control on the page", what)
	}
	reached := map[string]bool{}
	for range n + 5 {
		b.Do("press Tab", chromedp.KeyEvent("\t"))
		if k := Eval[string](b, `document.activeElement && document.activeElement.dataset ? (document.activeElement.dataset.kbd || '') : ''`); k != "" {
			reached[k] = true
		}
	}
	b.Do("leave the keyboard's focus", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	all := Eval[[]string](b, `[...new Set([...document.querySelectorAll('[data-kbd]')].map(e => e.dataset.kbd))]`)
	for _, k := range all {
		if !reached[k] {
			label := Eval[string](b, fmt.Sprintf(`(() => { const e = document.querySelector('[data-kbd=%q]'); return e.outerHTML.slice(0, 160); })()`, k))
			b.T.Errorf("%s: the keyboard never reaches %s", what, label)
		}
	}
}

// CheckFits fails the test when the page is wider than the screen (a horizontal scroll bar),
// as happens at 200%% zoom to pages laid out for one width; the element that sticks out is
// named.
func (b *Browser) CheckFits(what string) {
	b.T.Helper()
	over := Eval[string](b, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w + 1) return '';
		const wide = [...document.querySelectorAll('body *')].find(e => e.getBoundingClientRect().right > w + 1);
		return (wide ? wide.outerHTML.slice(0, 160) : 'the page') + ' is ' + document.documentElement.scrollWidth + 'px wide on a ' + w + 'px screen';
	})()`)
	if over != "" {
		b.T.Errorf("%s on %s: %s", what, b.Screen.Name, over)
	}
}

// CheckPage runs the checks every page must pass on the screen it is shown on — no serious
// accessibility violation, every control reachable by keyboard, nothing wider than the screen
// — and again at 200% zoom. A browser zoom of 200% halves the CSS width; where that would go
// below the 320 px that WCAG's reflow rule asks pages to fit (a 360 px phone), the text is
// doubled instead, as a phone's font-size setting does.
func (b *Browser) CheckPage(what string) {
	b.T.Helper()
	b.CheckAccessibility(what)
	b.CheckKeyboard(what)
	b.CheckFits(what)
	screen := b.Screen
	if screen.Width/2 >= 320 {
		b.SetScreen(screen.Zoomed(200))
		b.CheckFits(what + " at 200% zoom")
		b.SetScreen(screen)
	} else {
		b.Do("double the text", chromedp.Evaluate[chromedp.Void](`document.documentElement.style.fontSize = (parseFloat(getComputedStyle(document.documentElement).fontSize) * 2) + 'px'`))
		b.CheckFits(what + " with text at 200%")
		b.Do("restore the text", chromedp.Evaluate[chromedp.Void](`document.documentElement.style.fontSize = ''`))
	}
	b.Check()
}

// Weight is what loading the page open now cost, from the browser's resource timing: bytes on
// the wire (headers included) and the time to the first contentful paint.
type Weight struct {
	Bytes     int64   // transfer size of the document and everything it loaded
	Requests  int     // how many requests that was
	PaintMS   float64 // first contentful paint, from the navigation's start (-1: not reported)
	DOMDoneMS float64 // DOMContentLoaded finished
	LoadMS    float64 // the load event finished: the page and all it loaded laid out
}

// Weigh reads the page's weight; open it in a fresh browser, so that nothing comes from cache.
func (b *Browser) Weigh() Weight {
	b.T.Helper()
	return Eval[Weight](b, `(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		const res = performance.getEntriesByType('resource');
		const paint = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint');
		return {
			Bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
			Requests: 1 + res.length,
			PaintMS: paint ? paint.startTime : -1,
			DOMDoneMS: nav.domContentLoadedEventEnd,
			LoadMS: nav.loadEventEnd,
		};
	})()`)
}

// CheapPhone makes the browser as slow as a cheap phone for what it loads next: the CPU
// slowed rate times (4 is the usual low-end phone profile) and the cache off, so that every
// load fetches everything.
func (b *Browser) CheapPhone(rate float64) {
	b.T.Helper()
	if _, err := chromedp.Call(b.Ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate}); err != nil {
		b.T.Fatalf("browsertest: throttle the CPU: %v", err)
	}
	if _, err := chromedp.Call(b.Ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		b.T.Fatalf("browsertest: disable the cache: %v", err)
	}
}

// NoScript turns the page's scripts off, as a browser with JavaScript disabled: the pages that
// promise to work without it are tried that way. Reading the page still works; axe does not
// (it waits on timers, which do not fire), so CheckPage is for pages with scripts on.
func (b *Browser) NoScript() {
	b.T.Helper()
	if _, err := chromedp.Call(b.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.T.Fatalf("browsertest: disable scripts: %v", err)
	}
}

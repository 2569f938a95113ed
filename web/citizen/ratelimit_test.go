package citizen_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
	"haochaping/web/browsertest"
)

// TestRateLimitedPairingPage: an address past its budget sends the pairing form and gets the
// error page in words (429), on the phone's screen and the office's.
func TestRateLimitedPairingPage(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Set(padNow)
	apptest.Seed(env)
	env.Cfg.RatePerAddress = 1
	srv := apptest.Start(env)
	srv.Raw("POST", "/pair", nil, nil) // spends the address's budget (refused afterwards, without a CSRF token)
	for _, screen := range []browsertest.Screen{browsertest.Phone, browsertest.Desktop} {
		b := browsertest.Open(t, srv.URL, screen)
		if status := b.Go("/pair?for=pad"); status != 200 {
			t.Fatalf("GET /pair: %d", status)
		}
		b.Do("type a code", chromedp.SendKeys(chromedp.ID("code"), "AAAA-BBB-CCC"))
		if status := b.Submit(`button[type=submit]`); status != 429 {
			t.Fatalf("%s: pairing past the address's budget: %d, want 429", screen.Name, status)
		}
		if got := b.Text("h1"); got != "请求过于频繁" || !strings.Contains(b.Text("main"), "秒后再试") {
			t.Errorf("%s: the 429 page: %q / %q", screen.Name, got, b.Text("main"))
		}
		b.CheckPage("429 page")
		b.Screenshot("rate-limited")
	}
}

package citizen_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// TestPairingRefusesAWrongCode: the pairing page, on the pad's screen, says beside the field
// that a code is wrong, and pairs nothing.
func TestPairingRefusesAWrongCode(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, padNow)
	b := browsertest.Open(t, srv.URL, browsertest.Pad)
	if status := b.Go("/pair?for=pad"); status != 200 {
		t.Fatalf("GET /pair: %d", status)
	}
	if got := b.Text("h1"); got != "窗口评价器配对" {
		t.Errorf("heading %q", got)
	}
	b.CheckPage("pairing page")
	b.Screenshot("pair")
	b.Do("type a wrong code", chromedp.SendKeys(chromedp.ID("code"), "AAAA-BBB-CCC"))
	if status := b.Submit(`button[type=submit]`); status != 422 {
		t.Errorf("a wrong code: %d, want 422", status)
	}
	if got := strings.TrimSpace(b.Text(".field.has-error .field-error")); got == "" || !strings.Contains(b.Text(".error-summary"), got) {
		t.Errorf("the message beside the field %q is not in the summary %q", got, b.Text(".error-summary"))
	}
	b.CheckPage("pairing page with a wrong code")
	b.Screenshot("pair-refused")
	if n := env.Count(`SELECT count(*) FROM device_sessions`); n != 0 {
		t.Errorf("%d device sessions after a wrong code", n)
	}
}

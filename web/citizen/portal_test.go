package citizen_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/channels/pc"
	"haochaping/evaluation"
	"haochaping/web/browsertest"
)

// ticketFor makes the ticket the portal would give its logged-in user for a case.
func ticketFor(t *testing.T, portal apptest.Device, caseNo string, user pc.User, expires time.Time) string {
	t.Helper()
	raw, err := pc.SignTicket(portal.Secret, pc.Ticket{Device: portal.ID, CaseNo: caseNo, User: user, Expires: expires.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	return "/pc?ticket=" + url.QueryEscape(raw)
}

var applicant = pc.User{ID: "portal-42", Person: evaluation.Person{Name: apptest.ApplicantName, Phone: apptest.ApplicantTel, IDNumber: apptest.ApplicantID}}

// TestPortalTicketRatesOnce: the portal sends its user with a signed ticket; the form is the
// phone's at a desk; the rating is the applicant's, real-name, on channel pc, once.
func TestPortalTicketRatesOnce(t *testing.T) {
	t.Parallel()
	env, srv := apptest.Serve(t, linkNow)
	srv.PushCase(apptest.OnlineCase("E2E-PC-0001", linkNow.Add(-time.Hour)))
	portal := srv.DemoDevice("demo-pc")
	path := ticketFor(t, portal, "E2E-PC-0001", applicant, time.Now().Add(10*time.Minute))

	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	if status := b.Go(path); status != 200 {
		t.Fatalf("GET /pc: %d", status)
	}
	if got := b.Text(".case-card"); !strings.Contains(got, "网上办理") {
		t.Errorf("the case card of an online case: %q", got)
	}
	if Eval(b, `document.querySelector('#phone') === null`) != "true" {
		t.Error("the portal's user is asked for a phone")
	}
	b.CheckPage("portal rating page")
	b.Screenshot("pc-rate")

	b.Do("choose 满意", chromedp.Click(chromedp.CSS(`label[for=level-4]`)))
	if status := b.Submit(`button[type=submit]`); status != 200 {
		t.Fatalf("submit: %d", status)
	}
	if got := b.Text("h1"); !strings.Contains(got, "感谢您的评价") {
		t.Fatalf("after submitting: %q", got)
	}
	b.Screenshot("pc-thanks")
	// The same ticket again: the case is rated, the browser goes to the case's page.
	b.Go(path)
	if got := b.Text("h1"); !strings.Contains(got, "您已评价") {
		t.Errorf("the ticket of a rated case shows %q", got)
	}
	if n := env.Count(`SELECT count(*) FROM evaluations e JOIN cases c ON c.id = e.case_id
		WHERE c.case_no = 'E2E-PC-0001' AND e.channel = 'pc' AND e.level = 4 AND e.active AND e.real_name AND e.device_id = 'demo-pc'`); n != 1 {
		t.Errorf("%d pc evaluations of the case, want 1", n)
	}
}

// TestPortalTicketRefusals: an expired ticket, a forged one, one too long-lived, and a user who
// is not the applicant each say so in words.
func TestPortalTicketRefusals(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, linkNow)
	srv.PushCase(apptest.OnlineCase("E2E-PC-0002", linkNow.Add(-time.Hour)))
	portal := srv.DemoDevice("demo-pc")
	b := browsertest.Open(t, srv.URL, browsertest.Desktop)

	if status := b.Go(ticketFor(t, portal, "E2E-PC-0002", applicant, time.Now().Add(-time.Minute))); status != 410 {
		t.Errorf("an expired ticket: %d, want 410", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "登录凭证已过期") {
		t.Errorf("an expired ticket says %q", got)
	}
	b.Screenshot("pc-ticket-expired")
	forged := apptest.Device{ID: portal.ID, Secret: "not-the-secret"}
	if status := b.Go(ticketFor(t, forged, "E2E-PC-0002", applicant, time.Now().Add(10*time.Minute))); status != 403 {
		t.Errorf("a forged ticket: %d, want 403", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "登录凭证无效") {
		t.Errorf("a forged ticket says %q", got)
	}
	if status := b.Go(ticketFor(t, portal, "E2E-PC-0002", applicant, time.Now().Add(2*time.Hour))); status != 403 {
		t.Errorf("a ticket valid for two hours: %d, want 403", status)
	}

	someoneElse := pc.User{ID: "portal-7", Person: evaluation.Person{Name: "李四", Phone: "13900001111", IDNumber: "370402199202023456"}}
	b.Go(ticketFor(t, portal, "E2E-PC-0002", someoneElse, time.Now().Add(10*time.Minute)))
	b.Do("choose 满意", chromedp.Click(chromedp.CSS(`label[for=level-4]`)))
	if status := b.Submit(`button[type=submit]`); status != 422 {
		t.Errorf("someone else's case: %d, want 422", status)
	}
	if got := b.Text(".error-summary"); got == "" {
		t.Error("no message for a user who is not the applicant")
	}
	b.CheckPage("portal refusal")
	b.Screenshot("pc-not-applicant")
}

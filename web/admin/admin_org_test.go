package admin_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"haochaping/app/apptest"
	"haochaping/web/browsertest"
)

// fill sets the fields of the form open now, by id: text inputs and selects alike.
func fill(b *browsertest.Browser, values map[string]string) {
	b.T.Helper()
	for id, v := range values {
		b.Do("fill "+id, chromedp.SetValue(chromedp.ID(id), v))
	}
}

// TestOfficeAdministersTheOrganisationAndSettings: the city's office adds a hall, a window in
// it and a staff member at the window through the forms, and finds them on the organisation
// page; sets 市中区's pad_prompt_seconds (本地区 there, 全市默认 in 薛城区), clears it, and is
// told beside the field why -5 is refused. 市中区's office sees its own hall only.
func TestOfficeAdministersTheOrganisationAndSettings(t *testing.T) {
	t.Parallel()
	_, srv := apptest.Serve(t, adminNow)
	b := browsertest.Open(t, srv.URL, browsertest.Desktop)
	b.Go("/admin/organisation")
	if !strings.HasPrefix(b.URL(), "/login?next=") {
		t.Fatalf("an anonymous browser at /admin/organisation is at %s", b.URL())
	}
	if status := b.LogIn("office", "demo1234"); status != 200 {
		t.Fatalf("login as office: %d at %s", status, b.URL())
	}
	if b.URL() != "/admin/organisation" {
		t.Fatalf("after login at %s", b.URL())
	}
	if got := b.Text("main"); !strings.Contains(got, "市中区政务服务中心") || !strings.Contains(got, "枣庄市政务服务中心") {
		t.Errorf("the city's organisation page lacks a hall: %.300q", got)
	}
	b.Screenshot("admin-org")

	// A hall: refused without a name and with a code off the pattern, each beside its field.
	b.Go("/admin/organisation/halls/new")
	fill(b, map[string]string{"code": "便民中心", "level": "town", "region": "370402"})
	if status := b.Submit(`.org-form button[type=submit]`); status != 422 {
		t.Fatalf("a hall without a name: %d", status)
	}
	if got := b.Text(`.field.has-error:has(#name) .field-error`); !strings.Contains(got, "请填写大厅名称") {
		t.Errorf("beside the name: %q", got)
	}
	if got := b.Text(`.field.has-error:has(#code) .field-error`); !strings.Contains(got, "大厅编码须为") {
		t.Errorf("beside the code: %q", got)
	}
	if got := b.Text(".error-summary"); !strings.Contains(got, "请填写大厅名称") {
		t.Errorf("the summary: %q", got)
	}
	b.CheckPage("hall form refused")
	b.Screenshot("admin-org-hall-refused")
	fill(b, map[string]string{"code": "370402-BM01", "name": "中心街便民服务中心", "address": "中心街 1 号"})
	if status := b.Submit(`.org-form button[type=submit]`); status != 200 || !strings.HasPrefix(b.URL(), "/admin/organisation?saved=hall") {
		t.Fatalf("the hall: %d at %s", status, b.URL())
	}
	if got := b.Text(".panel.ok"); !strings.Contains(got, "370402-BM01") {
		t.Errorf("the confirmation: %q", got)
	}

	// A window in it, from the hall's own link; a staff member at the window, from its row.
	b.Follow(`#hall-370402-BM01 a[href="/admin/organisation/windows/new?hall=370402-BM01"]`)
	fill(b, map[string]string{"code": "370402-BM01-ZH01", "name": "综合受理窗口", "department": "370402-SPJ", "kind": "comprehensive"})
	if status := b.Submit(`.org-form button[type=submit]`); status != 200 {
		t.Fatalf("the window: %d at %s", status, b.URL())
	}
	b.Follow(`#window-370402-BM01-ZH01 a.org-add`)
	if got := browsertest.Eval[string](b, `document.getElementById('department').value`); got != "370402-SPJ" {
		t.Errorf("the staff form from the window's row proposes the department %q", got)
	}
	fill(b, map[string]string{"staff_no": "370402-BM01-ZH01-1", "name": "王小明"})
	b.CheckPage("staff form")
	b.Screenshot("admin-org-staff")
	if status := b.Submit(`.org-form button[type=submit]`); status != 200 {
		t.Fatalf("the staff member: %d at %s", status, b.URL())
	}
	if got := b.Text("#window-370402-BM01-ZH01"); !strings.Contains(got, "王小明") || !strings.Contains(got, "370402-BM01-ZH01-1") {
		t.Errorf("the window's row: %q", got)
	}
	// The same staff number again: 409, said beside it.
	b.Go("/admin/organisation/staff/new")
	fill(b, map[string]string{"staff_no": "370402-BM01-ZH01-1", "name": "李四", "department": "370402-SPJ"})
	if status := b.Submit(`.org-form button[type=submit]`); status != 422 {
		t.Errorf("a staff number taken: %d", status)
	} else if got := b.Text(`.field.has-error:has(#staff_no) .field-error`); !strings.Contains(got, "已被使用") {
		t.Errorf("beside the staff number: %q", got)
	}

	// Settings: 市中区's own value; 薛城区 keeps the city-wide default; clearing returns it.
	const key = "pad_prompt_seconds"
	row := fmt.Sprintf("#setting-%s", key)
	b.Go("/admin/settings?region=370402")
	fill(b, map[string]string{"value-" + key: "-5"})
	if status := b.Submit(row + " .setting-form button"); status != 422 {
		t.Fatalf("-5 seconds: %d", status)
	}
	if got := b.Text(row + " .field-error"); !strings.Contains(got, "10至600之间的整数") {
		t.Errorf("beside the refused value: %q", got)
	}
	b.CheckPage("settings refused")
	b.Screenshot("admin-settings-refused")
	fill(b, map[string]string{"value-" + key: "90"})
	if status := b.Submit(row + " .setting-form button"); status != 200 {
		t.Fatalf("90 seconds: %d", status)
	}
	if got := b.Text(row); !strings.Contains(got, "90 秒") || !strings.Contains(got, "本地区") {
		t.Errorf("市中区's row after setting: %q", got)
	}
	b.CheckPage("settings")
	b.Screenshot("admin-settings")
	b.SetScreen(browsertest.Phone)
	b.Go("/admin/settings?region=370402")
	b.CheckPage("settings on a phone")
	b.Screenshot("admin-settings")
	b.SetScreen(browsertest.Desktop)
	b.Go("/admin/settings?region=370403")
	if got := b.Text(row); !strings.Contains(got, "120 秒") || !strings.Contains(got, "全市默认") {
		t.Errorf("薛城区's row: %q", got)
	}
	b.Go("/admin/settings?region=370402")
	if status := b.Submit(row + " .setting-clear button"); status != 200 {
		t.Fatalf("clear: %d", status)
	}
	if got := b.Text(row); !strings.Contains(got, "120 秒") || !strings.Contains(got, "全市默认") {
		t.Errorf("市中区's row after clearing: %q", got)
	}

	// 市中区's office: its own hall and the new one, nothing of the city's; the city's hall
	// is not found.
	d := browsertest.Open(t, srv.URL, browsertest.Desktop)
	d.Go("/admin/organisation")
	if status := d.LogIn("szq-office", "demo1234"); status != 200 {
		t.Fatalf("login as szq-office: %d at %s", status, d.URL())
	}
	halls := browsertest.Eval[[]string](d, `[...document.querySelectorAll('.org-hall h2')].map(h => h.textContent)`)
	if strings.Join(halls, ",") != "市中区政务服务中心,中心街便民服务中心,不在窗口的工作人员" {
		t.Errorf("市中区's office sees %q", halls)
	}
	d.CheckPage("市中区's organisation")
	d.Screenshot("admin-org-district")
	if status := d.Go("/admin/organisation/halls/370400-ZWFW/edit"); status != 404 {
		t.Errorf("the city's hall from 市中区: %d", status)
	}
	d.SetScreen(browsertest.Phone)
	d.Go("/admin/organisation")
	d.CheckPage("市中区's organisation on a phone")
	d.Screenshot("admin-org-district")
	d.Go("/admin/organisation/windows/new")
	fill(d, map[string]string{"code": "x", "hall": "370402-ZWFW", "kind": "comprehensive"})
	if status := d.Submit(`.org-form button[type=submit]`); status != 422 {
		t.Errorf("a refused window on a phone: %d", status)
	}
	d.CheckPage("window form refused on a phone")
	d.Screenshot("admin-org-window-refused")
}

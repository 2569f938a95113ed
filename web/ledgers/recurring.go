package ledgers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/measures"
	"haochaping/web/page"
	"haochaping/web/session"
)

// recurringView is the recurring problems (突出问题): what the bad reviews keep naming, for
// the office to accept into the rectification ledger or dismiss.
type recurringView struct {
	Frame
	Problems    []*ledger.RecurringProblem
	Status      string
	Statuses    []statusCount
	Departments []measures.Unit
	DefaultDue  string
	Accepted    []*ledger.Entry // the rectification ledger's entries: the problems accepted
}

var recurringStatuses = []struct{ Value, Name string }{{"proposed", "待研判"}, {"accepted", "已列入整改台账"}, {"dismissed", "不予列入"}}

// showRecurring is GET /ledgers/recurring?status (default proposed).
func (d Deps) showRecurring(c *fiber.Ctx) error { return d.renderRecurring(c, fiber.StatusOK, nil) }

func (d Deps) renderRecurring(c *fiber.Ctx, status int, form *page.Form) error {
	u := session.UserOf(c)
	v := recurringView{Frame: d.frameOf(c, "/ledgers/recurring"), Status: strings.Clone(c.Query("status", "proposed"))}
	if c.Query("done") == "propose" {
		v.Done = fmt.Sprintf("已查找近 30 天的突出问题，新发现 %d 个。", max(0, c.QueryInt("found")))
	}
	all, err := d.Ledger.RecurringProblems(c.UserContext(), u, "")
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, p := range all {
		counts[p.Status]++
		if p.Status == v.Status {
			v.Problems = append(v.Problems, p)
		}
	}
	known := false
	for _, s := range recurringStatuses {
		v.Statuses = append(v.Statuses, statusCount{s.Value, s.Name, counts[s.Value]})
		known = known || s.Value == v.Status
	}
	if !known {
		return problem.Invalid("invalid_status", "status", "没有这种状态")
	}
	if v.Departments, err = d.unitChoices(c); err != nil {
		return err
	}
	if v.Accepted, err = d.Ledger.Entries(c.UserContext(), u, ledger.Filter{Kind: ledger.Rectification}); err != nil {
		return err
	}
	v.DefaultDue = d.Ledger.Clock().In(bjtime.Location).AddDate(0, 1, 0).Format("2006-01-02")
	return d.Pages.Render(c, status, "ledgers_recurring", page.View{Title: "突出问题", Layout: "wide", Data: v, Form: form})
}

// acceptRecurring is POST /ledgers/recurring/{id}/accept: into the rectification ledger, with
// the unit answerable and the deadline (ledger.Service.AcceptRecurring).
func (d Deps) acceptRecurring(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f := &page.Form{Values: page.FormValues(c, "department_code", "due", "note")}
	_, err = d.Ledger.AcceptRecurring(c.UserContext(), session.UserOf(c), id,
		ledger.AcceptInput{DepartmentCode: f.Value("department_code"), Due: f.Value("due"), Note: f.Value("note")})
	if p, ok := refused(err); ok {
		// Each problem has its own form: its fields' ids carry its id.
		prefix := "accept" + strconv.FormatInt(id, 10) + "-"
		shown := &page.Form{Values: map[string][]string{}}
		fields := map[string]string{}
		for _, k := range []string{"department_code", "due", "note"} {
			fields[k] = prefix + k
			shown.Values[prefix+k] = f.Values[k]
		}
		shown.AddProblem(p, fields)
		return d.renderRecurring(c, p.Status, shown)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/ledgers/recurring?status=accepted&done=accept", fiber.StatusSeeOther)
}

// dismissRecurring is POST /ledgers/recurring/{id}/dismiss.
func (d Deps) dismissRecurring(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := d.Ledger.DismissRecurring(c.UserContext(), session.UserOf(c), id); err != nil {
		return err
	}
	return c.Redirect("/ledgers/recurring?status=dismissed&done=dismiss", fiber.StatusSeeOther)
}

// proposeRecurring is POST /ledgers/recurring/propose: the office looks for recurring
// problems in the last 30 days now, rather than waiting for the nightly job (office only).
func (d Deps) proposeRecurring(c *fiber.Ctx) error {
	u := session.UserOf(c)
	if !u.HasRole(access.OfficeAdmin) {
		return problem.Forbidden("forbidden_role", "只有政务服务管理机构可以查找突出问题")
	}
	y, m, day := d.Ledger.Clock().In(bjtime.Location).Date()
	to := time.Date(y, m, day, 0, 0, 0, 0, time.UTC) // the ledger's days are dates, as midnight UTC
	scope := u.Scope
	n, err := d.Ledger.ProposeRecurring(c.UserContext(), &scope, to.AddDate(0, 0, -29), to)
	if err != nil {
		return err
	}
	return c.Redirect("/ledgers/recurring?done=propose&found="+strconv.FormatInt(n, 10), fiber.StatusSeeOther)
}

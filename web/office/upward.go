package office

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/internal/problem"
	"haochaping/upward"
	"haochaping/web/page"
	"haochaping/web/session"
)

// The 省平台上报 page (/office/upward): the report to the provincial platform as the office
// sees it — the counts, the records the platform refused with its reason, the late ones, the
// pending — within the login's scope, from package upward as its API (upward/upwardapi) reads
// it. The office sends a refused record again, or all of its scope's; auditors read.

const upwardPerPage = 50

// upwardLists are the page's tabs: the list, its name, and what the page says when it is empty.
var upwardLists = []struct{ State, Name, Empty string }{
	{upward.ListRefused, "被退回", "没有被退回的记录。"},
	{upward.ListLate, "逾期", "没有逾期的记录：每条评价都在 5 个工作日内上报，或期限未到。"},
	{upward.ListPending, "待上报", "没有待上报的记录：评价都已上报省平台。"},
}

// upwardStates are the records' states as the office reads them.
var upwardStates = map[string]string{"pending": "待上报", "acknowledged": "省平台已接收", "refused": "被退回"}

type upwardTab struct {
	Name, URL string
	Count     int64
	Current   bool
}

type upwardRow struct {
	upward.Listed
	Kind, ChannelName, StateName string
}

type upwardView struct {
	Summary   *upward.Summary
	ScopeName string
	State     string
	ListName  string
	Tabs      []upwardTab
	Rows      []upwardRow
	Total     int
	Empty     string
	CanResend bool   // the office's: the buttons; auditors read
	Actions   bool   // the office's, on a list with a refused record: the column of 重新上报
	Done      string // what was just done (after the redirect)
	page.Pager
}

// upwardReaders admits the office and the auditors; unit heads read other measures, not this.
func upwardReaders(c *fiber.Ctx) error {
	if !session.UserOf(c).HasRole(access.OfficeAdmin, access.Auditor) {
		return problem.Forbidden("forbidden_role", "只有政务服务管理机构和监督人员可以查看省平台上报情况。")
	}
	return c.Next()
}

// upwardResenders admits the office alone: auditors change nothing.
func upwardResenders(c *fiber.Ctx) error {
	if !session.UserOf(c).HasRole(access.OfficeAdmin) {
		return problem.Forbidden("forbidden_role", "只有政务服务管理机构可以重新上报；监督人员只能查看。")
	}
	return c.Next()
}

// showUpward is GET /office/upward?state=refused|late|pending&page&done&n.
func (d Deps) showUpward(c *fiber.Ctx) error {
	ctx, u, now := c.UserContext(), session.UserOf(c), d.Now()
	state := strings.Clone(c.Query("state", upward.ListRefused))
	l, err := upward.List(ctx, d.DB, u.Scope, state, c.QueryInt("page", 1), upwardPerPage, now)
	if err != nil {
		return err
	}
	s, err := upward.Summarise(ctx, d.DB, u.Scope, now)
	if err != nil {
		return err
	}
	v := upwardView{Summary: s, ScopeName: u.Scope.Name, State: state, Total: l.Total, CanResend: u.HasRole(access.OfficeAdmin),
		Done: upwardDone(c.Query("done"), c.QueryInt("n"))}
	counts := map[string]int64{upward.ListRefused: s.Refused, upward.ListLate: s.Late, upward.ListPending: s.Pending}
	for _, list := range upwardLists {
		v.Tabs = append(v.Tabs, upwardTab{Name: list.Name, URL: "/office/upward?state=" + list.State, Count: counts[list.State], Current: list.State == state})
		if list.State == state {
			v.ListName, v.Empty = list.Name, list.Empty
		}
	}
	for _, r := range l.Items {
		v.Rows = append(v.Rows, rowOf(r))
		v.Actions = v.Actions || v.CanResend && r.State == "refused"
	}
	v.Pager = page.NewPager("/office/upward", url.Values{"state": {state}}, l.Page, (l.Total+upwardPerPage-1)/upwardPerPage)
	return d.Pages.Render(c, fiber.StatusOK, "office_upward", page.View{Title: "省平台上报：" + v.ListName, Layout: "wide", Data: v})
}

func rowOf(r upward.Listed) upwardRow {
	return upwardRow{Listed: r, Kind: upward.AssessName(r.AssessNumber), ChannelName: evaluation.Channel(r.Channel).Name(),
		StateName: upwardStates[r.State]}
}

// upwardDone says what was just done.
func upwardDone(done string, n int) string {
	switch done {
	case "resent":
		return "已重新上报：该记录已改为待上报，将随下一次上报（每 5 分钟一次）发往省平台。"
	case "resent-all":
		if n == 0 {
			return "没有被退回的记录需要重新上报。"
		}
		return fmt.Sprintf("已重新上报：%d 条被退回的记录已改为待上报，将随下一次上报（每 5 分钟一次）发往省平台。", n)
	}
	return ""
}

// backTo is the page to return to after a resend: the list and page the form was on.
func backTo(c *fiber.Ctx, done string, n int64) string {
	q := url.Values{"state": {upward.ListRefused}, "done": {done}}
	for _, list := range upward.Lists {
		if c.FormValue("state") == list {
			q.Set("state", list)
		}
	}
	if p, err := strconv.Atoi(c.FormValue("page")); err == nil && p > 1 {
		q.Set("page", strconv.Itoa(p))
	}
	if done == "resent-all" {
		q.Set("n", strconv.FormatInt(n, 10))
	}
	return "/office/upward?" + q.Encode()
}

// resendUpward is POST /office/upward/records/{id}/resend: 重新上报 of one refused record of the
// scope; one that is not refused (any more) is a conflict, one outside the scope not found.
func (d Deps) resendUpward(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return problem.NotFound("upward_record_not_found", "没有这条上报记录，或不在您的权限范围内")
	}
	if err := upward.ResendIn(c.UserContext(), d.DB, session.UserOf(c).Scope, id, d.Now()); err != nil {
		return err
	}
	return c.Redirect(backTo(c, "resent", 1), fiber.StatusSeeOther)
}

// resendAllUpward is POST /office/upward/resend-all: 全部重新上报, every refused record of the
// scope.
func (d Deps) resendAllUpward(c *fiber.Ctx) error {
	n, err := upward.ResendAllIn(c.UserContext(), d.DB, session.UserOf(c).Scope, d.Now())
	if err != nil {
		return err
	}
	return c.Redirect(backTo(c, "resent-all", n), fiber.StatusSeeOther)
}

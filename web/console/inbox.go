package console

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/rectify"
	"haochaping/web/page"
	"haochaping/web/session"
)

// inboxView is the inbox: the orders of the page, the filters as chosen, the way to the next page.
type inboxView struct {
	Title    string
	Orders   []*rectify.Listed
	Total    int
	States   []stateChoice
	State    string
	Overdue  bool
	Mine     bool
	Query    string
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Filtered bool
	Overdues int // orders of the inbox overdue now, whatever the filters
}

type stateChoice struct {
	Value, Name string
	Count       int
}

const inboxPerPage = 20

// showInbox is GET /console?state=&overdue=1&mine=1&q=&page=: the work orders the user
// answers for or oversees, overdue first, then by the nearest deadline (rectify.List).
func (d Deps) showInbox(c *fiber.Ctx) error {
	u := session.UserOf(c)
	v := inboxView{Title: "工单", State: strings.Clone(c.Query("state")), Overdue: c.Query("overdue") == "1",
		Mine: c.Query("mine") == "1", Query: strings.TrimSpace(strings.Clone(c.Query("q")))}
	counts, err := d.Rectify.Count(c.UserContext(), u, rectify.Filter{})
	if err != nil {
		return err
	}
	for _, s := range rectify.States() {
		v.States = append(v.States, stateChoice{string(s), s.Name(), counts.ByState[s]})
	}
	v.Overdues = counts.Overdue
	f := rectify.Filter{Mine: v.Mine, Query: v.Query, PerPage: inboxPerPage, Page: max(1, c.QueryInt("page", 1))}
	if v.State != "" {
		if !rectify.State(v.State).Valid() {
			v.State = ""
		} else {
			f.States = []rectify.State{rectify.State(v.State)}
		}
	}
	if v.Overdue {
		f.Overdue = &v.Overdue
	}
	v.Filtered = v.State != "" || v.Overdue || v.Mine || v.Query != ""
	p, err := d.Rectify.List(c.UserContext(), u, f)
	if err != nil {
		return err
	}
	v.Orders, v.Total, v.Page = p.Items, p.Total, p.Page
	v.Pages = max(1, (p.Total+inboxPerPage-1)/inboxPerPage)
	if v.Page > 1 {
		v.PrevURL = v.pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = v.pageURL(v.Page + 1)
	}
	switch u.Role {
	case access.WindowStaff:
		v.Title = "我的工单"
	case access.UnitHead:
		v.Title = "本单位工单"
	default:
		v.Title = "辖区工单"
	}
	return d.Pages.Render(c, fiber.StatusOK, "console_inbox", page.View{Title: v.Title, Layout: "wide", Data: v})
}

// pageURL is the inbox with the same filters at page n.
func (v inboxView) pageURL(n int) string {
	q := url.Values{}
	if v.State != "" {
		q.Set("state", v.State)
	}
	if v.Overdue {
		q.Set("overdue", "1")
	}
	if v.Mine {
		q.Set("mine", "1")
	}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	q.Set("page", strconv.Itoa(n))
	return "/console?" + q.Encode()
}

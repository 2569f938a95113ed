package ledgers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/measures"
	"haochaping/web/page"
	"haochaping/web/session"
)

// entriesView is a plan ledger: its entries as filtered, the count of each status, the choices.
type entriesView struct {
	Frame
	Kind        ledger.Kind
	Name        string
	Entries     []*ledger.Entry
	Total       int // entries of the ledger in scope, whatever the status chosen
	Statuses    []statusCount
	Status      string
	Department  string
	Departments []measures.Unit
	ExportURL   string
}

type statusCount struct {
	Value, Name string
	Count       int
}

// statusOrder is how the statuses are listed: what needs the office's attention first.
var statusOrder = []ledger.Status{ledger.Overdue, ledger.NotStarted, ledger.InProgress, ledger.Ongoing, ledger.Completed}

// ledgerNames are the plan ledgers' names.
var ledgerNames = map[ledger.Kind]string{ledger.Work: "工作台账", ledger.Problems: "问题整改台账"}

// showEntries is GET /ledgers/work and /ledgers/problem?status&department: the ledger's
// entries the user may see (ledger.Service.Entries), with the status of each.
func (d Deps) showEntries(kind ledger.Kind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := session.UserOf(c)
		v := entriesView{Frame: d.frameOf(c, "/ledgers/"+string(kind)), Kind: kind, Name: ledgerNames[kind]}
		f := ledger.Filter{Kind: kind}
		if s := strings.TrimSpace(c.Query("status")); s != "" {
			st, ok := ledger.StatusFromName(s)
			if !ok {
				return problem.Invalid("invalid_status", "status", "没有这种台账状态")
			}
			v.Status = string(st)
		}
		var err error
		if v.Departments, err = d.unitChoices(c); err != nil {
			return err
		}
		if code := strings.TrimSpace(c.Query("department")); code != "" {
			id, _, err := d.Ledger.UnitByCode(c.UserContext(), code)
			if err != nil {
				return err
			}
			f.Department, v.Department = id, strings.Clone(code)
		}
		all, err := d.Ledger.Entries(c.UserContext(), u, f)
		if err != nil {
			return err
		}
		counts := map[ledger.Status]int{}
		for _, e := range all {
			counts[e.Status]++
			if v.Status == "" || string(e.Status) == v.Status {
				v.Entries = append(v.Entries, e)
			}
		}
		v.Total = len(all)
		for _, s := range statusOrder {
			v.Statuses = append(v.Statuses, statusCount{string(s), s.Name(), counts[s]})
		}
		q := url.Values{"kind": {string(kind)}}
		if v.Status != "" {
			q.Set("status", v.Status)
		}
		if v.Department != "" {
			q.Set("department", v.Department)
		}
		v.ExportURL = "/api/v1/ledgers/export?" + q.Encode()
		if err := d.withRound(c, &v.Frame); err != nil {
			return err
		}
		return d.Pages.Render(c, fiber.StatusOK, "ledgers_entries", page.View{Title: v.Name, Layout: "wide", Data: v})
	}
}

// unitChoices are the departments of the user's scope, for the forms and filters; a unit's
// own login has one.
func (d Deps) unitChoices(c *fiber.Ctx) ([]measures.Unit, error) {
	departments, _, err := d.Measures.Units(c.UserContext(), 0, session.UserOf(c).Scope)
	return departments, err
}

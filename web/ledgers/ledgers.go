// Package ledgers is the ledgers as pages (/ledgers): the plan's work ledger (工作台账) and
// problem ledger (问题整改台账) with each entry's status, the current reporting round and the
// units that have not reported in it, a unit's report on an entry, the rectification ledger of
// bad reviews (差评整改台账), the recurring problems the office accepts into it or dismisses, the
// Excel export, and the import of a filled-in sheet that shows every refused row with its
// reason. Every handler asks the ledger package what the API asks, so a page shows and does no
// more than the user's bearer token could.
package ledgers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/measures"
	"haochaping/web/page"
	"haochaping/web/session"
)

// Deps are what the ledger pages use.
type Deps struct {
	Pages    *page.Renderer
	Users    *access.Users
	Ledger   *ledger.Service
	Measures *measures.Service // the units of a user's scope, for the forms' choices
	// Staff is the console's middleware that puts who is logged in into the page's header.
	Staff fiber.Handler
}

// Register mounts the ledger pages on r; mw are the page marker and the CSRF check.
func Register(r fiber.Router, mw []fiber.Handler, d Deps) {
	route := func(h fiber.Handler) []fiber.Handler {
		return append(append([]fiber.Handler{}, mw...), session.Page(d.Users), d.Staff, h) // a fresh slice each
	}
	r.Get("/ledgers", route(func(c *fiber.Ctx) error { return c.Redirect("/ledgers/work", fiber.StatusSeeOther) })...)
	r.Get("/ledgers/work", route(d.showEntries(ledger.Work))...)
	r.Get("/ledgers/problem", route(d.showEntries(ledger.Problems))...)
	r.Get("/ledgers/entries/:id", route(d.showEntry)...)
	r.Post("/ledgers/entries/:id/report", route(d.report)...)
	r.Get("/ledgers/rounds", route(d.showRounds)...)
	r.Post("/ledgers/rounds", route(d.openRound)...)
	r.Post("/ledgers/rounds/:id/close", route(d.closeRound)...)
	r.Get("/ledgers/rectification", route(d.showRectification)...)
	r.Get("/ledgers/recurring", route(d.showRecurring)...)
	r.Post("/ledgers/recurring/propose", route(d.proposeRecurring)...)
	r.Post("/ledgers/recurring/:id/accept", route(d.acceptRecurring)...)
	r.Post("/ledgers/recurring/:id/dismiss", route(d.dismissRecurring)...)
	r.Get("/ledgers/import", route(d.showImport)...)
	r.Post("/ledgers/import", route(d.importSheet)...)
}

// tab is one of the ledger pages' tabs.
type tab struct{ Path, Name string }

// tabs are the ledger pages, in the office's order of work.
var tabs = []tab{
	{"/ledgers/work", "工作台账"}, {"/ledgers/problem", "问题整改台账"}, {"/ledgers/rectification", "差评整改台账"},
	{"/ledgers/recurring", "突出问题"}, {"/ledgers/rounds", "填报轮次"}, {"/ledgers/import", "导入台账"},
}

// Frame is what every ledger page shows around its own content: the tabs, which one is on,
// and what the user may do.
type Frame struct {
	Tabs      []tab
	Current   string
	Reporter  bool // reports progress: a unit head, or the office for a unit
	Office    bool // an office administrator: accepts, dismisses, imports for a unit
	Done      string
	RoundNote *roundNote
}

// roundNote is the banner of the open round: its title, due time, and who has not reported.
type roundNote struct {
	Round   *ledger.Round
	Missing int
}

func (d Deps) frameOf(c *fiber.Ctx, current string) Frame {
	u := session.UserOf(c)
	return Frame{Tabs: tabs, Current: current, Reporter: ledger.MayReport(u),
		Office: u.HasRole(access.OfficeAdmin), Done: doneMessages[c.Query("done")]}
}

// withRound adds the open round's banner to f: none when no round is open.
func (d Deps) withRound(c *fiber.Ctx, f *Frame) error {
	round, missing, err := d.Ledger.MissingReporters(c.UserContext(), session.UserOf(c), 0)
	if p, ok := problem.As(err); ok && p.Code == "no_open_round" {
		return nil
	}
	if err != nil {
		return err
	}
	f.RoundNote = &roundNote{Round: round, Missing: len(missing)}
	return nil
}

// doneMessages say, after a redirect, what was recorded.
var doneMessages = map[string]string{
	"report": "已提交本轮填报。", "open": "已发起新的填报轮次。", "close": "已结束填报轮次。",
	"accept": "已列入差评整改台账。", "dismiss": "已不予列入。", "propose": "已查找近 30 天的突出问题。",
}

// pathID reads a positive integer path parameter; anything else is a page not found.
func pathID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound("not_found", "页面不存在")
	}
	return id, nil
}

// refused is a domain refusal a form shows beside its fields (a 4xx other than not found);
// anything else is the error page's.
func refused(err error) (*problem.Error, bool) {
	p, ok := problem.As(err)
	return p, ok && p.Status < 500 && p.Status != fiber.StatusNotFound
}

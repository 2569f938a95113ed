package ledgers

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/ledger"
	"haochaping/web/page"
	"haochaping/web/session"
)

// entryView is one ledger entry: what the plan asks, each unit answerable with its latest
// report, every report made, and the report form when the user may report.
type entryView struct {
	Frame
	Entry     *ledger.Entry
	LedgerURL string
	History   []ledger.Report
	// CanReport: a round is open and the user reports for a unit of this entry.
	CanReport bool
	// ForUnits: the units an office may report for (a unit head reports for its own).
	ForUnits []ledger.Unit
}

// showEntry is GET /ledgers/entries/{id}.
func (d Deps) showEntry(c *fiber.Ctx) error {
	return d.renderEntry(c, fiber.StatusOK, nil)
}

func (d Deps) renderEntry(c *fiber.Ctx, status int, form *page.Form) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u := session.UserOf(c)
	e, err := d.Ledger.Entry(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	history, err := d.Ledger.History(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	v := entryView{Frame: d.frameOf(c, "/ledgers/"+string(e.Kind)), Entry: e, History: history, LedgerURL: "/ledgers/" + string(e.Kind)}
	if e.Kind == ledger.Rectification {
		v.Current, v.LedgerURL = "/ledgers/recurring", "/ledgers/recurring"
	}
	if err := d.withRound(c, &v.Frame); err != nil {
		return err
	}
	if v.RoundNote != nil && v.Reporter && len(e.Units) > 0 {
		v.CanReport = true
		if v.Office {
			v.ForUnits = e.Units
		}
	}
	return d.Pages.Render(c, status, "ledgers_entry", page.View{Title: "台账条目 " + e.Title, Layout: "wide", Data: v, Form: form})
}

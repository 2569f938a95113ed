package ledgers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/web/page"
	"haochaping/web/session"
)

// roundsView is the reporting rounds: the open one with the units that have not reported on
// everything they answer for, and the rounds before.
type roundsView struct {
	Frame
	Open    *ledger.Round
	Missing []missingUnit
	Rounds  []*ledger.Round
	// CityOffice: may open and close rounds (the plan's rounds are the city's).
	CityOffice bool
	// DefaultDue is the form's suggestion: a week from today, 17:00.
	DefaultDue string
}

// showRounds is GET /ledgers/rounds.
func (d Deps) showRounds(c *fiber.Ctx) error { return d.renderRounds(c, fiber.StatusOK, nil) }

func (d Deps) renderRounds(c *fiber.Ctx, status int, form *page.Form) error {
	u := session.UserOf(c)
	v := roundsView{Frame: d.frameOf(c, "/ledgers/rounds")}
	open, missing, err := d.Ledger.MissingReporters(c.UserContext(), u, 0)
	if p, ok := problem.As(err); ok && p.Code == "no_open_round" {
		err = nil
	}
	if err != nil {
		return err
	}
	v.Open = open
	for _, m := range missing {
		v.Missing = append(v.Missing, missingUnit{Missing: m, Lists: compactRefs(m.MissingNos)})
	}
	if v.Rounds, err = d.Ledger.Rounds(c.UserContext()); err != nil {
		return err
	}
	if v.CityOffice, err = d.Ledger.IsCityOffice(c.UserContext(), u); err != nil {
		return err
	}
	now := d.Ledger.Clock().In(bjtime.Location)
	v.DefaultDue = time.Date(now.Year(), now.Month(), now.Day()+7, 17, 0, 0, 0, bjtime.Location).Format("2006-01-02T15:04")
	return d.Pages.Render(c, status, "ledgers_rounds", page.View{Title: "填报轮次", Layout: "wide", Data: v, Form: form})
}

// roundFields are the round form's fields and the domain's names of them.
var roundFields = map[string]string{"title": "round-title", "due_at": "round-due"}

// openRound is POST /ledgers/rounds: a new round, the open one closed (ledger.Service.OpenRound).
func (d Deps) openRound(c *fiber.Ctx) error {
	f := &page.Form{Values: page.FormValues(c, "title", "due_at")}
	due, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(f.Value("due_at")), bjtime.Location)
	if err != nil {
		err = problem.Invalid("invalid_due", "due_at", "请填写截止时间")
	} else {
		_, err = d.Ledger.OpenRound(c.UserContext(), session.UserOf(c), f.Value("title"), due)
	}
	if p, ok := refused(err); ok {
		shown := &page.Form{Values: map[string][]string{"round-title": f.Values["title"], "round-due": f.Values["due_at"]}}
		shown.AddProblem(p, roundFields)
		return d.renderRounds(c, p.Status, shown)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/ledgers/rounds?done=open", fiber.StatusSeeOther)
}

// closeRound is POST /ledgers/rounds/{id}/close.
func (d Deps) closeRound(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := d.Ledger.CloseRound(c.UserContext(), session.UserOf(c), id); err != nil {
		return err
	}
	return c.Redirect("/ledgers/rounds?done=close&round="+strconv.FormatInt(id, 10), fiber.StatusSeeOther)
}

// missingUnit is a unit that has not reported on everything, with what is missing written
// the way an office reads it out on the phone.
type missingUnit struct {
	ledger.Missing
	Lists []string // per ledger: "工作台账 1–12、14"
}

// refLedgerNames name the ledgers in the list of what is missing.
var refLedgerNames = map[ledger.Kind]string{ledger.Work: "工作台账", ledger.Problems: "问题整改台账", ledger.Rectification: "差评整改台账"}

// compactRefs writes entry numbers as runs, ledger by ledger: a unit answerable for a hundred
// tasks would otherwise be a hundred numbers. refs come in ledger order, numbers ascending.
func compactRefs(refs []ledger.EntryRef) []string {
	var out []string
	for i := 0; i < len(refs); {
		kind := refs[i].Kind
		var runs []string
		for i < len(refs) && refs[i].Kind == kind {
			j := i
			for j+1 < len(refs) && refs[j+1].Kind == kind && refs[j+1].No == refs[j].No+1 {
				j++
			}
			run := strconv.Itoa(refs[i].No)
			if j > i {
				run += "–" + strconv.Itoa(refs[j].No)
			}
			runs = append(runs, run)
			i = j + 1
		}
		out = append(out, refLedgerNames[kind]+" "+strings.Join(runs, "、"))
	}
	return out
}

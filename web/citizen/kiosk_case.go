package citizen

import (
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/web/page"
)

// caseNoPattern is what a case number may be (the cases table's CHECK).
var caseNoPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{4,64}$`)

// kioskCase is a case as the kiosk shows it before the rating: what is rated, nothing of the
// applicant but whether a phone is on record (a bad review can then be called back).
type kioskCase struct {
	CaseNo       string `json:"case_no"`
	Stage        string `json:"stage"`
	StageName    string `json:"stage_name"`
	Item         string `json:"item"`
	Department   string `json:"department"`
	Place        string `json:"place"`
	ServedAt     string `json:"served_at"` // Beijing time, as people read it
	Kind         string `json:"kind"`      // the reason set that applies: offline (现场) or online (网上)
	HasPhone     bool   `json:"has_phone"`
	CallbackDays int    `json:"callback_days"`
	// Status: open (it may be rated), rated (a rating is in force) or expired (its period is over).
	Status string `json:"status"`
}

// kioskCaseLookup is GET /kiosk/case?case_no=: the case a citizen typed, if the kiosk may rate
// it (a case of its hall, or of its region by kiosk_scope: the check Ingest makes). It answers
// JSON, refusals included — {code, message} with 404/422 — for kiosk.js to show beside the field.
func (d Deps) kioskCaseLookup(c *fiber.Ctx) error {
	caseNo := strings.TrimSpace(strings.Clone(c.Query("case_no")))
	if !caseNoPattern.MatchString(caseNo) {
		return kioskProblem(c, problem.Invalid("invalid_case_no", "case_no", "办件编号由 4 至 64 位字母、数字、“-”或“_”组成，请核对后重新输入"))
	}
	hallID, err := kioskHallID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	l, err := d.Evaluation.CaseAtKiosk(ctx, caseNo, hallID)
	if p, ok := problem.As(err); ok && p.Status < 500 {
		return kioskProblem(c, p)
	}
	if err != nil {
		return err
	}
	days, err := d.Rectify.RegionDeadlineDays(ctx, l.RegionID)
	if err != nil {
		return err
	}
	place := l.Hall
	if l.Window != "" {
		place = strings.TrimPrefix(l.Hall+" · "+l.Window, " · ")
	}
	if place == "" {
		place = "网上办理"
	}
	v := kioskCase{
		CaseNo: l.CaseNo, Stage: string(l.Stage), StageName: l.Stage.Name(), Item: l.ItemName, Department: l.Department,
		Place: place, ServedAt: page.DateTime(l.ServedAt), Kind: string(l.Kind), HasPhone: l.HasPhone,
		CallbackDays: days.Callback, Status: "open",
	}
	switch {
	case l.Rated != nil:
		v.Status = "rated"
	case !l.Open(d.Evaluation.Now()):
		v.Status = "expired"
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

// kioskProblem answers a refusal as JSON: these routes are the page's, whose errors would
// otherwise be answered as the error page.
func kioskProblem(c *fiber.Ctx, p *problem.Error) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(p.Status).JSON(p)
}

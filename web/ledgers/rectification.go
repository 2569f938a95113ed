package ledgers

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/measures"
	"haochaping/web/page"
	"haochaping/web/session"
)

// rectificationView is the 差评整改台账: every bad review in the period with its record.
type rectificationView struct {
	Frame
	Rows        []ledger.RectificationRow
	Total       int
	From, To    string
	Department  string
	OpenOnly    bool
	Departments []measures.Unit
	ExportURL   string
	page.Pager
}

const rectificationPerPage = 100

// showRectification is GET /ledgers/rectification?from&to&department&open&page: the bad
// reviews rated in the period (this month by default) whose orders the user sees.
func (d Deps) showRectification(c *fiber.Ctx) error {
	v := rectificationView{Frame: d.frameOf(c, "/ledgers/rectification"), OpenOnly: c.Query("open") == "1"}
	y, m, day := d.Ledger.Clock().In(bjtime.Location).Date()
	today := time.Date(y, m, day, 0, 0, 0, 0, time.UTC) // the ledger's days are dates, as midnight UTC
	from, err := dayParam(c, "from", time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	to, err := dayParam(c, "to", today)
	if err != nil {
		return err
	}
	if to.Before(from) {
		return problem.Invalid("invalid_period", "to", "结束日期早于开始日期")
	}
	v.From, v.To = from.Format("2006-01-02"), to.Format("2006-01-02")
	f := ledger.RectificationFilter{From: from, To: to, OpenOnly: v.OpenOnly}
	if v.Departments, err = d.unitChoices(c); err != nil {
		return err
	}
	if code := strings.TrimSpace(c.Query("department")); code != "" {
		if f.Department, _, err = d.Ledger.UnitByCode(c.UserContext(), code); err != nil {
			return err
		}
		v.Department = strings.Clone(code)
	}
	rows, err := d.Ledger.RectificationRows(c.UserContext(), session.UserOf(c), f)
	if err != nil {
		return err
	}
	q := url.Values{"from": {v.From}, "to": {v.To}}
	if v.Department != "" {
		q.Set("department", v.Department)
	}
	v.ExportURL = "/api/v1/ledgers/export?kind=rectification&" + q.Encode()
	if v.OpenOnly {
		q.Set("open", "1")
	}
	v.Total = len(rows)
	pages := max(1, (v.Total+rectificationPerPage-1)/rectificationPerPage)
	n := min(max(1, c.QueryInt("page", 1)), pages)
	v.Rows = rows[(n-1)*rectificationPerPage : min(n*rectificationPerPage, v.Total)]
	v.Pager = page.NewPager("/ledgers/rectification", q, n, pages)
	return d.Pages.Render(c, fiber.StatusOK, "ledgers_rectification", page.View{Title: "差评整改台账", Layout: "wide", Data: v})
}

// dayParam reads a YYYY-MM-DD query parameter, a Beijing calendar day given as midnight UTC of
// that date (as ledger's filters take it); absent: def.
func dayParam(c *fiber.Ctx, name string, def time.Time) (time.Time, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return def, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return t, problem.Invalid("invalid_date", name, "日期须为 YYYY-MM-DD")
	}
	return t, nil
}

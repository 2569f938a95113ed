package office

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/measures"
	"haochaping/measures/statsapi"
	"haochaping/web/page"
)

// rowsView is the list behind one part of a figure.
type rowsView struct {
	*measures.RowsPage
	Filter           filterView
	PartName         string
	Back             string
	PrevURL, NextURL string
	Pages            int
}

const rowsPerPage = 50

// showRows is GET /office/rows?measure&part&…filters: the evaluations or orders a figure
// counts (measures.Rows: its total is the figure).
func (d Deps) showRows(c *fiber.Ctx) error {
	q, err := statsapi.ParseQuery(c, d.Measures, d.DB)
	if err != nil {
		return err
	}
	fv, err := d.filterView(c, q)
	if err != nil {
		return err
	}
	part := strings.Clone(c.Query("part", "numerator"))
	rq := measures.RowsQuery{Query: q, Measure: strings.Clone(c.Query("measure")), Part: part,
		Page: max(1, c.QueryInt("page", 1)), PerPage: rowsPerPage}
	rows, err := d.Measures.Rows(c.UserContext(), rq)
	if err != nil {
		return err
	}
	v := rowsView{RowsPage: &rows, Filter: fv, PartName: map[string]string{"numerator": "分子", "denominator": "分母"}[part],
		Back: "/office?" + fv.Query.Encode()}
	v.Pages = max(1, int((rows.Total+rowsPerPage-1)/rowsPerPage))
	if rows.Page > 1 {
		v.PrevURL = fv.rowsURL(rq.Measure, part, rows.Page-1)
	}
	if rows.Page < v.Pages {
		v.NextURL = fv.rowsURL(rq.Measure, part, rows.Page+1)
	}
	return d.Pages.Render(c, fiber.StatusOK, "office_rows", page.View{Title: rows.Name + "：" + v.PartName + "明细", Layout: "wide", Data: v})
}

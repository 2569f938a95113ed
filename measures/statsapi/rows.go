package statsapi

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/measures"
)

// rows is GET /stats/rows?measure=&part=numerator|denominator&…: the evaluations or work orders
// behind one figure of the overview, a page at a time, under the overview's filters and scope
// (measureQuery), so that the total equals the figure.
func (h *handlers) rows(c *fiber.Ctx) error {
	q, err := h.measureQuery(c)
	if err != nil {
		return err
	}
	rq := measures.RowsQuery{Query: q, Measure: c.Query("measure"), Part: c.Query("part")}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"page", &rq.Page, 1 << 20}, {"per_page", &rq.PerPage, measures.MaxPerPage}} {
		v := strings.TrimSpace(c.Query(p.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > p.max {
			return problem.Invalid("invalid_"+p.name, p.name, p.name+" 须为 1 至 "+strconv.Itoa(p.max)+" 的整数")
		}
		*p.dst = n
	}
	page, err := h.measures.Rows(c.UserContext(), rq)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": period(q), "filters": filters(c), "measure": page.Measure, "name": page.Name,
		"part": page.Part, "kind": page.Kind, "total": page.Total, "page": page.Page, "per_page": page.PerPage,
		"items": page.Items})
}

package ledgers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"haochaping/ledger"
	"haochaping/web/page"
	"haochaping/web/session"
)

// reportFields are the report form's fields, as posted and as the domain names them.
var reportFields = map[string]string{"department_code": "report-department", "progress": "report-progress",
	"measures": "report-measures", "issues": "report-issues", "completed": "report-completed"}

// report is POST /ledgers/entries/{id}/report: a unit's report on the entry in the open
// round (ledger.Service.Report), then back to the entry; a refused report is shown again with
// its message beside the field.
func (d Deps) report(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f := &page.Form{Values: page.FormValues(c, "department_code", "progress", "measures", "issues", "completed")}
	in := ledger.ReportInput{EntryID: id, DepartmentCode: f.Value("department_code"), Progress: f.Value("progress"),
		Measures: f.Value("measures"), Issues: f.Value("issues"), Completed: f.Value("completed") == "yes"}
	_, err = d.Ledger.Report(c.UserContext(), session.UserOf(c), in, "web")
	if p, ok := refused(err); ok {
		shown := &page.Form{Values: map[string][]string{}}
		for k, id := range reportFields {
			shown.Values[id] = f.Values[k]
		}
		shown.AddProblem(p, reportFields)
		return d.renderEntry(c, p.Status, shown)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/ledgers/entries/"+strconv.FormatInt(id, 10)+"?done=report#history", fiber.StatusSeeOther)
}

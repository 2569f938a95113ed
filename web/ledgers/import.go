package ledgers

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/web/page"
	"haochaping/web/session"
)

// importView is the import form and, after a file, what the import did: the rows applied,
// skipped, and each refused row with its reason.
type importView struct {
	Frame
	Result   *ledger.ImportResult
	FileName string
}

// showImport is GET /ledgers/import.
func (d Deps) showImport(c *fiber.Ctx) error {
	v := importView{Frame: d.frameOf(c, "/ledgers/import")}
	if err := d.withRound(c, &v.Frame); err != nil {
		return err
	}
	return d.Pages.Render(c, fiber.StatusOK, "ledgers_import", page.View{Title: "导入台账", Layout: "wide", Data: v})
}

// importSheet is POST /ledgers/import: a filled-in work or problem ledger, one unit's sheet
// (ledger.Service.Import). A sheet refused whole is shown beside the file field; otherwise the
// page lists what was applied and every refused row with its Excel row number and reason.
func (d Deps) importSheet(c *fiber.Ctx) error {
	v := importView{Frame: d.frameOf(c, "/ledgers/import")}
	if err := d.withRound(c, &v.Frame); err != nil {
		return err
	}
	res, name, err := d.importFile(c)
	v.Result, v.FileName = res, name
	if p, ok := refused(err); ok {
		form := &page.Form{}
		form.AddProblem(p, map[string]string{"file": "import-file"})
		if res != nil && res.Applied > 0 { // stopped midway: say what stays applied
			form.Add("", fmt.Sprintf("导入中止前已记录 %d 行。", res.Applied))
		}
		return d.Pages.Render(c, p.Status, "ledgers_import", page.View{Title: "导入台账", Layout: "wide", Data: v, Form: form})
	}
	if err != nil {
		return err
	}
	return d.Pages.Render(c, fiber.StatusOK, "ledgers_import", page.View{Title: "导入结果", Layout: "wide", Data: v})
}

// importFile reads the uploaded workbook (field "file") and imports it.
func (d Deps) importFile(c *fiber.Ctx) (*ledger.ImportResult, string, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return nil, "", problem.Invalid("file_required", "file", "请选择填好的台账文件（.xlsx）")
	}
	name := fh.Filename
	f, err := fh.Open()
	if err != nil {
		return nil, name, fmt.Errorf("read upload %s: %w", name, err)
	}
	defer f.Close()
	res, err := d.Ledger.Import(c.UserContext(), session.UserOf(c), f, "excel") // it refuses a file over ledger.MaxImportBytes
	return res, name, err
}

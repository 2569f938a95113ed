package ledgerapi

import (
	"bytes"
	"io"
	"mime"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"haochaping/internal/problem"
	"haochaping/web/session"
)

// importLedger is POST /ledgers/import: a filled-in work or problem ledger of one unit, as
// GET /ledgers/export writes it, recorded as the unit's reports in the open round (see
// ledger.Service.Import). The workbook comes as multipart/form-data, in the field "file", or
// as the body itself, typed as an .xlsx workbook (or application/octet-stream). The answer is
// what the import did: the rows applied, skipped and refused. A sheet of the wrong layout,
// another unit's sheet, a role that may not report, no open round: refused whole, nothing
// applied. A workbook over ledger.MaxImportBytes answers 413 file_too_large (the server's body
// limit may refuse it before, 413 body_too_large).
func (h *handlers) importLedger(c *fiber.Ctx) error {
	r, done, err := workbook(c)
	if err != nil {
		return err
	}
	defer done()
	res, err := h.svc.Import(c.UserContext(), session.UserOf(c), r, "excel")
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// workbook is the uploaded file of an import request, and what to call when done with it.
func workbook(c *fiber.Ctx) (io.Reader, func(), error) {
	none := func() {}
	ct := c.Get(fiber.HeaderContentType)
	if ct == "" && len(c.Body()) == 0 {
		return nil, none, errNoFile
	}
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, none, errMediaType
	}
	switch mediaType {
	case fiber.MIMEMultipartForm:
		form, err := c.MultipartForm()
		if err != nil {
			return nil, none, problem.BadRequest("invalid_multipart", "无法读取 multipart/form-data 请求体")
		}
		files := form.File["file"]
		switch len(files) {
		case 0:
			return nil, none, errNoFile
		case 1:
		default:
			return nil, none, problem.Invalid("too_many_files", "file", "请一次上传一个台账文件")
		}
		f, err := files[0].Open()
		if err != nil {
			return nil, none, err
		}
		return f, func() { _ = f.Close() }, nil
	case XLSX, fiber.MIMEOctetStream:
		if len(c.Body()) == 0 {
			return nil, none, errNoFile
		}
		return bytes.NewReader(c.Body()), none, nil
	}
	return nil, none, errMediaType
}

var (
	errNoFile = problem.Invalid("file_required", "file",
		"请上传填好的台账（.xlsx）：multipart/form-data 的 file 字段，或以 "+XLSX+" 为 Content-Type 的请求体")
	errMediaType = &problem.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
		Message: "台账须以 multipart/form-data（file 字段）或 Content-Type: " + XLSX + " 上传"}
)
